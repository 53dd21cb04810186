//! The app lock: a passphrase kept only as its Argon2id hash in the keychain, a gate that refuses
//! every command from the window while locked, wrong passphrases audited and paused, idle minutes
//! that lock by themselves, and a command line the lock does not touch.

use std::collections::BTreeSet;

use custodian::app_lock::gate::{Pass, WHILE_LOCKED};
use custodian::console::{Code, Console};
use custodian::vault::{Sensitive, Vault};

use crate::support::{at, stdout, traces, Workspace};

const PASSPHRASE: &str = "tangerine umbrella 42";

fn secret(text: &str) -> Sensitive<String> {
    Sensitive::new(text.to_owned())
}

/// Every command the window can call, as build.rs declares them.
fn window_commands() -> BTreeSet<String> {
    let build = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/build.rs")).unwrap();
    let list = &build[build.find("let commands = &[").unwrap()..];
    let list = &list[..list.find("];").unwrap()];
    list.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

async fn locked(ws: &Workspace) -> Console {
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    console.set_lock_passphrase(secret(PASSPHRASE), None).await.unwrap();
    let status = console.lock_now("on demand").await;
    assert!(status.enabled && status.locked);
    console
}

#[tokio::test]
async fn while_locked_every_window_command_is_refused_but_what_the_lock_screen_needs() {
    let ws = Workspace::new();
    let console = locked(&ws).await;
    let commands = window_commands();
    assert!(commands.len() > 100, "the whole list: {}", commands.len());
    for allowed in WHILE_LOCKED {
        assert!(commands.contains(*allowed), "{allowed} is a command");
    }
    let now = console.now();
    for command in &commands {
        let pass = console.gate().admits(command, now);
        if WHILE_LOCKED.contains(&command.as_str()) {
            assert_eq!(pass, Pass::Through, "{command}");
        } else {
            assert_eq!(pass, Pass::Locked { just_locked: false }, "{command} must be refused while locked");
        }
    }
    // The desktop asks the gate before any command runs, whatever its arguments.
    let desktop = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src-tauri/desktop/mod.rs")).unwrap();
    let handler = &desktop[desktop.find(".invoke_handler(").unwrap()..];
    let gate = handler.find("refused_while_locked(&invoke)").expect("the gate is asked");
    assert!(gate < handler.find("handler(invoke)").unwrap(), "before the command is dispatched");

    console.unlock(secret(PASSPHRASE)).await.unwrap();
    for command in &commands {
        assert_eq!(console.gate().admits(command, now), Pass::Through, "{command}");
    }
}

#[tokio::test]
async fn the_passphrase_is_kept_only_as_its_argon2id_hash_in_the_keychain_and_nowhere_on_disk() {
    let ws = Workspace::new();
    let console = locked(&ws).await;
    let kept = Vault::new(&ws.id()).get("app-lock", "passphrase").await.unwrap().expect("in the keychain");
    assert!(kept.expose().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(!kept.expose().contains(PASSPHRASE));
    let trail = console.audit_list(20, None).await.unwrap();
    assert!(trail.iter().any(|e| e.action == "lock.set" && e.outcome == "ok"));
    assert!(trail.iter().all(|e| !e.object.contains(PASSPHRASE)));
    console.close().await;
    let key = *ws.key().await.expose();
    assert!(traces(ws.path(), &key, &[PASSPHRASE, "tangerine"]).is_empty(), "no trace in the data directory");

    // Changing or removing it takes the current one.
    let console = ws.open().await;
    console.start_lock().await.unwrap();
    let changed = console.set_lock_passphrase(secret("another one entirely"), None).await.unwrap_err();
    assert_eq!(changed.code(), Code::InvalidInput);
    let short = console.set_lock_passphrase(secret("short"), Some(secret(PASSPHRASE))).await.unwrap_err();
    assert_eq!(short.code(), Code::InvalidInput, "{short}");
    let cleared = console.clear_lock_passphrase(secret("not it at all")).await.unwrap_err();
    assert_eq!(cleared.code(), Code::InvalidInput);
    let status = console.clear_lock_passphrase(secret(PASSPHRASE)).await.unwrap();
    assert!(!status.enabled && !status.locked);
    assert!(Vault::new(&ws.id()).get("app-lock", "passphrase").await.unwrap().is_none());
}

#[tokio::test]
async fn the_app_opens_locked_with_a_passphrase_set_and_wrong_ones_are_audited_and_paused() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-12-01T09:00:00Z"));
    drop(locked(&ws).await);
    let console = ws.open().await;
    assert!(console.start_lock().await.unwrap().locked, "a restart does not unlock it");

    for _ in 0..5 {
        let wrong = console.unlock(secret("guess")).await.unwrap_err();
        assert_eq!(wrong.code(), Code::InvalidInput);
    }
    // The right one is not even checked while tries are paused.
    let paused = console.unlock(secret(PASSPHRASE)).await.unwrap_err();
    assert_eq!(paused.code(), Code::TryLater, "{paused}");
    assert!(paused.to_string().contains("30 seconds"), "{paused}");
    assert_eq!(console.lock_status().wait_seconds, 30);
    // A restart does not give fresh tries.
    console.close().await;
    let console = ws.open().await;
    let restarted = console.start_lock().await.unwrap();
    assert!(restarted.locked && restarted.wait_seconds == 30, "{restarted:?}");
    let still = console.unlock(secret(PASSPHRASE)).await.unwrap_err();
    assert_eq!(still.code(), Code::TryLater);
    ws.clock.set(at("2026-12-01T09:00:31Z"));
    let status = console.unlock(secret(PASSPHRASE)).await.unwrap();
    assert!(!status.locked && status.wait_seconds == 0);
    let tries: Vec<_> =
        console.audit_list(30, None).await.unwrap().into_iter().filter(|e| e.action == "lock.unlock").collect();
    assert_eq!(tries.iter().filter(|e| e.outcome != "ok").count(), 5, "every passphrase checked, not the paused tries");
    assert_eq!(tries.iter().filter(|e| e.outcome == "ok").count(), 1);
}

#[tokio::test]
async fn an_idle_window_locks_itself_after_its_minutes_and_use_keeps_it_open() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-12-01T09:00:00Z"));
    let console = locked(&ws).await;
    console.unlock(secret(PASSPHRASE)).await.unwrap();
    let refused = console.set_lock_idle(0).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidInput);
    assert_eq!(console.set_lock_idle(5).await.unwrap().idle_minutes, 5);

    ws.clock.set(at("2026-12-01T09:04:00Z"));
    console.lock_activity();
    ws.clock.set(at("2026-12-01T09:10:00Z"));
    assert_eq!(
        console.gate().admits("list_clients", console.now()),
        Pass::Through,
        "five minutes after use, and a minute's grace"
    );
    ws.clock.set(at("2026-12-01T09:10:01Z"));
    assert_eq!(console.gate().admits("list_clients", console.now()), Pass::Locked { just_locked: true });
    assert!(console.lock_status().locked);
}

