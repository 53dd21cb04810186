import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import {
  api,
  toCommandError,
  type AgeBand,
  type Client,
  type CommandError,
  type Hold,
  type IdKind,
  type Purged,
  type PurgeReport,
  type PurgeSchedule,
  type Review,
} from "../api";
import { ClientSelect } from "../components/ClientSelect";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNote } from "../components/ErrorNote";
import { useEscape } from "../components/useEscape";
import { ID_KINDS } from "./requests/idKinds";

const number = new Intl.NumberFormat("en-GB");

/** The audit trail keeps every reason, and the backend takes at most this many characters of one. */
export const REASON_MAX = 500;
const REASON_HINT = `Kept in the audit trail; at most ${REASON_MAX} characters`;

/** A reason the audit trail keeps: limited in length, and saying so under the field. */
function ReasonField(props: { label: string; id: string; value: string; onChange: (v: string) => void; placeholder: string }) {
  return (
    <>
      <label>
        {props.label}
        <input
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          placeholder={props.placeholder}
          maxLength={REASON_MAX}
          aria-describedby={`${props.id}-hint`}
          data-testid={props.id}
        />
      </label>
      <small id={`${props.id}-hint`} className="hint" data-testid={`${props.id}-hint`}>
        {REASON_HINT}
      </small>
    </>
  );
}

/** "in 5 hours", "in 2 days", "now": how far `iso` is from `now`. */
export function fromNow(iso: string, now: Date = new Date()): string {
  const minutes = Math.round((new Date(iso).getTime() - now.getTime()) / 60_000);
  if (minutes <= 0) return "now";
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} hour${hours === 1 ? "" : "s"}`;
  return `in ${Math.round(hours / 24)} days`;
}

/** What a purge removed or would remove, in words: "3 leads of Acme, 12 audit entries". */
export function purgedInWords(purged: Purged[]): string {
  if (purged.length === 0) return "nothing";
  return purged
    .map((p) => `${number.format(p.count)} ${p.label}${p.client ? ` of ${p.client}` : ""}`)
    .join(", ");
}

function Histogram({ ages }: { ages: AgeBand[] }) {
  const most = Math.max(1, ...ages.map((a) => a.count));
  const words = ages.map((a) => `${a.label}: ${number.format(a.count)}`).join(", ");
  return (
    <span className="histogram" role="img" aria-label={words} title={words}>
      {ages.map((a) => (
        <span key={a.label} className={a.count ? "bar" : "bar none"} style={{ height: `${Math.max(6, (a.count / most) * 100)}%` }} />
      ))}
    </span>
  );
}

function PolicyDialog({ row, onSaved, onCancel }: { row: Review; onSaved: () => void; onCancel: () => void }) {
  const [days, setDays] = useState(String(row.policy.days));
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), []);
  useEscape(onCancel);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.retention.set(row.kind, Number(days), row.client, reason);
      onSaved();
    } catch (err) {
      setError(toCommandError(err));
      setBusy(false);
    }
  };

  const scope = row.client ? `${row.client}'s ${row.label}` : `${row.label} (the workspace default)`;
  return (
    <div className="backdrop">
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="policy-title" onSubmit={save}>
        <h2 id="policy-title">How long to keep {scope}</h2>
        <ErrorNote error={error} />
        <div className="request-form">
          <label>
            Days
            <input ref={first} type="number" min={1} max={36500} value={days} onChange={(e) => setDays(e.target.value)} data-testid="policy-days" />
          </label>
          <ReasonField label="Why" id="policy-reason" value={reason} onChange={setReason} placeholder="e.g. client agreement, clause 7" />
        </div>
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="policy-save">
            {busy ? "Saving…" : "Save policy"}
          </button>
        </div>
      </form>
    </div>
  );
}


