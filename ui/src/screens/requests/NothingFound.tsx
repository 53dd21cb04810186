import { useState, type FormEvent } from "react";
import type { Identifier } from "../../api";
import { IdentifierFields, type IdLabels } from "./IdentifierFields";
import { SEARCHABLE } from "./idKinds";

const ADD_LABELS: IdLabels = { kind: "Kind of identifier to add", value: "Identifier to add", remove: "Remove this identifier", add: "Another identifier" };

/** An erasure whose search found nothing: add what else the person gave and search again, or say nothing is held. */
export function NothingFound({
  message,
  busy,
  onSearchAgain,
  onCloseNothingHeld,
}: {
  message: string;
  busy: boolean;
  onSearchAgain: (identifiers: Identifier[]) => Promise<boolean>;
  onCloseNothingHeld: () => void;
}) {
  const [adding, setAdding] = useState<Identifier[]>([{ kind: "email", value: "" }]);
  const given = adding.map((i) => ({ ...i, value: i.value.trim() })).filter((i) => i.value);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (given.length === 0) return;
    // Refused (an identifier that is not valid, say): what was typed stays, to correct.
    if (await onSearchAgain(given)) setAdding([{ kind: "email", value: "" }]);
  };
  return (
    <section className="card nothing-found" aria-labelledby="nothing-found-title" data-testid="nothing-found">
      <h3 id="nothing-found-title">Nothing found</h3>
      <p role="alert" data-code="nothing_found">
        {message}
      </p>
      <form className="request-form" onSubmit={submit} aria-label="Add identifiers">
        <fieldset>
          <legend>Add identifiers the person gave, and search again</legend>
          <IdentifierFields value={adding} onChange={setAdding} testid="add-identifier" kinds={SEARCHABLE} labels={ADD_LABELS} autoFocus />
        </fieldset>
        <div className="inline-form">
          <button type="submit" className="primary" disabled={busy || given.length === 0} data-testid="search-again">
            Add and search again
          </button>
          <button type="button" className="danger" disabled={busy} onClick={onCloseNothingHeld} data-testid="close-nothing-held">
            Close as nothing held…
          </button>
        </div>
      </form>
    </section>
  );
}
