import { useCallback, useEffect, useState, type FormEvent } from "react";
import {
  api,
  toCommandError,
  type Client,
  type CommandError,
  type Discovery,
  type Erased,
  type IdKind,
  type Identifier,
  type Request,
  type RequestKind,
  type RequestUrgency,
} from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNote } from "../components/ErrorNote";
import { useEscape } from "../components/useEscape";
import { useReplaceFile } from "../components/useReplaceFile";
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

/** The kinds of identifier what is held here can be found by: offered when a search found nothing. */
const SEARCHABLE = ID_KINDS.filter((k) => k.id === "email" || k.id === "phone" || k.id === "lead_id");

type IdLabels = { kind: string; value: string; remove: string; add: string };
const FORM_LABELS: IdLabels = { kind: "Identifier kind", value: "Identifier", remove: "Remove identifier", add: "Add identifier" };

/** Rows of identifier kind and value, with a button for another row and one to remove each. */
function IdentifierFields({
  value,
  onChange,
  testid,
  kinds = ID_KINDS,
  labels = FORM_LABELS,
  autoFocus = false,
}: {
  value: Identifier[];
  onChange: (next: Identifier[]) => void;
  testid: string;
  kinds?: { id: IdKind; label: string }[];
  labels?: IdLabels;
  autoFocus?: boolean;
}) {
  const set = (i: number, change: Partial<Identifier>) => onChange(value.map((x, j) => (j === i ? { ...x, ...change } : x)));
  return (
    <>
      {value.map((id, i) => (
        <div className="inline-form" key={i}>
          <select aria-label={labels.kind} value={id.kind} onChange={(e) => set(i, { kind: e.target.value as IdKind })}>
            {kinds.map((k) => (
              <option key={k.id} value={k.id}>
                {k.label}
              </option>
            ))}
          </select>
          <input
            aria-label={labels.value}
            value={id.value}
            onChange={(e) => set(i, { value: e.target.value })}
            autoFocus={autoFocus && i === 0}
            data-testid={`${testid}-${i}`}
          />
          {value.length > 1 && (
            <button type="button" onClick={() => onChange(value.filter((_, j) => j !== i))} aria-label={labels.remove}>
              ×
            </button>
          )}
        </div>
      ))}
      <button type="button" onClick={() => onChange([...value, { kind: "phone", value: "" }])}>
        {labels.add}
      </button>
    </>
  );
}

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
  const [nothingFound, setNothingFound] = useState<string | null>(null);
  const [confirmNothingHeld, setConfirmNothingHeld] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const [field, setField] = useState("");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const open = request.status !== "completed" && request.status !== "denied";

  /** Runs one change: busy meanwhile, its words or its error shown, the request re-read; true if it went through. */
  const act = async (work: () => Promise<string | void>) => {
    setBusy(true);
    setError(null);
    try {
      const said = await work();
      if (said) setStatus(said);
      await onChanged();
      return true;
    } catch (e) {
      setError(toCommandError(e));
      // A refusal can still be noted on the request (an erasure a hold withheld, say).
      await onChanged();
      return false;
    } finally {
      setBusy(false);
    }
  };

  const find = (widen: boolean) => act(async () => setFound(await api.requests.find(request.id, widen)));

  // An erasure's refusals that are questions for the person rather than errors.
  const ask = (e: unknown) => {
    const err = toCommandError(e);
    if (err.code === "confirmation_required") setConfirmErase(err.message);
    else if (err.code === "nothing_found") setNothingFound(err.message);
    else throw err;
  };

  const askErase = () =>
    act(async () => {
      setNothingFound(null);
      await api.requests.erase(request.id, false).catch(ask);
    });

  const done = (receipt: Erased) => {
    setErased(receipt);
    setFound(null);
    setNothingFound(null);
  };

  const erase = () =>
    act(async () => {
      setConfirmErase(null);
      const receipt = await api.requests.erase(request.id, true).catch(ask);
      if (receipt) done(receipt);
    });

  const closeNothingHeld = () =>
    act(async () => {
      setConfirmNothingHeld(false);
      done(await api.requests.erase(request.id, true, true));
    });

  const searchAgain = (identifiers: Identifier[]) =>
    act(async () => {
      await api.requests.addIdentifiers(request.id, identifiers);
      const d = await api.requests.find(request.id, false);
      setFound(d);
      const records = d.groups.reduce((n, g) => n + g.records.length, 0);
      const added = `Added ${identifiers.length} identifier${identifiers.length === 1 ? "" : "s"}`;
      if (records === 0) return `${added}; the search still finds nothing.`;
      setNothingFound(null);
      return `${added}; the search found ${records} record${records === 1 ? "" : "s"}. Erase everything… erases them.`;
    });

  const replaceFile = useReplaceFile();
  const [exportPath, setExportPath] = useState("");
  const exportPackage = (path: string) =>
    act(async () => {
      const dest = path.trim();
      if (!dest) return;
      const p = await replaceFile.write(dest, (replace) => api.requests.export(request.id, dest, replace));
      if (!p) return `Nothing was saved: ${dest} is kept as it was.`;
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
      {nothingFound && open && (
        <NothingFound message={nothingFound} busy={busy} onSearchAgain={searchAgain} onCloseNothingHeld={() => setConfirmNothingHeld(true)} />
      )}
      {found && <Found found={found} onWiden={() => find(true)} busy={busy} />}
      {confirmErase && (
        <ConfirmDialog title={`Erase request ${request.id}'s person?`} confirmLabel="Erase" busy={busy} onConfirm={erase} onCancel={() => setConfirmErase(null)}>
          <p>{confirmErase.replace(" Confirm to go ahead (on the command line: --yes).", "")}</p>
          <p>This cannot be undone. A receipt without personal data is shown afterwards.</p>
        </ConfirmDialog>
      )}
      {confirmNothingHeld && (
        <ConfirmDialog
          title={`Close request ${request.id} as nothing held?`}
          confirmLabel="Close as nothing held"
          busy={busy}
          onConfirm={closeNothingHeld}
          onCancel={() => setConfirmNothingHeld(false)}
        >
          <p>
            The request is completed without deleting anything, and its receipt says that nothing was held about the person. Their
            identifiers go on the suppression list, so later imports skip them.
          </p>
        </ConfirmDialog>
      )}
      {replaceFile.dialog}
      {erased && <ReceiptDialog erased={erased} onClose={() => setErased(null)} />}
    </article>
  );
}

