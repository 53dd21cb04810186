import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, CommandError, toCommandError, type Crm, type CrmApp } from "../../api";
import { CopyButton } from "../../components/CopyButton";
import { ErrorNote } from "../../components/ErrorNote";
import { CRM_LABELS, CRMS } from "./crms";

/** Each CRM's own authorization server, shown as what an empty field stands for. */
const AUTH_PLACEHOLDERS: Record<Crm, string> = {
  hubspot: "https://app.hubspot.com",
  salesforce: "https://login.salesforce.com",
  pipedrive: "https://oauth.pipedrive.com",
};

const inOrder = (apps: CrmApp[]) => [...apps].sort((x, y) => CRMS.indexOf(x.crm) - CRMS.indexOf(y.crm));

/**
 * The agency's OAuth app at each CRM, which signing in through the browser goes through: its
 * client id, whether its secret is in the keychain, and the redirect URL to register with it.
 */
export function CrmApps({ apps, onChanged }: { apps: CrmApp[] | null; onChanged: (apps: CrmApp[]) => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");
  const [removed, setRemoved] = useState(0);

  // The Remove button pressed went with its row: the keyboard's focus goes to the card's heading.
  useEffect(() => {
    if (removed > 0) heading.current?.focus();
  }, [removed]);

  const remove = async (app: CrmApp) => {
    if (!apps) return;
    setBusy(true);
    setError(null);
    setStatus("");
    try {
      await api.crm.removeApp(app.crm);
      onChanged(apps.filter((a) => a.crm !== app.crm));
      setStatus(`Removed the ${CRM_LABELS[app.crm]} app${app.has_secret ? "; its secret left the keychain" : ""}.`);
      setRemoved((n) => n + 1);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  const saved = (app: CrmApp, secretGiven: boolean) => {
    onChanged(inOrder([...(apps ?? []).filter((a) => a.crm !== app.crm), app]));
    const label = CRM_LABELS[app.crm];
    setError(null);
    setStatus(secretGiven ? `Saved the ${label} app; its secret is in the keychain.` : `Saved the ${label} app.`);
  };

  return (
    <section className="card" aria-labelledby="crm-apps-title" data-testid="crm-apps">
      <h3 id="crm-apps-title" ref={heading} tabIndex={-1}>
        CRM apps
      </h3>
      <p className="muted">
        The agency&apos;s own app at each CRM, which signing in through the browser goes through. Register the redirect URL shown with the
        app at the CRM. A client secret is kept only in the OS keychain and never shown.
      </p>
      {apps === null ? (
        <p className="muted">Loading…</p>
      ) : apps.length === 0 ? (
        <p className="empty" data-testid="crm-apps-empty">
          No CRM apps yet: connections are made with tokens. Set an app to sign in through the browser.
        </p>
      ) : (
        <table className="table crm-apps" aria-labelledby="crm-apps-title" data-testid="crm-apps-table">
          <thead>
            <tr>
              <th scope="col">CRM</th>
              <th scope="col">Client id</th>
              <th scope="col">Secret</th>
              <th scope="col">Signs in at</th>
              <th scope="col">Redirect URL to register</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {inOrder(apps).map((app) => {
              const label = CRM_LABELS[app.crm];
              return (
                <tr key={app.crm} data-testid="crm-app-row">
                  <td>{label}</td>
                  <td>
                    <code>{app.client_id}</code>
                  </td>
                  <td>{app.has_secret ? "secret in the keychain" : "no secret"}</td>
                  <td>
                    <code>{app.auth_url}</code>
                  </td>
                  <td>
                    <code>{app.redirect_uri}</code> <CopyButton text={app.redirect_uri} label={`Copy the ${label} redirect URL`} />
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="danger-text"
                      onClick={() => void remove(app)}
                      disabled={busy}
                      aria-label={`Remove the ${label} app`}
                      data-testid="crm-app-remove"
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      {/* Filled from the apps once they are read, so that replacing one keeps what is not changed. */}
      {apps !== null && <SetCrmApp apps={apps} onSaved={saved} />}
    </section>
  );
}

/**
 * Sets or replaces one CRM's app; choosing a CRM that has one fills in what it has, since what is
 * left empty goes back to the CRM's defaults. The secret field is uncontrolled, so that what is
 * typed never reaches React state or a `value` attribute; it is cleared once saved.
 */
function SetCrmApp({ apps, onSaved }: { apps: CrmApp[]; onSaved: (app: CrmApp, secretGiven: boolean) => void }) {
  const secret = useRef<HTMLInputElement>(null);
  const [crm, setCrm] = useState<Crm>(() => apps[0]?.crm ?? "hubspot");
  const app = apps.find((a) => a.crm === crm);
  const [clientId, setClientId] = useState(app?.client_id ?? "");
  const [authUrl, setAuthUrl] = useState(app?.auth_url ?? "");
  const [port, setPort] = useState(app ? String(app.redirect_port) : "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const label = CRM_LABELS[crm];

  const show = (a: CrmApp | undefined) => {
    setClientId(a?.client_id ?? "");
    setAuthUrl(a?.auth_url ?? "");
    setPort(a ? String(a.redirect_port) : "");
  };

  const choose = (next: Crm) => {
    setCrm(next);
    setError(null);
    show(apps.find((a) => a.crm === next));
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    // A text field rather than a number one, so that what was typed is what is checked (a number
    // field reads as empty for what is not a number), and said as every refusal is.
    const givenPort = port.trim() === "" ? undefined : Number(port.trim());
    if (givenPort !== undefined && !(/^\d+$/.test(port.trim()) && givenPort <= 65535)) {
      setError(new CommandError("invalid_input", `'${port.trim()}' is not a port: give a whole number up to 65535, or leave it empty.`));
      return;
    }
    const given = secret.current?.value.trim() ?? "";
    setBusy(true);
    try {
      const saved = await api.crm.setApp(
        { crm, client_id: clientId, auth_url: authUrl.trim() || undefined, redirect_port: givenPort },
        given || null,
      );
      if (secret.current) secret.current.value = "";
      // The backend trims and tidies what it keeps: show that, not what was typed.
      show(saved);
      onSaved(saved, given !== "");
    } catch (err) {
      setError(toCommandError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="request-form" aria-labelledby="crm-app-form-title" onSubmit={save} data-testid="crm-app-form">
      <h4 id="crm-app-form-title">Set an app</h4>
      <label>
        CRM
        <select value={crm} onChange={(e) => choose(e.target.value as Crm)} data-testid="crm-app-crm">
          {CRMS.map((c) => (
            <option key={c} value={c}>
              {CRM_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Client id
        <input
          type="text"
          value={clientId}
          onChange={(e) => setClientId(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          data-testid="crm-app-client-id"
        />
      </label>
      <label>
        Client secret
        <input
          ref={secret}
          type="password"
          autoComplete="off"
          spellCheck={false}
          aria-describedby="crm-app-secret-help"
          data-testid="crm-app-secret"
        />
      </label>
      <small id="crm-app-secret-help" className="hint">
        {app?.has_secret
          ? `Leave it empty to keep the ${label} app's secret that is in the keychain.`
          : "Kept only in the OS keychain and never shown; an app that signs in without one leaves it empty."}
      </small>
      <label>
        Authorization server (optional)
        <input
          type="text"
          inputMode="url"
          value={authUrl}
          onChange={(e) => setAuthUrl(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          placeholder={AUTH_PLACEHOLDERS[crm]}
          aria-describedby="crm-app-auth-help"
          data-testid="crm-app-auth-url"
        />
      </label>
      <small id="crm-app-auth-help" className="hint">
        Empty: {label}&apos;s own. Another only for a server of its own, such as a Salesforce sandbox&apos;s.
      </small>
      <label>
        Redirect port (optional)
        <input
          type="text"
          inputMode="numeric"
          value={port}
          onChange={(e) => setPort(e.target.value)}
          autoComplete="off"
          aria-describedby="crm-app-port-help"
          data-testid="crm-app-port"
        />
      </label>
      <small id="crm-app-port-help" className="hint">
        The port of the loopback redirect URL registered with the app. Empty: the default.
      </small>
      <ErrorNote error={error} />
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy || clientId.trim() === ""} data-testid="crm-app-save">
          {busy ? "Saving…" : "Save app"}
        </button>
      </div>
    </form>
  );
}
