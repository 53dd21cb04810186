import { useEffect, useState } from "react";
import { api, toCommandError, type Client, type CommandError, type Counts, type Crm, type PushLog, type PushStatus } from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";
import { CRM_LABELS, CRMS, crmLabel } from "./crms";

/** How many pushes, and lead results, the screen reads at most. */
const LIMIT = 500;

const FIGURES: [string, keyof Counts][] = [
  ["Created", "created"],
  ["Updated", "updated"],
  ["Unchanged", "unchanged"],
  ["Withheld", "withheld"],
  ["Not mapped", "not_mapped"],
  ["Failed", "failed"],
];

const STATUSES: [PushStatus, string][] = [
  ["created", "Created"],
  ["updated", "Updated"],
  ["failed", "Failed"],
];

type Narrowing = { client: string; crm: Crm | ""; status: PushStatus | "" };
const NONE: Narrowing = { client: "", crm: "", status: "" };

const when = (at: string) => <time dateTime={at}>{new Date(at).toLocaleString()}</time>;

/** The pushes to CRMs, newest first, with what became of each lead they sent or could not send. */
export function Pushes() {
  const [clients, setClients] = useState<Client[]>([]);
  const [narrowing, setNarrowing] = useState<Narrowing>(NONE);
  const [log, setLog] = useState<PushLog | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const set = (patch: Partial<Narrowing>) => setNarrowing((n) => ({ ...n, ...patch }));
  const narrowed = narrowing.client !== "" || narrowing.crm !== "" || narrowing.status !== "";

  useEffect(() => {
    api.clients.list().then(setClients, (e: unknown) => setError(toCommandError(e)));
  }, []);

  useEffect(() => {
    let live = true;
    const { client, crm, status } = narrowing;
    api.crm.log(client || null, crm || null, status || null, LIMIT).then(
      (read) => live && setLog(read),
      (e: unknown) => live && setError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [narrowing]);

  return (
    <section aria-labelledby="push-log-title" data-testid="push-log">
      <header className="page-header">
        <h1 id="push-log-title">Push log</h1>
        <p className="muted">Every push of leads to a client&apos;s CRM, and what became of each lead: created, updated, or why it failed.</p>
      </header>
      <div className="filters">
        <label>
          Client
          <ClientSelect clients={clients} value={narrowing.client} onChange={(v) => set({ client: v })} none="All clients" testId="push-log-client" />
        </label>
        <label>
          CRM
          <select value={narrowing.crm} onChange={(e) => set({ crm: e.target.value as Crm | "" })} data-testid="push-log-crm">
            <option value="">All CRMs</option>
            {CRMS.map((c) => (
              <option key={c} value={c}>
                {CRM_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Result
          <select value={narrowing.status} onChange={(e) => set({ status: e.target.value as PushStatus | "" })} data-testid="push-log-status">
            <option value="">All results</option>
            {STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {narrowed && (
          <button type="button" onClick={() => setNarrowing(NONE)}>
            Clear
          </button>
        )}
      </div>
      <ErrorNote error={error} />
      {log === null ? (
        <p className="muted">Loading…</p>
      ) : log.pushes.length === 0 && log.results.length === 0 ? (
        <div className="empty" data-testid="push-log-empty">
          {narrowed ? (
            <>
              <h2>Nothing matches</h2>
              <p>No push matches these filters. Change them, or clear them.</p>
            </>
          ) : (
            <>
              <h2>Nothing has been pushed yet.</h2>
              <p>Connect a client&apos;s CRM and map its form&apos;s fields on the Connections screen, then push its leads there.</p>
            </>
          )}
        </div>
      ) : (
        <>
          <h2 id="pushes-title" className="section">
            Pushes
          </h2>
          <table className="table meta" aria-labelledby="pushes-title" data-testid="push-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">CRM</th>
                <th scope="col">Client</th>
                {FIGURES.map(([label]) => (
                  <th key={label} scope="col" className="count">
                    {label}
                  </th>
                ))}
                <th scope="col">Ended</th>
              </tr>
            </thead>
            <tbody>
              {log.pushes.map((p) => (
                <tr key={p.id} data-testid="push-row">
                  <td>{p.id}</td>
                  <td>{when(p.started_at)}</td>
                  <td>{crmLabel(p.crm)}</td>
                  <td>{p.client ?? "—"}</td>
                  {FIGURES.map(([label, key]) => (
                    <td key={label} className="count">
                      {p.counts[key].toLocaleString()}
                    </td>
                  ))}
                  <td>
                    {p.finished_at === null ? (
                      <span className="muted">not finished</span>
                    ) : p.stopped === null ? (
                      <>finished {when(p.finished_at)}</>
                    ) : (
                      <span className="error-text">stopped: {p.stopped}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2 id="push-results-title" className="section">
            Lead results
          </h2>
          {log.results.length === 0 ? (
            <p className="empty" data-testid="push-results-empty">
              No lead result matches these filters.
            </p>
          ) : (
            <table className="table meta" aria-labelledby="push-results-title" data-testid="push-results-table">
              <thead>
                <tr>
                  <th scope="col">Push</th>
                  <th scope="col">Lead</th>
                  <th scope="col">CRM</th>
                  <th scope="col">Client</th>
                  <th scope="col">Result</th>
                  <th scope="col">Message</th>
                </tr>
              </thead>
              <tbody>
                {log.results.map((r) => (
                  <tr key={`${r.push_id}:${r.lead_id}`} data-testid="push-result-row">
                    <td>{r.push_id}</td>
                    <td>{r.lead_id}</td>
                    <td>{crmLabel(r.crm)}</td>
                    <td>{r.client ?? "—"}</td>
                    <td>
                      <span className={`badge ${r.status === "failed" ? "failed" : "done"}`}>{r.status}</span>
                    </td>
                    <td>{r.message ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
