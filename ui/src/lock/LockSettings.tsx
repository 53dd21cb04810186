import { useEffect, useState, type FormEvent } from "react";
import { api, toCommandError, type CommandError, type LockStatus } from "../api";
import { ErrorNote } from "../components/ErrorNote";

const IDLE_CHOICES = [5, 10, 15, 30, 60, 120];

/** Settings of the app lock: its passphrase (set, changed, removed) and its idle minutes. */
export function LockSettings({ onChanged }: { onChanged?: (s: LockStatus) => void }) {
  const [status, setStatus] = useState<LockStatus | null>(null);
  const [editing, setEditing] = useState<"set" | "remove" | null>(null);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const [mismatch, setMismatch] = useState(false);

  useEffect(() => {
    api.lock.status().then(setStatus, (e: unknown) => setError(toCommandError(e)));
  }, []);

  const done = (s: LockStatus) => {
    setStatus(s);
    setEditing(null);
    setCurrent("");
    setNext("");
    setAgain("");
    onChanged?.(s);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setMismatch(editing === "set" && next !== again);
    if (editing === "set" && next !== again) return;
    try {
      done(editing === "set" ? await api.lock.set(next, status?.enabled ? current : null) : await api.lock.clear(current));
    } catch (err) {
      setError(toCommandError(err));
    }
  };

  const idle = async (minutes: number) => {
    setError(null);
    try {
      done(await api.lock.setIdle(minutes));
    } catch (err) {
      setError(toCommandError(err));
    }
  };

  if (!status) return <ErrorNote error={error} />;
  return (
    <article className="card" data-testid="lock-settings">
      <h2>App lock</h2>
      <p className="muted" data-testid="lock-state">
        {status.enabled
          ? `On: the window locks after ${status.idle_minutes} idle minutes, with Ctrl+L, and when the screen locks.`
          : "Off: anyone at this desktop can read the workspace while the app is open."}
      </p>
      <ErrorNote error={error} />
      {editing ? (
        <form aria-label={editing === "set" ? "Set the passphrase" : "Remove the passphrase"} onSubmit={save} className="request-form">
          {status.enabled && (
            <label>
              Current passphrase
              <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" data-testid="lock-current" />
            </label>
          )}
          {editing === "set" && (
            <>
              <label>
                New passphrase (at least 8 characters)
                <input type="password" value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" minLength={8} data-testid="lock-new" />
              </label>
              <label>
                The same again
                <input type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" data-testid="lock-again" />
              </label>
              {mismatch && (
                <p className="error" role="alert" data-testid="lock-mismatch">
                  The two passphrases differ: type the same one twice.
                </p>
              )}
            </>
          )}
          <div className="toolbar">
            <button type="submit" className={editing === "remove" ? "danger" : "primary"} data-testid="lock-save">
              {editing === "set" ? "Set passphrase" : "Remove passphrase"}
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="toolbar">
          <button type="button" onClick={() => setEditing("set")} data-testid="lock-set">
            {status.enabled ? "Change passphrase…" : "Set a passphrase…"}
          </button>
          {status.enabled && (
            <button type="button" onClick={() => setEditing("remove")} data-testid="lock-remove">
              Remove…
            </button>
          )}
          <label>
            Lock after
            <select value={status.idle_minutes} onChange={(e) => void idle(Number(e.target.value))} data-testid="lock-idle">
              {[...new Set([...IDLE_CHOICES, status.idle_minutes])].sort((a, b) => a - b).map((m) => (
                <option key={m} value={m}>
                  {m} idle minutes
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
    </article>
  );
}
