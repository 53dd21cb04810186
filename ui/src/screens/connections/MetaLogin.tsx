import { useEffect, useRef, useState } from "react";
import { api, toCommandError, type Client, type CommandError, type LoggedIn, type MetaApp } from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";
import { LoginResult } from "./LoginResult";

/**
 * Connects through Facebook Login. The backend opens Facebook's dialog in a window of its own and
 * answers only once the person is done there, so meanwhile this says where to look. Closing that
 * window, or declining at Facebook, is a change of mind rather than a failure.
 */
export function MetaLogin({
  app,
  clients,
  onLoggedIn,
}: {
  app: MetaApp | null;
  clients: Client[];
  onLoggedIn: (done: LoggedIn) => void;
}) {
  const button = useRef<HTMLButtonElement>(null);
  const [client, setClient] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<LoggedIn | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  // Said only once the app is read, not while it loads.
  const noAppId = app !== null && !app.app_id;

  // The button was disabled while the login window was open, which took the keyboard's focus from it.
  useEffect(() => {
    if (!done && !cancelled && !error) return;
    if (document.activeElement === null || document.activeElement === document.body) button.current?.focus();
  }, [done, cancelled, error]);

  const logIn = async () => {
    setBusy(true);
    setDone(null);
    setCancelled(false);
    setError(null);
    try {
      const loggedIn = await api.meta.login(client || null);
      setDone(loggedIn);
      onLoggedIn(loggedIn);
    } catch (e) {
      const err = toCommandError(e);
      if (err.code === "cancelled") setCancelled(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login" role="group" aria-labelledby="meta-login-title" data-testid="meta-login-panel">
      <h3 id="meta-login-title">Log in with Facebook</h3>
      <p className="muted">
        Log in as someone who manages the agency&apos;s Pages in Facebook&apos;s own window. Custodian keeps the token only in the OS
        keychain and reads the Pages it reaches.
      </p>
      <div className="toolbar">
        {clients.length > 0 && (
          <label>
            Log in for client
            <ClientSelect clients={clients} value={client} onChange={setClient} none="None" disabled={busy} testId="meta-login-client" />
          </label>
        )}
        <button
          ref={button}
          type="button"
          className="primary"
          onClick={() => void logIn()}
          disabled={busy || app === null || noAppId}
          aria-describedby={noAppId ? "meta-login-needs-app" : undefined}
          data-testid="meta-login"
        >
          {busy ? "Waiting for Facebook…" : "Log in with Facebook"}
        </button>
      </div>
      {noAppId && (
        <p id="meta-login-needs-app" className="hint" data-testid="meta-login-needs-app">
          Set the Meta app&apos;s id above first: the login is to the agency&apos;s own app.
        </p>
      )}
      {busy && (
        <p className="muted" role="status" data-testid="meta-login-waiting">
          Finish logging in in the Facebook window that opened. Closing that window cancels the login.
        </p>
      )}
      {cancelled && (
        <p className="muted" role="status" data-testid="meta-login-cancelled">
          Login cancelled; nothing was connected.
        </p>
      )}
      <ErrorNote error={error} />
      {done && <LoginResult done={done} />}
    </div>
  );
}
