import { useState } from "react";
import {
  api,
  toCommandError,
  type Client,
  type CommandError,
  type ConsentChannel,
  type ConsentOf,
  type ConsentSource,
  type IdKind,
} from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";
import { useEscape } from "../../components/useEscape";
import { useReplaceFile } from "../../components/useReplaceFile";
import { pickConsentExportFile } from "../../files";
import { when } from "./words";

export const CONSENT_CHANNEL: Record<ConsentChannel, string> = {
  whatsapp_marketing: "WhatsApp marketing",
  messenger_marketing: "Messenger marketing",
  email_marketing: "Email marketing",
};

const SOURCE: Record<ConsentSource, string> = {
  lead_form: "Lead form",
  message: "Message",
  admin: "Recorded by the agency",
  objection: "Objection",
};

type Lookup = { kind: IdKind; label: string; placeholder: string };

const EMAIL: Lookup = { kind: "email", label: "Email", placeholder: "ann@example.com" };

/** The kinds of identifier the register is looked up by. */
const LOOKUP: Lookup[] = [
  EMAIL,
  { kind: "phone", label: "Phone", placeholder: "+44 7911 123456" },
  { kind: "wa_id", label: "WhatsApp id", placeholder: "447911123456" },
  { kind: "psid", label: "Page-scoped id", placeholder: "Messenger id" },
];

/**
 * The consent register: a person's opt-ins and opt-outs of each marketing channel with their
 * proof, recording one with how the person gave it, and a client's register as a CSV.
 */
