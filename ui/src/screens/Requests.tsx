import { useCallback, useEffect, useState, type FormEvent } from "react";
import {
  api,
  toCommandError,
  type Client,
  type CommandError,
  type Discovery,
  type Erased,
  type IdKind,
  type Request,
  type RequestKind,
  type RequestUrgency,
} from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNote } from "../components/ErrorNote";
import { pickPackageFile } from "../files";

const KINDS: { id: RequestKind; label: string }[] = [
  { id: "access", label: "Access (a copy of their data)" },
  { id: "portability", label: "Portability (machine-readable copy)" },
  { id: "rectification", label: "Rectification (correct data)" },
  { id: "erasure", label: "Erasure (delete everything)" },
  { id: "restriction", label: "Restriction of processing" },
  { id: "objection", label: "Objection / consent withdrawn" },
];

export const ID_KINDS: { id: IdKind; label: string }[] = [
  { id: "email", label: "Email" },
  { id: "phone", label: "Phone" },
  { id: "lead_id", label: "Meta lead id" },
  { id: "psid", label: "Page-scoped id" },
  { id: "wa_id", label: "WhatsApp id" },
  { id: "app_user_id", label: "App-scoped user id" },
  { id: "crm_record", label: "CRM record id" },
];

const STATUS_LABEL: Record<Request["status"], string> = {
  received: "Received",
  verifying: "Verifying",
  in_progress: "In progress",
  completed: "Completed",
  denied: "Denied",
};

export function countdown(r: Pick<Request, "urgency" | "days_left" | "due_on">): string {
  if (r.urgency === "closed") return `was due ${r.due_on}`;
  if (r.days_left === 0) return "due today";
  if (r.days_left < 0) return `${-r.days_left} day${r.days_left === -1 ? "" : "s"} overdue`;
  return `${r.days_left} day${r.days_left === 1 ? "" : "s"} left`;
}

const URGENCY_CLASS: Record<RequestUrgency, string> = { on_track: "ok", due_soon: "warn", overdue: "error-text", closed: "muted" };

function person(r: Request): string {
  return r.identifiers.find((i) => i.value)?.value ?? "(erased)";
}

