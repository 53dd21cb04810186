// The breach register as the tests' backend simulates it: the 72 hours from awareness, standings
// as of a fixed now, counts of the leads held of the chosen clients and of a leaked file's lines,
// drafts that name what they still lack, and refusals with the codes the real one gives.
import type { ApiError, Audience, Breach, BreachForm, DetailsChange, Notice, Standing } from "./api";

/** The simulated backend's now: every breach's clock is read as of it. */
export const BREACH_NOW = Date.parse("2026-11-22T12:00:00Z");

export type BreachSide = {
  breaches: Breach[];
};

type Deps = {
  record: (action: string, object: string, outcome?: string) => void;
  /** The people (distinct emails) and records held of these clients (every client when none). */
  held: (clients: string[]) => { people: number; records: number };
  clientExists: (name: string) => boolean;
  /** A file's text, for a leaked list; undefined when it cannot be read. */
  text: (path: string) => string | undefined;
  write: (path: string, replace: boolean | undefined) => void;
};

const invalid = (message: string): ApiError => ({ code: "invalid_input", message });
const HOUR = 3_600_000;

function standing(b: Breach): Standing {
  if (b.authority_on !== null) return b.authority_late ? "notified_late" : "notified";
  if (b.closed_at !== null) return "closed";
  const left = Date.parse(b.deadline) - BREACH_NOW;
  if (left < 0) return "passed";
  return left <= 24 * HOUR ? "near" : "running";
}

function now(b: Breach): Breach {
  const minutes_left = Math.floor((Date.parse(b.deadline) - BREACH_NOW) / 60_000);
  return { ...b, minutes_left, standing: standing(b) };
}

function missing(b: Breach, audience: Audience): string[] {
  const d = b.details;
  const items: [boolean, string][] =
    audience === "authority"
      ? [
          [d.systems.length > 0, "the systems concerned"],
          [b.people !== null, "the approximate number of people (assess the breach)"],
          [d.contact !== null, "the name and contact details of the data protection officer or other contact point"],
          [d.consequences !== null, "the likely consequences"],
          [d.measures !== null, "the measures taken or proposed"],
        ]
      : [
          [d.consequences !== null, "the likely consequences"],
          [d.measures !== null, "the measures taken or proposed"],
          [d.contact !== null, "the contact point"],
        ];
  return items.filter(([there]) => !there).map(([, item]) => item);
}

