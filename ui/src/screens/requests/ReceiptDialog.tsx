import type { Erased } from "../../api";
import { useEscape } from "../../components/useEscape";
import { RemoteStepTable } from "./RemoteStepTable";

export function ReceiptDialog({ erased, onClose }: { erased: Erased; onClose: () => void }) {
  const r = erased.receipt;
  useEscape(onClose);
  return (
    <div className="backdrop">
      <div className="dialog wide" role="dialog" aria-modal="true" aria-labelledby="receipt-title" data-testid="receipt">
        <h2 id="receipt-title">
          {r.nothing_held ? "Closed: nothing held" : "Erased"} — receipt {r.code}
        </h2>
        <table className="figures">
          <tbody>
            <tr>
              <th scope="row">{r.nothing_held ? "Closed at" : "Erased at"}</th>
              <td>
                {r.erased_at} by {r.actor}
              </td>
            </tr>
            {r.nothing_held && (
              <tr data-testid="nothing-held">
                <th scope="row">Held</th>
                <td>nothing held: the search found nothing about this person, and nothing was deleted</td>
              </tr>
            )}
            {!r.nothing_held && r.deleted.length === 0 && (
              <tr>
                <th scope="row">Deleted</th>
                <td>nothing: nothing was held about this person</td>
              </tr>
            )}
            {!r.nothing_held &&
              r.deleted.map((d) => (
                <tr key={d.kind}>
                  <th scope="row">Deleted</th>
                  <td>
                    {d.count} {d.label}
                  </td>
                </tr>
              ))}
            {r.beyond_reach.map((note) => (
              <tr key={note} data-testid="beyond-reach">
                <th scope="row">Not reached</th>
                <td>{note}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Suppressed</th>
              <td>{r.suppressed} identifiers (later imports skip them)</td>
            </tr>
            <tr>
              <th scope="row">Audit head</th>
              <td>
                #{r.audit_seq} <code>{r.audit_hash}</code>
              </td>
            </tr>
          </tbody>
        </table>
        {erased.remote.length > 0 && (
          <section className="remote-steps" aria-labelledby="receipt-remote-title" data-testid="receipt-remote">
            <h3 id="receipt-remote-title">At Meta and in the CRMs</h3>
            <RemoteStepTable steps={erased.remote} labelledBy="receipt-remote-title" />
            {erased.remote.some((s) => s.status !== "done") && (
              <p className="warn">The erasure here stands all the same. Retrying the remote steps, on the request, takes the steps not done again.</p>
            )}
          </section>
        )}
        {!erased.wal_emptied && <p className="warn">The write-ahead log is emptied at the next checkpoint.</p>}
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </div>
    </div>
  );
}
