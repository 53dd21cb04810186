import { useCallback, useEffect, useRef, useState } from "react";
import {
  api,
  toCommandError,
  type Client,
  type CommandError,
  type CrmApp,
  type CrmConnection,
  type PushProgress,
  type PushReport,
} from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNote } from "../../components/ErrorNote";
import { ConnectCrm } from "./ConnectCrm";
import { CrmApps } from "./CrmApps";
import { CrmTable } from "./CrmTable";
import { CRM_LABELS } from "./crms";
import { MappingEditor } from "./MappingEditor";
import { PushResult } from "./PushResult";
import { PushRunning } from "./PushRunning";

const named = (c: CrmConnection) => `${CRM_LABELS[c.crm]}${c.client ? ` of ${c.client}` : ""}`;

/**
 * The clients' CRMs: connecting one, mapping its fields, pushing leads to it, and disconnecting
 * it; and the agency's apps at the CRMs, which signing in through the browser goes through.
 */
export function Crms({ clients }: { clients: Client[] }) {
  const [connections, setConnections] = useState<CrmConnection[] | null>(null);
  const [apps, setApps] = useState<CrmApp[] | null>(null);
  // What disconnecting does, in the backend's words, asked before anything changes.
  const [leaving, setLeaving] = useState<{ connection: CrmConnection; says: string } | null>(null);
  const [editing, setEditing] = useState<{ connection: CrmConnection; client: string; form?: string } | null>(null);
  const [pushing, setPushing] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [progress, setProgress] = useState<PushProgress | null>(null);
  const [report, setReport] = useState<PushReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const opener = useRef<HTMLElement | null>(null);

  const refresh = useCallback(async () => {
    try {
      setConnections(await api.crm.connections());
    } catch (e) {
      setError(toCommandError(e));
    }
  }, []);

  useEffect(() => {
    const fail = (e: unknown) => setError(toCommandError(e));
    api.crm.connections().then(setConnections, fail);
    api.crm.apps().then(setApps, fail);
  }, []);

  const autoPush = async (c: CrmConnection, on: boolean) => {
    setError(null);
    try {
      const changed = await api.crm.setAutoPush(c.id, on);
      setConnections((all) => all?.map((x) => (x.id === changed.id ? changed : x)) ?? null);
      setStatus(
        on
          ? `${c.client ?? "The client"}'s new leads now go to ${CRM_LABELS[c.crm]} after each import and sync.`
          : `${c.client ?? "The client"}'s new leads no longer go to ${CRM_LABELS[c.crm]} by themselves.`,
      );
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  const askDisconnect = async (c: CrmConnection) => {
    setError(null);
    setStatus("");
    try {
      await api.crm.disconnect(c.id, false);
    } catch (e) {
      const err = toCommandError(e);
      if (err.code === "confirmation_required") setLeaving({ connection: c, says: err.message });
      else setError(err);
    }
  };

  const disconnect = async () => {
    if (!leaving) return;
    setBusy(true);
    try {
      await api.crm.disconnect(leaving.connection.id, true);
      setStatus(`Disconnected ${named(leaving.connection)}; its token left the keychain.`);
      await refresh();
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
      setLeaving(null);
    }
  };

  const push = async (c: CrmConnection) => {
    setPushing(true);
    setCancelling(false);
    setProgress(null);
    setReport(null);
    setError(null);
    setStatus("");
    try {
      setReport(await api.crm.push(null, c.id, setProgress));
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setPushing(false);
      // A push says when the CRM last answered, and marks a token it refused.
      void refresh();
    }
  };

  // A push is stopped as an import is: the window runs one long job at a time, and one command stops it.
  const cancel = () => {
    setCancelling(true);
    api.leads.cancelImport().catch((e: unknown) => setError(toCommandError(e)));
  };

  const openEditor = (connection: CrmConnection, form?: string) => {
    if (connection.client === null) return;
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setEditing({ connection, client: connection.client, form });
  };

  const closeEditor = useCallback(() => {
    setEditing(null);
    opener.current?.focus();
    // Reading the CRM's fields may have found its token refused.
    void refresh();
  }, [refresh]);

  return (
    <section aria-labelledby="crm-title" data-testid="crms">
      <h2 id="crm-title" className="section">
        CRMs
      </h2>
      <p className="muted">
        Each client&apos;s CRM, which its leads are pushed to once their form&apos;s fields are mapped. People who restricted processing,
        objected or were erased are never sent.
      </p>
      <ConnectCrm clients={clients} apps={apps} onConnected={() => void refresh()} />
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      {connections === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <CrmTable
          connections={connections}
          pushing={pushing}
          onMap={(c) => openEditor(c)}
          onPush={(c) => void push(c)}
          onDisconnect={(c) => void askDisconnect(c)}
          onAutoPush={(c, on) => void autoPush(c, on)}
        />
      )}
      {pushing && <PushRunning progress={progress} cancelling={cancelling} onCancel={cancel} />}
      {report && (
        <PushResult
          report={report}
          onFixMapping={(p, form) => {
            const c = connections?.find((x) => x.id === p.connection_id);
            if (c) openEditor(c, form);
          }}
        />
      )}
      <CrmApps apps={apps} onChanged={setApps} />

      {leaving && (
        <ConfirmDialog
          title={`Disconnect ${named(leaving.connection)}?`}
          confirmLabel="Disconnect"
          busy={busy}
          onConfirm={() => void disconnect()}
          onCancel={() => setLeaving(null)}
        >
          <p data-testid="crm-disconnect-consequences">{leaving.says}</p>
        </ConfirmDialog>
      )}
      {editing && (
        <MappingEditor connection={editing.connection} client={editing.client} initialForm={editing.form} onClose={closeEditor} />
      )}
    </section>
  );
}