export function Requests() {
  const [requests, setRequests] = useState<Request[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [pasting, setPasting] = useState(false);
  const [settings, setSettings] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);

  const refresh = useCallback(async () => {
    try {
      setRequests(await api.requests.list());
    } catch (e) {
      setError(toCommandError(e));
    }
  }, []);

  useEffect(() => {
    api.requests.list().then(setRequests, (e: unknown) => setError(toCommandError(e)));
  }, []);

  const current = requests?.find((r) => r.id === selected) ?? null;

  return (
    <section aria-labelledby="requests-title">
      <header className="page-header">
        <h1 id="requests-title">Data-subject requests</h1>
        <div className="inline-form">
          <button type="button" onClick={() => setCreating(true)} data-testid="new-request">
            New request
          </button>
          <button type="button" onClick={() => setPasting(true)}>
            From Meta&apos;s deletion callback…
          </button>
          <button type="button" onClick={() => setSettings(!settings)}>
            Processing information…
          </button>
        </div>
      </header>
      {pasting && (
        <SignedRequest
          onCancel={() => setPasting(false)}
          onCreated={async (r) => {
            setPasting(false);
            await refresh();
            setSelected(r.id);
          }}
        />
      )}
      {settings && <ProcessingInfo onClose={() => setSettings(false)} />}
      <ErrorNote error={error} />
      {creating && (
        <NewRequest
          onCancel={() => setCreating(false)}
          onCreated={async (r) => {
            setCreating(false);
            await refresh();
            setSelected(r.id);
          }}
        />
      )}
      {requests && requests.length === 0 && !creating && (
        <p className="empty">
          No requests yet. When a person asks to see, correct or erase their data, record it here: Custodian works out the legal
          deadline and finds everything held about them.
        </p>
      )}
      {requests && requests.length > 0 && (
        <table className="table" data-testid="request-list">
          <thead>
            <tr>
              <th>#</th>
              <th>Kind</th>
              <th>Person</th>
              <th>Regime</th>
              <th>Status</th>
              <th>Deadline</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((r) => (
              <tr
                key={r.id}
                className={r.id === selected ? "selected" : undefined}
                onClick={() => setSelected(r.id)}
                onKeyDown={(e) => e.key === "Enter" && setSelected(r.id)}
                tabIndex={0}
                aria-selected={r.id === selected}
                data-testid={`request-${r.id}`}
              >
                <td>{r.id}</td>
                <td>{r.kind}</td>
                <td>{person(r)}</td>
                <td>{r.regime}</td>
                <td>{STATUS_LABEL[r.status]}</td>
                <td className={URGENCY_CLASS[r.urgency]}>
                  {r.due_on} · {countdown(r)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {current && <RequestDetail key={current.id} request={current} onChanged={refresh} />}
    </section>
  );
}

function NewRequest({ onCancel, onCreated }: { onCancel: () => void; onCreated: (r: Request) => void }) {
  const [kind, setKind] = useState<RequestKind>("access");
  const [identifiers, setIdentifiers] = useState<{ kind: IdKind; value: string }[]>([{ kind: "email", value: "" }]);
  const [client, setClient] = useState("");
  const [clients, setClients] = useState<Client[]>([]);
  const [regime, setRegime] = useState("gdpr");
  const [days, setDays] = useState(30);
  const [received, setReceived] = useState(new Date().toISOString().slice(0, 10));
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

  const setIdentifier = (i: number, change: Partial<{ kind: IdKind; value: string }>) =>
    setIdentifiers(identifiers.map((x, j) => (j === i ? { ...x, ...change } : x)));

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
        {identifiers.map((id, i) => (
          <div className="inline-form" key={i}>
            <select aria-label="Identifier kind" value={id.kind} onChange={(e) => setIdentifier(i, { kind: e.target.value as IdKind })}>
              {ID_KINDS.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.label}
                </option>
              ))}
            </select>
            <input
              aria-label="Identifier"
              value={id.value}
              onChange={(e) => setIdentifier(i, { value: e.target.value })}
              autoFocus={i === 0}
              data-testid={`identifier-${i}`}
            />
            {identifiers.length > 1 && (
              <button type="button" onClick={() => setIdentifiers(identifiers.filter((_, j) => j !== i))} aria-label="Remove identifier">
                ×
              </button>
            )}
          </div>
        ))}
        <button type="button" onClick={() => setIdentifiers([...identifiers, { kind: "phone", value: "" }])}>
          Add identifier
        </button>
      </fieldset>
      <label>
        Client (its country completes national phone numbers)
        <select value={client} onChange={(e) => setClient(e.target.value)}>
          <option value="">Any client</option>
          {clients.map((c) => (
            <option key={c.id} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
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
        Received on
        <input type="date" value={received} onChange={(e) => setReceived(e.target.value)} />
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

function SignedRequest({ onCancel, onCreated }: { onCancel: () => void; onCreated: (r: Request) => void }) {
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

const INFO_LABELS: Record<string, string> = {
  controller: "Who is responsible",
  purposes: "Why the data is processed",
  categories: "What kinds of data",
  recipients: "Who receives it",
  retention: "How long it is kept",
  source: "Where it came from",
  rights: "The person's rights",
};

function ProcessingInfo({ onClose }: { onClose: () => void }) {
  const [info, setInfo] = useState<[string, string][] | null>(null);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [error, setError] = useState<CommandError | null>(null);
  const [saved, setSaved] = useState("");

  useEffect(() => {
    api.requests.processingInfo().then(
      (i) => {
        setInfo(i);
        setDraft(Object.fromEntries(i));
      },
      (e: unknown) => setError(toCommandError(e)),
    );
  }, []);

  const save = async (key: string) => {
    setError(null);
    try {
      setInfo(await api.requests.setProcessingInfo(key, draft[key] ?? ""));
      setSaved(`Saved: ${INFO_LABELS[key] ?? key}.`);
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  return (
    <div className="card request-form" aria-label="Processing information">
      <h2>Processing information</h2>
      <p className="muted">What every access export&apos;s summary page tells the person (GDPR Art. 15).</p>
      {info?.map(([key, text]) => (
        <label key={key}>
          {INFO_LABELS[key] ?? key}
          <textarea value={draft[key] ?? ""} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} rows={2} />
          <button type="button" disabled={(draft[key] ?? "") === text} onClick={() => void save(key)}>
            Save
          </button>
        </label>
      ))}
      {saved && (
        <p className="sr-status" role="status">
          {saved}
        </p>
      )}
      <ErrorNote error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

function RequestDetail({ request, onChanged }: { request: Request; onChanged: () => Promise<void> }) {
  const [found, setFound] = useState<Discovery | null>(null);
  const [erased, setErased] = useState<Erased | null>(null);
  const [confirmErase, setConfirmErase] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const [field, setField] = useState("");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const open = request.status !== "completed" && request.status !== "denied";

  const act = async (work: () => Promise<string | void>) => {
    setBusy(true);
    setError(null);
    try {
      const said = await work();
      if (said) setStatus(said);
      await onChanged();
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  const find = (widen: boolean) => act(async () => setFound(await api.requests.find(request.id, widen)));

  const askErase = () =>
    act(async () => {
      try {
        await api.requests.erase(request.id, false);
      } catch (e) {
        const err = toCommandError(e);
        if (err.code !== "confirmation_required") throw err;
        setConfirmErase(err.message);
      }
    });

  const erase = () =>
    act(async () => {
      setConfirmErase(null);
      setErased(await api.requests.erase(request.id, true));
      setFound(null);
    });

  const [exportPath, setExportPath] = useState("");
  const exportPackage = (path: string) =>
    act(async () => {
      if (!path.trim()) return;
      const p = await api.requests.export(request.id, path.trim());
      return `Saved ${p.path}: ${p.records} records, ${p.files.length} files with their SHA-256 in manifest.json.`;
    });
  const chooseExport = async () => {
    const path = await pickPackageFile(request.id).catch(() => null);
    if (path) {
      setExportPath(path);
      await exportPackage(path);
    }
  };

  return (
    <article className="card request-detail" aria-label={`Request ${request.id}`} data-testid="request-detail">
      <h2>
        Request {request.id}: {request.kind}
      </h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="request-status">{STATUS_LABEL[request.status]}</dd>
        <dt>Deadline</dt>
        <dd className={URGENCY_CLASS[request.urgency]}>
          {request.due_on} ({countdown(request)}){request.extended && `, extended: ${request.extension_reason ?? ""}`}
        </dd>
        {request.confirm_receipt_by && (
          <>
            <dt>Confirm receipt by</dt>
            <dd>{request.confirm_receipt_by}</dd>
          </>
        )}
        <dt>Received</dt>
        <dd>
          {request.received_on} under {request.regime}
          {request.client && ` for ${request.client}`}
        </dd>
        <dt>Identifiers</dt>
        <dd>{request.identifiers.map((i) => `${i.kind}: ${i.value || "(erased)"}`).join(", ")}</dd>
        {request.verification_notes && (
          <>
            <dt>Notes</dt>
            <dd className="pre">{request.verification_notes}</dd>
          </>
        )}
        {request.outcome_reason && (
          <>
            <dt>Outcome</dt>
            <dd>{request.outcome_reason}</dd>
          </>
        )}
      </dl>
      <div className="inline-form">
        <button type="button" onClick={() => find(false)} disabled={busy} data-testid="find">
          Find everything held
        </button>
        {(request.kind === "access" || request.kind === "portability") && (
          <button type="button" onClick={() => void chooseExport()} disabled={busy} data-testid="export">
            Export ZIP…
          </button>
        )}
        {request.kind === "erasure" && open && (
          <button type="button" className="danger" onClick={askErase} disabled={busy} data-testid="erase">
            Erase everything…
          </button>
        )}
        {(request.kind === "restriction" || request.kind === "objection") && open && (
          <button type="button" onClick={() => act(async () => { await api.requests.restrict(request.id); return "Flagged: later pushes and sends skip this person."; })} disabled={busy}>
            Flag the person
          </button>
        )}
        {open && request.status !== "in_progress" && (
          <button type="button" onClick={() => act(async () => { await api.requests.advance(request.id, request.status === "received" ? "verifying" : "in_progress"); })} disabled={busy}>
            {request.status === "received" ? "Start verifying" : "Identity verified"}
          </button>
        )}
      </div>
      {(request.kind === "access" || request.kind === "portability") && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void exportPackage(exportPath);
          }}
        >
          <input
            aria-label="Save the ZIP to"
            placeholder="or type where to save the ZIP, e.g. /home/me/request.zip"
            value={exportPath}
            onChange={(e) => setExportPath(e.target.value)}
            data-testid="export-path"
          />
          <button type="submit" disabled={busy || !exportPath.trim()}>
            Save
          </button>
        </form>
      )}
      {request.kind === "rectification" && open && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              const r = await api.requests.rectify(request.id, field, value);
              return `Corrected ${field} on ${r.changed.map((c) => `${c.count} ${c.label}`).join(", ")}; the old value is not kept.`;
            });
          }}
        >
          <input aria-label="Field" placeholder="field, e.g. email" value={field} onChange={(e) => setField(e.target.value)} />
          <input aria-label="Corrected value" placeholder="corrected value" value={value} onChange={(e) => setValue(e.target.value)} />
          <button type="submit" disabled={busy || !field}>
            Correct everywhere
          </button>
        </form>
      )}
      {open && (
        <div className="inline-form">
          <input aria-label="Reason" placeholder="reason (for an extension or a denial)" value={reason} onChange={(e) => setReason(e.target.value)} />
          <button type="button" disabled={busy} onClick={() => act(async () => { await api.requests.extend(request.id, reason); return "Deadline extended."; })}>
            Extend deadline
          </button>
          <button type="button" disabled={busy} onClick={() => act(async () => { await api.requests.close(request.id, "completed", reason || undefined); })}>
            Complete
          </button>
          <button type="button" disabled={busy} onClick={() => act(async () => { await api.requests.close(request.id, "denied", reason); })}>
            Deny
          </button>
        </div>
      )}
      {status && (
        <p className="sr-status" role="status">
          {status}
        </p>
      )}
      <ErrorNote error={error} />
      {found && <Found found={found} onWiden={() => find(true)} busy={busy} />}
      {confirmErase && (
        <ConfirmDialog title={`Erase request ${request.id}'s person?`} confirmLabel="Erase" busy={busy} onConfirm={erase} onCancel={() => setConfirmErase(null)}>
          <p>{confirmErase.replace(" Confirm to go ahead (on the command line: --yes).", "")}</p>
          <p>This cannot be undone. A receipt without personal data is shown afterwards.</p>
        </ConfirmDialog>
      )}
      {erased && <ReceiptDialog erased={erased} onClose={() => setErased(null)} />}
    </article>
  );
}

function Found({ found, onWiden, busy }: { found: Discovery; onWiden: () => void; busy: boolean }) {
  return (
    <div className="found" data-testid="found">
      {found.groups.length === 0 && <p className="muted">Nothing is held about this person here.</p>}
      {found.groups.map((g) => (
        <details key={`${g.kind}-${g.client ?? ""}`} open>
          <summary>
            {g.records.length} {g.label}
            {g.client && ` of ${g.client}`}
          </summary>
          {g.records.map((r) => (
            <div key={r.id} className="found-record">
              <p className="muted">{r.source}</p>
              <table className="figures">
                <tbody>
                  {r.fields.filter(([, v]) => v).map(([k, v]) => (
                    <tr key={k}>
                      <th scope="row">{k}</th>
                      <td>{v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </details>
      ))}
      {found.offered.length > 0 && (
        <p>
          Also on these records: {found.offered.map((i) => `${i.kind} ${i.value}`).join(", ")}.{" "}
          <button type="button" onClick={onWiden} disabled={busy}>
            Search these too
          </button>
        </p>
      )}
    </div>
  );
}

function ReceiptDialog({ erased, onClose }: { erased: Erased; onClose: () => void }) {
  const r = erased.receipt;
  return (
    <div className="backdrop">
      <div className="dialog wide" role="dialog" aria-modal="true" aria-labelledby="receipt-title" data-testid="receipt">
        <h2 id="receipt-title">Erased — receipt {r.code}</h2>
        <table className="figures">
          <tbody>
            <tr>
              <th scope="row">Erased at</th>
              <td>
                {r.erased_at} by {r.actor}
              </td>
            </tr>
            {r.deleted.length === 0 && (
              <tr>
                <th scope="row">Deleted</th>
                <td>nothing: nothing was held about this person</td>
              </tr>
            )}
            {r.deleted.map((d) => (
              <tr key={d.kind}>
                <th scope="row">Deleted</th>
                <td>
                  {d.count} {d.label}
                </td>
              </tr>
            ))}
            <tr>
              <th scope="row">Suppressed</th>
              <td>{r.suppressed} identifiers (later imports skip them)</td>
            </tr>
            <tr>
              <th scope="row">Audit head</th>
              <td>
                #{r.audit_seq} <code>{r.audit_hash}</code>
              </td>
            </tr>
          </tbody>
        </table>
        {!erased.wal_emptied && <p className="warn">The write-ahead log is emptied at the next checkpoint.</p>}
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </div>
    </div>
  );
}