function HoldFormPanel({ clients, onAdded, onCancel }: { clients: Client[]; onAdded: () => void; onCancel: () => void }) {
  const [on, setOn] = useState<"client" | "person">(clients.length ? "client" : "person");
  const [client, setClient] = useState(clients[0]?.name ?? "");
  const [idKind, setIdKind] = useState<IdKind>("email");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const [until, setUntil] = useState("");
  const [error, setError] = useState<CommandError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.retention.addHold({
        client: on === "client" ? client : null,
        identifiers: on === "person" ? [{ kind: idKind, value }] : [],
        reason,
        until: until || null,
      });
      onAdded();
    } catch (err) {
      setError(toCommandError(err));
    }
  };

  return (
    <form className="request-form" aria-label="New hold" onSubmit={submit}>
      <ErrorNote error={error} />
      <fieldset>
        <legend>Hold</legend>
        <label className="choice">
          <input type="radio" name="hold-on" checked={on === "client"} onChange={() => setOn("client")} disabled={!clients.length} />
          a client's data
        </label>
        <label className="choice">
          <input type="radio" name="hold-on" checked={on === "person"} onChange={() => setOn("person")} data-testid="hold-person" />
          a person's data
        </label>
      </fieldset>
      {on === "client" ? (
        <label>
          Client
          <ClientSelect clients={clients} value={client} onChange={setClient} testId="hold-client" />
        </label>
      ) : (
        <label>
          Identifier
          <span className="toolbar">
            <select value={idKind} onChange={(e) => setIdKind(e.target.value as IdKind)} aria-label="Kind of identifier">
              {ID_KINDS.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.label}
                </option>
              ))}
            </select>
            <input value={value} onChange={(e) => setValue(e.target.value)} data-testid="hold-identifier" />
          </span>
        </label>
      )}
      <ReasonField label="Reason" id="hold-reason" value={reason} onChange={setReason} placeholder="e.g. dispute with the advertiser" />
      <label>
        Last day held (empty: until lifted)
        <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} data-testid="hold-until" />
      </label>
      <div className="toolbar">
        <button type="submit" className="primary" data-testid="hold-save">
          Place hold
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const load = () =>
  Promise.all([api.retention.review(), api.retention.holds(), api.retention.schedule(), api.clients.list()]);

