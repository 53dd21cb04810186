import { useRef, useState, type FormEvent } from "react";
import { api, toCommandError, type CommandError, type MetaApp } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";

/**
 * The app secret, shown only as set or not set. The field is uncontrolled so that what is typed
 * never reaches React state or a `value` attribute: it lives in the input until it is sent.
 */
export function AppSecret({ app, onChanged }: { app: MetaApp; onChanged: (app: MetaApp) => void }) {
  const [setting, setSetting] = useState(false);
  const [filled, setFilled] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");
  const secret = useRef<HTMLInputElement>(null);

  const close = () => {
    setSetting(false);
    setFilled(false);
    setError(null);
  };

  const change = async (work: () => Promise<MetaApp>, done: string) => {
    setBusy(true);
    setError(null);
    setStatus("");
    try {
      onChanged(await work());
      setStatus(done);
      return true;
    } catch (e) {
      setError(toCommandError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (await change(() => api.meta.setSecret(secret.current?.value ?? ""), "The app secret is set in the keychain.")) {
      if (secret.current) secret.current.value = "";
      close();
    }
  };

  return (
    <div className="secret" aria-labelledby="secret-title" role="group">
      <h3 id="secret-title">App secret</h3>
      <p>
        <strong data-testid="secret-state">{app.secret_set ? "Set" : "Not set"}</strong>
        <span className="muted"> — kept only in the OS keychain and never shown.</span>
      </p>
      <p className="muted">
        Without the app secret only short-lived logins are possible, and each token is checked by itself rather than by the app.
      </p>
      {setting ? (
        <form className="inline-form" aria-label="Set the app secret" onSubmit={save} onKeyDown={(e) => e.key === "Escape" && close()}>
          <label htmlFor="app-secret">New app secret</label>
          <input
            id="app-secret"
            ref={secret}
            type="password"
            autoComplete="off"
            spellCheck={false}
            autoFocus
            onChange={(e) => setFilled(e.target.value.trim() !== "")}
            data-testid="app-secret"
          />
          <button type="submit" className="primary" disabled={busy || !filled} data-testid="app-secret-save">
            Save secret
          </button>
          <button type="button" onClick={close}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="toolbar">
          <button type="button" onClick={() => setSetting(true)} data-testid="set-secret">
            Set secret…
          </button>
          {app.secret_set && (
            <button
              type="button"
              className="danger-text"
              disabled={busy}
              onClick={() => void change(api.meta.removeSecret, "The app secret was removed from the keychain.")}
              data-testid="remove-secret"
            >
              Remove secret
            </button>
          )}
        </div>
      )}
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
    </div>
  );
}
