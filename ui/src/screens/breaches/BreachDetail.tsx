import { useState, type FormEvent } from "react";
import { api, toCommandError, type Audience, type Breach, type CommandError, type Notice } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { useReplaceFile } from "../../components/useReplaceFile";
import { pickLeakedFile, pickNoticeFile } from "../../files";
import { minutesLeft, running, span, standingText, urgency } from "./deadline";

const AUDIENCES: { id: Audience; label: string }[] = [
  { id: "authority", label: "the supervisory authority" },
  { id: "subjects", label: "the people affected" },
];

/** One breach: its facts, who it affects, what a notification states, and who was told when. */
export function BreachDetail({ breach: b, elapsed, onChanged }: { breach: Breach; elapsed: number; onChanged: () => void }) {
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const closed = b.closed_at !== null;

  const act = async (run: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await run();
      onChanged();
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  const left = minutesLeft(b, elapsed);
  return (
    <article className="card wide breach" aria-label={`Breach ${b.id}`} data-testid="breach-detail">
      <h2>
        Breach {b.id}{" "}
        <span className={`badge clock ${urgency(b, elapsed)}`} data-testid="breach-clock">
          {standingText(b, elapsed)}
        </span>
      </h2>
      <ErrorNote error={error} />
      <dl>
        <dt>Aware</dt>
        <dd>{b.aware_at}</dd>
        <dt>Deadline to tell the authority</dt>
        <dd>
          {b.deadline}
          {running(b) && left >= 0 && <span className="muted"> ({span(left)} from now)</span>}
        </dd>
        <dt>What happened</dt>
        <dd>{b.summary}</dd>
        <dt>Clients</dt>
        <dd>{b.clients.length ? b.clients.join(", ") : "every client"}</dd>
        {b.since && b.until && (
          <>
            <dt>Data from</dt>
            <dd>
              {b.since} to {b.until}
            </dd>
          </>
        )}
        {b.late_reason && (
          <>
            <dt>Why late</dt>
            <dd>{b.late_reason}</dd>
          </>
        )}
        {b.subjects_on && (
          <>
            <dt>People told</dt>
            <dd>{b.subjects_on}</dd>
          </>
        )}
        {b.closed_at && (
          <>
            <dt>Closed</dt>
            <dd>
              {b.closed_at}: {b.close_reason}
            </dd>
          </>
        )}
      </dl>

      <Affected breach={b} busy={busy} act={act} />
      <DetailsForm key={JSON.stringify(b.details)} breach={b} busy={busy} act={act} />
      <Notices breach={b} />
      {!closed && <Told breach={b} elapsed={elapsed} busy={busy} act={act} />}
      {!closed && <Close breach={b} busy={busy} act={act} />}
    </article>
  );
}

type Acting = { breach: Breach; busy: boolean; act: (run: () => Promise<unknown>) => Promise<void> };

function Affected({ breach: b, busy, act }: Acting) {
  const c = b.counted;
  return (
    <section aria-label="Affected" data-testid="breach-affected">
      <h3>Who it affects</h3>
      {b.people === null ? (
        <p className="muted">Not counted yet.</p>
      ) : (
        <p>
          <strong data-testid="breach-people">{b.people}</strong> people, <strong data-testid="breach-records">{b.records}</strong> records
          <span className="muted"> (counted {b.assessed_at})</span>
        </p>
      )}
      {c && (
        <ul>
          {c.kinds.map((k) => (
            <li key={k.kind}>
              {k.records} {k.label}
            </li>
          ))}
          {(c.leaked_rows > 0 || c.leaked_unreadable > 0) && (
            <li>
              {c.leaked_rows} people named in a leaked file, {c.leaked_beyond} of them in no record counted here
              {c.leaked_unreadable > 0 && `; ${c.leaked_unreadable} rows naming no one`}
              {c.leaked_erased > 0 && `; ${c.leaked_erased} erased since, left out`}
            </li>
          )}
          {c.not_counted.length > 0 && (
            <li className="muted" data-testid="breach-not-counted">
              Not counted here: {c.not_counted.map((k) => k.label).join(", ")}
            </li>
          )}
        </ul>
      )}
      {b.closed_at === null && (
        <div className="toolbar">
          <button type="button" disabled={busy} onClick={() => void act(() => api.breaches.assess(b.id, null))} data-testid="breach-recount">
            Count again
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void pickLeakedFile().then((path) => {
                if (path) void act(() => api.breaches.assess(b.id, path));
              })
            }
            data-testid="breach-add-leaked"
          >
            Count a leaked file…
          </button>
        </div>
      )}
    </section>
  );
}

