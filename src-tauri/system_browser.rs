//! Opening an address in the person's own browser, where they are signed in to their CRM and can
//! see the address bar: `$BROWSER` when set (the convention on Unix desktops, and how a test stands
//! in for a browser), else the platform's opener.

use std::process::{Command, Stdio};

/// Starts the browser on `url`; whether one started. The caller shows the address either way, for
/// a person to open it by hand.
pub fn open(url: &str) -> bool {
    let mut commands: Vec<Vec<String>> = Vec::new();
    if let Ok(browsers) = std::env::var("BROWSER") {
        commands.extend(browsers.split(':').filter(|b| !b.trim().is_empty()).map(|b| vec![b.trim().to_owned()]));
    }
    if cfg!(target_os = "macos") {
        commands.push(vec!["open".into()]);
    } else if cfg!(target_os = "windows") {
        // `start` would read `&` in the address as the end of a command.
        commands.push(vec!["rundll32".into(), "url.dll,FileProtocolHandler".into()]);
    } else {
        commands.push(vec!["xdg-open".into()]);
    }
    commands.into_iter().any(|command| {
        let spawned = Command::new(&command[0])
            .args(&command[1..])
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match spawned {
            Ok(mut child) => {
                // Reaped off the caller's thread: an opener may wait for the browser to close.
                std::thread::spawn(move || child.wait());
                true
            }
            Err(_) => false,
        }
    })
}
