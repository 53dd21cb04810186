import type { CrmPreview } from "../../api";

/**
 * Exactly what the CRM would get for one lead by the draft, or every reason it could not get it.
 * A preview of an earlier draft stays in view, marked busy, until the new one comes.
 */
export function MappingPreview({
  leadId,
  onLeadId,
  leadUnusable,
  preview,
  current,
}: {
  leadId: string;
  onLeadId: (id: string) => void;
  leadUnusable: boolean;
  preview: CrmPreview | null;
  /** Whether `preview` answers for the draft as it is now. */
  current: boolean;
}) {
  return (
    <section className="preview" aria-labelledby="crm-preview-title" aria-busy={!current} data-testid="crm-preview">
      <h3 id="crm-preview-title">Preview</h3>
      <div className="toolbar">
        <label>
          Lead to preview
          <input
            className="short"
            inputMode="numeric"
            value={leadId}
            onChange={(e) => onLeadId(e.target.value)}
            placeholder="newest"
            aria-describedby="crm-preview-lead-help"
            data-testid="crm-preview-lead"
          />
        </label>
        <small id="crm-preview-lead-help" className="hint">
          Its number here (the Leads screen shows it); empty for the form&apos;s newest lead.
        </small>
      </div>
      {leadUnusable && (
        <p className="error-text" data-testid="crm-preview-lead-unusable">
          A lead&apos;s number is digits only.
        </p>
      )}
      {preview === null ? (
        !leadUnusable && <p className="muted">Previewing…</p>
      ) : (
        <>
          {preview.lead_id !== null && (
            <p className="muted" data-testid="crm-preview-lead-shown">
              Lead {preview.lead_id}
              {preview.meta_id && ` (Meta lead id ${preview.meta_id})`}
              {current ? "" : " — previewing the change…"}
            </p>
          )}
          {preview.problems.length > 0 && (
            <div className="error" role="status" data-testid="crm-preview-problems">
              <p id="crm-preview-problems-title">
                <strong>Not ready to save:</strong>
              </p>
              <ul>
                {preview.problems.map((p, i) => (
                  // The same words may come twice (two rules for one field), so the place keeps the keys apart.
                  <li key={`${i}:${p}`}>{p}</li>
                ))}
              </ul>
            </div>
          )}
          {preview.body !== null && preview.body !== undefined && (
            <pre className="body" aria-label="What the CRM would get" tabIndex={0} data-testid="crm-preview-body">
              {JSON.stringify(preview.body, null, 2)}
            </pre>
          )}
        </>
      )}
    </section>
  );
}
