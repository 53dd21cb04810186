import { useEffect, useState, type FormEvent } from "react";
import { api, toCommandError, type Client, type CommandError, type Identifier, type Request, type RequestKind } from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";
import { IdentifierFields } from "./IdentifierFields";

const KINDS: { id: RequestKind; label: string }[] = [
  { id: "access", label: "Access (a copy of their data)" },
  { id: "portability", label: "Portability (machine-readable copy)" },
  { id: "rectification", label: "Rectification (correct data)" },
  { id: "erasure", label: "Erasure (delete everything)" },
  { id: "restriction", label: "Restriction of processing" },
  { id: "objection", label: "Objection / consent withdrawn" },
];

export function NewRequest({ onCancel, onCreated }: { onCancel: () => void; onCreated: (r: Request) => void }) {
  const [kind, setKind] = useState<RequestKind>("access");
  const [identifiers, setIdentifiers] = useState<Identifier[]>([{ kind: "email", value: "" }]);
  const [client, setClient] = useState("");
  const [clients, setClients] = useState<Client[]>([]);
  const [regime, setRegime] = useState("gdpr");
  const [days, setDays] = useState(30);
  // Empty: the backend's clock says what today is (the browser's may be wrong, or in another zone).
  const [received, setReceived] = useState("");
  const [notes, setNotes] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.clients.list().then(setClients, () => setClients([]));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(
        await api.requests.create({
          kind,
          identifiers: identifiers.filter((i) => i.value.trim()),
          regime: regime === "days" ? `days:${days}` : regime,
          received_on: received || null,
          client: client || null,
          verification_notes: notes || null,
        }),
      );
    } catch (err) {
      setError(toCommandError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card request-form" onSubmit={submit} aria-label="New request" onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <h2>New request</h2>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as RequestKind)} data-testid="request-kind">
          {KINDS.map((k) => (
            <option key={k.id} value={k.id}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>The person&apos;s identifiers</legend>
        <IdentifierFields value={identifiers} onChange={setIdentifiers} testid="identifier" autoFocus />
      </fieldset>
      <label>
        Client (its country completes national phone numbers)
        <ClientSelect clients={clients} value={client} onChange={setClient} none="Any client" />
      </label>
      <label>
        Regime
        <select value={regime} onChange={(e) => setRegime(e.target.value)}>
          <option value="gdpr">GDPR: one month, extendable by two</option>
          <option value="ccpa">CCPA: 45 days, extendable by 45</option>
          <option value="days">A custom number of days</option>
        </select>
      </label>
      {regime === "days" && (
        <label>
          Days
          <input type="number" min={1} max={366} value={days} onChange={(e) => setDays(Number(e.target.value))} />
        </label>
      )}
      <label>
        Received on (empty: today)
        <input type="date" value={received} placeholder="today" onChange={(e) => setReceived(e.target.value)} data-testid="received-on" />
      </label>
      <label>
        Verification notes
        <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={2} />
      </label>
      <ErrorNote error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy} data-testid="create-request">
          Record request
        </button>
      </div>
    </form>
  );
}
