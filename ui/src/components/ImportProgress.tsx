import type { ImportSummary, Progress } from "../api";

export function ImportProgress({ progress, onCancel, cancelling }: { progress: Progress | null; onCancel: () => void; cancelling: boolean }) {
  const pct = progress && progress.total_bytes > 0 ? Math.min(100, Math.round((progress.bytes / progress.total_bytes) * 100)) : 0;
  return (
    <div className="import-progress" role="status" aria-live="polite" data-testid="import-progress">
      <progress max={100} value={pct} aria-label="Import progress" />
      <span>
        {pct}% · {(progress?.rows ?? 0).toLocaleString()} rows · {(progress?.rows_per_second ?? 0).toLocaleString()} rows/s
      </span>
      <button type="button" onClick={onCancel} disabled={cancelling}>
        {cancelling ? "Stopping…" : "Cancel"}
      </button>
    </div>
  );
}

export function ImportReport({ summary, onClose }: { summary: ImportSummary; onClose: () => void }) {
  const figures: [string, number][] = [
    ["New leads", summary.imported],
    ["Updated", summary.updated],
    ["Duplicates skipped", summary.duplicates],
    ["Test leads (flagged)", summary.test_leads],
    ["Rows rejected", summary.rejected],
  ];
  if (summary.suppressed > 0) {
    figures.push(["Skipped: people whose data was erased", summary.suppressed]);
  }
  return (
    <div className="backdrop">
      <div className="dialog wide" role="dialog" aria-modal="true" aria-labelledby="import-title" data-testid="import-summary">
        <h2 id="import-title">{summary.cancelled ? "Import cancelled" : "Import finished"}</h2>
        <p className="muted">
          {summary.file_name} into {summary.client}: {summary.rows_read.toLocaleString()} rows in {(summary.elapsed_ms / 1000).toFixed(1)} s
          {summary.cancelled && " — what was read before cancelling is kept"}
        </p>
        <table className="figures">
          <tbody>
            {figures.map(([label, n]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{n.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {summary.rejections.length > 0 && (
          <>
            <h3>Rejected rows</h3>
            <ul className="rejections">
              {summary.rejections.map((r) => (
                <li key={r.line}>
                  Line {r.line}: {r.reason}
                </li>
              ))}
              {summary.rejected > summary.rejections.length && <li>… and {summary.rejected - summary.rejections.length} more</li>}
            </ul>
          </>
        )}
        {summary.notes.map((n) => (
          <p key={n} className="muted">
            {n}
          </p>
        ))}
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </div>
    </div>
  );
}