export function ConsentRegister({
  clients,
  client: initialClient,
  person,
  onClose,
}: {
  clients: Client[];
  client: string;
  /** Whom to look up first: the person of the thread open, when one is. */
  person: { kind: IdKind; value: string } | null;
  onClose: () => void;
}) {
  const [kind, setKind] = useState<IdKind>(person?.kind ?? "email");
  const [value, setValue] = useState(person?.value ?? "");
  const [found, setFound] = useState<ConsentOf | null>(null);
  const [client, setClient] = useState(initialClient);
  const [channel, setChannel] = useState<ConsentChannel>("whatsapp_marketing");
  const [optedIn, setOptedIn] = useState(false);
  const [reason, setReason] = useState("");
  const [exportClient, setExportClient] = useState(initialClient || (clients[0]?.name ?? ""));
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const replaceFile = useReplaceFile();
  useEscape(() => !busy && onClose());

  const identifiers = () => [{ kind, value: value.trim() }];

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setStatus("");
    try {
      await work();
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  const lookUp = () => act(async () => setFound(await api.consent.show(identifiers())));

  const record = () =>
    act(async () => {
      const change = { client: client || null, channel, opted_in: optedIn, reason: reason.trim() };
      setFound(await api.consent.set(identifiers(), change));
      setReason("");
      setStatus(`${optedIn ? "Opt-in" : "Opt-out"} recorded.`);
    });

  const exportRegister = () =>
    act(async () => {
      const path = await pickConsentExportFile(exportClient);
      if (!path) return;
      const done = await replaceFile.write(path, (replace) => api.consent.export(exportClient, path, replace));
      if (done) setStatus(`Exported ${done.rows} entries to ${done.path}.`);
    });

  const kindOf = LOOKUP.find((l) => l.kind === kind) ?? EMAIL;
  return (
    <div className="backdrop">
      <div className="dialog wide" role="dialog" aria-modal="true" aria-labelledby="consent-title" data-testid="consent">
        <h2 id="consent-title">Consent register</h2>
        <p className="muted">
          Each person&apos;s opt-ins and opt-outs of marketing, with where each came from: a lead form&apos;s consent question, a
          &ldquo;STOP&rdquo; or &ldquo;START&rdquo; message, an entry made here, or an objection. The latest entry is their answer;
          conversion events of people who opted out are not sent.
        </p>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (value.trim()) void lookUp();
          }}
        >
          <select value={kind} onChange={(e) => setKind(e.target.value as IdKind)} aria-label="Identifier" data-testid="consent-kind">
            {LOOKUP.map((l) => (
              <option key={l.kind} value={l.kind}>
                {l.label}
              </option>
            ))}
          </select>
          <input
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder={kindOf.placeholder}
            aria-label={kindOf.label}
            data-testid="consent-value"
            autoFocus
          />
          <button type="submit" disabled={busy || !value.trim()} data-testid="consent-look-up">
            Look up
          </button>
        </form>
        <ErrorNote error={error} />
        <p className="sr-status" role="status" aria-live="polite" data-testid="consent-status">
          {status}
        </p>
        {found && (
          <div data-testid="consent-found">
            {found.entries.length === 0 ? (
              <p data-testid="consent-none">
                Nothing is recorded for {found.searched.map((i) => i.value).join(", ")}: they have not opted in to marketing on any
                channel.
              </p>
            ) : (
              <>
                <table className="figures" data-testid="consent-states">
                  <thead>
                    <tr>
                      <th scope="col">Client</th>
                      <th scope="col">Channel</th>
                      <th scope="col">Answer</th>
                      <th scope="col">Since</th>
                    </tr>
                  </thead>
                  <tbody>
                    {found.states.map((s) => (
                      <tr key={`${s.client ?? ""}-${s.channel}`} data-testid="consent-state">
                        <td>{s.client ?? "Every client"}</td>
                        <td>{CONSENT_CHANNEL[s.channel]}</td>
                        <td className={s.opted_in ? "ok" : "warn"}>{s.opted_in ? "Opted in" : "Opted out"}</td>
                        <td>{when(s.since)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <h3>Entries, oldest first</h3>
                <ol className="consent-entries">
                  {found.entries.map((e) => (
                    <li key={e.id} data-testid="consent-entry">
                      <strong>
                        {when(e.said_at)} · {e.client ?? "Every client"} · {CONSENT_CHANNEL[e.channel]} ·{" "}
                        {e.opted_in ? "opt-in" : "opt-out"}
                      </strong>
                      <span className="muted">
                        {" "}
                        {SOURCE[e.source]}: {e.proof}
                      </span>
                    </li>
                  ))}
                </ol>
              </>
            )}
            <form
              className="request-form"
              onSubmit={(e) => {
                e.preventDefault();
                void record();
              }}
            >
              <fieldset>
                <legend>Record an answer they gave</legend>
                <label>
                  Client
                  <ClientSelect
                    clients={clients}
                    value={client}
                    onChange={setClient}
                    none="Every client (opt-out only)"
                    testId="consent-client"
                  />
                </label>
                <label>
                  Channel
                  <select value={channel} onChange={(e) => setChannel(e.target.value as ConsentChannel)} data-testid="consent-channel">
                    {(Object.keys(CONSENT_CHANNEL) as ConsentChannel[]).map((c) => (
                      <option key={c} value={c}>
                        {CONSENT_CHANNEL[c]}
                      </option>
                    ))}
                  </select>
                </label>
                <div role="radiogroup" aria-label="Answer">
                  <label className="choice">
                    <input
                      type="radio"
                      name="consent-answer"
                      checked={!optedIn}
                      onChange={() => setOptedIn(false)}
                      data-testid="consent-opt-out"
                    />
                    Opted out
                  </label>
                  <label className="choice">
                    <input
                      type="radio"
                      name="consent-answer"
                      checked={optedIn}
                      onChange={() => setOptedIn(true)}
                      data-testid="consent-opt-in"
                    />
                    Opted in
                  </label>
                </div>
                <label>
                  How they said it <span className="hint">kept as the entry&apos;s proof</span>
                  <input
                    value={reason}
                    onChange={(e) => setReason(e.target.value)}
                    placeholder="Asked by phone on 3 March"
                    data-testid="consent-reason"
                  />
                </label>
                {optedIn && !client && <p className="hint">An opt-in is given to one business: choose its client.</p>}
                <div className="dialog-actions">
                  <button
                    type="submit"
                    className="primary"
                    disabled={busy || !value.trim() || !reason.trim() || (optedIn && !client)}
                    data-testid="consent-record"
                  >
                    Record
                  </button>
                </div>
              </fieldset>
            </form>
          </div>
        )}
        <div className="dialog-actions">
          <label>
            Client&apos;s register
            <ClientSelect clients={clients} value={exportClient} onChange={setExportClient} testId="consent-export-client" />
          </label>
          <button type="button" onClick={() => void exportRegister()} disabled={busy || !exportClient} data-testid="consent-export">
            Export as CSV…
          </button>
          <span className="spacer" />
          <button type="button" onClick={onClose} disabled={busy}>
            Close
          </button>
        </div>
        {replaceFile.dialog}
      </div>
    </div>
  );
}
