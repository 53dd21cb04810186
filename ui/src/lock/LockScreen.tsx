import { useState, type FormEvent } from "react";
import { api, toCommandError, type CommandError, type LockStatus } from "../api";

/** All the window shows while locked: nothing of the workspace, only the way back in. */
export function LockScreen({ onUnlocked }: { onUnlocked: (s: LockStatus) => void }) {
  const [passphrase, setPassphrase] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const status = await api.lock.unlock(passphrase);
      setPassphrase("");
      if (!status.locked) onUnlocked(status);
    } catch (err) {
      setError(toCommandError(err));
      setPassphrase("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="lock-screen" data-testid="lock-screen">
      <form aria-label="Unlock" onSubmit={submit} className="lock-form">
        <img src="/icon.svg" alt="" width={48} height={48} />
        <h1>Custodian is locked</h1>
        <p className="muted">The personal data it holds stays hidden until it is unlocked with the app's passphrase.</p>
        <label>
          Passphrase
          <input
            type="password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            autoFocus
            autoComplete="current-password"
            data-testid="unlock-passphrase"
          />
        </label>
        {error && (
          <p className="error" role="alert" data-code={error.code} data-testid="unlock-error">
            {error.message}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy || !passphrase} data-testid="unlock">
          Unlock
        </button>
      </form>
    </main>
  );
}
