import type { MetaConnection } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";

/** Says what disconnecting does, from the connection itself: only a user token is revoked at Meta. */
export function DisconnectDialog({
  connection,
  busy,
  onConfirm,
  onCancel,
}: {
  connection: MetaConnection;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog
      title={`Disconnect this ${connection.token_type} token?`}
      confirmLabel="Disconnect"
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p data-testid="disconnect-consequences">
        Its token is removed from the keychain.
        {connection.token_type === "USER" && " Its permissions are revoked at Meta."} Leads synced through it stay.
      </p>
      {connection.client && <p className="muted">It reads leads for {connection.client}.</p>}
    </ConfirmDialog>
  );
}
