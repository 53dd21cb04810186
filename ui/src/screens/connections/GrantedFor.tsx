import type { Targets } from "../../api";

/** What a permission's ids name, singular and plural. Meta's answer does not say, so it is known by the permission. */
function objectsOf(scope: string): [string, string] | null {
  if (scope === "leads_retrieval" || scope.startsWith("pages_")) return ["Page", "Pages"];
  if (scope.startsWith("whatsapp_")) return ["WhatsApp account", "WhatsApp accounts"];
  if (scope === "business_management") return ["business", "businesses"];
  return null;
}

/** "Pages 111, 222", or the bare ids when what they name is not known. */
function targetsInWords({ scope, target_ids: ids }: Targets): string {
  const objects = objectsOf(scope);
  const list = ids.join(", ");
  return objects ? `${objects[ids.length === 1 ? 0 : 1]} ${list}` : list;
}

/**
 * The permissions granted for some objects only. A Page left out at login is not reached though
 * the permission is listed with the rest, and this is where that shows.
 */
export function GrantedFor({ targets }: { targets: Targets[] }) {
  if (targets.length === 0) return null;
  return (
    <ul className="granted-for" data-testid="granted-for">
      {targets.map((t) => (
        <li key={t.scope}>
          {t.scope}: only {targetsInWords(t)}
        </li>
      ))}
    </ul>
  );
}
