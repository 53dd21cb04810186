import type { RemoteStep } from "../../api";

// By the backend's kind and action; a step this list does not know yet is named by them.
const STEP_WORDS: Record<string, string> = {
  "leads_at_meta/delete_lead": "Delete a lead at Meta",
  "crm_records/delete_record": "Delete a record in a CRM",
  "crm_records/correct_record": "Correct a record in a CRM",
};

const STATUS_WORDS: Record<string, string> = { done: "Done", failed: "Failed", pending: "Pending" };

export function stepInWords(step: RemoteStep): string {
  return STEP_WORDS[`${step.kind}/${step.action}`] ?? `${step.action.replaceAll("_", " ")} (${step.kind.replaceAll("_", " ")})`;
}

/** Steps at remote services: how each went, in the service's own words, how often it was taken and when last. */
export function RemoteStepTable({ steps, labelledBy }: { steps: RemoteStep[]; labelledBy: string }) {
  return (
    <table className="table remote" aria-labelledby={labelledBy}>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Status</th>
          <th scope="col" className="count">
            Attempts
          </th>
          <th scope="col">When</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s, i) => (
          // Steps have no id of their own here; their order is the order they were recorded in.
          <tr key={i} data-testid="remote-step" data-status={s.status}>
            <td>{stepInWords(s)}</td>
            <td>
              <span className={`badge ${s.status}`}>{STATUS_WORDS[s.status] ?? s.status}</span>{" "}
              {s.answer ?? (s.status === "pending" ? "not yet taken" : "")}
            </td>
            <td className="count">{s.attempts}</td>
            <td>
              <time dateTime={s.updated_at}>{new Date(s.updated_at).toLocaleString()}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
