import { ConfirmDialog } from "../../components/ConfirmDialog";

export function NothingHeldDialog({
  requestId,
  busy,
  onConfirm,
  onCancel,
}: {
  requestId: number;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog
      title={`Close request ${requestId} as nothing held?`}
      confirmLabel="Close as nothing held"
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p>
        The request is completed without deleting anything, and its receipt says that nothing was held about the person. Their
        identifiers go on the suppression list, so later imports skip them.
      </p>
    </ConfirmDialog>
  );
}
