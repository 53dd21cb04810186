import type { Filter } from "../api";

/** The filter with nothing narrowed. */
export const NO_FILTER: Filter = {
  client_id: null,
  form: null,
  campaign: null,
  platform: null,
  organic: null,
  since: null,
  until: null,
  search: null,
};

/** Seconds since the epoch of a `YYYY-MM-DD` date input, at the start of that day in UTC; an
 * inclusive end date counts to the start of the next day. */
export function dayBound(date: string, inclusiveEnd = false): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const start = Date.parse(`${date}T00:00:00Z`) / 1000;
  if (Number.isNaN(start)) return null;
  return inclusiveEnd ? start + 86_400 : start;
}