export function breachCommands(side: BreachSide, deps: Deps) {
  const get = (id: number): Breach => {
    const b = side.breaches.find((x) => x.id === id);
    if (!b) throw { code: "not_found", message: `No breach has number ${id}. The breach list shows those recorded.` } satisfies ApiError;
    return b;
  };
  const open = (id: number): Breach => {
    const b = get(id);
    if (b.closed_at !== null) throw { code: "conflict", message: `Breach ${id} is closed; its record stays as it was closed.` } satisfies ApiError;
    return b;
  };
  const replace = (b: Breach) => {
    side.breaches = side.breaches.map((x) => (x.id === b.id ? b : x));
    return now(b);
  };
  const leakedLines = (path: string | null) => {
    if (path === null) return 0;
    const text = deps.text(path);
    if (text === undefined) throw { code: "file_unreadable", message: `The leaked file could not be read, so nothing was counted.` } satisfies ApiError;
    const lines = text.split("\n").filter((l) => /@|\d{6}/.test(l)).length;
    if (!lines) throw { code: "file_unreadable", message: "No row of the leaked file holds an email address or a phone number." } satisfies ApiError;
    return lines;
  };
  const assess = (b: Breach, leaked: number): Breach => {
    const held = deps.held(b.clients);
    return {
      ...b,
      people: held.people + leaked,
      records: held.records + leaked,
      counted: {
        kinds: [{ kind: "leads", label: "leads", records: held.records }],
        not_counted: [],
        leaked_rows: leaked,
        leaked_beyond: leaked,
        leaked_erased: 0,
        leaked_unreadable: 0,
      },
      assessed_at: "2026-11-22T12:00:00.000Z",
    };
  };

  return (cmd: string, args: Record<string, unknown>): { handled: boolean; value?: unknown } => {
    const id = Number(args.id);
    switch (cmd) {
      case "list_breaches":
        return { handled: true, value: [...side.breaches].sort((a, b) => Date.parse(b.aware_at) - Date.parse(a.aware_at)).map(now) };
      case "show_breach":
        return { handled: true, value: now(get(id)) };
      case "add_breach": {
        const form = args.form as BreachForm;
        if (!/([Zz]|[+-]\d\d:\d\d)$/.test(form.aware_at.trim()) || Number.isNaN(Date.parse(form.aware_at))) {
          deps.record("breach.new", "breach", "refused");
          throw invalid(`'${form.aware_at}' is not a time with its offset from UTC.`);
        }
        if (!form.summary.trim()) throw invalid("A breach needs a summary of what happened.");
        const unknown = form.clients.find((c) => !deps.clientExists(c));
        if (unknown) throw { code: "not_found", message: `No client is named '${unknown}'.` } satisfies ApiError;
        const aware = Date.parse(form.aware_at);
        const b: Breach = {
          id: side.breaches.length + 1, aware_at: form.aware_at, deadline: new Date(aware + 72 * HOUR).toISOString().replace(".000Z", "Z"),
          standing: "running", minutes_left: 0, summary: form.summary.trim(), clients: form.clients, kinds: form.kinds,
          since: form.since, until: form.until, authority_on: null, authority_late: false, late_reason: null, subjects_on: null,
          closed_at: null, close_reason: null, created_at: "2026-11-22T12:00:00.000Z",
          details: { systems: [], consequences: null, measures: null, contact: null },
          people: null, records: null, counted: null, assessed_at: null,
        };
        const assessed = assess(b, leakedLines(form.identifiers));
        side.breaches.push(assessed);
        deps.record("breach.new", `breach:${b.id}`);
        return { handled: true, value: now(assessed) };
      }
      case "assess_breach": {
        const b = open(id);
        const leaked = args.identifiers ? leakedLines(args.identifiers as string) : (b.counted?.leaked_rows ?? 0);
        deps.record("breach.assess", `breach:${id}`);
        return { handled: true, value: replace(assess(b, leaked)) };
      }
      case "edit_breach": {
        const b = open(id);
        const change = args.change as DetailsChange;
        const text = (given: string | null | undefined, kept: string | null) =>
          given === undefined || given === null ? kept : given.trim() ? given.trim() : null;
        const details = {
          systems: change.systems ?? b.details.systems,
          consequences: text(change.consequences, b.details.consequences),
          measures: text(change.measures, b.details.measures),
          contact: text(change.contact, b.details.contact),
        };
        deps.record("breach.edit", `breach:${id}`);
        return { handled: true, value: replace({ ...b, details }) };
      }
      case "breach_notice":
      case "write_breach_notice": {
        const b = now(get(id));
        const audience = args.audience as Audience;
        const lacking = missing(b, audience);
        const notice: Notice = {
          html: `<html><body><h1>Breach ${b.id}</h1>${lacking.map((m) => `<p class="missing">To be filled in: ${m}.</p>`).join("")}</body></html>`,
          missing: lacking,
        };
        if (cmd === "write_breach_notice") {
          deps.write(args.path as string, args.replace as boolean | undefined);
          deps.record("breach.notice", `breach:${id} notice to the ${audience}`);
        }
        return { handled: true, value: notice };
      }
      case "breach_told": {
        const b = open(id);
        const on = String(args.on).trim();
        const audience = args.audience as Audience;
        const when = Date.parse(on.length === 10 ? `${on}T00:00:00Z` : on);
        if (Number.isNaN(when)) throw invalid(`'${on}' is not a day (YYYY-MM-DD) or a time with its offset.`);
        if (audience === "subjects") return { handled: true, value: replace({ ...b, subjects_on: on }) };
        const late = when > Date.parse(b.deadline);
        if (late && !args.lateReason) {
          deps.record("breach.notified", `breach:${id} told the authority`, "refused");
          throw invalid(`The authority was told on ${on}, after the 72 hours ended at ${b.deadline}. A late notification says why it was late (GDPR Art. 33(1)): give the reason for the delay.`);
        }
        deps.record("breach.notified", `breach:${id} told the authority on ${on}`);
        return { handled: true, value: replace({ ...b, authority_on: on, authority_late: late, late_reason: late ? String(args.lateReason) : null }) };
      }
      case "close_breach": {
        const b = open(id);
        const reason = String(args.reason ?? "").trim();
        if (!reason) throw invalid("A breach is closed with its reason.");
        deps.record("breach.close", `breach:${id}`);
        return { handled: true, value: replace({ ...b, closed_at: "2026-11-22T12:00:00.000Z", close_reason: reason }) };
      }
      default:
        return { handled: false };
    }
  };
}
