// The one place the UI talks to the backend. Every call is typed by the bindings generated from
// the Rust DTOs; every failure becomes a CommandError whose `code` the screens switch on.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { ApiError } from "./bindings/ApiError";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { Client } from "./bindings/Client";
import type { Code } from "./bindings/Code";
import type { DataKind } from "./bindings/DataKind";
import type { Elsewhere } from "./bindings/Elsewhere";
import type { Held } from "./bindings/Held";
import type { HeldRecord } from "./bindings/HeldRecord";
import type { Holding } from "./bindings/Holding";
import type { Holdings } from "./bindings/Holdings";
import type { Overview } from "./bindings/Overview";
import type { Removal } from "./bindings/Removal";
import type { Verification } from "./bindings/Verification";
import type { Export } from "./bindings/Export";
import type { Filter } from "./bindings/Filter";
import type { ImportRecord } from "./bindings/ImportRecord";
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
import type { ErasePreview } from "./bindings/ErasePreview";
import type { IdKind } from "./bindings/IdKind";
import type { Identifier } from "./bindings/Identifier";
import type { Package } from "./bindings/Package";
import type { Receipt } from "./bindings/Receipt";
import type { Rectified } from "./bindings/Rectified";
import type { RemoteStep } from "./bindings/RemoteStep";
import type { Request } from "./bindings/Request";
import type { RequestForm } from "./bindings/RequestForm";
import type { RequestKind } from "./bindings/RequestKind";
import type { RequestStatus } from "./bindings/RequestStatus";
import type { Outcome } from "./bindings/Outcome";
import type { RequestUrgency } from "./bindings/RequestUrgency";
import type { AgeBand } from "./bindings/AgeBand";
import type { Hold } from "./bindings/Hold";
import type { HoldForm } from "./bindings/HoldForm";
import type { Purged } from "./bindings/Purged";
import type { PurgeReport } from "./bindings/PurgeReport";
import type { PurgeRun } from "./bindings/PurgeRun";
import type { PurgeSchedule } from "./bindings/PurgeSchedule";
import type { Review } from "./bindings/Review";
import type { Disconnected } from "./bindings/Disconnected";
import type { MetaApp } from "./bindings/MetaApp";
import type { MetaAppForm } from "./bindings/MetaAppForm";
import type { MetaConnection } from "./bindings/MetaConnection";
import type { LoggedIn } from "./bindings/LoggedIn";
import type { Targets } from "./bindings/Targets";
import type { MetaForm } from "./bindings/MetaForm";
import type { MetaPage } from "./bindings/MetaPage";
import type { RefreshedForms } from "./bindings/RefreshedForms";
import type { RefreshedPages } from "./bindings/RefreshedPages";
import type { ChatChannel } from "./bindings/ChatChannel";
import type { ChatFileKind } from "./bindings/ChatFileKind";
import type { ChatImport } from "./bindings/ChatImport";
import type { ChatSynced } from "./bindings/ChatSynced";
import type { ChatSyncReport } from "./bindings/ChatSyncReport";
import type { ChatWith } from "./bindings/ChatWith";
import type { DateOrder } from "./bindings/DateOrder";
import type { ConsentChange } from "./bindings/ConsentChange";
import type { ConsentChannel } from "./bindings/ConsentChannel";
import type { ConsentEntry } from "./bindings/ConsentEntry";
import type { ConsentOf } from "./bindings/ConsentOf";
import type { ConsentSource } from "./bindings/ConsentSource";
import type { ConsentState } from "./bindings/ConsentState";
import type { Participant } from "./bindings/Participant";
import type { ParticipantId } from "./bindings/ParticipantId";
import type { ShownMessage } from "./bindings/ShownMessage";
import type { Thread } from "./bindings/Thread";
import type { ThreadSummary } from "./bindings/ThreadSummary";
import type { FormSynced } from "./bindings/FormSynced";
import type { SyncProgress } from "./bindings/SyncProgress";
import type { SyncReport } from "./bindings/SyncReport";
import type { TokenHealth } from "./bindings/TokenHealth";
import type { ConnectionPush } from "./bindings/ConnectionPush";
import type { Counts } from "./bindings/Counts";
import type { Crm } from "./bindings/Crm";
import type { CrmApp } from "./bindings/CrmApp";
import type { CrmAppForm } from "./bindings/CrmAppForm";
import type { CrmConnection } from "./bindings/CrmConnection";
import type { CrmForm } from "./bindings/CrmForm";
import type { CrmPreview } from "./bindings/CrmPreview";
import type { Field } from "./bindings/Field";
import type { FieldKind } from "./bindings/FieldKind";
import type { KeptMapping } from "./bindings/KeptMapping";
import type { LeadResult } from "./bindings/LeadResult";
import type { Mapping } from "./bindings/Mapping";
import type { Push } from "./bindings/Push";
import type { PushFailure } from "./bindings/PushFailure";
import type { PushLog } from "./bindings/PushLog";
import type { PushProgress } from "./bindings/PushProgress";
import type { PushReport } from "./bindings/PushReport";
import type { Rule } from "./bindings/Rule";
import type { Schema } from "./bindings/Schema";
import type { SignIn } from "./bindings/SignIn";
import type { Transform } from "./bindings/Transform";
import type { BulkRow } from "./bindings/BulkRow";
import type { Grant } from "./bindings/Grant";
import type { Grantee } from "./bindings/Grantee";
import type { Operation } from "./bindings/Operation";
import type { Pixel } from "./bindings/Pixel";
import type { PixelBulk } from "./bindings/PixelBulk";
import type { PixelChange } from "./bindings/PixelChange";
import type { Audience } from "./bindings/Audience";
import type { LockStatus } from "./bindings/LockStatus";
import type { Breach } from "./bindings/Breach";
import type { BreachForm } from "./bindings/BreachForm";
import type { Counted } from "./bindings/Counted";
import type { Details } from "./bindings/Details";
import type { DetailsChange } from "./bindings/DetailsChange";
import type { KindCount } from "./bindings/KindCount";
import type { Notice } from "./bindings/Notice";
import type { Standing } from "./bindings/Standing";

