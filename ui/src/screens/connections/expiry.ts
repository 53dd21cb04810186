import type { MetaConnection } from "../../api";

/** When a token expires, in words: "never", "in 5 days", or the date it expired. */
export function expiryInWords(c: MetaConnection): string {
  if (c.expires_at === null) return "never";
  const date = new Date(c.expires_at).toLocaleDateString();
  // days_left is counted by the backend's clock, so the screen agrees with the health it reports.
  if (c.health === "expired" || c.days_left === null || c.days_left < 0) return `expired ${date}`;
  if (c.days_left === 0) return "within a day";
  return `in ${c.days_left} day${c.days_left === 1 ? "" : "s"}`;
}
