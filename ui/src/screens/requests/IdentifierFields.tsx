import type { IdKind, Identifier } from "../../api";
import { ID_KINDS } from "./idKinds";

export type IdLabels = { kind: string; value: string; remove: string; add: string };
const FORM_LABELS: IdLabels = { kind: "Identifier kind", value: "Identifier", remove: "Remove identifier", add: "Add identifier" };

/** Rows of identifier kind and value, with a button for another row and one to remove each. */
export function IdentifierFields({
  value,
  onChange,
  testid,
  kinds = ID_KINDS,
  labels = FORM_LABELS,
  autoFocus = false,
}: {
  value: Identifier[];
  onChange: (next: Identifier[]) => void;
  testid: string;
  kinds?: { id: IdKind; label: string }[];
  labels?: IdLabels;
  autoFocus?: boolean;
}) {
  const set = (i: number, change: Partial<Identifier>) => onChange(value.map((x, j) => (j === i ? { ...x, ...change } : x)));
  return (
    <>
      {value.map((id, i) => (
        <div className="inline-form" key={i}>
          <select aria-label={labels.kind} value={id.kind} onChange={(e) => set(i, { kind: e.target.value as IdKind })}>
            {kinds.map((k) => (
              <option key={k.id} value={k.id}>
                {k.label}
              </option>
            ))}
          </select>
          <input
            aria-label={labels.value}
            value={id.value}
            onChange={(e) => set(i, { value: e.target.value })}
            autoFocus={autoFocus && i === 0}
            data-testid={`${testid}-${i}`}
          />
          {value.length > 1 && (
            <button type="button" onClick={() => onChange(value.filter((_, j) => j !== i))} aria-label={labels.remove}>
              ×
            </button>
          )}
        </div>
      ))}
      <button type="button" onClick={() => onChange([...value, { kind: "phone", value: "" }])}>
        {labels.add}
      </button>
    </>
  );
}
