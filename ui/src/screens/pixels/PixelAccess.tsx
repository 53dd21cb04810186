import { useState } from "react";
import { api, toCommandError, type CommandError, type Grant, type Pixel } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNote } from "../../components/ErrorNote";
import { When } from "./When";
import { granteeKind, granteeLabel } from "./words";

/**
 * Who can reach the pixel: each partner business with its tasks and each ad account, since when,
 * and whether Custodian granted it or found it there; read again from Meta on request, and each
 * revoked once the backend's account of what changes is confirmed.
 */
export function PixelAccess({
  pixel,
  onRead,
  onTried,
}: {
  pixel: Pixel;
  onRead: (read: Pixel) => void;
  /** Follows every revocation Meta was asked for: the log has a new entry, whether Meta revoked or refused. */
  onTried: () => void;
}) {
  const [reading, setReading] = useState(false);
  // What revoking does, in the backend's words, asked before anything changes.
  const [revoking, setRevoking] = useState<{ grant: Grant; says: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<CommandError | null>(null);

  const refresh = async () => {
    setReading(true);
    setError(null);
    setStatus("");
    try {
      onRead(await api.pixels.access(pixel.id));
      setStatus(`Read from Meta who can reach ${pixel.name}.`);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setReading(false);
    }
  };

  const askRevoke = async (grant: Grant) => {
    setError(null);
    setStatus("");
    setBusy(true);
    try {
      await api.pixels.revoke(pixel.id, granteeKind(grant), grant.id, false);
    } catch (e) {
      const err = toCommandError(e);
      if (err.code === "confirmation_required") setRevoking({ grant, says: err.message });
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    const { grant } = revoking;
    setBusy(true);
    try {
      await api.pixels.revoke(pixel.id, granteeKind(grant), grant.id, true);
      setStatus(`${granteeLabel(grant.kind, grant.id)} no longer reaches ${pixel.name}.`);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
      setRevoking(null);
      onTried();
    }
  };

  return (
    <section aria-labelledby="pixel-access-title" data-testid="pixel-access">
      <div className="toolbar">
        <h3 id="pixel-access-title">Access review</h3>
        <button
          type="button"
          onClick={() => void refresh()}
          disabled={reading}
          aria-label={`Refresh who can reach ${pixel.name} from Meta`}
          data-testid="pixel-access-refresh"
        >
          {reading ? "Asking Meta…" : "Refresh"}
        </button>
      </div>
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      {pixel.grants.length === 0 ? (
        <p className="empty" data-testid="pixel-access-empty">
          No other business or ad account can reach this pixel.
        </p>
      ) : (
        <table className="table meta" aria-labelledby="pixel-access-title" data-testid="pixel-access-table">
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">Tasks</th>
              <th scope="col">Since</th>
              <th scope="col">How</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pixel.grants.map((g) => {
              const who = granteeLabel(g.kind, g.id);
              return (
                <tr key={`${g.kind}:${g.id}`} data-testid="pixel-access-row" data-grantee={g.id}>
                  <td>{who}</td>
                  <td>{g.tasks.length ? g.tasks.join(", ") : <span className="muted">—</span>}</td>
                  <td>
                    since <When at={g.granted_at} />
                  </td>
                  <td>
                    {g.by_custodian ? (
                      <span className="badge done">granted by Custodian</span>
                    ) : (
                      <span className="badge found">found already there</span>
                    )}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="danger-text"
                      onClick={() => void askRevoke(g)}
                      disabled={busy}
                      aria-label={`Revoke ${who}'s access to ${pixel.name}`}
                      data-testid={`pixel-revoke-${g.id}`}
                    >
                      Revoke…
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${granteeLabel(revoking.grant.kind, revoking.grant.id)}'s access?`}
          confirmLabel="Revoke"
          busy={busy}
          onConfirm={() => void revoke()}
          onCancel={() => setRevoking(null)}
        >
          <p data-testid="pixel-revoke-consequences">{revoking.says}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
