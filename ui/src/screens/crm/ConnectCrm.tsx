import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, toCommandError, type Client, type CommandError, type Crm, type CrmApp, type CrmConnection } from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { CopyButton } from "../../components/CopyButton";
import { ErrorNote } from "../../components/ErrorNote";
import { CRM_LABELS, CRMS } from "./crms";

const TOKEN_HELP: Record<Crm, string> = {
  hubspot: "A private app's access token (Settings → Integrations → Private apps), with the CRM contacts scopes.",
  salesforce: "An access token of the org, with the instance URL it belongs to.",
  pipedrive: "The API token under Personal preferences → API.",
};

type Way = "browser" | "token";

/**
 * Connects a client's CRM, by signing in through the system browser with the agency's app there,
 * or with a pasted token. The token field is uncontrolled, so that the token never reaches React
 * state or a `value` attribute. It is cleared once the CRM has answered about it, accepted or
 * refused; a refusal about something else (the address, the CRM out of reach) leaves it, so that
 * it need not be pasted again.
 */
export function ConnectCrm({
  clients,
  apps,
  onConnected,
}: {
  clients: Client[];
  /** The agency's CRM apps, or null while they are read. */
  apps: CrmApp[] | null;
  onConnected: (c: CrmConnection) => void;
}) {
  const token = useRef<HTMLInputElement>(null);
  const submit = useRef<HTMLButtonElement>(null);
  const [filled, setFilled] = useState(false);
  const [crm, setCrm] = useState<Crm>("hubspot");
  // The way chosen for this CRM; until one is, the browser when the CRM has an app set.
  const [chosen, setChosen] = useState<Way | null>(null);
  const [client, setClient] = useState("");
  const [url, setUrl] = useState("");
  const [busy, setBusy] = useState(false);
  // The sign-in address, once the backend listens for the browser to come back.
  const [address, setAddress] = useState<string | null>(null);
  const [stopping, setStopping] = useState(false);
  // Declining at the CRM, or Cancel here, is a change of mind rather than a failure.
  const [cancelled, setCancelled] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");
  const [settled, setSettled] = useState(0);
  const salesforce = crm === "salesforce";
  const label = CRM_LABELS[crm];
  const hasApp = (c: Crm) => apps?.some((a) => a.crm === c) ?? false;
  const way: Way = chosen ?? (hasApp(crm) ? "browser" : "token");
  const browser = way === "browser";
  // Said only once the apps are read, not while they load.
  const needsApp = apps !== null && !hasApp(crm);

  // The submit button was disabled while the browser was awaited, and Cancel is gone: the keyboard's focus comes back here.
  useEffect(() => {
    if (settled === 0) return;
    if (document.activeElement === null || document.activeElement === document.body) submit.current?.focus();
  }, [settled]);

  const clearToken = () => {
    if (token.current) token.current.value = "";
    setFilled(false);
  };

  // The token field comes and goes with the way, and comes back empty.
  const changeWay = (next: Way) => {
    if (next !== way) setFilled(false);
    setChosen(next);
  };
  const changeCrm = (next: Crm) => {
    if ((hasApp(next) ? "browser" : "token") !== way) setFilled(false);
    setCrm(next);
    setChosen(null);
  };

  const connected = (c: CrmConnection) => {
    setUrl("");
    setStatus(`Connected ${CRM_LABELS[c.crm]} for ${c.client ?? client}.`);
    onConnected(c);
  };

  const withToken = async () => {
    try {
      const c = await api.crm.connect(crm, client, token.current?.value ?? "", url.trim() || null);
      clearToken();
      connected(c);
    } catch (err) {
      const refused = toCommandError(err);
      if (refused.code === "token_invalid") clearToken();
      setError(refused);
    }
  };

  const inBrowser = async () => {
    setAddress(null);
    setStopping(false);
    try {
      connected(await api.crm.connectInBrowser(crm, client, url.trim() || null, (s) => setAddress(s.address)));
    } catch (err) {
      const refused = toCommandError(err);
      if (refused.code === "cancelled") setCancelled(refused.message);
      else setError(refused);
    } finally {
      setAddress(null);
      setStopping(false);
      setSettled((n) => n + 1);
    }
  };

  const connect = async (e: FormEvent) => {
    e.preventDefault();
    // Held to while it runs: an app set or removed meanwhile does not change the way under it.
    setChosen(way);
    setBusy(true);
    setError(null);
    setCancelled(null);
    setStatus("");
    try {
      await (browser ? inBrowser() : withToken());
    } finally {
      setBusy(false);
    }
  };

  // A sign-in is stopped as an import is: the window runs one long job at a time, and one command stops it.
  const cancel = () => {
    setStopping(true);
    api.leads.cancelImport().catch((e: unknown) => setError(toCommandError(e)));
  };

  const waiting = busy && browser;

  return (
    <form className="card request-form" aria-labelledby="crm-connect-title" onSubmit={connect} data-testid="crm-connect">
      <h3 id="crm-connect-title">Connect a CRM</h3>
      <p className="muted">
        The CRM is asked for its fields before the connection is kept, and its tokens are kept only in the OS keychain.
      </p>
      <label>
        CRM
        <select value={crm} onChange={(e) => changeCrm(e.target.value as Crm)} disabled={busy} data-testid="crm-connect-crm">
          {CRMS.map((c) => (
            <option key={c} value={c}>
              {CRM_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Client
        <ClientSelect clients={clients} value={client} onChange={setClient} none="Choose a client" disabled={busy} testId="crm-connect-client" />
      </label>
      <fieldset aria-describedby={needsApp ? "crm-browser-needs-app" : undefined} data-testid="crm-connect-way">
        <legend>How</legend>
        <label className="choice">
          <input
            type="radio"
            name="crm-connect-way"
            checked={browser}
            onChange={() => changeWay("browser")}
            disabled={busy}
            data-testid="crm-connect-browser"
          />
          Sign in through the browser
        </label>
        <label className="choice">
          <input
            type="radio"
            name="crm-connect-way"
            checked={!browser}
            onChange={() => changeWay("token")}
            disabled={busy}
            data-testid="crm-connect-paste"
          />
          Paste a token
        </label>
      </fieldset>
      {needsApp && (
        <small id="crm-browser-needs-app" className="hint" data-testid="crm-connect-needs-app">
          Signing in to {label} through the browser needs the client id of the agency&apos;s {label} app: set it under CRM apps below.
        </small>
      )}
      {browser ? (
        <small className="hint">
          {label}&apos;s sign-in page opens in your browser; sign in there as someone who may connect the client&apos;s {label}.
        </small>
      ) : (
        <>
          <label>
            Token
            <input
              ref={token}
              type="password"
              autoComplete="off"
              spellCheck={false}
              aria-describedby="crm-token-help"
              onChange={(e) => setFilled(e.target.value.trim() !== "")}
              data-testid="crm-connect-token"
            />
          </label>
          <small id="crm-token-help" className="hint">
            {TOKEN_HELP[crm]}
          </small>
        </>
      )}
      <label>
        {salesforce ? (browser ? "Instance URL (optional)" : "Instance URL") : "API address (optional)"}
        <input
          type="text"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          disabled={busy}
          placeholder={salesforce ? "https://yourorg.my.salesforce.com" : crm === "hubspot" ? "https://api.hubapi.com" : "https://api.pipedrive.com"}
          aria-describedby={salesforce && browser ? "crm-instance-help" : undefined}
          data-testid="crm-connect-url"
        />
      </label>
      {salesforce && browser && (
        <small id="crm-instance-help" className="hint">
          A My Domain or sandbox address to sign in at; without one, the sign-in is at the app&apos;s authorization server.
        </small>
      )}
      {clients.length === 0 && (
        <p className="hint" data-testid="crm-connect-no-clients">
          Add a client first (Clients screen): a CRM is connected for one client.
        </p>
      )}
      {waiting && (
        <div className="notice sign-in" data-testid="crm-sign-in-waiting">
          <p role="status">Waiting for {label} in your browser…</p>
          {address && (
            <>
              <label>
                Sign-in address
                <input type="text" readOnly value={address} onFocus={(e) => e.target.select()} data-testid="crm-sign-in-address" />
              </label>
              <CopyButton text={address} label="Copy the sign-in address" testId="crm-sign-in-copy" />
              <small className="hint">If no browser opened, open this address in one.</small>
            </>
          )}
          <button type="button" onClick={cancel} disabled={stopping} data-testid="crm-sign-in-cancel">
            {stopping ? "Stopping…" : "Cancel"}
          </button>
        </div>
      )}
      {cancelled && (
        <p className="muted" role="status" data-testid="crm-sign-in-cancelled">
          {cancelled}
        </p>
      )}
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      <div className="toolbar">
        <button
          ref={submit}
          type="submit"
          className="primary"
          disabled={busy || client === "" || (!browser && !filled)}
          data-testid="crm-connect-submit"
        >
          {busy ? (browser ? `Waiting for ${label}…` : `Asking ${label}…`) : browser ? `Sign in to ${label}` : "Connect CRM"}
        </button>
      </div>
    </form>
  );
}
