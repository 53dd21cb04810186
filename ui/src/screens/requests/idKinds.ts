import type { IdKind } from "../../api";

export const ID_KINDS: { id: IdKind; label: string }[] = [
  { id: "email", label: "Email" },
  { id: "phone", label: "Phone" },
  { id: "lead_id", label: "Meta lead id" },
  { id: "psid", label: "Page-scoped id" },
  { id: "wa_id", label: "WhatsApp id" },
  { id: "app_user_id", label: "App-scoped user id" },
  { id: "crm_record", label: "CRM record id" },
];

/** The kinds of identifier what is held here can be found by: offered when a search found nothing. */
export const SEARCHABLE = ID_KINDS.filter((k) => k.id === "email" || k.id === "phone" || k.id === "lead_id");