const ADD_LABELS: IdLabels = { kind: "Kind of identifier to add", value: "Identifier to add", remove: "Remove this identifier", add: "Another identifier" };

/** An erasure whose search found nothing: add what else the person gave and search again, or say nothing is held. */
function NothingFound({
  message,
  busy,
  onSearchAgain,
  onCloseNothingHeld,
}: {
  message: string;
  busy: boolean;
  onSearchAgain: (identifiers: Identifier[]) => Promise<boolean>;
  onCloseNothingHeld: () => void;
}) {
  const [adding, setAdding] = useState<Identifier[]>([{ kind: "email", value: "" }]);
  const given = adding.map((i) => ({ ...i, value: i.value.trim() })).filter((i) => i.value);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (given.length === 0) return;
    // Refused (an identifier that is not valid, say): what was typed stays, to correct.
    if (await onSearchAgain(given)) setAdding([{ kind: "email", value: "" }]);
  };
  return (
    <section className="card nothing-found" aria-labelledby="nothing-found-title" data-testid="nothing-found">
      <h3 id="nothing-found-title">Nothing found</h3>
      <p role="alert" data-code="nothing_found">
        {message}
      </p>
      <form className="request-form" onSubmit={submit} aria-label="Add identifiers">
        <fieldset>
          <legend>Add identifiers the person gave, and search again</legend>
          <IdentifierFields value={adding} onChange={setAdding} testid="add-identifier" kinds={SEARCHABLE} labels={ADD_LABELS} autoFocus />
        </fieldset>
        <div className="inline-form">
          <button type="submit" className="primary" disabled={busy || given.length === 0} data-testid="search-again">
            Add and search again
          </button>
          <button type="button" className="danger" disabled={busy} onClick={onCloseNothingHeld} data-testid="close-nothing-held">
            Close as nothing held…
          </button>
        </div>
      </form>
    </section>
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
  useEscape(onClose);
  return (
    <div className="backdrop">
      <div className="dialog wide" role="dialog" aria-modal="true" aria-labelledby="receipt-title" data-testid="receipt">
        <h2 id="receipt-title">
          {r.nothing_held ? "Closed: nothing held" : "Erased"} — receipt {r.code}
        </h2>
        <table className="figures">
          <tbody>
            <tr>
              <th scope="row">{r.nothing_held ? "Closed at" : "Erased at"}</th>
              <td>
                {r.erased_at} by {r.actor}
              </td>
            </tr>
            {r.nothing_held && (
              <tr data-testid="nothing-held">
                <th scope="row">Held</th>
                <td>nothing held: the search found nothing about this person, and nothing was deleted</td>
              </tr>
            )}
            {!r.nothing_held && r.deleted.length === 0 && (
              <tr>
                <th scope="row">Deleted</th>
                <td>nothing: nothing was held about this person</td>
              </tr>
            )}
            {!r.nothing_held &&
              r.deleted.map((d) => (
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
