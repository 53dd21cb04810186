import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import {
  api,
  CommandError,
  toCommandError,
  type Client,
  type Filter,
  type ImportRecord,
  type ImportSummary,
  type LeadDetail,
  type Order,
  type Progress,
  type SortBy,
} from "../api";
import { ClientSelect } from "../components/ClientSelect";
import { ErrorNote } from "../components/ErrorNote";
import { ImportProgress, ImportReport } from "../components/ImportProgress";
import { LeadDetailPanel } from "../components/LeadDetailPanel";
import { LeadTable } from "../components/LeadTable";
import { useReplaceFile } from "../components/useReplaceFile";
import { pickExportFile, pickImportFile, onFileDrop } from "../files";
import { dayBound, NO_FILTER } from "./leadFilter";

type Narrowing = { clientId: string; search: string; platform: string; organic: string; form: string; campaign: string; since: string; until: string };
const NONE: Narrowing = { clientId: "", search: "", platform: "", organic: "", form: "", campaign: "", since: "", until: "" };

function toFilter(n: Narrowing): Filter {
  const text = (s: string) => (s.trim() === "" ? null : s.trim());
  return {
    ...NO_FILTER,
    client_id: text(n.clientId),
    search: text(n.search),
    platform: text(n.platform),
    organic: n.organic === "" ? null : n.organic === "organic",
    form: text(n.form),
    campaign: text(n.campaign),
    since: dayBound(n.since),
    until: dayBound(n.until, true),
  };
}

/**
 * Imports a crash or a kill stopped, not yet run again: an import of the same file into the same
 * client that completed later settles one.
 */
export function interruptedImports(imports: ImportRecord[]): ImportRecord[] {
  const source = (i: ImportRecord) => `${i.client}\u0000${i.path ?? i.file_name}`;
  return imports.filter(
    (i) =>
      i.status === "interrupted" &&
      !imports.some((j) => j.status === "completed" && source(j) === source(i) && j.started_at > i.started_at),
  );
}