function DetailsForm({ breach: b, busy, act }: Acting) {
  const d = b.details;
  const [systems, setSystems] = useState(d.systems.join("\n"));
  const [consequences, setConsequences] = useState(d.consequences ?? "");
  const [measures, setMeasures] = useState(d.measures ?? "");
  const [contact, setContact] = useState(d.contact ?? "");
  const closed = b.closed_at !== null;

  const save = (e: FormEvent) => {
    e.preventDefault();
    void act(() =>
      api.breaches.edit(b.id, {
        systems: systems.split("\n").map((s) => s.trim()).filter(Boolean),
        consequences,
        measures,
        contact,
      }),
    );
  };

  const field = (label: string, value: string, set: (v: string) => void, id: string, rows = 3) => (
    <label>
      {label}
      <textarea value={value} onChange={(e) => set(e.target.value)} rows={rows} maxLength={4000} disabled={closed} data-testid={id} />
    </label>
  );

  return (
    <form className="request-form" aria-label="What a notification states" onSubmit={save}>
      <h3>What a notification states</h3>
      <p className="muted">Fill these in as they become known: a notification may give its information in phases (GDPR Art. 33(4)).</p>
      {field("Systems concerned, one a line", systems, setSystems, "breach-systems", 2)}
      {field("Likely consequences for the people affected", consequences, setConsequences, "breach-consequences")}
      {field("Measures taken or proposed, including to mitigate its effects", measures, setMeasures, "breach-measures")}
      {field("Data protection officer or other contact point", contact, setContact, "breach-contact", 2)}
      {!closed && (
        <button type="submit" disabled={busy} data-testid="breach-details-save">
          Save
        </button>
      )}
    </form>
  );
}

function Notices({ breach: b }: { breach: Breach }) {
  const [draft, setDraft] = useState<{ audience: Audience; notice: Notice } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const replaceFile = useReplaceFile();

  const show = async (audience: Audience) => {
    setError(null);
    setSaved(null);
    try {
      setDraft({ audience, notice: await api.breaches.notice(b.id, audience) });
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  const save = async (audience: Audience) => {
    setError(null);
    const path = await pickNoticeFile(b.id, audience);
    if (!path) return;
    try {
      const written = await replaceFile.write(path, (replace) => api.breaches.writeNotice(b.id, audience, path, replace));
      if (written) setSaved(path);
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  return (
    <section aria-label="Notices">
      <h3>Notices</h3>
      <ErrorNote error={error} />
      <div className="toolbar">
        {AUDIENCES.map((a) => (
          <button type="button" key={a.id} onClick={() => void show(a.id)} data-testid={`breach-draft-${a.id}`}>
            Draft to {a.label}
          </button>
        ))}
      </div>
      {draft && (
        <div data-testid="breach-draft">
          {draft.notice.missing.length > 0 ? (
            <div className="notice warn" role="status" data-testid="breach-missing">
              Still to be filled in, and marked in the draft:
              <ul>
                {draft.notice.missing.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="muted">Every item is filled in from the record.</p>
          )}
          <iframe title="Draft notice" className="notice-preview" sandbox="" srcDoc={draft.notice.html} />
          <p>
            <button type="button" className="primary" onClick={() => void save(draft.audience)} data-testid="breach-save-notice">
              Save as HTML…
            </button>{" "}
            {saved && (
              <span role="status" data-testid="breach-notice-saved">
                Saved to <code>{saved}</code>: edit it, print it or save it as PDF.
              </span>
            )}
          </p>
        </div>
      )}
      {replaceFile.dialog}
    </section>
  );
}

function Told({ breach: b, elapsed, busy, act }: Acting & { elapsed: number }) {
  const [audience, setAudience] = useState<Audience>(b.authority_on === null ? "authority" : "subjects");
  const [on, setOn] = useState("");
  const [reason, setReason] = useState("");
  // A reason is asked for once the deadline has passed; the backend says whether the date given is late.
  const late = audience === "authority" && minutesLeft(b, elapsed) < 0;
  const open = AUDIENCES.filter((a) => (a.id === "authority" ? b.authority_on === null : b.subjects_on === null));
  if (open.length === 0) return null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(() => api.breaches.told(b.id, audience, on, late && reason.trim() ? reason : null));
  };

  return (
    <form className="request-form" aria-label="Mark as told" onSubmit={submit}>
      <h3>Mark as told</h3>
      <div className="toolbar">
        <label>
          Told
          <select value={audience} onChange={(e) => setAudience(e.target.value as Audience)} data-testid="breach-told-audience">
            {open.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          on (a day, or a time with its offset)
          <input value={on} onChange={(e) => setOn(e.target.value)} placeholder="2026-12-03T14:05+01:00" data-testid="breach-told-on" required />
        </label>
      </div>
      {late && (
        <label>
          Why the authority was told after the 72 hours (GDPR Art. 33(1))
          <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} data-testid="breach-late-reason" />
        </label>
      )}
      <button type="submit" disabled={busy} data-testid="breach-told-save">
        Mark as told
      </button>
    </form>
  );
}

function Close({ breach: b, busy, act }: Acting) {
  const [reason, setReason] = useState("");
  return (
    <form
      className="request-form"
      aria-label="Close the breach"
      onSubmit={(e) => {
        e.preventDefault();
        void act(() => api.breaches.close(b.id, reason));
      }}
    >
      <h3>Close</h3>
      <label>
        Why{b.authority_on === null && ": for a breach the authority was not told of, why it is unlikely to result in a risk to people"}
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} data-testid="breach-close-reason" required />
      </label>
      <button type="submit" className="danger" disabled={busy} data-testid="breach-close">
        Close breach
      </button>
    </form>
  );
}
