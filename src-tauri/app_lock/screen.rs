//! Whether the desktop locked its screen: the screensaver's `ActiveChanged` signal on the session
//! bus, as freedesktop.org names it and as GNOME sends it. A desktop that sends neither is not
//! followed; idle minutes and Ctrl+L still lock.

use std::sync::Arc;
use std::time::Duration;

use dbus::blocking::Connection;
use dbus::message::MatchRule;

const INTERFACES: [&str; 2] = ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"];

/// Calls `on_lock` each time the screen locks, from a thread of its own, for as long as the
/// process runs. Fails when there is no session bus to listen on.
pub fn watch(on_lock: impl Fn() + Send + Sync + 'static) -> Result<(), dbus::Error> {
    let conn = Connection::new_session()?;
    let on_lock = Arc::new(on_lock);
    for interface in INTERFACES {
        let on_lock = Arc::clone(&on_lock);
        conn.add_match(MatchRule::new_signal(interface, "ActiveChanged"), move |(active,): (bool,), _, _| {
            if active {
                on_lock();
            }
            true
        })?;
    }
    std::thread::Builder::new()
        .name("screen-lock".into())
        .spawn(move || while conn.process(Duration::from_secs(3600)).is_ok() {})
        .map_err(|e| dbus::Error::new_failed(&e.to_string()))?;
    Ok(())
}