#[tokio::test]
async fn the_command_line_is_not_locked_and_removes_a_forgotten_passphrase() {
    let ws = Workspace::new();
    let console = locked(&ws).await;
    // Guessing at an unlocked window's settings pauses as unlocking does.
    console.unlock(secret(PASSPHRASE)).await.unwrap();
    for _ in 0..5 {
        let wrong = console.clear_lock_passphrase(secret("guess")).await.unwrap_err();
        assert_eq!(wrong.code(), Code::InvalidInput);
    }
    let paused = console.set_lock_passphrase(secret("a new one here"), Some(secret(PASSPHRASE))).await.unwrap_err();
    assert_eq!(paused.code(), Code::TryLater);
    console.close().await;
    let out = ws.cli(&["client", "list"]);
    assert!(out.status.success() && stdout(&out).contains("Acme"), "{}", stdout(&out));

    let cleared = ws.cli(&["lock", "clear"]);
    assert!(cleared.status.success(), "{}", crate::support::stderr(&cleared));
    assert!(Vault::new(&ws.id()).get("app-lock", "passphrase").await.unwrap().is_none());
    let console = ws.open().await;
    let status = console.start_lock().await.unwrap();
    assert!(!status.enabled && !status.locked && status.wait_seconds == 0, "{status:?}");
    let trail = console.audit_list(5, None).await.unwrap();
    assert!(trail.iter().any(|e| e.action == "lock.clear" && e.object.contains("computer's user")));
}

#[tokio::test]
async fn a_damaged_hash_in_the_keychain_is_said_so_and_counts_no_wrong_try() {
    let ws = Workspace::new();
    let console = locked(&ws).await;
    Vault::new(&ws.id()).set("app-lock", "passphrase", secret("damaged: not a PHC string")).await.unwrap();
    for _ in 0..6 {
        let refused = console.unlock(secret(PASSPHRASE)).await.unwrap_err();
        assert_eq!(refused.code(), Code::Conflict, "{refused}");
    }
    assert_eq!(console.lock_status().wait_seconds, 0);
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_window_locks_when_the_desktop_says_its_screen_locked() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let locks = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&locks);
    custodian::app_lock::screen::watch(move || {
        counted.fetch_add(1, Ordering::SeqCst);
    })
    .expect("the test session has a session bus");
    let send = |interface: &str, active: &str| {
        let path = format!("/{}", interface.replace('.', "/"));
        // Without the clock-moving library of the later run, whose locks can hang a D-Bus client.
        let status = std::process::Command::new("dbus-send")
            .env_remove("LD_PRELOAD")
            .env_remove("FAKETIME")
            .args([
                "--session",
                "--type=signal",
                &path,
                &format!("{interface}.ActiveChanged"),
                &format!("boolean:{active}"),
            ])
            .status()
            .expect("dbus-send");
        assert!(status.success());
    };
    // The screen coming back is not a lock; each desktop's own signal is.
    send("org.freedesktop.ScreenSaver", "false");
    send("org.freedesktop.ScreenSaver", "true");
    send("org.gnome.ScreenSaver", "true");
    for _ in 0..100 {
        if locks.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(locks.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn wrong_passphrases_sent_together_still_pause_after_five() {
    let ws = Workspace::new();
    let console = locked(&ws).await;
    let tries = (0..8).map(|_| console.unlock(secret("guess")));
    let answers = futures_util::future::join_all(tries).await;
    let codes: Vec<Code> = answers.into_iter().map(|a| a.unwrap_err().code()).collect();
    assert_eq!(codes.iter().filter(|c| **c == Code::InvalidInput).count(), 5, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == Code::TryLater).count(), 3, "{codes:?}");
}
