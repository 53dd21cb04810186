import type { Field, Transform } from "../../api";
import { SOURCES, TRANSFORMS, type DraftRule, type Source } from "./draft";

/** A field's name as people read it, with the CRM's own name when they differ. */
export function fieldName(f: Field): string {
  return f.label && f.label !== f.name ? `${f.label} (${f.name})` : f.name;
}

/**
 * The rules of a mapping, one per CRM field written. Every control edits the draft at once; the
 * preview beside it says what comes of it.
 */
export function RuleTable({
  rules,
  fields,
  keys,
  onChange,
  onRemove,
}: {
  rules: DraftRule[];
  fields: Field[];
  /** What the form's leads answer. */
  keys: string[];
  onChange: (rule: DraftRule) => void;
  onRemove: (rule: DraftRule) => void;
}) {
  if (rules.length === 0) {
    return (
      <p className="empty" data-testid="crm-rules-empty">
        No field is mapped yet. Suggest a mapping, or add a rule for each CRM field to fill.
      </p>
    );
  }
  return (
    <table className="table rules" aria-labelledby="crm-rules-title">
      <thead>
        <tr>
          <th scope="col">CRM field</th>
          <th scope="col">From</th>
          <th scope="col">Value</th>
          <th scope="col">Transform</th>
          <th scope="col">Date format</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      {rules.map((r, i) => (
        <RuleRows key={r.key} n={i + 1} rule={r} fields={fields} keys={keys} onChange={onChange} onRemove={onRemove} />
      ))}
    </table>
  );
}

function RuleRows({
  n,
  rule,
  fields,
  keys,
  onChange,
  onRemove,
}: {
  n: number;
  rule: DraftRule;
  fields: Field[];
  keys: string[];
  onChange: (rule: DraftRule) => void;
  onRemove: (rule: DraftRule) => void;
}) {
  const field = fields.find((f) => f.name === rule.to);
  const name = field ? field.label || field.name : rule.to;
  const set = (patch: Partial<DraftRule>) => onChange({ ...rule, ...patch });
  const answer = rule.source === "answer";
  const choices = field?.kind === "choice" && field.options.length > 0 ? field.options : null;
  const optionsId = `crm-options-${rule.key}`;

  return (
    <tbody data-testid="crm-rule" data-field={rule.to}>
      <tr>
        <td>
          <select aria-label={`Rule ${n}: CRM field`} value={rule.to} onChange={(e) => set({ to: e.target.value })} data-testid="crm-rule-field">
            {!field && <option value={rule.to}>{rule.to} (not a field of this CRM)</option>}
            {fields.map((f) => (
              <option key={f.name} value={f.name}>
                {fieldName(f)}
                {f.required ? " — required" : ""}
              </option>
            ))}
          </select>
        </td>
        <td>
          <select aria-label={`Source of ${name}`} value={rule.source} onChange={(e) => set({ source: e.target.value as Source })} data-testid="crm-rule-source">
            {SOURCES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </td>
        <td>
          {rule.source === "answer" && (
            <select aria-label={`Answer for ${name}`} value={rule.from} onChange={(e) => set({ from: e.target.value })} data-testid="crm-rule-from">
              <option value="">Choose an answer</option>
              {!keys.includes(rule.from) && rule.from !== "" && <option value={rule.from}>{rule.from} (not answered by this form)</option>}
              {keys.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          )}
          {rule.source === "constant" && (
            <>
              <input
                aria-label={`Constant for ${name}`}
                value={rule.constant}
                onChange={(e) => set({ constant: e.target.value })}
                list={choices ? optionsId : undefined}
                placeholder="Facebook Lead Ads"
                data-testid="crm-rule-constant"
              />
              {choices && (
                <datalist id={optionsId}>
                  {choices.map((o) => (
                    <option key={o} value={o} />
                  ))}
                </datalist>
              )}
            </>
          )}
          {rule.source === "concat" && (
            <div className="concat">
              <select
                multiple
                size={4}
                aria-label={`Answers joined for ${name}`}
                value={rule.concat}
                onChange={(e) => set({ concat: [...e.target.selectedOptions].map((o) => o.value) })}
                data-testid="crm-rule-concat"
              >
                {keys.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
              <label>
                Joined by
                <input className="short" value={rule.separator} onChange={(e) => set({ separator: e.target.value })} data-testid="crm-rule-separator" />
              </label>
            </div>
          )}
        </td>
        <td>
          {answer ? (
            <select
              aria-label={`Transform for ${name}`}
              value={rule.transform}
              onChange={(e) => set({ transform: e.target.value as Transform | "" })}
              data-testid="crm-rule-transform"
            >
              {TRANSFORMS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td>
          {answer ? (
            <input
              className="short"
              aria-label={`Date format for ${name}`}
              value={rule.date}
              onChange={(e) => set({ date: e.target.value })}
              placeholder="%Y-%m-%d"
              data-testid="crm-rule-date"
            />
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td className="actions">
          <button type="button" className="danger-text" onClick={() => onRemove(rule)} aria-label={`Remove the rule for ${name}`}>
            Remove
          </button>
        </td>
      </tr>
      {answer && choices && (
        <tr>
          <td colSpan={6}>
            <ValueMap name={name} options={choices} pairs={rule.map} onChange={(map) => set({ map })} />
          </td>
        </tr>
      )}
    </tbody>
  );
}

/** A multiple-choice answer's values, each to one of the CRM field's options. */
function ValueMap({
  name,
  options,
  pairs,
  onChange,
}: {
  name: string;
  options: string[];
  pairs: [string, string][];
  onChange: (pairs: [string, string][]) => void;
}) {
  const put = (i: number, pair: [string, string]) => onChange(pairs.map((p, j) => (j === i ? pair : p)));
  return (
    <fieldset className="value-map" data-testid="crm-value-map">
      <legend>Answer values to {name}&apos;s options</legend>
      {pairs.length === 0 && <p className="hint">Without values here, the answer is sent as it is.</p>}
      {pairs.map(([answer, option], i) => (
        <div key={i} className="toolbar">
          <input className="short" aria-label={`Answer value ${i + 1} for ${name}`} value={answer} onChange={(e) => put(i, [e.target.value, option])} />
          <span aria-hidden="true">→</span>
          <select aria-label={`${name} option for value ${i + 1}`} value={option} onChange={(e) => put(i, [answer, e.target.value])}>
            {options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => onChange(pairs.filter((_, j) => j !== i))} aria-label={`Remove value ${i + 1} for ${name}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...pairs, ["", options[0] ?? ""]])}>
        Add a value
      </button>
    </fieldset>
  );
}
