import type { MetaForm } from "../../api";
import { LastSynced } from "./LastSynced";

/** The lead forms, each with what Meta says of it and whether its leads are synced. */
export function FormTable({
  forms,
  saving,
  onToggle,
}: {
  forms: MetaForm[];
  /** The form whose choice is being saved. */
  saving: string | null;
  onToggle: (form: MetaForm, sync: boolean) => void;
}) {
  return (
    <table className="table meta" aria-labelledby="forms-title" data-testid="forms-table">
      <thead>
        <tr>
          <th scope="col">Page</th>
          <th scope="col">Form</th>
          <th scope="col">Status</th>
          <th scope="col" className="count">
            Leads at Meta
          </th>
          <th scope="col">Last synced</th>
          <th scope="col">Sync</th>
        </tr>
      </thead>
      <tbody>
        {forms.map((f) => {
          const hint = `form-hint-${f.id}`;
          return (
            <tr key={f.id} data-testid="form-row">
              <td>{f.page}</td>
              <td>
                {f.name}
                {/* A sync passes over a form whose Page has no client, since its leads would belong to nobody. */}
                {f.client === null && (
                  <small id={hint} className="hint block" data-testid="form-no-client">
                    Its Page has no client: it syncs once {f.page} is assigned to one.
                  </small>
                )}
              </td>
              <td>{f.status ?? "—"}</td>
              <td className="count">{f.leads_count === null ? "—" : f.leads_count.toLocaleString()}</td>
              <td>
                <LastSynced at={f.last_synced_at} />
              </td>
              <td>
                <input
                  type="checkbox"
                  checked={f.sync}
                  onChange={(e) => onToggle(f, e.target.checked)}
                  aria-busy={saving === f.id}
                  aria-label={`Sync ${f.name} (${f.page})`}
                  aria-describedby={f.client === null ? hint : undefined}
                  data-testid={`form-sync-${f.id}`}
                />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
