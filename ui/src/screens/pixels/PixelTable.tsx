import type { KeyboardEvent } from "react";
import type { Pixel } from "../../api";
import { When } from "./When";
import { reachOf, relationLabel } from "./words";

/** The pixels, one a row: Up and Down move between rows, Enter (or a click) opens the one in focus. */
export function PixelTable({ pixels, selected, onSelect }: { pixels: Pixel[]; selected: string | null; onSelect: (id: string) => void }) {
  const onKey = (e: KeyboardEvent<HTMLTableRowElement>, pixel: Pixel) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      onSelect(pixel.id);
      return;
    }
    const next =
      e.key === "ArrowDown" ? e.currentTarget.nextElementSibling : e.key === "ArrowUp" ? e.currentTarget.previousElementSibling : null;
    if (next instanceof HTMLElement) {
      e.preventDefault();
      next.focus();
    }
  };

  return (
    <table className="table pixels" aria-labelledby="pixels-title" data-testid="pixels-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Pixel</th>
          <th scope="col">Relation</th>
          <th scope="col">Business</th>
          <th scope="col">Client</th>
          <th scope="col">Last fired</th>
          <th scope="col">Can reach it</th>
        </tr>
      </thead>
      <tbody>
        {pixels.map((p) => (
          <tr
            key={p.id}
            className={p.id === selected ? "selected" : undefined}
            onClick={() => onSelect(p.id)}
            onKeyDown={(e) => onKey(e, p)}
            tabIndex={0}
            aria-selected={p.id === selected}
            data-testid="pixel-row"
            data-pixel={p.id}
          >
            <td>{p.name}</td>
            <td>
              <code>{p.id}</code>
            </td>
            <td>{relationLabel(p.relation)}</td>
            <td>{p.business_id}</td>
            <td>{p.client ?? "—"}</td>
            <td>{p.last_fired_time === null ? <span className="muted">never</span> : <When at={p.last_fired_time} />}</td>
            <td>{reachOf(p)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
