import type { SyncProgress } from "../../api";

/** How fast a sync reads: the leads of the forms it finished, its latest progress, and when each mark was taken (ms). */
export type Pace = { began: number; earlier: number; last: SyncProgress | null; at: number };

export function began(at: number): Pace {
  return { began: at, earlier: 0, last: null, at };
}

/**
 * Each form counts its pages and leads from zero again, so a progress of another form, or one
 * counting less than the last, means the form before is finished and its leads go to `earlier`.
 * A form's last progress may repeat its count (when it stops early): that is the same form.
 */
export function paced(pace: Pace, progress: SyncProgress, at: number): Pace {
  const last = pace.last;
  const nextForm = last !== null && (progress.form !== last.form || progress.pages < last.pages || progress.leads < last.leads);
  return { ...pace, earlier: pace.earlier + (nextForm ? last.leads : 0), last: progress, at };
}

/** Leads a second since the sync began; none before a second has passed, when one page would give a wild figure. */
export function leadsPerSecond(pace: Pace): number | null {
  const seconds = (pace.at - pace.began) / 1000;
  if (pace.last === null || seconds < 1) return null;
  return (pace.earlier + pace.last.leads) / seconds;
}

/** "1,234 leads/s", or "2.5 leads/s" when slow enough for the tenth to matter. */
export function rateInWords(perSecond: number): string {
  const n = perSecond >= 10 ? Math.round(perSecond) : Math.round(perSecond * 10) / 10;
  return `${n.toLocaleString()} leads/s`;
}
