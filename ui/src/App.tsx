import { useCallback, useEffect, useState } from "react";
import { api, CommandError, toCommandError, WORKSPACE_CODES } from "./api";
import { Dashboard } from "./screens/Dashboard";
import { Clients } from "./screens/Clients";
import { Connections } from "./screens/connections/Connections";
import { Pushes } from "./screens/crm/Pushes";
import { Pixels } from "./screens/pixels/Pixels";
import { Conversations } from "./screens/conversations/Conversations";
import { Audit } from "./screens/Audit";
import { Leads } from "./screens/Leads";
import { Requests } from "./screens/requests/Requests";
import { Retention } from "./screens/Retention";
import { Breaches } from "./screens/breaches/Breaches";
import { WorkspaceError } from "./screens/WorkspaceError";
import { onReindex, Reindexing } from "./files";
import { useLock } from "./lock/useLock";
import { LockScreen } from "./lock/LockScreen";

export type Screen = "dashboard" | "clients" | "connections" | "leads" | "requests" | "retention" | "audit" | "push-log" | "pixels" | "conversations" | "breaches";

const SCREENS: { id: Screen; label: string; key: string }[] = [
  { id: "dashboard", label: "Dashboard", key: "1" },
  { id: "clients", label: "Clients", key: "2" },
  { id: "connections", label: "Connections", key: "3" },
  { id: "leads", label: "Leads", key: "4" },
  { id: "requests", label: "Requests", key: "5" },
  { id: "retention", label: "Retention", key: "6" },
  { id: "audit", label: "Audit trail", key: "7" },
  // Last, so that the shortcuts people already know keep their numbers.
  { id: "push-log", label: "Push log", key: "8" },
  { id: "pixels", label: "Pixels", key: "9" },
  { id: "conversations", label: "Conversations", key: "0" },
  { id: "breaches", label: "Breaches", key: "b" },
];

export function App() {
  const [screen, setScreen] = useState<Screen>("dashboard");
  const [fatal, setFatal] = useState<CommandError | null>(null);
  const [reindexing, setReindexing] = useState<Reindexing | null>(null);
  const lock = useLock();

  useEffect(() => onReindex((p) => setReindexing(p.done >= p.total ? null : p)), []);

  useEffect(() => {
    api.overview().catch((e: unknown) => {
      const err = toCommandError(e);
      if (WORKSPACE_CODES.includes(err.code)) setFatal(err);
    });
  }, []);

  const onKey = useCallback((e: KeyboardEvent) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    const target = SCREENS.find((s) => s.key === e.key);
    if (target) {
      e.preventDefault();
      setScreen(target.id);
    }
  }, []);

  useEffect(() => {
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onKey]);

  if (fatal) return <WorkspaceError error={fatal} />;
  // Until the lock's state is known, nothing of the workspace is shown either.
  if (!lock.status) return <main className="lock-screen" aria-busy="true" />;
  if (lock.status.locked) return <LockScreen onUnlocked={lock.unlocked} />;

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <img src="/icon.svg" alt="" width={28} height={28} />
          <span>Custodian</span>
        </div>
        <ul>
          {SCREENS.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className={s.id === screen ? "nav active" : "nav"}
                aria-current={s.id === screen ? "page" : undefined}
                onClick={() => setScreen(s.id)}
                data-testid={`nav-${s.id}`}
                title={`Ctrl+${s.key.toUpperCase()}`}
              >
                {s.label}
                <kbd>Ctrl {s.key.toUpperCase()}</kbd>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        {reindexing && (
          <div className="notice" role="status" data-testid="reindexing">
            Indexing the leads again after an upgrade, so that every email and phone finds its person:{" "}
            <progress max={reindexing.total} value={reindexing.done} /> {reindexing.done.toLocaleString()} of{" "}
            {reindexing.total.toLocaleString()}. Erasures and purges wait until it has finished.
          </div>
        )}
        {screen === "dashboard" && <Dashboard onOpen={setScreen} onLockChanged={lock.unlocked} />}
        {screen === "clients" && <Clients />}
        {screen === "connections" && <Connections />}
        {screen === "leads" && <Leads />}
        {screen === "requests" && <Requests />}
        {screen === "retention" && <Retention />}
        {screen === "audit" && <Audit />}
        {screen === "push-log" && <Pushes />}
        {screen === "pixels" && <Pixels />}
        {screen === "conversations" && <Conversations />}
        {screen === "breaches" && <Breaches />}
      </main>
    </div>
  );
}