function InterruptedImports({
  imports,
  busy,
  onRunAgain,
  onDismiss,
}: {
  imports: ImportRecord[];
  busy: boolean;
  onRunAgain: (i: ImportRecord) => void;
  onDismiss: (i: ImportRecord) => void;
}) {
  if (imports.length === 0) return null;
  return (
    <div data-testid="interrupted-imports">
      {imports.map((i) => (
        <div key={i.id} className="notice" data-testid={`interrupted-${i.id}`}>
          <p>
            The import of <strong>{i.file_name}</strong> into {i.client} was interrupted on {i.started_at.slice(0, 10)}.
            {i.path ? " What it stored is kept; running it again completes it." : " Its file's place was not recorded: import the file again by choosing it."}
          </p>
          {i.path && (
            <button type="button" className="primary" onClick={() => onRunAgain(i)} disabled={busy} data-testid="import-again">
              Run it again
            </button>
          )}
          <button type="button" onClick={() => onDismiss(i)} aria-label={`Dismiss the notice about ${i.file_name}`}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}

export function Leads() {
  const [clients, setClients] = useState<Client[]>([]);
  const [narrowing, setNarrowing] = useState<Narrowing>(NONE);
  const [search, setSearch] = useState("");
  const [order, setOrder] = useState<Order>({ by: "created", descending: true });
  const [total, setTotal] = useState<number | null>(null);
  const [generation, setGeneration] = useState(0);
  const [detail, setDetail] = useState<LeadDetail | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");
  const [path, setPath] = useState("");
  const [progress, setProgress] = useState<Progress | null>(null);
  const [importing, setImporting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [imports, setImports] = useState<ImportRecord[]>([]);
  const [dismissed, setDismissed] = useState<string[]>([]);
  const replaceFile = useReplaceFile();

  const filter = useMemo(() => toFilter(narrowing), [narrowing]);
  const set = (patch: Partial<Narrowing>) => setNarrowing((n) => ({ ...n, ...patch }));
  const importClient = clients.find((c) => c.id === narrowing.clientId) ?? (clients.length === 1 ? clients[0] : undefined);

  useEffect(() => {
    api.clients.list().then(setClients, (e: unknown) => setError(toCommandError(e)));
  }, []);

  // Searching waits for a pause in typing.
  useEffect(() => {
    const t = setTimeout(() => setNarrowing((n) => (n.search === search ? n : { ...n, search })), 250);
    return () => clearTimeout(t);
  }, [search]);

  useEffect(() => {
    api.leads.count(filter).then(setTotal, (e: unknown) => setError(toCommandError(e)));
  }, [filter, generation]);

  // The list of imports is read again after every import, so one run again leaves the notice.
  useEffect(() => {
    api.leads.imports().then(setImports, (e: unknown) => setError(toCommandError(e)));
  }, [generation]);

  const runImport = useCallback(async (work: (onProgress: (p: Progress) => void) => Promise<ImportSummary>) => {
    setError(null);
    setStatus("");
    setImporting(true);
    setCancelling(false);
    setProgress(null);
    try {
      setSummary(await work(setProgress));
      setPath("");
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setImporting(false);
      // Even a failed import may have stored rows, and is listed.
      setGeneration((g) => g + 1);
    }
  }, []);

  const startImport = useCallback(
    async (file: string) => {
      if (!importClient) {
        setError(new CommandError("invalid_input", "Choose the client these leads belong to first (Client, above)."));
        return;
      }
      await runImport((onProgress) => api.leads.import(file, importClient.name, onProgress));
    },
    [importClient, runImport],
  );

  const importAgain = (record: ImportRecord) => void runImport((onProgress) => api.leads.importAgain(record.id, onProgress));

  useEffect(() => onFileDrop((file) => void startImport(file)), [startImport]);

  const chooseFile = async () => {
    const file = await pickImportFile();
    if (file) await startImport(file);
  };

  const typedPath = (e: FormEvent) => {
    e.preventDefault();
    if (path.trim()) void startImport(path.trim());
  };

  const cancel = () => {
    setCancelling(true);
    api.leads.cancelImport().catch((e: unknown) => setError(toCommandError(e)));
  };

  const exportTo = async (kind: "csv" | "xlsx") => {
    const dest = await pickExportFile(kind);
    if (!dest) return;
    setError(null);
    try {
      const done = await replaceFile.write(dest, (replace) => api.leads.export(filter, dest, replace));
      setStatus(done ? `Exported ${done.rows.toLocaleString()} leads to ${done.path}.` : `Nothing was exported: ${dest} is kept as it was.`);
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  const open = (id: number) => {
    api.leads.detail(id).then(setDetail, (e: unknown) => setError(toCommandError(e)));
  };

  const sort = (by: SortBy) => setOrder((o) => ({ by, descending: o.by === by ? !o.descending : by === "created" }));
  const narrowed = JSON.stringify(narrowing) !== JSON.stringify(NONE);

  return (
    <section aria-labelledby="leads-title" className="leads">
      <header className="page-header">
        <h1 id="leads-title">Leads</h1>
        <p className="muted">Import Meta's lead export files (CSV, TSV or XLSX, in any encoding), review them offline, and export what you need.</p>
      </header>

      <div className="toolbar">
        <label>
          Client
          <ClientSelect clients={clients} value={narrowing.clientId} onChange={(v) => set({ clientId: v })} none="All clients" byId testId="lead-client" />
        </label>
        <button type="button" className="primary" onClick={() => void chooseFile()} disabled={importing || clients.length === 0}>
          Import file…
        </button>
        <form onSubmit={typedPath} className="path-form">
          <input
            aria-label="Path of a file to import"
            placeholder="or type a file path and press Enter"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            disabled={importing}
            data-testid="import-path"
          />
        </form>
        <span className="spacer" />
        <button type="button" onClick={() => void exportTo("csv")} disabled={!total}>
          Export CSV
        </button>
        <button type="button" onClick={() => void exportTo("xlsx")} disabled={!total}>
          Export XLSX
        </button>
      </div>

      <InterruptedImports
        imports={interruptedImports(imports).filter((i) => !dismissed.includes(i.id))}
        busy={importing}
        onRunAgain={importAgain}
        onDismiss={(i) => setDismissed((d) => [...d, i.id])}
      />
      {importing && <ImportProgress progress={progress} onCancel={cancel} cancelling={cancelling} />}
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>

      <div className="filters">
        <input type="search" aria-label="Search answers" placeholder="Search every answer…" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="lead-search" />
        <select aria-label="Platform" value={narrowing.platform} onChange={(e) => set({ platform: e.target.value })}>
          <option value="">Facebook and Instagram</option>
          <option value="fb">Facebook</option>
          <option value="ig">Instagram</option>
        </select>
        <select aria-label="Organic or paid" value={narrowing.organic} onChange={(e) => set({ organic: e.target.value })}>
          <option value="">Organic and paid</option>
          <option value="organic">Organic</option>
          <option value="paid">Paid</option>
        </select>
        <input aria-label="Form" placeholder="Form id or name" value={narrowing.form} onChange={(e) => set({ form: e.target.value })} />
        <input aria-label="Campaign" placeholder="Campaign id or name" value={narrowing.campaign} onChange={(e) => set({ campaign: e.target.value })} />
        <label>
          From <input type="date" value={narrowing.since} onChange={(e) => set({ since: e.target.value })} />
        </label>
        <label>
          to <input type="date" value={narrowing.until} onChange={(e) => set({ until: e.target.value })} />
        </label>
        {narrowed && (
          <button type="button" onClick={() => (setNarrowing(NONE), setSearch(""))}>
            Clear
          </button>
        )}
        <span className="count" data-testid="lead-count">
          {total === null ? "" : `${total.toLocaleString()} ${total === 1 ? "lead" : "leads"}`}
        </span>
      </div>

      <div className={detail ? "review with-detail" : "review"}>
        {total === 0 ? (
          <div className="empty" data-testid="leads-empty">
            {narrowed ? (
              <>
                <h2>No leads match</h2>
                <p>Change the search or the filters, or clear them.</p>
              </>
            ) : (
              <>
                <h2>No leads yet</h2>
                <p>
                  {clients.length === 0
                    ? "Add a client first (Clients screen), then import its lead export file here."
                    : "Choose “Import file…”, or drop a lead export file from Meta on this window."}
                </p>
              </>
            )}
          </div>
        ) : (
          total !== null && (
            <LeadTable
              key={`${JSON.stringify(filter)}|${order.by}|${order.descending}|${generation}`}
              filter={filter}
              order={order}
              total={total}
              selected={detail?.id ?? null}
              onSort={sort}
              onOpen={open}
            />
          )
        )}
        {detail && <LeadDetailPanel lead={detail} onClose={() => setDetail(null)} />}
      </div>

      {summary && <ImportReport summary={summary} onClose={() => setSummary(null)} />}
      {replaceFile.dialog}
    </section>
  );
}
