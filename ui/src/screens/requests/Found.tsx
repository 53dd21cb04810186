import type { Discovery } from "../../api";

export function Found({ found, onWiden, busy }: { found: Discovery; onWiden: () => void; busy: boolean }) {
  return (
    <div className="found" data-testid="found">
      {found.groups.length === 0 && <p className="muted">Nothing is held about this person here.</p>}
      {found.groups.map((g) => (
        <details key={`${g.kind}-${g.client ?? ""}`} open>
          <summary>
            {g.records.length} {g.label}
            {g.client && ` of ${g.client}`}
          </summary>
          {g.records.map((r) => (
            <div key={r.id} className="found-record" data-testid="found-record">
              <p className="muted">{r.source}</p>
              {r.fetched_at && (
                <p className="hint" data-testid="read-live">
                  Read live from Meta at <time dateTime={r.fetched_at}>{new Date(r.fetched_at).toLocaleString()}</time>
                </p>
              )}
              <table className="figures">
                <tbody>
                  {r.fields.filter(([, v]) => v).map(([k, v]) => (
                    <tr key={k}>
                      <th scope="row">{k}</th>
                      <td>{v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </details>
      ))}
      {found.offered.length > 0 && (
        <p>
          Also on these records: {found.offered.map((i) => `${i.kind} ${i.value}`).join(", ")}.{" "}
          <button type="button" onClick={onWiden} disabled={busy}>
            Search these too
          </button>
        </p>
      )}
    </div>
  );
}
