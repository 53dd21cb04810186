import type { Client, MetaPage } from "../../api";

/** The Pages with the client each belongs to, chosen in place: a change is saved at once. */
export function PageTable({
  pages,
  clients,
  saving,
  onAssign,
}: {
  pages: MetaPage[];
  clients: Client[];
  /** The Page whose client is being saved. */
  saving: string | null;
  onAssign: (page: MetaPage, client: string | null) => void;
}) {
  const names = clients.map((c) => c.name);
  return (
    <table className="table meta" aria-labelledby="pages-title" data-testid="pages-table">
      <thead>
        <tr>
          <th scope="col">Page</th>
          <th scope="col">Category</th>
          <th scope="col">Client</th>
        </tr>
      </thead>
      <tbody>
        {pages.map((p) => (
          <tr key={p.id} data-testid="page-row">
            <td>{p.name}</td>
            <td>{p.category ?? "—"}</td>
            <td>
              <select
                value={p.client ?? ""}
                onChange={(e) => onAssign(p, e.target.value || null)}
                aria-busy={saving === p.id}
                aria-label={`Client of ${p.name}`}
                data-testid={`page-client-${p.id}`}
              >
                <option value="">No client</option>
                {/* A client added elsewhere since the list of clients was read is still shown as the Page's. */}
                {(p.client && !names.includes(p.client) ? [...names, p.client] : names).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
