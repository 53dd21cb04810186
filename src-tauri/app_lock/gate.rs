//! The gate every call from the window passes: while the app is locked, only what the lock screen
//! needs gets through. It locks itself once the window has been idle for the minutes set, and
//! pauses passphrase tries, longer each time, after too many wrong ones.

use std::sync::Mutex;

use chrono::Duration;

use crate::clock::Moment;

/// The calls the window may make while locked: what the lock screen needs, and nothing that reads
/// or changes the workspace.
pub const WHILE_LOCKED: &[&str] = &["lock_status", "unlock", "lock_now"];

/// Wrong passphrases taken before tries are paused.
pub const FREE_TRIES: u32 = 5;

/// What the gate says of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Through,
    /// Refused: the app is locked. `just_locked` when it locked itself at this call, idle too long.
    Locked {
        just_locked: bool,
    },
}

#[derive(Debug)]
struct State {
    enabled: bool,
    locked: bool,
    idle: Duration,
    last_active: Moment,
    failures: u32,
    paused_until: Option<Moment>,
}

#[derive(Debug)]
pub struct Gate(Mutex<State>);

/// How long tries pause after `failures` wrong passphrases: none for the first few, then 30 s,
/// doubling up to 15 minutes.
pub fn pause_after(failures: u32) -> Duration {
    if failures < FREE_TRIES {
        return Duration::zero();
    }
    let doublings = (failures - FREE_TRIES).min(5);
    Duration::seconds((30i64 << doublings).min(900))
}

impl Gate {
    /// A gate that lets everything through: no passphrase is set.
    pub fn open(now: Moment) -> Self {
        Self(Mutex::new(State {
            enabled: false,
            locked: false,
            idle: Duration::minutes(i64::from(super::DEFAULT_IDLE_MINUTES)),
            last_active: now,
            failures: 0,
            paused_until: None,
        }))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding it leaves plain data: the state is still whole.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a passphrase is set, and how many idle minutes lock; enabling locks at once when
    /// `lock` (the app starting with a passphrase set), disabling unlocks.
    pub fn configure(&self, enabled: bool, idle_minutes: u32, lock: bool, now: Moment) {
        let mut s = self.state();
        s.enabled = enabled;
        s.idle = Duration::minutes(i64::from(idle_minutes));
        s.locked = enabled && (lock || s.locked);
        s.last_active = now;
    }

    /// Whether `command` may run now. An unlocked app idle for longer than its minutes locks here,
    /// whatever the window's own timer did.
    pub fn admits(&self, command: &str, now: Moment) -> Pass {
        let mut s = self.state();
        let mut just_locked = false;
        // The window tells of its input at most every half minute: a minute's grace keeps the
        // backend from locking under someone who is typing.
        if s.enabled && !s.locked && now - s.last_active > s.idle + Duration::minutes(1) {
            s.locked = true;
            just_locked = true;
        }
        if s.locked && !WHILE_LOCKED.contains(&command) {
            return Pass::Locked { just_locked };
        }
        Pass::Through
    }

    /// Someone used the window: the idle minutes count from now.
    pub fn touch(&self, now: Moment) {
        let mut s = self.state();
        if !s.locked {
            s.last_active = now;
        }
    }

    /// Locks now; returns whether it was unlocked (and a passphrase set).
    pub fn lock(&self) -> bool {
        let mut s = self.state();
        let was = s.enabled && !s.locked;
        s.locked = s.enabled;
        was
    }

    pub fn is_locked(&self) -> bool {
        self.state().locked
    }

    pub fn is_enabled(&self) -> bool {
        self.state().enabled
    }

    pub fn idle_minutes(&self) -> u32 {
        u32::try_from(self.state().idle.num_minutes()).unwrap_or(super::DEFAULT_IDLE_MINUTES)
    }

    /// The wrong passphrases since the last right one, and until when tries pause.
    pub fn tries(&self) -> (u32, Option<Moment>) {
        let s = self.state();
        (s.failures, s.paused_until)
    }

    /// The wrong passphrases as kept, at the app's start.
    pub fn restore(&self, failures: u32, paused_until: Option<Moment>) {
        let mut s = self.state();
        s.failures = failures;
        s.paused_until = paused_until;
    }

    /// What a try would leave behind, without leaving it: the wrong passphrases and the pause.
    pub fn after_try(&self, right: bool, now: Moment) -> (u32, Option<Moment>) {
        let s = self.state();
        if right {
            return (0, None);
        }
        let failures = s.failures + 1;
        let pause = pause_after(failures);
        (failures, (pause > Duration::zero()).then(|| now + pause))
    }

    /// Seconds until a passphrase is taken again; 0 when one is now.
    pub fn wait_seconds(&self, now: Moment) -> u64 {
        let s = self.state();
        s.paused_until.map_or(0, |until| u64::try_from((until - now).num_seconds().max(0)).unwrap_or(0))
    }

    /// Records a passphrase tried: the right one unlocks and forgets the wrong ones before it; a
    /// wrong one counts, and pauses tries once there are too many.
    pub fn tried(&self, right: bool, now: Moment) {
        let mut s = self.state();
        if right {
            s.locked = false;
            s.failures = 0;
            s.paused_until = None;
            s.last_active = now;
        } else {
            s.failures += 1;
            let pause = pause_after(s.failures);
            s.paused_until = (pause > Duration::zero()).then(|| now + pause);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> Moment {
        crate::clock::from_unix(1_796_000_000 + minutes * 60).unwrap()
    }

    #[test]
    fn an_app_idle_past_its_minutes_locks_at_the_next_call_and_lets_only_the_lock_screen_through() {
        let gate = Gate::open(at(0));
        assert_eq!(gate.admits("list_clients", at(500)), Pass::Through, "no passphrase: never locks");
        gate.configure(true, 10, false, at(0));
        gate.touch(at(5));
        assert_eq!(
            gate.admits("list_clients", at(16)),
            Pass::Through,
            "ten minutes after the last use, and a minute's grace"
        );
        assert_eq!(gate.admits("list_clients", at(17)), Pass::Locked { just_locked: true });
        assert_eq!(gate.admits("list_clients", at(17)), Pass::Locked { just_locked: false });
        for command in WHILE_LOCKED {
            assert_eq!(gate.admits(command, at(16)), Pass::Through, "{command}");
        }
        gate.touch(at(17));
        assert!(gate.is_locked(), "using the window does not unlock it");
        gate.tried(true, at(18));
        assert_eq!(gate.admits("list_clients", at(27)), Pass::Through);
    }

    #[test]
    fn wrong_passphrases_pause_tries_longer_each_time_and_the_right_one_resets_them() {
        let gate = Gate::open(at(0));
        gate.configure(true, 10, true, at(0));
        for _ in 0..FREE_TRIES - 1 {
            gate.tried(false, at(1));
            assert_eq!(gate.wait_seconds(at(1)), 0);
        }
        gate.tried(false, at(1));
        assert_eq!(gate.wait_seconds(at(1)), 30);
        gate.tried(false, at(2));
        assert_eq!(gate.wait_seconds(at(2)), 60);
        assert_eq!(pause_after(40), Duration::seconds(900), "at most 15 minutes");
        gate.tried(true, at(3));
        assert_eq!(gate.wait_seconds(at(3)), 0);
        assert!(!gate.is_locked());
    }
}
