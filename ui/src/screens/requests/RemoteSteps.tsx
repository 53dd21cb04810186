import { useEffect, useRef, useState } from "react";
import { api, toCommandError, type CommandError, type RemoteStep } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { RemoteStepTable } from "./RemoteStepTable";

function retried(steps: RemoteStep[]): string {
  const left = steps.filter((s) => s.status !== "done").length;
  if (left === 0) return "Every step at Meta is done.";
  return `${left} step${left === 1 ? " is" : "s are"} still not done; Meta's answer says why.`;
}

/**
 * An erased request's steps at Meta, each with Meta's answer, and a retry of those not done. The
 * erasure here never waits for them, so they are seen, and taken again, on their own.
 */
export function RemoteSteps({ requestId }: { requestId: number }) {
  const [steps, setSteps] = useState<RemoteStep[] | null>(null);
  const [retrying, setRetrying] = useState(false);
  const [said, setSaid] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    api.requests.remoteSteps(requestId).then(setSteps, (e: unknown) => setError(toCommandError(e)));
  }, [requestId]);

  const retry = async (button: HTMLButtonElement) => {
    setRetrying(true);
    setSaid("");
    setError(null);
    try {
      const next = await api.requests.retryRemote(requestId);
      // The button goes once every step is done: a keyboard user's focus, on it or already lost
      // to the page while it was disabled, is brought to the heading rather than left nowhere.
      const focus = document.activeElement;
      if (next.every((s) => s.status === "done") && (focus === null || focus === document.body || focus === button)) {
        heading.current?.focus();
      }
      setSteps(next);
      setSaid(retried(next));
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setRetrying(false);
    }
  };

  if (!steps?.length) return <ErrorNote error={error} />;
  return (
    <section className="remote-steps" aria-labelledby="remote-steps-title" data-testid="remote-steps">
      <h3 id="remote-steps-title" ref={heading} tabIndex={-1}>
        At Meta
      </h3>
      <p className="muted">Deleting the person&apos;s leads at Meta too. The erasure here did not wait for Meta and stands whatever it answers.</p>
      <RemoteStepTable steps={steps} labelledBy="remote-steps-title" />
      {steps.some((s) => s.status !== "done") && (
        <div className="toolbar">
          <button type="button" onClick={(e) => void retry(e.currentTarget)} disabled={retrying} data-testid="retry-remote">
            Retry at Meta
          </button>
        </div>
      )}
      <p className="sr-status" role="status" aria-live="polite">
        {retrying ? "Asking Meta again…" : said}
      </p>
      <ErrorNote error={error} />
    </section>
  );
}
