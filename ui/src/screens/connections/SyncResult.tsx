import { useEffect, useRef } from "react";
import type { SyncReport } from "../../api";

type Figure = "new" | "updated" | "unchanged" | "suppressed" | "rejected" | "pages";

const FIGURES: [string, Figure][] = [
  ["New", "new"],
  ["Updated", "updated"],
  ["Unchanged", "unchanged"],
  ["Suppressed", "suppressed"],
  ["Rejected", "rejected"],
  ["Pages", "pages"],
];

/** What a sync did, form by form, with the backend's words for each form that did not sync to the end. */
export function SyncResult({ report }: { report: SyncReport }) {
  const heading = useRef<HTMLHeadingElement>(null);

  // The Cancel button vanished with the sync: a keyboard user whose focus went with it is brought here.
  useEffect(() => {
    if (document.activeElement === null || document.activeElement === document.body) heading.current?.focus();
  }, [report]);

  return (
    <div className="card sync-result" data-testid="sync-result">
      <h3 id="sync-result-title" ref={heading} tabIndex={-1}>
        {report.cancelled ? "Sync cancelled" : "Sync finished"}
      </h3>
      {report.cancelled && (
        <p data-testid="sync-cancelled">
          The sync was cancelled. What it read before stopping is kept; the next sync goes on from there.
        </p>
      )}
      {report.forms.length === 0 ? (
        !report.cancelled && (
          <p className="muted" data-testid="sync-nothing">
            Nothing was synced: no form is chosen for sync.
          </p>
        )
      ) : (
        <table className="table meta" aria-labelledby="sync-result-title" data-testid="sync-result-table">
          <thead>
            <tr>
              <th scope="col">Form</th>
              <th scope="col">Client</th>
              {FIGURES.map(([label]) => (
                <th key={label} scope="col" className="count">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          {report.forms.map((f) => (
            <tbody key={f.form_id} data-testid={`synced-${f.form_id}`}>
              <tr>
                <td>{f.form}</td>
                <td>{f.client ?? "—"}</td>
                {FIGURES.map(([label, key]) => (
                  <td key={label} className="count">
                    {f[key].toLocaleString()}
                  </td>
                ))}
              </tr>
              {f.problem && (
                <tr>
                  <td colSpan={2 + FIGURES.length} className="error-text" data-testid="sync-problem">
                    Did not sync to the end: {f.problem}
                  </td>
                </tr>
              )}
            </tbody>
          ))}
        </table>
      )}
    </div>
  );
}
