import { api, type Client, type MetaPage } from "../../api";
import { useMetaList } from "./useMetaList";
import { ErrorNote } from "../../components/ErrorNote";
import { PageTable } from "./PageTable";
import { Problems } from "./Problems";

/** The Facebook Pages the connections reach, read again from Meta on request, each assigned to a client. */
export function Pages({
  pages,
  clients,
  onRefreshed,
  onAssigned,
}: {
  pages: MetaPage[] | null;
  clients: Client[];
  onRefreshed: (pages: MetaPage[]) => void;
  onAssigned: (page: MetaPage) => void;
}) {
  const list = useMetaList<MetaPage>();
  const { refreshing, problems, saving, error, status } = list;
  const refresh = () => list.refresh(() => api.meta.refreshPages(), onRefreshed, "Read the Pages from Meta.");
  const assign = (page: MetaPage, client: string | null) =>
    list.save(page.id, () => api.meta.assignPage(page.id, client), onAssigned, (saved) =>
      saved.client ? `${saved.name} is ${saved.client}'s now.` : `${saved.name} has no client now.`,
    );

  return (
    <section aria-labelledby="pages-title" data-testid="meta-pages">
      <h2 id="pages-title" className="section">
        Pages
      </h2>
      <p className="muted">The Facebook Pages the connections reach. The leads of a Page&apos;s forms go to its client.</p>
      <div className="toolbar">
        <button type="button" onClick={() => void refresh()} disabled={refreshing} data-testid="refresh-pages">
          {refreshing ? "Asking Meta…" : "Refresh from Meta"}
        </button>
      </div>
      <Problems title="Some connections could not be read:" problems={problems} testId="page-problems" />
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      {pages === null ? (
        <p className="muted">Loading…</p>
      ) : pages.length === 0 ? (
        <p className="empty" data-testid="pages-empty">
          No Pages yet. Connect a token, then refresh from Meta.
        </p>
      ) : (
        <>
          <PageTable pages={pages} clients={clients} saving={saving} onAssign={(p, c) => void assign(p, c)} />
          {clients.length === 0 && <p className="hint">Add a client on the Clients screen to assign Pages to it.</p>}
        </>
      )}
    </section>
  );
}
