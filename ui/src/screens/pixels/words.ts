import type { Grant, GranteeKind, Pixel, PixelTask } from "../../api";

export const PIXEL_TASKS: readonly PixelTask[] = ["ANALYZE", "UPLOAD", "ADVERTISE"];

/** What each task lets a partner business do with a pixel, as Business Manager describes it. */
export const TASK_HINTS: Record<PixelTask, string> = {
  ANALYZE: "see its events and reports",
  UPLOAD: "send it events",
  ADVERTISE: "use it in its ads",
};

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** Whose a pixel is; the backend names relations as text, so one not known here is shown as it came. */
export function relationLabel(relation: string): string {
  if (relation === "owned") return "Own pixel";
  if (relation === "client") return "Client's, shared with the agency";
  return relation;
}

export function granteeKind(grant: Grant): GranteeKind {
  return grant.kind === "ad_account" ? "ad_account" : "business";
}

/** "Business 700100", "Ad account act_900". */
export function granteeLabel(kind: string, id: string): string {
  return `${kind === "ad_account" ? "Ad account" : "Business"} ${id}`;
}

/** How many businesses and ad accounts can reach a pixel. */
export function reachOf(pixel: Pixel): string {
  const count = (kind: string) => pixel.grants.filter((g) => g.kind === kind).length;
  return `${plural(count("business"), "business", "businesses")}, ${plural(count("ad_account"), "ad account")}`;
}
