import type { MetaConnection, TokenHealth } from "../../api";

const LABELS: Record<TokenHealth, string> = {
  ok: "OK",
  expiring: "Expiring",
  expired: "Expired",
  log_in_again: "Log in again",
};

/** A token's health in a word, with the backend's reason where it says what to do ("Expired" says it all). */
export function HealthBadge({ connection }: { connection: MetaConnection }) {
  const { health, health_reason } = connection;
  const reason = health === "expiring" || health === "log_in_again" ? health_reason : null;
  return (
    <span className={`badge ${health}`} data-testid="health" data-health={health}>
      {LABELS[health]}
      {reason && ` (${reason})`}
    </span>
  );
}
