import type { ErasePreview } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { erasureInWords } from "./erasureInWords";

export function EraseDialog({
  preview,
  busy,
  onConfirm,
  onCancel,
}: {
  preview: ErasePreview;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog title={`Erase request ${preview.request_id}'s person?`} confirmLabel="Erase" busy={busy} onConfirm={onConfirm} onCancel={onCancel}>
      <p>{erasureInWords(preview)}</p>
      <p>This cannot be undone. A receipt without personal data is shown afterwards.</p>
    </ConfirmDialog>
  );
}
