import type { Request, RequestUrgency } from "../../api";

export function countdown(r: Pick<Request, "urgency" | "days_left" | "due_on">): string {
  if (r.urgency === "closed") return `was due ${r.due_on}`;
  if (r.days_left === 0) return "due today";
  if (r.days_left < 0) return `${-r.days_left} day${r.days_left === -1 ? "" : "s"} overdue`;
  return `${r.days_left} day${r.days_left === 1 ? "" : "s"} left`;
}

export const URGENCY_CLASS: Record<RequestUrgency, string> = { on_track: "ok", due_soon: "warn", overdue: "error-text", closed: "muted" };
