import { useEffect, useRef, useState } from "react";
import { api, toCommandError, type ChatImport, type Client, type CommandError, type DateOrder } from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";
import { useEscape } from "../../components/useEscape";
import { pickChatFile } from "../../files";


/** `±HH:MM` as minutes east of UTC, or `null` when it is not one. */
function offsetMinutes(text: string): number | null {
  const m = /^([+-])(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return text.trim() === "" ? 0 : null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return Number(m[3]) < 60 && minutes <= 14 * 60 ? (m[1] === "-" ? -minutes : minutes) : null;
}

/**
 * Importing a WhatsApp export or a webhook archive into a client's conversations. What the file
 * is comes from what it holds; for an export, who it is with can be named by number, so that a
 * request by phone finds it.
 */
export function ImportChat({
  clients,
  client: initial,
  onDone,
  onClose,
}: {
  clients: Client[];
  client: string;
  onDone: (report: ChatImport) => void;
  onClose: () => void;
}) {
  const [client, setClient] = useState(initial || (clients[0]?.name ?? ""));
  const [path, setPath] = useState("");
  const [phone, setPhone] = useState("");
  const [name, setName] = useState("");
  const [business, setBusiness] = useState("");
  const [offset, setOffset] = useState("");
  const [dateOrder, setDateOrder] = useState<DateOrder | "">("");
  const dateOrderField = useRef<HTMLSelectElement>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ChatImport | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  useEscape(() => (busy ? void api.leads.cancelImport() : onClose()));

  // The file's dates read either way: the question is the date field, so that is where to go
  // once the form is usable again.
  const askedDateOrder = error?.code === "date_order" && !busy;
  useEffect(() => {
    if (askedDateOrder) dateOrderField.current?.focus();
  }, [askedDateOrder]);

  const minutes = offsetMinutes(offset);
  const run = async () => {
    if (minutes === null) return;
    setBusy(true);
    setError(null);
    try {
      const done = await api.chat.import(client, path.trim(), {
        phone: phone.trim() || null,
        wa_id: null,
        name: name.trim() || null,
        business_name: business.trim() || null,
        utc_offset_minutes: minutes,
        date_order: dateOrder || null,
      });
      setReport(done);
      onDone(done);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="backdrop">
      <div className="dialog wide" role="dialog" aria-modal="true" aria-labelledby="chat-import-title" data-testid="chat-import">
        <h2 id="chat-import-title">Import conversations</h2>
        {report ? (
          <div data-testid="chat-import-summary">
            <p>
              {report.cancelled ? "Cancelled" : "Imported"} {report.file_name} (
              {report.kind === "whatsapp_export" ? "WhatsApp export" : "webhook archive"}) into {report.client}.
            </p>
            <table className="figures">
              <tbody>
                <tr><th scope="row">New messages</th><td>{Number(report.messages)}</td></tr>
                <tr><th scope="row">New threads</th><td>{Number(report.threads)}</td></tr>
                <tr><th scope="row">Already held</th><td>{Number(report.already_held)}</td></tr>
                {Number(report.erased) > 0 && (
                  <tr><th scope="row">Of erased people</th><td>{Number(report.erased)} not imported</td></tr>
                )}
                {Number(report.consent) > 0 && (
                  <tr><th scope="row">Consent answers</th><td>{Number(report.consent)} STOP or START messages recorded</td></tr>
                )}
                <tr><th scope="row">Bad lines</th><td>{Number(report.rejected)}</td></tr>
              </tbody>
            </table>
            {report.rejections.length > 0 && (
              <ul className="rejections">
                {report.rejections.map((r) => (
                  <li key={Number(r.line)}>line {Number(r.line)}: {r.reason}</li>
                ))}
              </ul>
            )}
            {report.stopped && <p className="error">Reading stopped before the end: {report.stopped}. What was read before is kept.</p>}
            <div className="dialog-actions">
              <button type="button" className="primary" onClick={onClose} autoFocus>
                Done
              </button>
            </div>
          </div>
        ) : (
          <form
            className="request-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run();
            }}
          >
            <label>
              Client
              <ClientSelect clients={clients} value={client} onChange={setClient} disabled={busy} testId="chat-import-client" />
            </label>
            <label>
              File
              <span className="inline-form">
                <input
                  value={path}
                  onChange={(e) => {
                    setPath(e.target.value);
                    // An order said for one file is no answer for another.
                    setDateOrder("");
                  }}
                  placeholder="WhatsApp Chat with … .txt or .zip, or a .jsonl webhook archive"
                  aria-label="File"
                  data-testid="chat-import-path"
                  autoFocus
                />
                <button
                  type="button"
                  onClick={() =>
                    void pickChatFile().then((p) => {
                      if (p) {
                        setPath(p);
                        setDateOrder("");
                      }
                    })
                  }
                  disabled={busy}
                >
                  Browse…
                </button>
              </span>
            </label>
            <fieldset>
              <legend>For a WhatsApp export</legend>
              <label>
                Their phone number <span className="hint">with its country code, so that a request by phone finds the chat</span>
                <input value={phone} onChange={(e) => setPhone(e.target.value)} placeholder="+44 7911 123456" data-testid="chat-import-phone" />
              </label>
              <label>
                Their name <span className="hint">where the file&apos;s name does not say it</span>
                <input value={name} onChange={(e) => setName(e.target.value)} />
              </label>
              <label>
                The business&apos;s own name in the chat
                <input value={business} onChange={(e) => setBusiness(e.target.value)} placeholder="Acme Shoes" data-testid="chat-import-business" />
              </label>
              <label>
                The phone&apos;s offset from UTC <span className="hint">its times are local; ±HH:MM, UTC when empty</span>
                <input value={offset} onChange={(e) => setOffset(e.target.value)} placeholder="+01:00" aria-invalid={minutes === null} />
              </label>
              {minutes === null && <p className="error-text">Write the offset as ±HH:MM, such as +01:00 or -05:00.</p>}
              <label>
                Dates in the file <span className="hint">needed only when they read either way: every day 12 or under, in order both ways</span>
                <select
                  ref={dateOrderField}
                  value={dateOrder}
                  onChange={(e) => setDateOrder(e.target.value as DateOrder | "")}
                  aria-invalid={error?.code === "date_order"}
                  data-testid="chat-import-date-order"
                >
                  <option value="">As the file shows them</option>
                  <option value="day_first">Day first (31/12/2026)</option>
                  <option value="month_first">Month first (12/31/2026)</option>
                </select>
              </label>
            </fieldset>
            <ErrorNote error={error} />
            <div className="dialog-actions">
              {busy ? (
                <button type="button" onClick={() => void api.leads.cancelImport()}>
                  Cancel import
                </button>
              ) : (
                <button type="button" onClick={onClose}>
                  Close
                </button>
              )}
              <button type="submit" className="primary" disabled={busy || !client || !path.trim() || minutes === null} data-testid="chat-import-run">
                {busy ? "Importing…" : "Import"}
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}

