import type { SyncProgress } from "../../api";
import { counted } from "./counted";
import { rateInWords } from "./pace";

/** A sync under way: the form being read and how far, after each page of leads, and how fast; and Cancel. */
export function SyncRunning({
  progress,
  leadsPerSecond,
  cancelling,
  onCancel,
}: {
  progress: SyncProgress | null;
  leadsPerSecond: number | null;
  cancelling: boolean;
  onCancel: () => void;
}) {
  const rate = leadsPerSecond === null ? "" : ` · ${rateInWords(leadsPerSecond)}`;
  return (
    <div className="import-progress" data-testid="sync-progress">
      {/* Without a value the bar is indeterminate: how many leads Meta still holds is not known ahead. */}
      <progress aria-label="Sync progress" />
      <span role="status" aria-live="polite" data-testid="sync-progress-text">
        {progress ? `${progress.form}: ${counted(progress.pages, "page")}, ${counted(progress.leads, "lead")}${rate}` : "Asking Meta…"}
      </span>
      <button type="button" onClick={onCancel} disabled={cancelling} data-testid="sync-cancel">
        {cancelling ? "Stopping…" : "Cancel"}
      </button>
    </div>
  );
}
