import { useState } from "react";
import { api, toCommandError, type CommandError, type Discovery, type ErasePreview, type Erased, type Identifier, type RemoteStep, type Request } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { useReplaceFile } from "../../components/useReplaceFile";
import { pickPackageFile } from "../../files";
import { countdown, URGENCY_CLASS } from "./deadline";
import { EraseDialog } from "./EraseDialog";
import { Found } from "./Found";
import { NothingFound } from "./NothingFound";
import { NothingHeldDialog } from "./NothingHeldDialog";
import { ReceiptDialog } from "./ReceiptDialog";
import { RemoteSteps } from "./RemoteSteps";
import { STATUS_LABEL } from "./status";

export function RequestDetail({ request, onChanged }: { request: Request; onChanged: () => Promise<void> }) {
  const [found, setFound] = useState<Discovery | null>(null);
  const [erased, setErased] = useState<Erased | null>(null);
  const [confirmErase, setConfirmErase] = useState<ErasePreview | null>(null);
  const [nothingFound, setNothingFound] = useState<string | null>(null);
  const [confirmNothingHeld, setConfirmNothingHeld] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const [field, setField] = useState("");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  // The CRM steps of the latest correction made here, and how many were made: each shows its own steps afresh.
  const [corrected, setCorrected] = useState<{ steps: RemoteStep[]; times: number } | null>(null);
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

  // A search that finds nothing is a question for the person (search again, or close as nothing held), not an error.
  const unlessNothingFound = (e: unknown) => {
    const err = toCommandError(e);
    if (err.code === "nothing_found") setNothingFound(err.message);
    else throw err;
  };

  const askErase = () =>
    act(async () => {
      setNothingFound(null);
      const preview = await api.requests.erasePreview(request.id).catch(unlessNothingFound);
      if (preview) setConfirmErase(preview);
    });

  const done = (receipt: Erased) => {
    setErased(receipt);
    setFound(null);
    setNothingFound(null);
  };

  const erase = () =>
    act(async () => {
      setConfirmErase(null);
      const receipt = await api.requests.erase(request.id, true).catch(unlessNothingFound);
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
      {request.kind === "erasure" && request.status === "completed" && <RemoteSteps requestId={request.id} place="meta" />}
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
              setCorrected((c) => ({ steps: r.remote, times: (c?.times ?? 0) + 1 }));
              const corrected = `Corrected ${field} on ${r.changed.map((c) => `${c.count} ${c.label}`).join(", ")}; the old value is not kept.`;
              return [corrected, ...r.not_corrected].join(" ");
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
      {request.kind === "rectification" && (
        <RemoteSteps key={corrected?.times ?? 0} requestId={request.id} place="crms" known={corrected?.steps} />
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
      {confirmErase && <EraseDialog preview={confirmErase} busy={busy} onConfirm={erase} onCancel={() => setConfirmErase(null)} />}
      {confirmNothingHeld && (
        <NothingHeldDialog requestId={request.id} busy={busy} onConfirm={closeNothingHeld} onCancel={() => setConfirmNothingHeld(false)} />
      )}
      {replaceFile.dialog}
      {erased && <ReceiptDialog erased={erased} onClose={() => setErased(null)} />}
    </article>
  );
}
