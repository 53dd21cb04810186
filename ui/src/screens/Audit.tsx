import { useCallback, useEffect, useState } from "react";
import { api, toCommandError, type AuditEntry, type CommandError, type Verification } from "../api";
import { ErrorNote } from "../components/ErrorNote";
import { VerificationNote } from "./VerificationNote";

const PAGE = 200;

export function Audit() {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [verification, setVerification] = useState<Verification | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  const load = useCallback((before?: number) => {
    api.audit.list(PAGE, before).then(
      (page) => {
        setEntries((old) => (before === undefined ? page : [...(old ?? []), ...page]));
        setMore(page.length === PAGE);
      },
      (e: unknown) => setError(toCommandError(e)),
    );
  }, []);

  useEffect(() => load(), [load]);

  const verify = () => {
    setVerification(null);
    api.audit.verify().then(setVerification, (e: unknown) => setError(toCommandError(e)));
  };

  return (
    <section aria-labelledby="audit-title">
      <header className="page-header">
        <h1 id="audit-title">Audit trail</h1>
        <p className="muted">Every change, who made it and when, chained by SHA-256 so no entry can be altered unnoticed.</p>
        <button type="button" onClick={verify}>
          Verify chain
        </button>
        <VerificationNote verification={verification} />
      </header>
      <ErrorNote error={error} />
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <div className="empty">
          <h2>Nothing recorded yet</h2>
          <p>Changes you make, such as adding a client, appear here.</p>
        </div>
      ) : (
        <>
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td>
                    <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
                  </td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.object}</td>
                  <td className={e.outcome === "ok" ? "ok" : "warn"}>{e.outcome}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {more && (
            <button type="button" onClick={() => load(entries[entries.length - 1]?.seq)}>
              Load older entries
            </button>
          )}
        </>
      )}
    </section>
  );
}
