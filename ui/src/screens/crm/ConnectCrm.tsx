import { useRef, useState, type FormEvent } from "react";
import { api, toCommandError, type Client, type CommandError, type Crm, type CrmConnection } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { CRM_LABELS, CRMS } from "./crms";

const TOKEN_HELP: Record<Crm, string> = {
  hubspot: "A private app's access token (Settings → Integrations → Private apps), with the CRM contacts scopes.",
  salesforce: "An access token of the org, with the instance URL it belongs to.",
  pipedrive: "The API token under Personal preferences → API.",
};

/**
 * Connects a client's CRM. The token field is uncontrolled, so that the token never reaches React
 * state or a `value` attribute. It is cleared once the CRM has answered about it, accepted or
 * refused; a refusal about something else (the address, the CRM out of reach) leaves it, so that
 * it need not be pasted again.
 */
export function ConnectCrm({ clients, onConnected }: { clients: Client[]; onConnected: (c: CrmConnection) => void }) {
  const token = useRef<HTMLInputElement>(null);
  const [filled, setFilled] = useState(false);
  const [crm, setCrm] = useState<Crm>("hubspot");
  const [client, setClient] = useState("");
  const [url, setUrl] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");
  const salesforce = crm === "salesforce";

  const clearToken = () => {
    if (token.current) token.current.value = "";
    setFilled(false);
  };

  const connect = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setStatus("");
    try {
      const c = await api.crm.connect(crm, client, token.current?.value ?? "", url.trim() || null);
      clearToken();
      setUrl("");
      setStatus(`Connected ${CRM_LABELS[c.crm]} for ${c.client ?? client}.`);
      onConnected(c);
    } catch (err) {
      const refused = toCommandError(err);
      if (refused.code === "token_invalid") clearToken();
      setError(refused);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card request-form" aria-labelledby="crm-connect-title" onSubmit={connect} data-testid="crm-connect">
      <h3 id="crm-connect-title">Connect a CRM</h3>
      <p className="muted">
        The CRM is asked for its fields with the token before it is kept, and the token is kept only in the OS keychain.
      </p>
      <label>
        CRM
        <select value={crm} onChange={(e) => setCrm(e.target.value as Crm)} data-testid="crm-connect-crm">
          {CRMS.map((c) => (
            <option key={c} value={c}>
              {CRM_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Client
        <select value={client} onChange={(e) => setClient(e.target.value)} data-testid="crm-connect-client">
          <option value="">Choose a client</option>
          {clients.map((c) => (
            <option key={c.id} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
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
      <label>
        {salesforce ? "Instance URL" : "API address (optional)"}
        <input
          type="text"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder={salesforce ? "https://yourorg.my.salesforce.com" : crm === "hubspot" ? "https://api.hubapi.com" : "https://api.pipedrive.com"}
          data-testid="crm-connect-url"
        />
      </label>
      {clients.length === 0 && (
        <p className="hint" data-testid="crm-connect-no-clients">
          Add a client first (Clients screen): a CRM is connected for one client.
        </p>
      )}
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy || !filled || client === ""} data-testid="crm-connect-submit">
          {busy ? `Asking ${CRM_LABELS[crm]}…` : "Connect CRM"}
        </button>
      </div>
    </form>
  );
}
