import { useRef, useState, type FormEvent } from "react";
import { api, toCommandError, type Client, type CommandError, type MetaConnection } from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";

/**
 * Connects a token. The field is uncontrolled so that the token never reaches React state or a
 * `value` attribute: it stays in the input, for the person to correct, until Meta has accepted it.
 */
export function AddToken({
  clients,
  onConnected,
  onClose,
}: {
  clients: Client[];
  onConnected: (c: MetaConnection) => void;
  onClose: () => void;
}) {
  const token = useRef<HTMLInputElement>(null);
  const [filled, setFilled] = useState(false);
  const [client, setClient] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");

  const connect = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setStatus("");
    try {
      const c = await api.meta.connect(token.current?.value ?? "", client || null);
      if (token.current) token.current.value = "";
      setFilled(false);
      setStatus(`Connected a ${c.token_type} token${c.client ? ` for ${c.client}` : ""}.`);
      onConnected(c);
    } catch (err) {
      setError(toCommandError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card request-form"
      aria-labelledby="add-token-title"
      onSubmit={connect}
      onKeyDown={(e) => e.key === "Escape" && onClose()}
      data-testid="add-token"
    >
      <h3 id="add-token-title">Add a system-user token</h3>
      <p className="muted">
        Generate it in Business Manager under Business settings → System users, for the agency&apos;s app, with leads_retrieval,
        pages_show_list, pages_read_engagement and pages_manage_metadata. Meta checks it before it is kept, and it is kept only in
        the OS keychain.
      </p>
      <label>
        Access token
        <input
          ref={token}
          type="password"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          onChange={(e) => setFilled(e.target.value.trim() !== "")}
          data-testid="meta-token"
        />
      </label>
      <label>
        Client (optional)
        <ClientSelect clients={clients} value={client} onChange={setClient} none="None" testId="meta-token-client" />
      </label>
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy || !filled} data-testid="meta-connect">
          {busy ? "Asking Meta…" : "Connect"}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
