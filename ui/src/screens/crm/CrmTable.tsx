import type { CrmConnection } from "../../api";
import { LastSynced } from "../connections/LastSynced";
import { CrmHealth } from "./CrmHealth";
import { CRM_LABELS } from "./crms";

/** The CRM connections, each with what can be done with it: map its fields, push to it, disconnect it. */
export function CrmTable({
  connections,
  pushing,
  onMap,
  onPush,
  onDisconnect,
  onAutoPush,
}: {
  connections: CrmConnection[];
  /** A push is under way: another waits for it. */
  pushing: boolean;
  onMap: (c: CrmConnection) => void;
  onPush: (c: CrmConnection) => void;
  onDisconnect: (c: CrmConnection) => void;
  onAutoPush: (c: CrmConnection, on: boolean) => void;
}) {
  if (connections.length === 0) {
    return (
      <p className="empty" data-testid="crm-empty">
        No CRM is connected yet. Connect a client&apos;s HubSpot, Salesforce or Pipedrive above to send its leads on.
      </p>
    );
  }
  return (
    <table className="table connections" aria-labelledby="crm-title" data-testid="crm-table">
      <thead>
        <tr>
          <th scope="col">CRM</th>
          <th scope="col">Client</th>
          <th scope="col">Address</th>
          <th scope="col">Health</th>
          <th scope="col">Last answered</th>
          <th scope="col">After imports and syncs</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {connections.map((c) => {
          const name = `${CRM_LABELS[c.crm]}${c.client ? ` of ${c.client}` : ""}`;
          return (
            <tr key={c.id} data-testid="crm-row">
              <td>{CRM_LABELS[c.crm]}</td>
              <td>{c.client ?? "—"}</td>
              <td>
                <code>{c.base_url}</code>
              </td>
              <td>
                <CrmHealth connection={c} />
              </td>
              <td>
                <LastSynced at={c.last_ok_at} />
              </td>
              <td>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={c.auto_push}
                    disabled={c.client === null}
                    onChange={(e) => onAutoPush(c, e.target.checked)}
                    data-testid="crm-auto-push"
                  />
                  Push new leads
                </label>
              </td>
              <td className="actions">
                <button type="button" onClick={() => onMap(c)} disabled={c.client === null} aria-label={`Map fields for ${name}`} data-testid="crm-map">
                  Map fields…
                </button>
                <button
                  type="button"
                  onClick={() => onPush(c)}
                  disabled={pushing || c.client === null}
                  aria-label={`Push leads to ${name}`}
                  data-testid="crm-push"
                >
                  Push to CRM
                </button>
                <button type="button" className="danger-text" onClick={() => onDisconnect(c)} aria-label={`Disconnect ${name}`} data-testid="crm-disconnect">
                  Disconnect…
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
