import type { Thread } from "../../api";
import { CHANNEL, plural, when } from "./words";

const ID_KIND = { psid: "scoped id", wa_id: "WhatsApp id", user_id: "WhatsApp user id", phone: "phone" } as const;

/**
 * A thread's participants and its latest messages, oldest first, as they were said; `onEarlier`
 * shows earlier ones, when there are.
 */
export function ThreadPane({ thread, onClose, onEarlier }: { thread: Thread; onClose: () => void; onEarlier: (() => void) | null }) {
  const s = thread.summary;
  return (
    <section className="card thread-pane" aria-labelledby="thread-title" data-testid="thread-pane">
      <header className="editor-header">
        <div>
          <h2 id="thread-title">{s.title}</h2>
          <p className="muted">
            {CHANNEL[s.channel]} · {s.client} · {plural(Number(s.messages), "message")} from {when(s.first_at)} to {when(s.last_at)} ·{" "}
            {s.source}
          </p>
        </div>
        <button type="button" onClick={onClose} title="Esc">
          Close
        </button>
      </header>
      {thread.participants.length > 0 && (
        <p className="muted" data-testid="thread-participants">
          With{" "}
          {thread.participants
            .map((p) => `${p.name ? `${p.name}, ` : ""}${ID_KIND[p.kind]} ${p.id}`)
            .join("; ")}
        </p>
      )}
      {onEarlier && (
        <p className="muted">
          The latest {plural(thread.messages.length, "message")} of {Number(s.messages)}.{" "}
          <button type="button" onClick={onEarlier} data-testid="thread-earlier">
            Show earlier messages
          </button>
        </p>
      )}
      <ol className="messages" aria-label="Messages">
        {thread.messages.map((m) => (
          <li key={m.id} className={m.from_business ? "message ours" : m.kind === "system" ? "message system" : "message"}>
            <div className="muted message-meta">
              {m.from_business ? `${m.author ?? "The business"} (business)` : (m.author ?? "WhatsApp")} · {when(m.sent_at)}
              {m.kind !== "text" && m.kind !== "system" && <span className="badge"> {m.kind}</span>}
            </div>
            <div className="pre">{m.body || <span className="muted">(no words)</span>}</div>
            {m.damaged && <div className="warn">Part of this message was cut or unreadable in the file.</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
