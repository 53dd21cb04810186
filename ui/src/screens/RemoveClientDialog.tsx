import { useState } from "react";
import type { Elsewhere, Holdings } from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";

type Props = {
  holdings: Holdings;
  busy: boolean;
  onConfirm: (elsewhere: Elsewhere | null) => void;
  onCancel: () => void;
};

/**
 * What removing a client deletes, asked first. Its records in its CRMs are the advertiser's as much
 * as Custodian's, so nothing is assumed about them: the Remove button waits until the person says
 * whether they stay there or go too.
 */
export function RemoveClientDialog({ holdings, busy, onConfirm, onCancel }: Props) {
  const [elsewhere, setElsewhere] = useState<Elsewhere | null>(null);
  const asks = holdings.elsewhere.length > 0;
  const there = holdings.elsewhere.reduce((n, h) => n + h.count, 0);

  return (
    <ConfirmDialog
      title={`Remove ${holdings.client.name}?`}
      confirmLabel="Remove client"
      busy={busy}
      ready={!asks || elsewhere !== null}
      onConfirm={() => onConfirm(asks ? elsewhere : null)}
      onCancel={onCancel}
    >
      {holdings.held.length === 0 ? (
        <p>This client holds no data. Only the client itself is removed.</p>
      ) : (
        <>
          <p>This permanently deletes everything the client holds:</p>
          <ul>
            {holdings.held.map((h) => (
              <li key={h.kind}>
                {h.count} {h.label}
              </li>
            ))}
          </ul>
        </>
      )}
      {asks && (
        <fieldset className="elsewhere" disabled={busy} data-testid="remove-elsewhere">
          <legend>
            {holdings.elsewhere.map((h) => `${h.count} ${h.label}`).join(", ")} of this client {there === 1 ? "is" : "are"} in its CRMs.
          </legend>
          <label className="choice">
            <input type="radio" name="remove-elsewhere" checked={elsewhere === "leave"} onChange={() => setElsewhere("leave")} />
            Leave them in the CRMs (only what Custodian knows of them goes)
          </label>
          <label className="choice">
            <input type="radio" name="remove-elsewhere" checked={elsewhere === "delete"} onChange={() => setElsewhere("delete")} />
            Delete them in the CRMs too (the client is removed only once every one is deleted)
          </label>
        </fieldset>
      )}
      {/* One call a record: this can take a while, and the person should know what it waits on. */}
      <p className="sr-status working" role="status" aria-live="polite">
        {busy && elsewhere === "delete" ? "Deleting its records in the CRMs…" : ""}
      </p>
      <p className="muted">The audit trail keeps a record that the client was removed.</p>
    </ConfirmDialog>
  );
}
