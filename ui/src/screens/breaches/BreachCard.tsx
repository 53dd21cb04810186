import { useEffect, useState } from "react";
import { api, toCommandError, type Breach, type CommandError } from "../../api";
import type { Screen } from "../../App";
import { ErrorNote } from "../../components/ErrorNote";
import { minutesLeft, running, standingText, urgency } from "./deadline";
import { useElapsed } from "./useElapsed";

/** The Dashboard's breach clock: the open breach whose deadline is nearest, counting down. */
export function BreachCard({ onOpen }: { onOpen: (s: Screen) => void }) {
  const [breaches, setBreaches] = useState<Breach[] | null>(null);
  const [readAt, setReadAt] = useState(() => Date.now());
  const [error, setError] = useState<CommandError | null>(null);
  const elapsed = useElapsed(readAt);

  useEffect(() => {
    api.breaches.list().then(
      (list) => {
        setBreaches(list);
        setReadAt(Date.now());
      },
      (e: unknown) => setError(toCommandError(e)),
    );
  }, []);

  if (error) return <ErrorNote error={error} />;
  if (!breaches) return null;
  const open = breaches.filter(running).sort((a, b) => minutesLeft(a, elapsed) - minutesLeft(b, elapsed));
  const first = open[0];
  return (
    <article className={`card breach-clock ${first ? urgency(first, elapsed) : ""}`} data-testid="breach-card">
      <h2>Breaches</h2>
      <p className="figure" data-testid="breaches-open">
        {open.length}
      </p>
      {first ? (
        <p className={urgency(first, elapsed) === "ok" ? "muted" : urgency(first, elapsed) === "near" ? "warn" : "error-text"} data-testid="breach-card-clock">
          Breach {first.id}: {standingText(first, elapsed)}
        </p>
      ) : (
        <p className="muted">No breach is waiting to be told to the authority.</p>
      )}
      <button type="button" onClick={() => onOpen("breaches")}>
        Open breaches
      </button>
    </article>
  );
}
