import { useEffect, useState } from "react";
import {
  api,
  toCommandError,
  type CommandError,
  type MetaConnection,
  type Overview,
  type PurgeSchedule,
  type Verification,
  type LockStatus,
} from "../api";
import { LockSettings } from "../lock/LockSettings";
import { fromNow, purgedInWords } from "./Retention";
import { ErrorNote } from "../components/ErrorNote";
import type { Screen } from "../App";
import { VerificationNote } from "./VerificationNote";
import { WhatIsHeld } from "./WhatIsHeld";
import { MetaCard } from "./MetaCard";
import { BreachCard } from "./breaches/BreachCard";

export function Dashboard({ onOpen, onLockChanged }: { onOpen: (s: Screen) => void; onLockChanged?: (s: LockStatus) => void }) {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [verification, setVerification] = useState<Verification | null>(null);
  const [schedule, setSchedule] = useState<PurgeSchedule | null>(null);
  const [connections, setConnections] = useState<MetaConnection[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  useEffect(() => {
    api.overview().then(setOverview, (e: unknown) => setError(toCommandError(e)));
    api.retention.schedule().then(setSchedule, (e: unknown) => setError(toCommandError(e)));
    api.meta.connections().then(setConnections, (e: unknown) => setError(toCommandError(e)));
  }, []);

  const verify = () => {
    setVerification(null);
    api.audit.verify().then(setVerification, (e: unknown) => setError(toCommandError(e)));
  };

  return (
    <section aria-labelledby="dashboard-title">
      <header className="page-header">
        <h1 id="dashboard-title">Dashboard</h1>
      </header>
      <ErrorNote error={error} />
      {overview && (
        <div className="cards">
          <article className="card">
            <h2>Clients</h2>
            <p className="figure" data-testid="client-count">
              {overview.clients}
            </p>
            <p className="muted">
              {overview.clients === 0 ? "Add the advertisers you work for to begin." : "advertisers in this workspace"}
            </p>
            <button type="button" onClick={() => onOpen("clients")}>
              Manage clients
            </button>
          </article>
          <BreachCard onOpen={onOpen} />
          {connections && <MetaCard connections={connections} onOpen={onOpen} />}
          <article className="card">
            <h2>Requests</h2>
            <p className="figure" data-testid="requests-due">
              {overview.requests_due_this_week + overview.requests_overdue}
            </p>
            <p className="muted">
              {overview.requests_open === 0
                ? "No open data-subject requests."
                : `due this week or overdue, of ${overview.requests_open} open`}
              {overview.requests_overdue > 0 && <span className="error-text"> — {overview.requests_overdue} overdue</span>}
            </p>
            <button type="button" onClick={() => onOpen("requests")}>
              Open requests
            </button>
          </article>
          {schedule && (
            <article className="card">
              <h2>Next purge</h2>
              <p className="figure" data-testid="next-purge">
                {schedule.next.reduce((n, p) => n + p.count, 0)}
              </p>
              <p className="muted">
                records due {fromNow(schedule.next_at)}
                {schedule.next.length > 0 && `: ${purgedInWords(schedule.next)}`}
                {schedule.last?.finished_at === null && (
                  <span className="warn"> — the last purge was interrupted and completes then</span>
                )}
              </p>
              <button type="button" onClick={() => onOpen("retention")}>
                Review retention
              </button>
            </article>
          )}
          <article className="card">
            <h2>Audit trail</h2>
            <p className="figure">{overview.audit_entries}</p>
            <p className="muted">entries, each chained to the one before</p>
            <button type="button" onClick={verify} data-testid="verify">
              Verify chain
            </button>
            <VerificationNote verification={verification} />
          </article>
          <WhatIsHeld held={overview.held} onOpen={onOpen} />
          <LockSettings onChanged={onLockChanged} />
          <article className="card wide">
            <h2>About</h2>
            <dl>
              <dt>Data directory</dt>
              <dd>
                <code>{overview.data_dir}</code>
              </dd>
              <dt>Workspace id</dt>
              <dd>
                <code>{overview.workspace_id}</code>
              </dd>
              <dt>Custodian</dt>
              <dd data-testid="version">{overview.version}</dd>
              <dt>Encryption</dt>
              <dd>AES-256 (SQLCipher); the key is kept only in the OS keychain</dd>
            </dl>
          </article>
        </div>
      )}
    </section>
  );
}
