import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { api, toCommandError, type CommandError, type Filter, type LeadRow, type Order, type SortBy } from "../api";

const ROW_HEIGHT = 36;
const PAGE = 100;

const COLUMNS: { by: SortBy; label: string; cell: (r: LeadRow) => string; width: string }[] = [
  { by: "created", label: "Created", cell: (r) => r.created_time.replace("T", " ").slice(0, 16), width: "10.5rem" },
  { by: "name", label: "Name", cell: (r) => r.full_name, width: "minmax(9rem, 1.2fr)" },
  { by: "email", label: "Email", cell: (r) => r.email, width: "minmax(11rem, 1.4fr)" },
  { by: "phone", label: "Phone", cell: (r) => r.phone, width: "9rem" },
  { by: "form", label: "Form", cell: (r) => r.form_name, width: "minmax(8rem, 1fr)" },
  { by: "campaign", label: "Campaign", cell: (r) => r.campaign_name, width: "minmax(8rem, 1fr)" },
  { by: "platform", label: "Platform", cell: (r) => (r.platform === "ig" ? "Instagram" : r.platform === "fb" ? "Facebook" : r.platform), width: "6rem" },
  { by: "status", label: "Status", cell: (r) => (r.is_test ? "test lead" : r.lead_status), width: "6.5rem" },
];
const GRID = COLUMNS.map((c) => c.width).join(" ");

type Props = {
  filter: Filter;
  order: Order;
  total: number;
  selected: number | null;
  onSort: (by: SortBy) => void;
  onOpen: (id: number) => void;
};

/**
 * The review table. Only the rows in view are rendered, and only the pages they fall on are
 * fetched, so it scrolls through a million leads as easily as through ten. Remount it (a new `key`)
 * when the filter or order changes.
 */
export function LeadTable({ filter, order, total, selected, onSort, onOpen }: Props) {
  const [pages, setPages] = useState<Map<number, LeadRow[]>>(() => new Map());
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);
  const [cursor, setCursor] = useState(0);
  const [error, setError] = useState<CommandError | null>(null);
  const requested = useRef(new Set<number>());
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight || 480));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.floor(scrollTop / ROW_HEIGHT);
  const last = Math.min(total, first + Math.ceil(height / ROW_HEIGHT) + 2);

  const load = useCallback(
    (page: number) => {
      if (requested.current.has(page)) return;
      requested.current.add(page);
      // Scrolling on from a loaded page continues after its last row (keyset); a jump uses the offset.
      const before = pages.get(page - 1);
      const tail = before?.[before.length - 1];
      const after = tail ? { value: tail.sort_value, id: tail.id } : null;
      api.leads
        .page(filter, order, { limit: PAGE, offset: page * PAGE, after })
        .then((p) => setPages((old) => new Map(old).set(page, p.rows)))
        .catch((e: unknown) => {
          requested.current.delete(page);
          setError(toCommandError(e));
        });
    },
    [filter, order, pages],
  );

  useEffect(() => {
    for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last - 1) / PAGE); p++) {
      if (p * PAGE < total && !pages.has(p)) load(p);
    }
  }, [first, last, total, pages, load]);

  const rowAt = (i: number) => pages.get(Math.floor(i / PAGE))?.[i % PAGE];

  const onKey = (e: KeyboardEvent) => {
    const step = e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : e.key === "PageDown" ? 10 : e.key === "PageUp" ? -10 : 0;
    if (step !== 0) {
      e.preventDefault();
      const next = Math.max(0, Math.min(total - 1, cursor + step));
      setCursor(next);
      const el = box.current;
      if (el) {
        if (next * ROW_HEIGHT < el.scrollTop) el.scrollTop = next * ROW_HEIGHT;
        if ((next + 1) * ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = (next + 1) * ROW_HEIGHT - el.clientHeight;
      }
    } else if (e.key === "Enter") {
      const row = rowAt(cursor);
      if (row) onOpen(row.id);
    }
  };

  return (
    <div className="lead-table" role="grid" aria-rowcount={total} aria-label="Leads">
      <div className="lead-inner">
      <div className="lead-head" role="row" style={{ gridTemplateColumns: GRID }}>
        {COLUMNS.map((c) => (
          <button
            key={c.by}
            type="button"
            role="columnheader"
            aria-sort={order.by === c.by ? (order.descending ? "descending" : "ascending") : "none"}
            onClick={() => onSort(c.by)}
          >
            {c.label}
            {order.by === c.by ? (order.descending ? " ▼" : " ▲") : ""}
          </button>
        ))}
      </div>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      <div
        className="lead-body"
        ref={box}
        tabIndex={0}
        onKeyDown={onKey}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        data-testid="lead-rows"
      >
        <div style={{ height: total * ROW_HEIGHT, position: "relative" }}>
          {Array.from({ length: Math.max(0, last - first) }, (_, k) => {
            const i = first + k;
            const row = rowAt(i);
            const classes = ["lead-row", i === cursor ? "cursor" : "", row && row.id === selected ? "selected" : ""].join(" ");
            return (
              <div
                key={i}
                role="row"
                aria-rowindex={i + 1}
                className={classes}
                style={{ top: i * ROW_HEIGHT, height: ROW_HEIGHT, gridTemplateColumns: GRID }}
                onClick={() => {
                  setCursor(i);
                  if (row) onOpen(row.id);
                }}
                data-testid={row ? "lead-row" : undefined}
              >
                {row ? COLUMNS.map((c) => <span key={c.by} role="gridcell">{c.cell(row)}</span>) : <span className="muted">Loading…</span>}
              </div>
            );
          })}
        </div>
      </div>
      </div>
    </div>
  );
}
