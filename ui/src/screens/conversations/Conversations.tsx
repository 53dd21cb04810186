import { useCallback, useEffect, useRef, useState } from "react";
import {
  api,
  toCommandError,
  type ChatSyncReport,
  type Client,
  type CommandError,
  type IdKind,
  type Thread,
  type ThreadSummary,
} from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";
import { ConsentRegister } from "./ConsentRegister";
import { ImportChat } from "./ImportChat";
import { ThreadList } from "./ThreadList";
import { ThreadPane } from "./ThreadPane";
import { CHANNEL, plural } from "./words";

/** The person of a thread as the consent register is looked up by. */
function personOf(thread: Thread | null): { kind: IdKind; value: string } | null {
  const p = thread?.participants[0];
  if (!p) return null;
  const kind: IdKind = p.kind === "psid" ? "psid" : p.kind === "phone" ? "phone" : "wa_id";
  return { kind, value: p.id };
}

/** How long typing pauses before the search runs. */
const SEARCH_PAUSE_MS = 250;
/** Threads listed at first, and added by each "Show more". */
const THREAD_PAGE = 200;
/** A thread's latest messages shown at first, and the earlier ones added by each "Show earlier". */
const MESSAGE_PAGE = 500;

function synced(r: ChatSyncReport): string {
  if (r.pages.length === 0) return "No Page is assigned to a client: assign one on the Connections screen.";
  const messages = r.pages.reduce((n, p) => n + Number(p.messages), 0);
  const failed = r.pages.filter((p) => p.problem);
  const read = `Read ${plural(messages, "new message")} from ${plural(new Set(r.pages.map((p) => p.page_id)).size, "Page")}.`;
  return failed.length === 0
    ? read
    : `${read} Not read to the end: ${failed.map((p) => `${p.page} on ${CHANNEL[p.channel]} (${p.problem})`).join("; ")}. What was read is kept.`;
}

/**
 * A client's Messenger, Instagram and WhatsApp threads: searched by their words, read in a pane,
 * imported from WhatsApp's exports and webhook archives, and synced from Meta. Keyboard first:
 * "/" searches, the arrow keys move through the threads, Escape closes the pane.
 */
