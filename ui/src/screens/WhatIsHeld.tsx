import type { Holding } from "../api";
import type { Screen } from "../App";

/** Each client's rows together, clients by name, the workspace's last. */
function byClient(held: Holding[]): [string | null, Holding[]][] {
  const groups = new Map<string | null, Holding[]>();
  for (const h of held) groups.set(h.client, [...(groups.get(h.client) ?? []), h]);
  return [...groups].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
}

export function WhatIsHeld({ held, onOpen }: { held: Holding[]; onOpen: (s: Screen) => void }) {
  return (
    <section className="card wide" aria-labelledby="held-title" data-testid="held">
      <h2 id="held-title">What is held</h2>
      {held.every((h) => h.count === 0) ? (
        <>
          <p className="muted">Nothing is held yet. Import a lead export file to begin.</p>
          <button type="button" onClick={() => onOpen("leads")}>
            Import leads
          </button>
        </>
      ) : (
        <table className="table held" aria-labelledby="held-title">
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Kind of data</th>
              <th scope="col" className="count">
                Records
              </th>
            </tr>
          </thead>
          {byClient(held).map(([client, rows]) => (
            <tbody key={client ?? ""}>
              {rows.map((h, i) => (
                <tr key={h.kind} data-testid={`held-${h.kind}-${client ?? "workspace"}`}>
                  {i === 0 && (
                    <th scope="rowgroup" rowSpan={rows.length}>
                      {client ?? "Workspace"}
                    </th>
                  )}
                  <td>{h.label}</td>
                  <td className="count">{h.count.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      )}
    </section>
  );
}
