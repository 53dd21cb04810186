import type { MetaConnection } from "../../api";
import { expiryInWords } from "./expiry";
import { GrantedFor } from "./GrantedFor";
import { HealthBadge } from "./HealthBadge";

export function ConnectionTable({
  connections,
  onDisconnect,
}: {
  connections: MetaConnection[];
  onDisconnect: (c: MetaConnection) => void;
}) {
  if (connections.length === 0) {
    return (
      <p className="empty" data-testid="connections-empty">
        No connections yet. Log in with Facebook, or add a system-user token from your Business Manager.
      </p>
    );
  }
  return (
    <table className="table connections" aria-labelledby="connections-title" data-testid="connections-table">
      <thead>
        <tr>
          <th scope="col">Type</th>
          <th scope="col">Client</th>
          <th scope="col">Permissions</th>
          <th scope="col">Expires</th>
          <th scope="col">Health</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {connections.map((c) => (
          <tr key={c.id} data-testid="connection-row">
            <td>{c.token_type}</td>
            <td>{c.client ?? "—"}</td>
            <td className="scopes">
              {c.scopes.join(", ")}
              <GrantedFor targets={c.targets} />
            </td>
            <td>
              {c.expires_at === null ? (
                expiryInWords(c)
              ) : (
                <time dateTime={c.expires_at} title={new Date(c.expires_at).toLocaleString()}>
                  {expiryInWords(c)}
                </time>
              )}
            </td>
            <td>
              <HealthBadge connection={c} />
            </td>
            <td className="actions">
              <button
                type="button"
                className="danger-text"
                onClick={() => onDisconnect(c)}
                aria-label={`Disconnect the ${c.token_type} token${c.client ? ` of ${c.client}` : ""}`}
                data-testid={`disconnect-${c.id}`}
              >
                Disconnect…
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