export function Retention() {
  const [rows, setRows] = useState<Review[] | null>(null);
  const [holds, setHolds] = useState<Hold[]>([]);
  const [schedule, setSchedule] = useState<PurgeSchedule | null>(null);
  const [clients, setClients] = useState<Client[]>([]);
  const [only, setOnly] = useState("");
  const [editing, setEditing] = useState<Review | null>(null);
  const [addingHold, setAddingHold] = useState(false);
  const [plan, setPlan] = useState<PurgeReport | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [receipt, setReceipt] = useState<PurgeReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);

  const show = useCallback(([r, h, s, c]: [Review[], Hold[], PurgeSchedule, Client[]]) => {
    setRows(r);
    setHolds(h);
    setSchedule(s);
    setClients(c);
  }, []);

  const refresh = async () => {
    try {
      show(await load());
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  useEffect(() => {
    load().then(show, (e: unknown) => setError(toCommandError(e)));
  }, [show]);

  const dryRun = async (thenConfirm: boolean) => {
    setError(null);
    setReceipt(null);
    setBusy(true);
    try {
      const p = await api.retention.purge(true);
      setPlan(p);
      setConfirming(thenConfirm && p.purged.length > 0);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  const purge = async () => {
    setBusy(true);
    try {
      const done = await api.retention.purge(false);
      setReceipt(done);
      setPlan(null);
      await refresh();
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  const lift = async (id: number) => {
    try {
      await api.retention.removeHold(id);
      await refresh();
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  const shown = rows?.filter((r) => !only || r.client === only || r.client === null) ?? [];
  const nextCount = schedule?.next.reduce((n, p) => n + p.count, 0) ?? 0;

  return (
    <section aria-labelledby="retention-title">
      <header className="page-header">
        <h1 id="retention-title">Retention</h1>
        <p className="muted">How long each kind of data is kept, what is held and how old, and what the next purge removes.</p>
      </header>
      <ErrorNote error={error} />

      <div className="toolbar">
        {schedule && (
          <span className="schedule" data-testid="purge-schedule">
            {schedule.last
              ? `Last purge ${schedule.last.started_at.slice(0, 16).replace("T", " ")} UTC${schedule.last.automatic ? " (scheduled)" : ""}: ${number.format(schedule.last.purged)} records${schedule.last.finished_at ? "" : ", interrupted — the next purge completes it"}. `
              : "No purge has run yet. "}
            Next {fromNow(schedule.next_at)}: {nextCount ? `${number.format(nextCount)} records due` : "nothing due"}.
          </span>
        )}
        <button type="button" onClick={() => void dryRun(false)} disabled={busy} data-testid="purge-dry-run">
          Dry run
        </button>
        <button type="button" className="danger" onClick={() => void dryRun(true)} disabled={busy} data-testid="purge-now">
          Purge now…
        </button>
      </div>

      {plan && !confirming && (
        <p className="muted" role="status" data-testid="purge-plan">
          {plan.purged.length ? `A purge now would remove ${purgedInWords(plan.purged)}.` : "Nothing is past its retention period and free of holds."}
        </p>
      )}
      {receipt && (
        <div className="card" role="status" data-testid="purge-receipt">
          <h2>Purged {purgedInWords(receipt.purged)}</h2>
          <p className="muted">
            {receipt.purged.length ? "Each client and kind is recorded in the audit trail" : "Nothing was due"}
            {receipt.audit_seq !== null && (
              <>
                ; the trail's head is now entry #{receipt.audit_seq}, <code>{receipt.audit_hash?.slice(0, 16)}…</code>
              </>
            )}
            . {receipt.wal_emptied ? "The write-ahead log was emptied." : "The write-ahead log will be emptied when other readers finish."}
          </p>
        </div>
      )}
      {confirming && plan && (
        <ConfirmDialog title="Purge now?" confirmLabel="Purge" busy={busy} onConfirm={() => void purge()} onCancel={() => setConfirming(false)}>
          <p>This deletes, for good and leaving no trace on disk:</p>
          <ul>
            {plan.purged.map((p) => (
              <li key={`${p.kind}-${p.client ?? ""}`}>
                {number.format(p.count)} {p.label}
                {p.client ? ` of ${p.client}` : ""} (kept {p.days} days)
              </li>
            ))}
          </ul>
        </ConfirmDialog>
      )}

      <div className="filters">
        <label>
          Client
          <ClientSelect clients={clients} value={only} onChange={setOnly} none="All clients" testId="retention-client" />
        </label>
      </div>

      {rows && (
        <table className="table retention" data-testid="retention-table">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Client</th>
              <th>Kept</th>
              <th>Held</th>
              <th>Ages</th>
              <th>Oldest</th>
              <th>Due now</th>
              <th>7 days</th>
              <th>30 days</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={`${r.kind}-${r.client ?? ""}`} data-testid={`retention-${r.kind}-${r.client ?? "workspace"}`}>
                <td>{r.label}</td>
                <td>{r.client ?? <span className="muted">workspace</span>}</td>
                <td title={r.policy.reason}>
                  {r.policy.days} days{r.policy.client_override && <span className="muted"> (own)</span>}
                </td>
                <td>
                  {number.format(r.held)}
                  {r.on_hold > 0 && <span className="warn"> · {number.format(r.on_hold)} on hold</span>}
                </td>
                <td>
                  <Histogram ages={r.ages} />
                </td>
                <td>{r.oldest ? r.oldest.slice(0, 10) : <span className="muted">—</span>}</td>
                <td className={r.due_now ? "error-text" : undefined}>{number.format(r.due_now)}</td>
                <td>{number.format(r.due_within_7_days)}</td>
                <td>{number.format(r.due_within_30_days)}</td>
                <td className="actions">
                  <button type="button" onClick={() => setEditing(r)} data-testid={`edit-policy-${r.kind}-${r.client ?? "workspace"}`}>
                    Change…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows && clients.length === 0 && (
        <p className="muted">Leads appear here per client once you add clients and import their leads.</p>
      )}
      {editing && (
        <PolicyDialog
          row={editing}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void refresh();
          }}
        />
      )}

      <h2 className="section">Legal holds</h2>
      <p className="muted">Held records are never purged, whatever their age. Anyone with an open access or portability request is held until it closes.</p>
      {holds.length === 0 && !addingHold && <p className="empty">No legal holds.</p>}
      {holds.length > 0 && (
        <table className="table" data-testid="holds">
          <thead>
            <tr>
              <th>#</th>
              <th>On</th>
              <th>Reason</th>
              <th>Until</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {holds.map((h) => (
              <tr key={h.id}>
                <td>{h.id}</td>
                <td>{h.client ?? `a person (${h.identifiers.join(", ")})`}</td>
                <td>{h.reason}</td>
                <td>{h.until ?? "until lifted"}</td>
                <td className="actions">
                  <button type="button" onClick={() => void lift(h.id)}>
                    Lift
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {addingHold ? (
        <HoldFormPanel
          clients={clients}
          onCancel={() => setAddingHold(false)}
          onAdded={() => {
            setAddingHold(false);
            void refresh();
          }}
        />
      ) : (
        <p>
          <button type="button" onClick={() => setAddingHold(true)} data-testid="add-hold">
            Place a hold…
          </button>
        </p>
      )}
    </section>
  );
}
