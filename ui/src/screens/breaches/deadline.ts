import type { Breach } from "../../api";

/**
 * Minutes left to the breach's deadline, `elapsed` ms after the backend said how many were left:
 * the count runs on between readings without the window's own idea of the date.
 */
export function minutesLeft(b: Breach, elapsed: number): number {
  return b.minutes_left - Math.floor(elapsed / 60_000);
}

/** "2 d 3 h", "47 h 10 min", "5 min": a span as the deadline counts it. */
export function span(minutes: number): string {
  const m = Math.abs(minutes);
  const days = Math.floor(m / 1440);
  const hours = Math.floor((m % 1440) / 60);
  if (m >= 2 * 1440) return `${days} d ${hours} h`;
  if (m >= 60) return `${Math.floor(m / 60)} h ${m % 60} min`;
  return `${m} min`;
}

/** Whether the breach's clock still runs: open and the authority not told. */
export function running(b: Breach): boolean {
  return b.closed_at === null && b.authority_on === null;
}

/** The clock's colour: amber under 24 hours, red once passed. */
export function urgency(b: Breach, elapsed: number): "ok" | "near" | "passed" | "done" {
  if (!running(b)) return "done";
  const left = minutesLeft(b, elapsed);
  if (b.standing === "passed" || left < 0) return "passed";
  return left < 24 * 60 ? "near" : "ok";
}

/** Where a breach stands, in words. */
export function standingText(b: Breach, elapsed: number): string {
  if (b.closed_at !== null && b.authority_on === null) return "closed without telling the authority";
  if (b.authority_on !== null) return `authority told ${b.authority_on}${b.authority_late ? ", late" : ""}`;
  const left = minutesLeft(b, elapsed);
  return urgency(b, elapsed) === "passed" ? `deadline passed ${span(left)} ago` : `${span(left)} left to tell the authority`;
}
