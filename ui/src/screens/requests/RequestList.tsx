import type { Request } from "../../api";
import { countdown, URGENCY_CLASS } from "./deadline";
import { STATUS_LABEL } from "./status";

function person(r: Request): string {
  return r.identifiers.find((i) => i.value)?.value ?? "(erased)";
}

export function RequestList({ requests, selected, onSelect }: { requests: Request[]; selected: number | null; onSelect: (id: number) => void }) {
  return (
    <table className="table" data-testid="request-list">
      <thead>
        <tr>
          <th>#</th>
          <th>Kind</th>
          <th>Person</th>
          <th>Regime</th>
          <th>Status</th>
          <th>Deadline</th>
        </tr>
      </thead>
      <tbody>
        {requests.map((r) => (
          <tr
            key={r.id}
            className={r.id === selected ? "selected" : undefined}
            onClick={() => onSelect(r.id)}
            onKeyDown={(e) => e.key === "Enter" && onSelect(r.id)}
            tabIndex={0}
            aria-selected={r.id === selected}
            data-testid={`request-${r.id}`}
          >
            <td>{r.id}</td>
            <td>{r.kind}</td>
            <td>{person(r)}</td>
            <td>{r.regime}</td>
            <td>{STATUS_LABEL[r.status]}</td>
            <td className={URGENCY_CLASS[r.urgency]}>
              {r.due_on} · {countdown(r)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
