import { useEffect, useRef } from "react";
import type { ThreadSummary } from "../../api";
import { CHANNEL, plural, when } from "./words";

/**
 * The threads as a list box: arrow keys, Home and End move through them and open the one they
 * reach, so the reading pane follows the keyboard.
 */
export function ThreadList({
  threads,
  selected,
  onSelect,
}: {
  threads: ThreadSummary[];
  selected: number | null;
  onSelect: (id: number) => void;
}) {
  const list = useRef<HTMLUListElement>(null);
  const index = threads.findIndex((t) => t.id === selected);

  useEffect(() => {
    list.current?.querySelector(`[data-thread="${selected}"]`)?.scrollIntoView({ block: "nearest" });
  }, [selected]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const next =
      e.key === "ArrowDown" ? Math.min(index + 1, threads.length - 1)
      : e.key === "ArrowUp" ? Math.max(index - 1, 0)
      : e.key === "Home" ? 0
      : e.key === "End" ? threads.length - 1
      : null;
    const target = next === null ? undefined : threads[next];
    if (!target) return;
    e.preventDefault();
    onSelect(target.id);
  };

  return (
    <ul
      ref={list}
      className="thread-list"
      role="listbox"
      aria-label="Threads"
      tabIndex={0}
      aria-activedescendant={selected === null ? undefined : `thread-${selected}`}
      onKeyDown={onKeyDown}
      data-testid="thread-list"
    >
      {threads.map((t) => (
        <li
          key={t.id}
          id={`thread-${t.id}`}
          data-thread={t.id}
          role="option"
          aria-selected={t.id === selected}
          className={t.id === selected ? "thread active" : "thread"}
          onClick={() => onSelect(t.id)}
          data-testid="thread-row"
        >
          <div className="thread-head">
            <strong>{t.title}</strong>
            <span className={`badge channel-${t.channel}`}>{CHANNEL[t.channel]}</span>
          </div>
          <div className="thread-last">{t.last_text || <span className="muted">no words</span>}</div>
          <div className="muted thread-meta">
            {t.client} · {plural(Number(t.messages), "message")} · last {when(t.last_at)}
          </div>
        </li>
      ))}
    </ul>
  );
}
