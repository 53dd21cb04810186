import type { Crm, Field, Mapping, Rule, Transform } from "../../api";

/** Where a CRM field's value comes from. */
export type Source = "answer" | "constant" | "concat";

/**
 * A rule as the editor holds it: every input's text, kept when the source changes (so that
 * switching back loses nothing), and a value map as rows, so that a value being typed does not
 * merge with another. Only what the source uses goes into the mapping.
 */
export type DraftRule = {
  key: number;
  to: string;
  source: Source;
  from: string;
  transform: Transform | "";
  date: string;
  map: [string, string][];
  constant: string;
  concat: string[];
  separator: string;
};

let drafted = 0;

export function draftRule(to: string, over: Partial<DraftRule> = {}): DraftRule {
  drafted += 1;
  return { key: drafted, to, source: "answer", from: "", transform: "", date: "", map: [], constant: "", concat: [], separator: " ", ...over };
}

export function fromRule(r: Rule): DraftRule {
  const source: Source = r.constant !== undefined ? "constant" : r.concat !== undefined ? "concat" : "answer";
  return draftRule(r.to, {
    source,
    from: r.from ?? "",
    transform: r.transform ?? "",
    date: r.date ?? "",
    map: Object.entries(r.map ?? {}).map(([k, v]): [string, string] => [k, v ?? ""]),
    constant: r.constant ?? "",
    concat: r.concat ?? [],
    separator: r.separator ?? " ",
  });
}

/** The rule the backend reads: what the source leaves unused is left out, since it checks that only one source is given. */
export function toRule(d: DraftRule): Rule {
  switch (d.source) {
    case "constant":
      return { to: d.to, constant: d.constant };
    case "concat":
      return { to: d.to, concat: d.concat, ...(d.separator !== " " && { separator: d.separator }) };
    case "answer":
      return {
        to: d.to,
        from: d.from,
        ...(d.transform !== "" && { transform: d.transform }),
        ...(d.map.length > 0 && { map: Object.fromEntries(d.map) }),
        ...(d.date.trim() !== "" && { date: d.date }),
      };
  }
}

export function toMapping(crm: Crm, form: string, rules: DraftRule[]): Mapping {
  return { crm, form, fields: rules.map(toRule) };
}

/** The next field worth a rule: a required one not yet written, else any not yet written. */
export function nextField(fields: Field[], rules: DraftRule[]): Field | undefined {
  const free = fields.filter((f) => !rules.some((r) => r.to === f.name));
  return free.find((f) => f.required) ?? free[0];
}

export const TRANSFORMS: [Transform | "", string][] = [
  ["", "None"],
  ["trim", "Trim"],
  ["email", "Email (lowercased)"],
  ["e164", "Phone in E.164"],
  ["first_name", "First name"],
  ["last_name", "Last name"],
];

export const SOURCES: [Source, string][] = [
  ["answer", "An answer"],
  ["constant", "A constant"],
  ["concat", "Several answers joined"],
];
