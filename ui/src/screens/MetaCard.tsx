import type { MetaConnection } from "../api";
import type { Screen } from "../App";
import { needsAttention } from "./connections/attention";

export function MetaCard({ connections, onOpen }: { connections: MetaConnection[]; onOpen: (s: Screen) => void }) {
  const attention = connections.filter(needsAttention).length;
  return (
    <article className="card" aria-labelledby="meta-card-title" data-testid="meta-card">
      <h2 id="meta-card-title">Meta</h2>
      {connections.length === 0 ? (
        <p className="muted">Not connected to Meta</p>
      ) : (
        <>
          <p className="figure" data-testid="meta-connections">
            {connections.length}
          </p>
          <p className="muted">
            {connections.length === 1 ? "connection" : "connections"}
            {attention === 0 ? ", all working" : <span className="warn" data-testid="meta-attention"> — {attention} {attention === 1 ? "needs" : "need"} attention</span>}
          </p>
        </>
      )}
      <button type="button" onClick={() => onOpen("connections")}>
        Manage connections
      </button>
    </article>
  );
}
