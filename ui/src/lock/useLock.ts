import { useCallback, useEffect, useRef, useState } from "react";
import { api, LOCKED_EVENT, type LockStatus } from "../api";
import { onBackendLock } from "../files";

/** Window activity is told to the backend at most this often, so that its idle clock runs from it. */
const TELL_EVERY_MS = 30_000;
const CHECK_EVERY_MS = 5_000;
const INPUT_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"] as const;

/**
 * The window's lock: whether it is locked now, locking on Ctrl+L, after the idle minutes set with no
 * input, and whenever the backend refuses a call because it locked itself.
 */
export function useLock(): { status: LockStatus | null; lock: () => void; unlocked: (s: LockStatus) => void } {
  const [status, setStatus] = useState<LockStatus | null>(null);
  const lastInput = useRef(0);
  const lastTold = useRef(0);

  const read = useCallback(() => {
    // Should the status not come, the window shows the lock: unlocking says what is wrong, and
    // opens the window at once when no passphrase is set after all.
    api.lock.status().then(setStatus, () => setStatus({ enabled: true, locked: true, idle_minutes: 10, wait_seconds: 0 }));
  }, []);

  // The lock screen shows at once; the backend's answer follows.
  const lock = useCallback(() => {
    setStatus((s) => (s?.enabled ? { ...s, locked: true } : s));
    api.lock.now().then(setStatus, () => undefined);
  }, []);

  useEffect(() => {
    read();
    const onLocked = () => read();
    window.addEventListener(LOCKED_EVENT, onLocked);
    const unlisten = onBackendLock(onLocked);
    return () => {
      window.removeEventListener(LOCKED_EVENT, onLocked);
      unlisten();
    };
  }, [read]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "l") {
        e.preventDefault();
        lock();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [lock]);

  const enabled = status?.enabled === true;
  const locked = status?.locked === true;
  const idleMs = (status?.idle_minutes ?? 10) * 60_000;
  useEffect(() => {
    if (!enabled || locked) return;
    lastInput.current = Date.now();
    const onInput = () => {
      const now = Date.now();
      lastInput.current = now;
      if (now - lastTold.current >= TELL_EVERY_MS) {
        lastTold.current = now;
        api.lock.activity().catch(() => undefined);
      }
    };
    INPUT_EVENTS.forEach((e) => window.addEventListener(e, onInput, { passive: true }));
    const timer = window.setInterval(() => {
      if (Date.now() - lastInput.current >= idleMs) lock();
    }, CHECK_EVERY_MS);
    return () => {
      INPUT_EVENTS.forEach((e) => window.removeEventListener(e, onInput));
      window.clearInterval(timer);
    };
  }, [enabled, locked, idleMs, lock]);

  return { status, lock, unlocked: setStatus };
}
