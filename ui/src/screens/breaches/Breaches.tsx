import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, toCommandError, type Breach, type Client, type CommandError, type Held } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { pickLeakedFile } from "../../files";
import { BreachDetail } from "./BreachDetail";
import { standingText, urgency } from "./deadline";
import { useElapsed } from "./useElapsed";
import { useEscape } from "../../components/useEscape";

/** The breach register: each breach with its 72-hour clock, the latest first. */
export function Breaches() {
  const [breaches, setBreaches] = useState<Breach[] | null>(null);
  const [clients, setClients] = useState<Client[]>([]);
  const [kinds, setKinds] = useState<Held[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [readAt, setReadAt] = useState(() => Date.now());
  const elapsed = useElapsed(readAt);

  const show = useCallback((list: Breach[]) => {
    setBreaches(list);
    setReadAt(Date.now());
  }, []);

  const refresh = async () => {
    try {
      show(await api.breaches.list());
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  useEffect(() => {
    api.breaches.list().then(show, (e: unknown) => setError(toCommandError(e)));
    api.clients.list().then(setClients, (e: unknown) => setError(toCommandError(e)));
    api.overview().then(
      (o) => setKinds(o.held.filter((h, i, all) => all.findIndex((x) => x.kind === h.kind) === i)),
      (e: unknown) => setError(toCommandError(e)),
    );
  }, [show]);

  const shown = breaches?.find((b) => b.id === open) ?? null;

  return (
    <section aria-labelledby="breaches-title">
      <header className="page-header">
        <h1 id="breaches-title">Breaches</h1>
        {!adding && (
          <button type="button" className="primary" onClick={() => setAdding(true)} data-testid="new-breach">
            Record a breach…
          </button>
        )}
      </header>
      <ErrorNote error={error} />
      {adding && (
        <NewBreach
          clients={clients}
          kinds={kinds}
          onCancel={() => setAdding(false)}
          onAdded={(b) => {
            setAdding(false);
            setOpen(b.id);
            void refresh();
          }}
        />
      )}
      {breaches && breaches.length === 0 && !adding && (
        <p className="empty" data-testid="no-breaches">
          No breach is recorded. When the agency becomes aware of a personal-data breach, record it here: the 72 hours
          to tell the supervisory authority count from that moment (GDPR Art. 33).
        </p>
      )}
      {breaches && breaches.length > 0 && (
        <table className="table" data-testid="breaches">
          <thead>
            <tr>
              <th>#</th>
              <th>Aware</th>
              <th>What happened</th>
              <th>People</th>
              <th>Deadline</th>
            </tr>
          </thead>
          <tbody>
            {breaches.map((b) => (
              <tr
                key={b.id}
                className={b.id === open ? "selected" : undefined}
                data-testid={`breach-${b.id}`}
                onClick={() => setOpen(b.id === open ? null : b.id)}
              >
                <td>
                  <button type="button" className="link" onClick={() => setOpen(b.id === open ? null : b.id)} aria-expanded={b.id === open}>
                    {b.id}
                  </button>
                </td>
                <td>{b.aware_at}</td>
                <td>{b.summary}</td>
                <td>{b.people ?? "—"}</td>
                <td>
                  <span className={`badge clock ${urgency(b, elapsed)}`} data-testid={`clock-${b.id}`}>
                    {standingText(b, elapsed)}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown && <BreachDetail key={shown.id} breach={shown} elapsed={elapsed} onChanged={() => void refresh()} />}
    </section>
  );
}

/** Now as the local form of an RFC 3339 time with its offset: what the awareness field starts at. */
function localNow(): string {
  const d = new Date();
  const pad = (n: number) => String(Math.abs(n)).padStart(2, "0");
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

function NewBreach({
  clients,
  kinds,
  onAdded,
  onCancel,
}: {
  clients: Client[];
  kinds: Held[];
  onAdded: (b: Breach) => void;
  onCancel: () => void;
}) {
  const [awareAt, setAwareAt] = useState(localNow);
  const [summary, setSummary] = useState("");
  const [chosenClients, setChosenClients] = useState<string[]>([]);
  const [chosenKinds, setChosenKinds] = useState<string[]>([]);
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [leaked, setLeaked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  useEscape(onCancel);

  const toggle = (list: string[], set: (l: string[]) => void, value: string) =>
    set(list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onAdded(
        await api.breaches.add({
          aware_at: awareAt,
          summary,
          clients: chosenClients,
          kinds: kinds.filter((k) => chosenKinds.includes(k.kind)).map((k) => k.kind),
          since: since || null,
          until: until || null,
          identifiers: leaked,
        }),
      );
    } catch (err) {
      setError(toCommandError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="request-form" aria-label="New breach" onSubmit={submit}>
      <ErrorNote error={error} />
      <label>
        When the agency became aware, with its offset from UTC
        <input value={awareAt} onChange={(e) => setAwareAt(e.target.value)} data-testid="breach-aware-at" required />
      </label>
      <small className="hint">The 72 hours to tell the supervisory authority count from this moment.</small>
      <label>
        What happened
        <textarea value={summary} onChange={(e) => setSummary(e.target.value)} maxLength={2000} rows={3} data-testid="breach-summary" required />
      </label>
      <fieldset>
        <legend>Clients whose data it concerns (none: every client)</legend>
        {clients.map((c) => (
          <label className="choice" key={c.id}>
            <input type="checkbox" checked={chosenClients.includes(c.name)} onChange={() => toggle(chosenClients, setChosenClients, c.name)} />
            {c.name}
          </label>
        ))}
        {clients.length === 0 && <span className="muted">No clients yet: the breach concerns the workspace.</span>}
      </fieldset>
      <fieldset>
        <legend>Kinds of data (none: every kind counted here)</legend>
        {kinds.map((k) => (
          <label className="choice" key={k.kind}>
            <input
              type="checkbox"
              checked={chosenKinds.includes(k.kind)}
              onChange={() => toggle(chosenKinds, setChosenKinds, k.kind)}
              data-testid={`breach-kind-${k.kind}`}
            />
            {k.label}
          </label>
        ))}
      </fieldset>
      <div className="toolbar">
        <label>
          Data from
          <input type="date" value={since} onChange={(e) => setSince(e.target.value)} data-testid="breach-since" />
        </label>
        <label>
          to
          <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} data-testid="breach-until" />
        </label>
      </div>
      <p>
        <button type="button" onClick={() => void pickLeakedFile().then((p) => p && setLeaked(p))} data-testid="breach-leaked">
          {leaked ? "Another leaked file…" : "A file that leaked…"}
        </button>{" "}
        {leaked ? (
          <span>
            <code>{leaked}</code>{" "}
            <button type="button" className="link" onClick={() => setLeaked(null)}>
              Leave out
            </button>
          </span>
        ) : (
          <span className="muted">A lead export, or a list of emails and phone numbers: its people are counted too.</span>
        )}
      </p>
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy} data-testid="breach-save">
          {busy ? "Recording and counting…" : "Record breach"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