export function Conversations() {
  const [clients, setClients] = useState<Client[]>([]);
  const [client, setClient] = useState("");
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [threads, setThreads] = useState<ThreadSummary[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [thread, setThread] = useState<Thread | null>(null);
  // How far the list and the open thread were widened, for the list and thread they were widened
  // in: another client, search or thread starts from the first page again.
  const [more, setMore] = useState({ of: "", threads: THREAD_PAGE });
  const [earlier, setEarlier] = useState({ of: -1, messages: MESSAGE_PAGE });
  const [importing, setImporting] = useState(false);
  const [consent, setConsent] = useState(false);
  const [syncing, setSyncing] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);

  useEffect(() => {
    api.clients.list().then(setClients, (e: unknown) => setError(toCommandError(e)));
  }, []);

  useEffect(() => {
    const t = window.setTimeout(() => setSearch(typed.trim()), SEARCH_PAUSE_MS);
    return () => window.clearTimeout(t);
  }, [typed]);

  const listing = `${client}\u0000${search}`;
  const listed = more.of === listing ? more.threads : THREAD_PAGE;
  const messagesShown = earlier.of === selected ? earlier.messages : MESSAGE_PAGE;

  useEffect(() => {
    let live = true;
    api.chat.list(client || null, search || null, listed).then(
      (found) => {
        if (!live) return;
        setThreads(found);
        setSelected((s) => (s !== null && found.some((t) => t.id === s) ? s : null));
      },
      (e: unknown) => live && setError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [client, search, listed, generation]);

  // The latest messages, by the count the list gave: a long thread opens at its end.
  const count = threads?.find((t) => t.id === selected)?.messages ?? 0;
  useEffect(() => {
    if (selected === null) return;
    let live = true;
    const failed = (e: unknown) => {
      if (!live) return;
      const err = toCommandError(e);
      // Erased or purged since it was listed: the list is read again.
      if (err.code === "not_found") setGeneration((g) => g + 1);
      setError(err);
    };
    const latest = (total: number) => api.chat.show(selected, messagesShown, Math.max(0, total - messagesShown));
    latest(Number(count)).then((t) => {
      if (!live) return;
      // Messages came or went since the list was read (an import from the command line, a
      // purge): the latest are those of the thread's own count, read again by it.
      const total = Number(t.summary.messages);
      if (total === Number(count)) setThread(t);
      else latest(total).then((u) => live && setThread(u), failed);
    }, failed);
    return () => {
      live = false;
    };
  }, [selected, count, messagesShown, generation]);

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
      if (e.key === "/" && !typing && !importing && !consent) {
        e.preventDefault();
        searchBox.current?.focus();
      } else if (e.key === "Escape" && !importing && !consent && selected !== null) {
        setSelected(null);
      }
    },
    [importing, consent, selected],
  );

  useEffect(() => {
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onKey]);

  // The pane shows the thread read for the one selected, never one read before.
  const open = thread !== null && thread.summary.id === selected ? thread : null;

  const sync = async () => {
    setSyncing(true);
    setError(null);
    setStatus("");
    try {
      setStatus(synced(await api.chat.sync(client || null)));
      setGeneration((g) => g + 1);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setSyncing(false);
    }
  };

  return (
    <section aria-labelledby="conversations-title" data-testid="conversations">
      <header className="page-header">
        <h1 id="conversations-title">Conversations</h1>
        <p className="muted">
          Messenger, Instagram and WhatsApp threads held about people, as personal data like the leads: requests find, export and
          erase them, and retention ages them from their last message.
        </p>
      </header>
      <div className="toolbar">
        <label>
          Client
          <ClientSelect clients={clients} value={client} onChange={setClient} none="All clients" testId="chat-client" />
        </label>
        <input
          ref={searchBox}
          type="search"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder="Search the messages  ( / )"
          aria-label="Search the messages"
          data-testid="chat-search"
        />
        <span className="spacer" />
        <button type="button" onClick={() => setConsent(true)} data-testid="consent-open">
          Consent register…
        </button>
        <button type="button" onClick={() => void sync()} disabled={syncing} data-testid="chat-sync">
          {syncing ? "Reading from Meta…" : "Sync from Meta"}
        </button>
        <button type="button" className="primary" onClick={() => setImporting(true)} disabled={clients.length === 0} data-testid="chat-import-open">
          Import a file…
        </button>
      </div>
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite" data-testid="chat-status">
        {status}
      </p>
      {threads === null ? (
        <p className="muted">Loading…</p>
      ) : threads.length === 0 ? (
        search ? (
          <div className="empty" data-testid="chat-none-found">
            <h2>No thread holds “{search}”</h2>
            <p>The search looks for every word in the messages{client ? ` of ${client}` : ""}.</p>
          </div>
        ) : (
          <div className="empty" data-testid="chat-empty">
            <h2>{client ? `No conversations of ${client} yet` : "No conversations yet"}</h2>
            <p>
              Import WhatsApp&apos;s own &ldquo;Export chat&rdquo; file (the text, or the ZIP with media) or an archive of WhatsApp
              webhook payloads, or sync the Messenger and Instagram threads of the Pages assigned to clients.
            </p>
            {clients.length === 0 && <p>Add a client first, on the Clients screen.</p>}
          </div>
        )
      ) : (
        <div className="conversations">
          <div>
            <ThreadList threads={threads} selected={selected} onSelect={setSelected} />
            {threads.length >= listed && (
              <button type="button" onClick={() => setMore({ of: listing, threads: listed + THREAD_PAGE })} data-testid="chat-more">
                Show more threads
              </button>
            )}
          </div>
          {open ? (
            <ThreadPane
              thread={open}
              onClose={() => setSelected(null)}
              onEarlier={open.messages.length < Number(open.summary.messages) ? () => setEarlier({ of: open.summary.id, messages: messagesShown + MESSAGE_PAGE }) : null}
            />
          ) : (
            <p className="hint">
              {plural(threads.length, "thread")}. Open one to read it; the arrow keys move through them.
            </p>
          )}
        </div>
      )}
      {consent && (
        <ConsentRegister clients={clients} client={client} person={personOf(open)} onClose={() => setConsent(false)} />
      )}
      {importing && (
        <ImportChat
          clients={clients}
          client={client}
          onDone={() => setGeneration((g) => g + 1)}
          onClose={() => setImporting(false)}
        />
      )}
    </section>
  );
}
