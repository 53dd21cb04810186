import { useEffect, useRef } from "react";
import type { ConnectionPush, Counts, PushReport } from "../../api";
import { counted } from "../connections/counted";
import { CRM_LABELS } from "./crms";

const FIGURES: [string, keyof Counts][] = [
  ["Created", "created"],
  ["Updated", "updated"],
  ["Unchanged", "unchanged"],
  ["Withheld", "withheld"],
  ["Not mapped", "not_mapped"],
  ["Failed", "failed"],
];

/**
 * What a push did, connection by connection: its counts, the leads that could not be sent with
 * the reason, each with a way to the mapping that decides it, and why it stopped early, if it did.
 */
export function PushResult({ report, onFixMapping }: { report: PushReport; onFixMapping: (push: ConnectionPush, form: string) => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const stopped = report.pushes.some((p) => p.stopped !== null);

  // The Cancel button vanished with the push: a keyboard user whose focus went with it is brought here.
  useEffect(() => {
    if (document.activeElement === null || document.activeElement === document.body) heading.current?.focus();
  }, [report]);

  return (
    <div className="card sync-result" data-testid="crm-push-result">
      <h3 id="crm-push-result-title" ref={heading} tabIndex={-1}>
        {stopped ? "Push stopped" : "Push finished"}
      </h3>
      <p className="muted">
        Withheld leads are of people who restricted processing, objected or were erased: they are never sent. Unchanged leads were sent
        before as they are.
      </p>
      <table className="table meta" aria-labelledby="crm-push-result-title">
        <thead>
          <tr>
            <th scope="col">CRM</th>
            <th scope="col">Client</th>
            {FIGURES.map(([label]) => (
              <th key={label} scope="col" className="count">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        {report.pushes.map((p) => (
          <tbody key={p.push_id} data-testid={`pushed-${p.connection_id}`}>
            <tr>
              <td>{CRM_LABELS[p.crm]}</td>
              <td>{p.client ?? "—"}</td>
              {FIGURES.map(([label, key]) => (
                <td key={label} className="count" data-testid={`push-${key}`}>
                  {p.counts[key].toLocaleString()}
                </td>
              ))}
            </tr>
            {p.stopped !== null && (
              <tr>
                <td colSpan={2 + FIGURES.length} className="error-text" data-testid="crm-push-stopped">
                  Stopped before the end: {p.stopped}. The next push goes on from what was sent.
                </td>
              </tr>
            )}
            {p.counts.not_mapped > 0 && (
              <tr>
                <td colSpan={2 + FIGURES.length} className="hint" data-testid="crm-push-not-mapped">
                  {counted(p.counts.not_mapped, "lead")} of forms without a mapping to this CRM were not sent: map their fields to send them.
                </td>
              </tr>
            )}
            {p.failures.length > 0 && (
              <tr>
                <td colSpan={2 + FIGURES.length}>
                  <ul className="push-failures" aria-label={`Leads ${CRM_LABELS[p.crm]} did not take`}>
                    {p.failures.map((f) => (
                      <li key={f.lead_id} data-testid="crm-push-failure">
                        <span>
                          Lead {f.lead_id}
                          {f.meta_id && ` (Meta lead id ${f.meta_id})`}, form {f.form_id}: {f.message}
                        </span>
                        <button type="button" onClick={() => onFixMapping(p, f.form_id)} data-testid="crm-fix-mapping">
                          Fix mapping
                        </button>
                      </li>
                    ))}
                    {p.counts.failed > p.failures.length && (
                      <li className="muted">… and {(p.counts.failed - p.failures.length).toLocaleString()} more, in the push log</li>
                    )}
                  </ul>
                </td>
              </tr>
            )}
          </tbody>
        ))}
      </table>
    </div>
  );
}
