import type { ErasePreview } from "../../api";

export function erasureInWords(p: ErasePreview): string {
  const deletes = p.deletes.length ? p.deletes.map((d) => `${d.count} ${d.label}`).join(", ") : "nothing";
  return `Erasing request ${p.request_id}'s person deletes ${deletes} and puts ${p.suppresses} identifiers on the suppression list.`;
}
