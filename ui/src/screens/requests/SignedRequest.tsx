import { useState, type FormEvent } from "react";
import { api, toCommandError, type CommandError, type Request } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";

export function SignedRequest({ onCancel, onCreated }: { onCancel: () => void; onCreated: (r: Request) => void }) {
  const [signed, setSigned] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.requests.fromSignedRequest(signed));
    } catch (err) {
      setError(toCommandError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card request-form" onSubmit={submit} aria-label="Deletion callback" onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <h2>Erasure from Meta&apos;s data-deletion callback</h2>
      <p className="muted">
        Paste the <code>signed_request</code> Meta posted to your site. Its signature is checked with the Meta app secret in the keychain
        (set it with <code>custodian meta app-secret --stdin</code>); a genuine one opens an erasure request for the app-scoped user.
      </p>
      <textarea aria-label="signed_request" value={signed} onChange={(e) => setSigned(e.target.value)} rows={3} autoFocus />
      <ErrorNote error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || !signed.trim()}>
          Verify and open
        </button>
      </div>
    </form>
  );
}