export type {
  LockStatus,
  Audience,
  Breach,
  BreachForm,
  Counted,
  Details,
  DetailsChange,
  KindCount,
  Notice,
  Standing,
  ConsentChange,
  ConsentChannel,
  ConsentEntry,
  ConsentOf,
  ConsentSource,
  ConsentState,
  ChatChannel,
  ChatFileKind,
  ChatImport,
  ChatSynced,
  ChatSyncReport,
  ChatWith,
  DateOrder,
  Participant,
  ParticipantId,
  ShownMessage,
  Thread,
  ThreadSummary,
  BulkRow,
  Grant,
  Grantee,
  Operation,
  Pixel,
  PixelBulk,
  PixelChange,
  ConnectionPush,
  Counts,
  Crm,
  CrmApp,
  CrmAppForm,
  CrmConnection,
  CrmForm,
  CrmPreview,
  Field,
  FieldKind,
  KeptMapping,
  LeadResult,
  Mapping,
  Push,
  PushFailure,
  PushLog,
  PushProgress,
  PushReport,
  Rule,
  Schema,
  SignIn,
  Transform,
  AgeBand,
  Hold,
  HoldForm,
  Purged,
  PurgeReport,
  PurgeRun,
  PurgeSchedule,
  Review,
  Disconnected,
  MetaApp,
  MetaAppForm,
  MetaConnection,
  LoggedIn,
  Targets,
  MetaForm,
  MetaPage,
  RefreshedForms,
  RefreshedPages,
  FormSynced,
  SyncProgress,
  SyncReport,
  TokenHealth,
  ApiError,
  AuditEntry,
  Client,
  Code,
  DataKind,
  Discovery,
  Elsewhere,
  Erased,
  ErasePreview,
  Export,
  Held,
  HeldRecord,
  Holding,
  IdKind,
  Identifier,
  Package,
  Receipt,
  Rectified,
  RemoteStep,
  Request,
  RequestForm,
  RequestKind,
  RequestStatus,
  Outcome,
  RequestUrgency,
  Filter,
  Holdings,
  ImportRecord,
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

/** What became of a lead in a push, as the push log filters by it. */
export type PushStatus = "created" | "updated" | "failed";

/** What a partner business may do with a pixel. */
export type PixelTask = "ANALYZE" | "UPLOAD" | "ADVERTISE";

/** Who can reach a pixel, as a grant's `kind` says. */
export type GranteeKind = "business" | "ad_account";

// Every code the bindings name, checked by the compiler: a code added in Rust fails the type check
// here until the UI knows it (and, until then, would be mapped to "unknown").
const CODES: Record<Code, true> = {
  invalid_input: true,
  not_found: true,
  conflict: true,
  held: true,
  nothing_found: true,
  date_order: true,
  confirmation_required: true,
  secret_missing: true,
  token_invalid: true,
  remote_unavailable: true,
  remote_refused: true,
  keychain_unavailable: true,
  key_missing: true,
  database_unreadable: true,
  file_unreadable: true,
  data_dir_unusable: true,
  file_exists: true,
  cancelled: true,
  locked: true,
  try_later: true,
  internal: true,
};
const KNOWN_CODES = Object.keys(CODES) as readonly Code[];

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

/** Told when the backend refuses a call because the window is locked: the app shows its lock. */
export const LOCKED_EVENT = "custodian-locked";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    const err = toCommandError(e);
    if (err.code === "locked") window.dispatchEvent(new Event(LOCKED_EVENT));
    throw err;
  }
}

