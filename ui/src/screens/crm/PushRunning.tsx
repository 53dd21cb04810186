import type { PushProgress } from "../../api";
import { counted } from "../connections/counted";

/** A push under way: how many of the client's leads it has gone through, and Cancel. */
export function PushRunning({ progress, cancelling, onCancel }: { progress: PushProgress | null; cancelling: boolean; onCancel: () => void }) {
  return (
    <div className="import-progress" data-testid="crm-push-progress">
      {/* Until the first batch is through, how many leads there are is not known: the bar is indeterminate. */}
      {progress ? <progress aria-label="Push progress" max={progress.total} value={progress.done} /> : <progress aria-label="Push progress" />}
      <span role="status" aria-live="polite" data-testid="crm-push-progress-text">
        {progress ? `${progress.done.toLocaleString()} of ${counted(progress.total, "lead")}` : "Asking the CRM…"}
      </span>
      <button type="button" onClick={onCancel} disabled={cancelling} data-testid="crm-push-cancel">
        {cancelling ? "Stopping…" : "Cancel"}
      </button>
    </div>
  );
}
