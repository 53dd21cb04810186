// The one place the UI talks to the backend. Every call is typed by the bindings generated from
// the Rust DTOs; every failure becomes a CommandError whose `code` the screens switch on.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { ApiError } from "./bindings/ApiError";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { Client } from "./bindings/Client";
import type { Code } from "./bindings/Code";
import type { Holdings } from "./bindings/Holdings";
import type { Overview } from "./bindings/Overview";
import type { Removal } from "./bindings/Removal";
import type { Verification } from "./bindings/Verification";
import type { Export } from "./bindings/Export";
import type { Filter } from "./bindings/Filter";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { LeadDetail } from "./bindings/LeadDetail";
import type { LeadPage } from "./bindings/LeadPage";
import type { LeadRow } from "./bindings/LeadRow";
import type { Order } from "./bindings/Order";
import type { PageRequest } from "./bindings/PageRequest";
import type { Progress } from "./bindings/Progress";
import type { SortBy } from "./bindings/SortBy";
import type { Discovery } from "./bindings/Discovery";
import type { Erased } from "./bindings/Erased";
import type { IdKind } from "./bindings/IdKind";
import type { Identifier } from "./bindings/Identifier";
import type { Package } from "./bindings/Package";
import type { Rectified } from "./bindings/Rectified";
import type { Request } from "./bindings/Request";
import type { RequestForm } from "./bindings/RequestForm";
import type { RequestKind } from "./bindings/RequestKind";
import type { RequestUrgency } from "./bindings/RequestUrgency";
import type { AgeBand } from "./bindings/AgeBand";
import type { Hold } from "./bindings/Hold";
import type { HoldForm } from "./bindings/HoldForm";
import type { Purged } from "./bindings/Purged";
import type { PurgeReport } from "./bindings/PurgeReport";
import type { PurgeRun } from "./bindings/PurgeRun";
import type { PurgeSchedule } from "./bindings/PurgeSchedule";
import type { Review } from "./bindings/Review";

export type {
  AgeBand,
  Hold,
  HoldForm,
  Purged,
  PurgeReport,
  PurgeRun,
  PurgeSchedule,
  Review,
  ApiError,
  AuditEntry,
  Client,
  Code,
  Discovery,
  Erased,
  Export,
  IdKind,
  Identifier,
  Package,
  Rectified,
  Request,
  RequestForm,
  RequestKind,
  RequestUrgency,
  Filter,
  Holdings,
  ImportSummary,
  LeadDetail,
  LeadPage,
  LeadRow,
  Order,
  Overview,
  PageRequest,
  Progress,
  Removal,
  SortBy,
  Verification,
};

export type ErrorCode = Code | "unknown";

const KNOWN_CODES: readonly Code[] = [
  "invalid_input",
  "not_found",
  "conflict",
  "confirmation_required",
  "keychain_unavailable",
  "key_missing",
  "database_unreadable",
  "file_unreadable",
  "data_dir_unusable",
  "internal",
];

export class CommandError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Codes that mean the workspace itself could not be opened: nothing else will work until fixed. */
export const WORKSPACE_CODES: readonly ErrorCode[] = [
  "keychain_unavailable",
  "key_missing",
  "database_unreadable",
  "file_unreadable",
  "data_dir_unusable",
];

export function toCommandError(e: unknown): CommandError {
  if (e instanceof CommandError) return e;
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const { code, message } = e as ApiError;
    const known = (KNOWN_CODES as readonly string[]).includes(code) ? code : "unknown";
    return new CommandError(known, String(message));
  }
  return new CommandError("unknown", e instanceof Error ? e.message : String(e));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toCommandError(e);
  }
}

export const api = {
  overview: () => call<Overview>("overview"),
  clients: {
    list: () => call<Client[]>("list_clients"),
    add: (name: string, country?: string) => call<Client>("add_client", { name, country: country ?? null }),
    rename: (old: string, next: string) => call<Client>("rename_client", { old, new: next }),
    holdings: (name: string) => call<Holdings>("client_holdings", { name }),
    remove: (name: string) => call<Removal>("remove_client", { name, confirmed: true }),
  },
  leads: {
    import: (path: string, client: string, onProgress: (p: Progress) => void) => {
      const channel = new Channel<Progress>();
      channel.onmessage = onProgress;
      return call<ImportSummary>("import_file", { path, client, onProgress: channel });
    },
    cancelImport: () => call<boolean>("cancel_import"),
    page: (filter: Filter, order: Order, page: PageRequest) => call<LeadPage>("leads_page", { filter, order, page }),
    count: (filter: Filter) => call<number>("leads_count", { filter }),
    detail: (id: number) => call<LeadDetail>("lead_detail", { id }),
    export: (filter: Filter, path: string) => call<Export>("export_leads", { filter, path }),
  },
  requests: {
    list: () => call<Request[]>("list_requests"),
    create: (form: RequestForm) => call<Request>("new_request", { form }),
    find: (id: number, widen: boolean) => call<Discovery>("find_for_request", { id, widen }),
    advance: (id: number, to: string, note?: string) => call<Request>("advance_request", { id, to, note: note ?? null }),
    extend: (id: number, reason: string) => call<Request>("extend_request", { id, reason }),
    close: (id: number, outcome: "completed" | "denied", reason?: string) =>
      call<Request>("close_request", { id, outcome, reason: reason ?? null }),
    export: (id: number, path: string) => call<Package>("export_request", { id, path }),
    erase: (id: number, confirmed: boolean) => call<Erased>("erase_request", { id, confirmed }),
    restrict: (id: number) => call<Request>("restrict_request", { id }),
    rectify: (id: number, field: string, value: string) => call<Rectified>("rectify_request", { id, field, value }),
    fromSignedRequest: (signed: string) => call<Request>("request_from_signed_request", { signed }),
    processingInfo: () => call<[string, string][]>("processing_info"),
    setProcessingInfo: (key: string, text: string) => call<[string, string][]>("set_processing_info", { key, text }),
  },
  retention: {
    review: (client?: string) => call<Review[]>("retention_review", { client: client ?? null }),
    set: (kind: string, days: number, client: string | null, reason: string) =>
      call<Review[]>("set_retention", { kind, days, client, reason }),
    holds: () => call<Hold[]>("list_holds"),
    addHold: (form: HoldForm) => call<Hold>("add_hold", { form }),
    removeHold: (id: number) => call<null>("remove_hold", { id }),
    purge: (dryRun: boolean) => call<PurgeReport>("purge_retention", { dryRun }),
    schedule: () => call<PurgeSchedule>("purge_schedule"),
  },
  audit: {
    list: (limit: number, before?: number) => call<AuditEntry[]>("audit_list", { limit, before: before ?? null }),
    verify: () => call<Verification>("audit_verify"),
  },
};

export type Api = typeof api;
