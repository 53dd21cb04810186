import { useState } from "react";
import { api, toCommandError, type Client, type CommandError, type MetaPage } from "../../api";
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
  const [refreshing, setRefreshing] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [saving, setSaving] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");

  const refresh = async () => {
    setRefreshing(true);
    setError(null);
    setStatus("");
    setProblems([]);
    try {
      const found = await api.meta.refreshPages();
      onRefreshed(found.items);
      setProblems(found.problems);
      setStatus("Read the Pages from Meta.");
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setRefreshing(false);
    }
  };

  const assign = async (page: MetaPage, client: string | null) => {
    // A change while one is saved is let go (the select shows the saved client again) rather than
    // disabling the select, which would take the keyboard's focus away from it.
    if (saving !== null) return;
    setSaving(page.id);
    setError(null);
    setStatus("");
    try {
      const saved = await api.meta.assignPage(page.id, client);
      onAssigned(saved);
      setStatus(saved.client ? `${saved.name} is ${saved.client}'s now.` : `${saved.name} has no client now.`);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setSaving(null);
    }
  };

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
