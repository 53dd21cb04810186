import { useEffect, useRef, useState } from "react";
import { api, toCommandError, type BulkRow, type CommandError, type PixelBulk } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { useEscape } from "../../components/useEscape";
import { pickPixelBulkFile } from "../../files";
import { plural } from "./words";

const CHANGES: Record<string, string> = { share: "share", revoke: "revoke", none: "nothing to do", invalid: "not valid" };
const OUTCOMES: Record<string, { label: string; badge: string }> = {
  would: { label: "would change", badge: "pending" },
  done: { label: "done", badge: "done" },
  refused: { label: "refused", badge: "failed" },
  none: { label: "—", badge: "" },
};

function BulkRows({ bulk }: { bulk: PixelBulk }) {
  const outcome = (r: BulkRow) => OUTCOMES[r.outcome] ?? { label: r.outcome, badge: "" };
  return (
    <table className="table meta" aria-label={bulk.dry_run ? "What each row would do" : "What each row did"} data-testid="pixel-bulk-table">
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Pixel</th>
          <th scope="col">Business</th>
          <th scope="col">Tasks</th>
          <th scope="col">Change</th>
          <th scope="col">Outcome</th>
          <th scope="col">Note</th>
        </tr>
      </thead>
      <tbody>
        {bulk.rows.map((r) => (
          <tr key={r.line} data-testid="pixel-bulk-row">
            <td>{r.line}</td>
            <td>{r.pixel_id}</td>
            <td>{r.business}</td>
            <td>{r.tasks.length ? r.tasks.join(", ") : <span className="muted">none: revoke</span>}</td>
            <td className={r.change === "invalid" ? "error-text" : undefined}>{CHANGES[r.change] ?? r.change}</td>
            <td>{outcome(r).badge ? <span className={`badge ${outcome(r).badge}`}>{outcome(r).label}</span> : outcome(r).label}</td>
            <td>{r.message ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Shares and revokes as a CSV file says: a dry run first shows what each row would do, changing
 * nothing; Apply then does it, row by row, and shows what each did.
 */
export function BulkDialog({ onApplied, onClose }: { onApplied: () => void; onClose: () => void }) {
  const [path, setPath] = useState<string | null>(null);
  const [plan, setPlan] = useState<PixelBulk | null>(null);
  const [done, setDone] = useState<PixelBulk | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const first = useRef<HTMLButtonElement>(null);

  useEffect(() => first.current?.focus(), []);
  useEscape(onClose);

  const choose = async () => {
    const file = await pickPixelBulkFile();
    if (!file) return;
    setPath(file);
    setPlan(null);
    setDone(null);
    setError(null);
    setBusy(true);
    try {
      setPlan(await api.pixels.bulk(file, true));
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    if (path === null) return;
    setBusy(true);
    setError(null);
    try {
      setDone(await api.pixels.bulk(path, false));
      setPlan(null);
      onApplied();
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  const changes = plan?.rows.filter((r) => r.outcome === "would").length ?? 0;
  const count = (bulk: PixelBulk, outcome: string) => bulk.rows.filter((r) => r.outcome === outcome).length;
  const invalid = (bulk: PixelBulk) => bulk.rows.filter((r) => r.change === "invalid").length;

  return (
    <div className="backdrop">
      <div className="dialog bulk" role="dialog" aria-modal="true" aria-labelledby="pixel-bulk-title" data-testid="pixel-bulk">
        <h2 id="pixel-bulk-title">Bulk changes from a CSV</h2>
        <p>
          Each row gives a partner business tasks on a pixel, or takes its access away. The first line is the header{" "}
          <code>pixel,business,tasks</code>. Tasks are ANALYZE, UPLOAD and ADVERTISE, several in quotes; an empty tasks cell revokes:
        </p>
        <pre className="example">{'pixel,business,tasks\n111222333,700100200,"ANALYZE,UPLOAD"\n111222333,700100300,'}</pre>
        <p className="muted">
          A dry run comes first: it says what each row would do, compared with who can reach the pixel now, and changes nothing. Apply does
          it.
        </p>
        <div className="toolbar">
          <button type="button" ref={first} onClick={() => void choose()} disabled={busy} data-testid="pixel-bulk-choose">
            Choose a CSV file…
          </button>
          {path !== null && (
            <span className="muted" data-testid="pixel-bulk-path">
              {path}
            </span>
          )}
        </div>
        <ErrorNote error={error} />
        {busy && (
          <p className="muted" role="status">
            Asking Meta…
          </p>
        )}
        {plan && (
          <>
            <p role="status" data-testid="pixel-bulk-summary">
              A dry run: nothing was changed. {changes ? `${plural(changes, "row")} would change` : "No row would change"}
              {invalid(plan) ? `; ${plural(invalid(plan), "row is", "rows are")} not valid and would be left out` : ""}.
            </p>
            <BulkRows bulk={plan} />
          </>
        )}
        {done && (
          <>
            <p role="status" data-testid="pixel-bulk-summary">
              Applied: {plural(count(done, "done"), "change")} done
              {count(done, "refused") ? `, ${plural(count(done, "refused"), "row")} refused` : ""}
              {invalid(done) ? `, ${plural(invalid(done), "row")} not valid` : ""}.
            </p>
            <BulkRows bulk={done} />
          </>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
          {plan && (
            <button type="button" className="primary" onClick={() => void apply()} disabled={busy || changes === 0} data-testid="pixel-bulk-apply">
              {busy ? "Applying…" : `Apply ${plural(changes, "change")}`}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
