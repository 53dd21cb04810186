import type { Disconnected } from "../../api";

/** What disconnecting did; when Meta failed to revoke a user token, Meta's answer, since the local removal went ahead. */
export function DisconnectResult({ tokenType, done }: { tokenType: string; done: Disconnected }) {
  if (done.revoked_at_meta === false) {
    return (
      <div className="notice" role="status" data-testid="disconnected">
        <p>
          Disconnected the {tokenType} token and removed it from the keychain, but Meta did not revoke its permissions
          {done.revoke_error ? `: ${done.revoke_error}` : "."}
        </p>
      </div>
    );
  }
  return (
    <p className="ok" role="status" data-testid="disconnected">
      Disconnected the {tokenType} token and removed it from the keychain
      {done.revoked_at_meta ? "; Meta revoked its permissions" : ""}. Leads synced through it stay.
    </p>
  );
}