export const api = {
  overview: () => call<Overview>("overview"),
  lock: {
    status: () => call<LockStatus>("lock_status"),
    unlock: (passphrase: string) => call<LockStatus>("unlock", { passphrase }),
    now: () => call<LockStatus>("lock_now"),
    /** Someone used the window: its idle minutes count from now. */
    activity: () => call<null>("lock_activity"),
    /** Sets the passphrase; changing one needs the `current` one. */
    set: (passphrase: string, current: string | null) => call<LockStatus>("set_lock_passphrase", { passphrase, current }),
    clear: (current: string) => call<LockStatus>("clear_lock_passphrase", { current }),
    setIdle: (minutes: number) => call<LockStatus>("set_lock_idle", { minutes }),
  },
  breaches: {
    list: () => call<Breach[]>("list_breaches"),
    show: (id: number) => call<Breach>("show_breach", { id }),
    /** Records a breach and counts who it affects; `identifiers` is a leaked file's path. */
    add: (form: BreachForm) => call<Breach>("add_breach", { form }),
    /** Counts again from what is held now; a leaked file given replaces one given before. */
    assess: (id: number, identifiers: string | null) => call<Breach>("assess_breach", { id, identifiers }),
    edit: (id: number, change: DetailsChange) => call<Breach>("edit_breach", { id, change }),
    notice: (id: number, audience: Audience) => call<Notice>("breach_notice", { id, audience }),
    writeNotice: (id: number, audience: Audience, path: string, replace: boolean) =>
      call<Notice>("write_breach_notice", { id, audience, path, replace }),
    told: (id: number, audience: Audience, on: string, lateReason: string | null) =>
      call<Breach>("breach_told", { id, audience, on, lateReason }),
    close: (id: number, reason: string) => call<Breach>("close_breach", { id, reason }),
  },
  clients: {
    list: () => call<Client[]>("list_clients"),
    add: (name: string, country?: string) => call<Client>("add_client", { name, country: country ?? null }),
    rename: (old: string, next: string) => call<Client>("rename_client", { old, new: next }),
    holdings: (name: string) => call<Holdings>("client_holdings", { name }),
    /**
     * A client with records in its CRMs is refused as `confirmation_required` until `elsewhere` says
     * whether they stay there or go too; with "delete", as `remote_unavailable` (nothing here
     * removed) when any could not be deleted there, and trying again goes on from there.
     */
    remove: (name: string, elsewhere: Elsewhere | null) => call<Removal>("remove_client", { name, confirmed: true, elsewhere }),
  },
  leads: {
    import: (path: string, client: string, onProgress: (p: Progress) => void) => {
      const channel = new Channel<Progress>();
      channel.onmessage = onProgress;
      return call<ImportSummary>("import_file", { path, client, onProgress: channel });
    },
    /** Every import, newest first; those a crash or a kill stopped are `interrupted`. */
    imports: () => call<ImportRecord[]>("list_imports"),
    /** Runs an import again from its file into its client: what it stored before is recognised. */
    importAgain: (id: string, onProgress: (p: Progress) => void) => {
      const channel = new Channel<Progress>();
      channel.onmessage = onProgress;
      return call<ImportSummary>("import_again", { id, onProgress: channel });
    },
    cancelImport: () => call<boolean>("cancel_import"),
    page: (filter: Filter, order: Order, page: PageRequest) => call<LeadPage>("leads_page", { filter, order, page }),
    count: (filter: Filter) => call<number>("leads_count", { filter }),
    detail: (id: number) => call<LeadDetail>("lead_detail", { id }),
    /** Fails with `file_exists` when `path` exists, unless `replace`. */
    export: (filter: Filter, path: string, replace = false) => call<Export>("export_leads", { filter, path, replace }),
  },
  requests: {
    list: () => call<Request[]>("list_requests"),
    create: (form: RequestForm) => call<Request>("new_request", { form }),
    find: (id: number, widen: boolean) => call<Discovery>("find_for_request", { id, widen }),
    advance: (id: number, to: RequestStatus, note?: string) => call<Request>("advance_request", { id, to, note: note ?? null }),
    extend: (id: number, reason: string) => call<Request>("extend_request", { id, reason }),
    close: (id: number, outcome: Outcome, reason?: string) =>
      call<Request>("close_request", { id, outcome, reason: reason ?? null }),
    /** Fails with `file_exists` when `path` exists, unless `replace`. */
    export: (id: number, path: string, replace = false) => call<Package>("export_request", { id, path, replace }),
    /**
     * Fails with `nothing_found` when the search finds nothing (the request stays open), unless a
     * person says `nothingHeld`; with `held` when a legal hold keeps the person's data.
     */
    erase: (id: number, confirmed: boolean, nothingHeld = false) => call<Erased>("erase_request", { id, confirmed, nothingHeld }),
    /** What `erase` would delete, deleting nothing; refused as `erase` would be (`held`, `nothing_found`, `conflict`). */
    erasePreview: (id: number) => call<ErasePreview>("erase_preview", { id }),
    /** The steps an erasure takes at remote services (deleting the person's leads at Meta), with each answer. */
    remoteSteps: (id: number) => call<RemoteStep[]>("remote_steps", { id }),
    /** Takes again every step not yet done; answers with all the steps, as they are now. */
    retryRemote: (id: number) => call<RemoteStep[]>("retry_remote", { id }),
    addIdentifiers: (id: number, identifiers: Identifier[]) => call<Request>("add_request_identifiers", { id, identifiers }),
    restrict: (id: number) => call<Request>("restrict_request", { id }),
    rectify: (id: number, field: string, value: string) => call<Rectified>("rectify_request", { id, field, value }),
    fromSignedRequest: (signed: string) => call<Request>("request_from_signed_request", { signed }),
    processingInfo: () => call<[string, string][]>("processing_info"),
    setProcessingInfo: (key: string, text: string) => call<[string, string][]>("set_processing_info", { key, text }),
  },
  retention: {
    review: (client?: string) => call<Review[]>("retention_review", { client: client ?? null }),
    set: (kind: DataKind, days: number, client: string | null, reason: string) =>
      call<Review[]>("set_retention", { kind, days, client, reason }),
    holds: () => call<Hold[]>("list_holds"),
    addHold: (form: HoldForm) => call<Hold>("add_hold", { form }),
    removeHold: (id: number) => call<null>("remove_hold", { id }),
    purge: (dryRun: boolean) => call<PurgeReport>("purge_retention", { dryRun }),
    schedule: () => call<PurgeSchedule>("purge_schedule"),
  },
  meta: {
    /** The agency's app: never its secret, only whether the keychain holds one. */
    app: () => call<MetaApp>("meta_app"),
    /** What is `null` in `form` stays as it is. */
    setApp: (form: MetaAppForm) => call<MetaApp>("set_meta_app", { form }),
    setSecret: (secret: string) => call<MetaApp>("set_meta_app_secret", { secret }),
    removeSecret: () => call<MetaApp>("remove_meta_app_secret"),
    /** Meta inspects the token first; one of another app or lacking a permission is refused as `invalid_input`. */
    connect: (token: string, client: string | null) => call<MetaConnection>("connect_meta", { token, client }),
    /**
     * Opens Facebook's login dialog in a window of its own and answers once the login is done.
     * Fails with `cancelled` when the person closes that window or declines: nothing is connected.
     */
    login: (client: string | null) => call<LoggedIn>("meta_login", { client }),
    connections: () => call<MetaConnection[]>("meta_connections"),
    /** Without `confirmed`, refused as `confirmation_required` and nothing changes. */
    disconnect: (id: string, confirmed: boolean) => call<Disconnected>("disconnect_meta", { id, confirmed }),
    /** The Pages on record, without asking Meta. */
    pages: () => call<MetaPage[]>("meta_pages"),
    /**
     * Asks Meta which Pages each connection reaches. What could not be read comes back in
     * `problems`, not as a failure: a connection Meta no longer accepts is marked log in again.
     */
    refreshPages: () => call<RefreshedPages>("refresh_meta_pages"),
    /** Refused as `invalid_input` for an unknown Page and `not_found` for an unknown client. */
    assignPage: (pageId: string, client: string | null) => call<MetaPage>("assign_meta_page", { pageId, client }),
    /** The lead forms on record, of one Page or (`null`) of all, without asking Meta. */
    forms: (pageId: string | null) => call<MetaForm[]>("meta_forms", { pageId }),
    /** Asks Meta for the forms of one Page or (`null`) of every Page; what it could not read is in `problems`. */
    refreshForms: (pageId: string | null) => call<RefreshedForms>("refresh_meta_forms", { pageId }),
    setFormSync: (formId: string, sync: boolean) => call<MetaForm>("set_meta_form_sync", { formId, sync }),
    /**
     * Syncs the forms chosen for sync (of `client`, or only `form`, when given). Long work like an
     * import: one at a time (another is refused as `conflict`), stopped with `leads.cancelImport`.
     * A `form` not chosen for sync is refused as `invalid_input`.
     */
    sync: (client: string | null, form: string | null, onProgress: (p: SyncProgress) => void) => {
      const channel = new Channel<SyncProgress>();
      channel.onmessage = onProgress;
      return call<SyncReport>("sync_meta", { client, form, onProgress: channel });
    },
  },
  crm: {
    /** Each connection with what the CRM last said of its token: `invalid_reason` once it no longer accepts it. */
    connections: () => call<CrmConnection[]>("crm_connections"),
    /**
     * The CRM is asked for its schema with the token first. Refused as `token_invalid` when it does
     * not accept the token, `remote_unavailable` when it cannot be reached, and `invalid_input`
     * for Salesforce without its instance URL (HubSpot and Pipedrive default to their own API).
     */
    connect: (crm: Crm, client: string, token: string, baseUrl: string | null) =>
      call<CrmConnection>("connect_crm", { crm, client, token, baseUrl }),
    /**
     * Connects a client's CRM by signing in through the system browser, which the backend opens
     * itself; `onAddress` is given the sign-in address too, to show should no browser open. Long
     * work like an import: one at a time (another is refused as `conflict`), stopped with
     * `leads.cancelImport`. Fails with `cancelled` when the person declines at the CRM or the wait
     * is stopped (nothing is connected), and `invalid_input` when the CRM has no app set or no
     * answer came back within 10 minutes; the CRM's refusals are as `connect`'s.
     */
    connectInBrowser: (crm: Crm, client: string, baseUrl: string | null, onAddress: (s: SignIn) => void) => {
      const channel = new Channel<SignIn>();
      channel.onmessage = onAddress;
      return call<CrmConnection>("connect_crm_in_browser", { crm, client, baseUrl, onAddress: channel });
    },
    /** The agency's OAuth app at each CRM that has one: never its secret, only whether the keychain holds one. */
    apps: () => call<CrmApp[]>("crm_apps"),
    /**
     * Sets or replaces the app at `form.crm`; what `form` leaves out is the CRM's own authorization
     * server and the default port. A `secret` replaces the keychain's; null or empty leaves it as
     * it is. Refused as `invalid_input` for an empty client id or an unusable address.
     */
    setApp: (form: CrmAppForm, secret: string | null) => call<CrmApp>("set_crm_app", { form, secret }),
    /** Forgets the app and takes its secret from the keychain; refused as `invalid_input` when none is set. */
    removeApp: (crm: Crm) => call<null>("remove_crm_app", { crm }),
    /** Without `confirmed`, refused as `confirmation_required`, saying what disconnecting does; nothing changes. */
    disconnect: (id: string, confirmed: boolean) => call<string>("disconnect_crm", { id, confirmed }),
    /** Whether the client's new leads go to this CRM by themselves after each import and sync. */
    setAutoPush: (id: string, on: boolean) => call<CrmConnection>("set_crm_auto_push", { id, on }),
    /** The CRM's fields, read live: `token_invalid` when it no longer accepts the token. */
    fields: (id: string) => call<Schema>("crm_fields", { id }),
    /** The forms whose leads the client holds. */
    forms: (client: string) => call<CrmForm[]>("crm_forms", { client }),
    /** What the form's leads answer, by key: Meta's columns, the standard answers and the form's own questions. */
    formKeys: (client: string, form: string) => call<string[]>("crm_form_keys", { client, form }),
    /** The form's newest kept mapping to the connection's CRM, or null before one is kept. */
    mapping: (client: string, form: string, connection: string) => call<KeptMapping | null>("crm_map_show", { client, form, connection }),
    /** A first mapping from the CRM's live fields; `unmet` names the required fields no answer matched. */
    suggest: (client: string, form: string, connection: string) => call<Mapping>("crm_map_suggest", { client, form, connection }),
    /** Keeps `mapping` as a new version; refused as `invalid_input`, every problem listed, when it does not check out. */
    setMapping: (client: string, form: string, connection: string, mapping: Mapping) =>
      call<KeptMapping>("crm_map_set", { client, form, connection, mapping }),
    /** Writes the newest kept mapping to `path` as JSON; answers its version. `invalid_input` before one is kept. */
    exportMapping: (client: string, form: string, connection: string, path: string) =>
      call<number>("crm_map_export", { client, form, connection, path }),
    /** Keeps the mapping in the JSON file at `path`, refused as `setMapping` would refuse it. */
    importMapping: (client: string, form: string, connection: string, path: string) =>
      call<KeptMapping>("crm_map_import", { client, form, connection, path }),
    /**
     * What the CRM would get for one lead (`leadId`, or the form's newest when null) by a mapping
     * not yet kept: the body, or every problem with the mapping and with that lead's answers.
     */
    preview: (client: string, form: string, connection: string, mapping: Mapping, leadId: number | null) =>
      call<CrmPreview>("crm_preview_draft", { client, form, connection, mapping, leadId }),
    /**
     * Sends the leads of `client`, or of the `connection`'s client, to the CRM. Long work like an
     * import: one at a time (another is refused as `conflict`), stopped with `leads.cancelImport`.
     * A connection's push that stops part-way says why in `stopped`; the next one goes on from there.
     */
    push: (client: string | null, connection: string | null, onProgress: (p: PushProgress) => void) => {
      const channel = new Channel<PushProgress>();
      channel.onmessage = onProgress;
      return call<PushReport>("crm_push", { client, connection, onProgress: channel });
    },
    /** The pushes and what became of their leads, newest first; `null` filters nothing. */
    log: (client: string | null, crm: Crm | null, status: PushStatus | null, limit: number) =>
      call<PushLog>("crm_log", { client, crm, status, limit }),
  },
  pixels: {
    /** The pixels kept from the last reading, of `client`'s connections or (`null`) of all, without asking Meta. */
    kept: (client: string | null) => call<Pixel[]>("pixels_kept", { client }),
    /**
     * Reads from Meta the pixels of every business the connections (of `client`) reach, with who
     * can reach each, and keeps them; answers those read now. Refused as `invalid_input` when no
     * Meta connection (of `client`) can be used, and `token_invalid` when Meta no longer accepts one.
     */
    list: (client: string | null) => call<Pixel[]>("pixel_list", { client }),
    /** Who can reach one kept pixel, read from Meta now; `invalid_input` for a pixel never read from Meta. */
    access: (pixel: string) => call<Pixel>("pixel_access", { pixel }),
    /**
     * Gives a partner business `tasks` on a pixel. Without `confirmed`, refused as
     * `confirmation_required`, saying what would change; nothing changes. Meta's refusal is
     * `remote_refused`, and is on the pixel's log too.
     */
    share: (pixel: string, business: string, tasks: PixelTask[], confirmed: boolean) =>
      call<PixelChange>("pixel_share", { pixel, business, tasks, confirmed }),
    /** Shares a pixel with an ad account (`act_…`, or its bare number), as `business` asks. */
    shareAccount: (pixel: string, account: string, business: string) =>
      call<PixelChange>("pixel_share_account", { pixel, account, business }),
    /**
     * Takes a business's or an ad account's access to a pixel away. Without `confirmed`, refused as
     * `confirmation_required`, saying what would change; `invalid_input` when it cannot reach the pixel.
     */
    revoke: (pixel: string, kind: GranteeKind, id: string, confirmed: boolean) =>
      call<PixelChange>("pixel_revoke", { pixel, kind, id, confirmed }),
    /**
     * Makes a pixel on an ad account (through `client`'s connection, or any); answers its id. Meta
     * lets a business make one pixel this way: another is refused as `conflict`, saying so.
     */
    create: (account: string, name: string, client: string | null) => call<string>("pixel_create", { account, name, client }),
    /**
     * Shares and revokes as the CSV at `path` says (header `pixel,business,tasks`; an empty tasks
     * cell revokes). A dry run says what each row would do and changes nothing. A row that is not
     * valid or that Meta refuses says why in its `message` without stopping the rest.
     */
    bulk: (path: string, dryRun: boolean) => call<PixelBulk>("pixel_bulk", { path, dryRun }),
    /** The operations on `pixel` (or, `null`, on every pixel), newest first, each with Meta's answer. */
    log: (pixel: string | null, limit: number) => call<Operation[]>("pixel_log", { pixel, limit }),
  },
  chat: {
    /**
     * `limit` threads of `client` (or, `null`, of every client) from the `offset`th, latest first;
     * with `search`, those with a message holding every word.
     */
    list: (client: string | null, search: string | null, limit: number, offset = 0) =>
      call<ThreadSummary[]>("chat_list", { client, search, limit, offset }),
    /** A thread with its participants and `limit` of its messages from the `offset`th, oldest first; `not_found` once erased or purged. */
    show: (thread: number, limit: number, offset: number) => call<Thread>("chat_show", { thread, limit, offset }),
    /**
     * Imports a WhatsApp export (its text or the apps' ZIP) or an archive of webhook payloads into
     * `client`'s conversations, told apart by what the file holds; importing again adds nothing.
     * `file_unreadable` for a file that is neither, with why. Stopped by `leads.cancelImport`.
     */
    import: (client: string, path: string, withWhom: ChatWith) => call<ChatImport>("chat_import", { client, path, with: withWhom }),
    /** Reads the Messenger and Instagram threads of the Pages assigned to clients, updated since the last sync. */
    sync: (client: string | null) => call<ChatSyncReport>("chat_sync", { client }),
  },
  consent: {
    /** The consent register of the person these identifiers name: their answer per client and channel, and every entry with its proof. */
    show: (identifiers: Identifier[]) => call<ConsentOf>("consent_show", { identifiers }),
    /**
     * Records an opt-in or an opt-out with how the person gave it. `invalid_input` for an opt-in
     * without a client or an entry without a reason; `conflict` for a person erased at their request.
     */
    set: (identifiers: Identifier[], change: ConsentChange) => call<ConsentOf>("consent_set", { identifiers, change }),
    /** Writes a client's register to a CSV; `file_exists` unless `replace`. */
    export: (client: string, path: string, replace: boolean) => call<Export>("consent_export", { client, path, replace }),
  },
  audit: {
    list: (limit: number, before?: number) => call<AuditEntry[]>("audit_list", { limit, before: before ?? null }),
    verify: () => call<Verification>("audit_verify"),
  },
};

export type Api = typeof api;
