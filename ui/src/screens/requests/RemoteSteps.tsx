import { useEffect, useRef, useState } from "react";
import { api, toCommandError, type CommandError, type RemoteStep } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { RemoteStepTable } from "./RemoteStepTable";

/** Where a request's steps are taken, in the words its section uses. */
export type Place = "meta" | "crms";

const WORDS: Record<Place, { heading: string; about: string; retry: string; asking: string; allDone: string; whose: string }> = {
  meta: {
    heading: "At Meta and in the CRMs",
    about:
      "Deleting the person's leads at Meta and their records in the client's CRMs too. The erasure here did not wait for them and stands whatever they answer.",
    retry: "Retry the remote steps",
    asking: "Asking again…",
    allDone: "Every remote step is done.",
    whose: "the service's",
  },
  crms: {
    heading: "In the CRMs",
    about:
      "Correcting the person's records in the client's CRMs too. The correction here stands whatever they answer; a record not corrected there is sent again by the next push as well.",
    retry: "Retry in the CRMs",
    asking: "Asking the CRMs again…",
    allDone: "Every step in the CRMs is done.",
    whose: "the CRM's",
  },
};

function retried(steps: RemoteStep[], place: Place): string {
  const left = steps.filter((s) => s.status !== "done").length;
  if (left === 0) return WORDS[place].allDone;
  return `${left} step${left === 1 ? " is" : "s are"} still not done; ${WORDS[place].whose} answer says why.`;
}

/**
 * A request's steps at remote services (an erasure's at Meta, a correction's in the CRMs), each
 * with the service's answer, and a retry of those not done. What is done here never waits for
 * them, so they are seen, and taken again, on their own. `known` are the steps a command has just
 * answered with; without them they are asked for.
 */
export function RemoteSteps({ requestId, place, known }: { requestId: number; place: Place; known?: RemoteStep[] }) {
  const [steps, setSteps] = useState<RemoteStep[] | null>(known ?? null);
  const [retrying, setRetrying] = useState(false);
  const [said, setSaid] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const words = WORDS[place];
  const asked = known !== undefined;

  useEffect(() => {
    if (asked) return;
    api.requests.remoteSteps(requestId).then(setSteps, (e: unknown) => setError(toCommandError(e)));
  }, [requestId, asked]);

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
      setSaid(retried(next, place));
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
        {words.heading}
      </h3>
      <p className="muted">{words.about}</p>
      <RemoteStepTable steps={steps} labelledBy="remote-steps-title" />
      {steps.some((s) => s.status !== "done") && (
        <div className="toolbar">
          <button type="button" onClick={(e) => void retry(e.currentTarget)} disabled={retrying} data-testid="retry-remote">
            {words.retry}
          </button>
        </div>
      )}
      <p className="sr-status" role="status" aria-live="polite">
        {retrying ? words.asking : said}
      </p>
      <ErrorNote error={error} />
    </section>
  );
}
