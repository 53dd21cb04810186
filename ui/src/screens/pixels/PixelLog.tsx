import { useEffect, useState } from "react";
import { api, toCommandError, type CommandError, type Operation } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { When } from "./When";

/** How many operations the log reads at most. */
const LIMIT = 200;

const DONE: Record<string, string> = { list: "Read from Meta", share: "Shared with", revoke: "Revoked", create: "Made on" };

/** What an operation did, in words: "Shared with business 701100 (ANALYZE)". */
function what(o: Operation): string {
  const target = o.target === null ? "" : ` ${o.operation === "list" ? "for business " : ""}${o.target.replace("_", " ")}`;
  return `${DONE[o.operation] ?? o.operation}${target}${o.tasks ? ` (${o.tasks.split(",").join(", ")})` : ""}`;
}

/** The operations on one pixel, newest first, each with who did it and Meta's answer; read again as `generation` changes. */
export function PixelLog({ pixel, generation }: { pixel: string; generation: number }) {
  const [log, setLog] = useState<Operation[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  useEffect(() => {
    let live = true;
    api.pixels.log(pixel, LIMIT).then(
      (read) => live && setLog(read),
      (e: unknown) => live && setError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [pixel, generation]);

  return (
    <section aria-labelledby="pixel-log-title" data-testid="pixel-log">
      <h3 id="pixel-log-title">Log</h3>
      <ErrorNote error={error} />
      {log === null ? (
        <p className="muted">Loading…</p>
      ) : log.length === 0 ? (
        <p className="empty" data-testid="pixel-log-empty">
          Nothing has been done to this pixel here yet.
        </p>
      ) : (
        <table className="table meta" aria-labelledby="pixel-log-title" data-testid="pixel-log-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Outcome</th>
              <th scope="col">Meta&apos;s answer</th>
            </tr>
          </thead>
          <tbody>
            {log.map((o) => (
              <tr key={o.id} data-testid="pixel-log-row">
                <td>
                  <When at={o.at} />
                </td>
                <td>{o.actor}</td>
                <td>{what(o)}</td>
                <td>
                  <span className={`badge ${o.outcome === "done" ? "done" : "failed"}`}>{o.outcome}</span>
                </td>
                <td>{o.answer ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
