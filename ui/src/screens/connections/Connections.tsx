import { useCallback, useEffect, useState } from "react";
import {
  api,
  toCommandError,
  type Client,
  type CommandError,
  type Disconnected,
  type MetaApp,
  type MetaConnection,
} from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { Crms } from "../crm/Crms";
import { AddToken } from "./AddToken";
import { AppSecret } from "./AppSecret";
import { AppSettings } from "./AppSettings";
import { ConnectionTable } from "./ConnectionTable";
import { DisconnectDialog } from "./DisconnectDialog";
import { DisconnectResult } from "./DisconnectResult";
import { MetaLeads } from "./MetaLeads";
import { MetaLogin } from "./MetaLogin";

export function Connections() {
  const [app, setApp] = useState<MetaApp | null>(null);
  const [connections, setConnections] = useState<MetaConnection[] | null>(null);
  const [clients, setClients] = useState<Client[]>([]);
  const [adding, setAdding] = useState(false);
  const [leaving, setLeaving] = useState<MetaConnection | null>(null);
  const [result, setResult] = useState<{ tokenType: string; done: Disconnected } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [generation, setGeneration] = useState(0);

  const refresh = useCallback(async () => {
    try {
      setConnections(await api.meta.connections());
    } catch (e) {
      setError(toCommandError(e));
    }
  }, []);

  useEffect(() => {
    const fail = (e: unknown) => setError(toCommandError(e));
    api.meta.app().then(setApp, fail);
    api.meta.connections().then(setConnections, fail);
    api.clients.list().then(setClients, fail);
  }, []);

  const disconnect = async () => {
    if (!leaving) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const done = await api.meta.disconnect(leaving.id, true);
      setResult({ tokenType: leaving.token_type, done });
      setGeneration((g) => g + 1);
      await refresh();
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
      setLeaving(null);
    }
  };

  return (
    <section aria-labelledby="connections-screen-title">
      <header className="page-header">
        <h1 id="connections-screen-title">Connections</h1>
        <p className="muted">
          The agency&apos;s Meta app, the tokens Custodian reads leads with, the Pages and lead forms it syncs, and the clients&apos; CRMs
          it pushes leads to. Tokens are kept only in the OS keychain.
        </p>
      </header>
      <ErrorNote error={error} />

      <section className="card settings" aria-labelledby="meta-app-title">
        <h2 id="meta-app-title">Meta app</h2>
        {app === null ? (
          <p className="muted">Loading…</p>
        ) : (
          <>
            <AppSettings app={app} onSaved={setApp} />
            <AppSecret app={app} onChanged={setApp} />
          </>
        )}
      </section>

      <section aria-labelledby="connections-title">
        <h2 id="connections-title" className="section">
          Connections
        </h2>
        <MetaLogin
          app={app}
          clients={clients}
          onLoggedIn={() => {
            setResult(null);
            setGeneration((g) => g + 1);
            void refresh();
          }}
        />
        {!adding && (
          <div className="toolbar">
            <button type="button" onClick={() => setAdding(true)} data-testid="add-token-open">
              Add system-user token…
            </button>
          </div>
        )}
        {adding && <AddToken clients={clients} onConnected={() => void refresh()} onClose={() => setAdding(false)} />}
        {result && <DisconnectResult tokenType={result.tokenType} done={result.done} />}
        {connections === null ? (
          <p className="muted">Loading…</p>
        ) : (
          <ConnectionTable
            connections={connections}
            onDisconnect={(c) => {
              setResult(null);
              setLeaving(c);
            }}
          />
        )}
      </section>

      <MetaLeads clients={clients} generation={generation} onHealthChanged={() => void refresh()} />

      <Crms clients={clients} />

      {leaving && (
        <DisconnectDialog connection={leaving} busy={busy} onConfirm={() => void disconnect()} onCancel={() => setLeaving(null)} />
      )}
    </section>
  );
}
