import { useState } from "react";
import { api, toCommandError, type Client, type CommandError, type MetaForm, type SyncReport } from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";
import { began, leadsPerSecond, paced, type Pace } from "./pace";
import { SyncResult } from "./SyncResult";
import { SyncRunning } from "./SyncRunning";

/** Syncs the forms chosen for sync, of every client or one, showing progress and then what each form did. */
export function SyncNow({ clients, forms, onSynced }: { clients: Client[]; forms: MetaForm[] | null; onSynced: () => void }) {
  const [client, setClient] = useState("");
  const [running, setRunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [pace, setPace] = useState<Pace | null>(null);
  const [report, setReport] = useState<SyncReport | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  // Of every client, a form whose Page has none is synced too, so that the result says why it was not.
  const chosen = forms?.filter((f) => f.sync && (client === "" || f.client === client)).length ?? 0;
  // Said only once the forms are read, not while they load.
  const noneChosen = forms !== null && chosen === 0;

  const sync = async () => {
    setRunning(true);
    setCancelling(false);
    const start = began(Date.now());
    setPace(start);
    setReport(null);
    setError(null);
    try {
      setReport(
        await api.meta.sync(client || null, null, (p) => {
          const at = Date.now();
          setPace((before) => paced(before ?? start, p, at));
        }),
      );
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setRunning(false);
      // Even a sync that failed may have synced some forms.
      onSynced();
    }
  };

  // A sync is stopped as an import is: the window runs one long job at a time, and one command stops it.
  const cancel = () => {
    setCancelling(true);
    api.leads.cancelImport().catch((e: unknown) => setError(toCommandError(e)));
  };

  return (
    <section aria-labelledby="sync-title" data-testid="meta-sync">
      <h2 id="sync-title" className="section">
        Sync leads
      </h2>
      <p className="muted">
        Reads the new leads of the forms chosen for sync into their Page&apos;s client. A sync that stops part-way goes on from where it
        was sure the next time.
      </p>
      <div className="toolbar">
        <label>
          Sync the forms of
          <ClientSelect clients={clients} value={client} onChange={setClient} none="All clients" disabled={running} testId="sync-client" />
        </label>
        <button
          type="button"
          className="primary"
          onClick={() => void sync()}
          disabled={running || chosen === 0}
          aria-describedby={noneChosen ? "sync-none" : undefined}
          data-testid="sync-now"
        >
          Sync now
        </button>
      </div>
      {noneChosen && (
        <p id="sync-none" className="hint" data-testid="sync-none">
          {client ? `No form of ${client} is chosen for sync.` : "No form is chosen for sync yet."} Tick Sync for a form under Lead forms, above.
        </p>
      )}
      {running && (
        <SyncRunning progress={pace?.last ?? null} leadsPerSecond={pace && leadsPerSecond(pace)} cancelling={cancelling} onCancel={cancel} />
      )}
      <ErrorNote error={error} />
      {report && <SyncResult report={report} />}
    </section>
  );
}
