// An in-memory stand-in for the Rust commands, for component tests only. It answers through
// Tauri's IPC mock, so the typed api/ layer and its error mapping are exercised as in the app.
import type { Channel } from "@tauri-apps/api/core";
import { breachCommands } from "./test-breaches";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import type {
  Breach,
  ConsentChange,
  ConsentEntry,
  ConsentOf,
  ConsentState,
  ChatImport,
  ChatSyncReport,
  ChatWith,
  Thread,
  ApiError,
  AuditEntry,
  BulkRow,
  Client,
  ConnectionPush,
  Counts,
  Crm,
  CrmApp,
  CrmAppForm,
  CrmConnection,
  CrmForm,
  CrmPreview,
  Field,
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
  Disconnected,
  Discovery,
  Elsewhere,
  Erased,
  ErasePreview,
  Export,
  Held,
  HeldRecord,
  Hold,
  HoldForm,
  Holding,
  Holdings,
  Identifier,
  ImportRecord,
  ImportSummary,
  LeadDetail,
  LeadRow,
  LoggedIn,
  MetaApp,
  MetaAppForm,
  MetaConnection,
  MetaForm,
  MetaPage,
  FormSynced,
  Grant,
  Grantee,
  Operation,
  Overview,
  Package,
  Pixel,
  PixelBulk,
  PixelChange,
  Purged,
  PurgeRun,
  Rectified,
  RefreshedForms,
  RefreshedPages,
  Removal,
  RemoteStep,
  Request,
  RequestForm,
  Review,
  SyncProgress,
  SyncReport,
} from "./api";

/** A lead form as the workspace keeps it: its Page's name and client are read with it. */
export type StoredForm = Omit<MetaForm, "page" | "client">;

/** A pixel as Meta lists it for a business the connections reach, with who can reach it there. */
export type MetaPixel = Pick<Pixel, "id" | "name" | "business_id" | "creation_time" | "last_fired_time"> & {
  relation: "owned" | "client";
  grantees: Grantee[];
};

/** Meta as the fake's refreshes and syncs find it. */
export type MetaSide = {
  /** The Pages every connection Meta accepts reaches. */
  pages: Pick<MetaPage, "id" | "name" | "category">[];
  /** Each Page's lead forms, by Page id. */
  forms: Record<string, Pick<MetaForm, "id" | "name" | "status" | "leads_count">[]>;
  /** Connections whose token Meta no longer accepts, with Meta's reason ("the password was changed"). */
  refusedTokens: Record<string, string>;
  /** Pages whose lead forms Meta does not give, with what it answers instead. */
  formProblems: Record<string, string>;
  /** Forms whose leads Meta does not give, with what it answers instead. */
  syncProblems: Record<string, string>;
  /** How Facebook's login window ends: with a login, closed by the person, or declined at Facebook. */
  login: "logged_in" | "closed" | "declined";
  /** What Meta answers instead of deleting a lead an erasure deletes there; null: it deletes it. */
  deleteProblem: string | null;
  /** The pixels of the businesses every connection Meta accepts reaches. */
  pixels: MetaPixel[];
  /** Ad accounts (`act_…`) with the business owning each: Meta makes a business one pixel through them. */
  adAccounts: Record<string, string>;
  /** Businesses Meta refuses to share a pixel with, with what it answers. */
  refusedShares: Record<string, string>;
};

/** The CRMs as the fake's connections, schemas and pushes find them. */
export type CrmSide = {
  /** Each CRM's fields, as its schema answers them. */
  schemas: Record<Crm, Field[]>;
  /** Connections whose token the CRM no longer accepts, with its reason ("the token was revoked"). */
  refusedTokens: Record<string, string>;
  /** When true, no CRM can be reached. */
  unreachable: boolean;
  /** Leads the CRM refuses to take, by lead id, with what it answers. */
  refusedLeads: Record<number, string>;
  /** How the browser comes back from a sign-in at the CRM: signed in, or declined there. */
  signIn: "signed_in" | "declined";
};

/** The agency's app at a CRM as the workspace stores it; its secret is only in the keychain ("crm-app-secret/<crm>"). */
export type StoredCrmApp = { crm: Crm; client_id: string; auth_url: string | null; redirect_port: number };

export type Backend = {
  /** The conversations held, each with its summary, participants and messages. */
  threads: Thread[];
  /** The files of conversations the stand-in can read, by path: importing one adds its threads not yet held. */
  chatFiles: Record<string, Thread[]>;
  /** Exports whose dates read day first as well as month first: refused until the order is given. */
  datesEitherWay: string[];
  /** What a sync from Meta answers. */
  chatSync: ChatSyncReport;
  /** The consent register's entries, oldest first. */
  consent: ConsentEntry[];
  clients: Client[];
  audit: AuditEntry[];
  leads: LeadDetail[];
  imported: string[];
  requests: Request[];
  /** Each request's steps at remote services, by request id. */
  remote: Record<number, RemoteStep[]>;
  processing: Record<string, string>;
  /** Leads' retention in days, per client; absent: the workspace default of 90. */
  policies: Record<string, number>;
  holds: Hold[];
  /** The breach register, read as of BREACH_NOW. */
  breaches: Breach[];
  /** The app lock: its passphrase as the real one's keychain would verify it, and whether the window is locked. */
  lock: { passphrase: string | null; locked: boolean; idle_minutes: number; wrong: number };
  lastPurge: PurgeRun | null;
  /** Every import, as list_imports answers them (newest first). */
  imports: ImportRecord[];
  /** Paths that exist: an export to one is refused with file_exists unless it replaces it. */
  files: string[];
  /** What the save dialog answers (a path, or null for Cancel). */
  saveAs: string | null;
  /** The agency's Meta app as the workspace stores it; the secret is only ever in the keychain. */
  metaApp: Omit<MetaApp, "secret_set">;
  /** The keychain's entries by purpose and id ("meta-token/<connection>"), never their values. */
  keychain: string[];
  /** The connections on record, as the real one keeps them: what Meta said of each token, not the token. */
  connections: MetaConnection[];
  /** Meta's answer when it fails to revoke a user token's permissions; null: it revokes them. */
  revokeError: string | null;
  /** The Pages on record, as meta_pages answers them. */
  pages: MetaPage[];
  /** The lead forms on record. */
  forms: StoredForm[];
  meta: MetaSide;
  /** When true, a sync waits after each form, as a long one would seem to, until `resume()` or cancel_import. */
  pauseSync: boolean;
  /** When true, a reading of the lead forms answers with the forms as they were when it was asked, once `releaseForms()` is called: a slow reading. */
  delayForms: boolean;
  releaseForms: () => void;
  /** When true, the login window stays open, as while a person logs in, until `resume()`. */
  pauseLogin: boolean;
  /** When true, a retry at Meta waits, as one waiting on Meta would, until `resume()`. */
  pauseRetry: boolean;
  /** The CRM connections on record; their tokens are only in the keychain ("crm-token/<id>"). */
  crmConnections: CrmConnection[];
  /** Each form's kept mappings to a connection, oldest first, by "<connection id>/<form id>". */
  mappings: Record<string, KeptMapping[]>;
  /** Every push, oldest first, and what became of each lead it sent or could not send. */
  pushes: Push[];
  pushResults: LeadResult[];
  crm: CrmSide;
  /** When true, a push waits after each batch of leads, as a long one would seem to, until `resume()` or cancel_import. */
  pauseCrmPush: boolean;
  /** The agency's apps at the CRMs, for signing in through the browser. */
  crmApps: StoredCrmApp[];
  /** When true, a sign-in through the browser waits, as while a person signs in, until `resume()` or cancel_import. */
  pauseSignIn: boolean;
  /** What the open dialog answers (a path, or null for Cancel). */
  openAs: string | null;
  /** What files hold, by path: those written here, and those a test puts there to be read. */
  texts: Record<string, string>;
  /** The pixels kept from the last readings from Meta, as pixels_kept answers them. */
  pixels: Pixel[];
  /** Every operation on a pixel, oldest first. */
  pixelLog: Operation[];
  /** Lets a waiting sync or push go on, or a waiting login, sign-in or retry come back. */
  resume: () => void;
  fail?: ApiError;
};

/** Meta with two Pages, the first with two lead forms, as the Pages and forms tests expect unless told otherwise. */
export function metaSide(): MetaSide {
  return {
    pages: [
      { id: "p1", name: "Acme Shoes", category: "Shoe store" },
      { id: "p2", name: "Acme Outlet", category: "Outlet store" },
    ],
    forms: {
      p1: [
        { id: "f1", name: "Test drive", status: "ACTIVE", leads_count: 12 },
        { id: "f2", name: "Instagram spring", status: "ACTIVE", leads_count: 3 },
      ],
    },
    refusedTokens: {},
    formProblems: {},
    syncProblems: {},
    login: "logged_in",
    deleteProblem: null,
    pixels: [],
    adAccounts: {},
    refusedShares: {},
  };
}

/**
 * The agency's own pixel, shared with a partner to analyse, and a client's pixel shared with the
 * agency; an ad account of another business with no pixel yet, and one of the agency's, whose
 * business has its pixel already.
 */
export function pixelSide(): Pick<MetaSide, "pixels" | "adAccounts"> {
  return {
    pixels: [
      {
        id: "111", name: "Agency site", business_id: "500100", relation: "owned", creation_time: "2025-03-01T10:00:00+0000",
        last_fired_time: "2026-11-22T08:00:00+0000", grantees: [{ kind: "business", id: "700100", tasks: ["ANALYZE"] }],
      },
      {
        id: "222", name: "Acme shop", business_id: "500100", relation: "client", creation_time: "2025-03-01T10:00:00+0000",
        last_fired_time: null, grantees: [{ kind: "business", id: "500100", tasks: ["ANALYZE", "UPLOAD"] }],
      },
    ],
    adAccounts: { act_900: "800100", act_901: "500100" },
  };
}

/** The CRMs' fields as the component tests expect them unless told otherwise. */
export function crmSide(): CrmSide {
  const field = (name: string, label: string, kind: Field["kind"], required = false, options: string[] = []): Field => ({
    name, label, kind, required, options, option_values: [], multiple: false,
  });
  return {
    schemas: {
      hubspot: [
        field("email", "Email", "email"),
        field("firstname", "First name", "text"),
        field("lastname", "Last name", "text"),
        field("phone", "Phone number", "phone"),
        field("city", "City", "text"),
        field("hs_lead_status", "Lead status", "choice", false, ["NEW", "OPEN", "IN_PROGRESS", "UNQUALIFIED"]),
      ],
      salesforce: [
        field("FirstName", "First Name", "text"),
        field("LastName", "Last Name", "text", true),
        field("Company", "Company", "text", true),
        field("Email", "Email", "email"),
        field("Phone", "Phone", "phone"),
        field("Status", "Lead Status", "choice", false, ["Open - Not Contacted", "Working - Contacted", "Closed - Converted"]),
      ],
      pipedrive: [field("name", "Name", "text", true), field("email", "Email", "email"), field("phone", "Phone", "phone")],
    },
    refusedTokens: {},
    unreachable: false,
    refusedLeads: {},
    signIn: "signed_in",
  };
}

/** A HubSpot connection of Acme as crm_connections answers it; `over` changes any field. */
export function crmConnection(over: Partial<CrmConnection> = {}): CrmConnection {
  return {
    id: "crm00000-0000-4000-8000-000000000001", crm: "hubspot", client: "Acme", base_url: "https://api.hubapi.com",
    created_at: "2026-11-22T10:00:00.000Z", last_ok_at: "2026-11-22T10:00:00.000Z", invalid_reason: null, auto_push: false, oauth: false,
    ...over,
  };
}

const CRM_LABELS: Record<Crm, string> = { hubspot: "HubSpot", salesforce: "Salesforce", pipedrive: "Pipedrive" };
const CRM_BASES: Partial<Record<Crm, string>> = { hubspot: "https://api.hubapi.com", pipedrive: "https://api.pipedrive.com" };
const crmToken = (id: string) => `crm-token/${id}`;
const crmRefresh = (id: string) => `crm-refresh/${id}`;
const crmAppSecret = (crm: Crm) => `crm-app-secret/${crm}`;
/** Where each CRM signs people in unless its app names another server, and its authorization path there. */
const CRM_AUTH: Record<Crm, { url: string; path: string }> = {
  hubspot: { url: "https://app.hubspot.com", path: "/oauth/authorize" },
  salesforce: { url: "https://login.salesforce.com", path: "/services/oauth2/authorize" },
  pipedrive: { url: "https://oauth.pipedrive.com", path: "/oauth/authorize" },
};
/** The loopback port of the redirect URL unless the app names another. */
const CRM_APP_PORT = 47817;
/** The org Salesforce's token answer names when the sign-in was at login.salesforce.com. */
const SALESFORCE_INSTANCE = "https://acme.my.salesforce.com";
const redirectUri = (port: number) => `http://127.0.0.1:${port === 0 ? "<any port>" : port}/callback`;
/** Meta's columns, which every lead answers, before its form's questions. */
const META_COLUMNS = [
  "id", "created_time", "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id", "campaign_name", "form_id", "form_name", "is_organic",
  "platform", "lead_status",
] as const;
const STANDARD_KEYS = [
  "full_name", "first_name", "last_name", "email", "phone_number", "city", "state", "zip_code", "post_code", "country", "company_name",
  "job_title", "street_address", "date_of_birth", "gender",
];
/** How many leads a push sends between two reports of its progress. */
const PUSH_BATCH = 2;
/** The tasks a partner business may be given on a pixel. */
const PIXEL_TASKS = ["ANALYZE", "UPLOAD", "ADVERTISE"];

/** The cells of one line of a CSV file; a quoted cell may hold commas and doubled quotes. */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line.charAt(i);
    if (quoted && ch === '"' && line.charAt(i + 1) === '"') {
      cell += '"';
      i += 1;
    } else if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/** Every answer of a lead by key, Meta's columns first, as a mapping reads them. */
function answersOf(l: LeadDetail): [string, string][] {
  const meta: Record<(typeof META_COLUMNS)[number], string> = {
    id: l.meta_id ?? "", created_time: l.created_time, ad_id: l.ad_id, ad_name: l.ad_name, adset_id: l.adset_id, adset_name: l.adset_name,
    campaign_id: l.campaign_id, campaign_name: l.campaign_name, form_id: l.form_id, form_name: l.form_name,
    is_organic: l.is_organic === null ? "" : String(l.is_organic), platform: l.platform, lead_status: l.lead_status,
  };
  return [...META_COLUMNS.map((k): [string, string] => [k, meta[k]]), ...l.answers];
}

/** Every problem with a mapping for a CRM's fields and a form's answers, as the real check words them. */
function checkMapping(mapping: Mapping, crm: Crm, fields: Field[], keys: string[]): string[] {
  const label = CRM_LABELS[crm];
  if (mapping.crm !== crm) return [`this mapping is for ${CRM_LABELS[mapping.crm]}, not ${label}`];
  const problems: string[] = [];
  mapping.fields.forEach((rule, i) => {
    const to = rule.to;
    if (mapping.fields.slice(0, i).some((r) => r.to === to)) problems.push(`${to}: is written by more than one rule`);
    const field = fields.find((f) => f.name === to);
    if (!field) {
      problems.push(`${to}: ${label} has no such field`);
      return;
    }
    const sources = [rule.from, rule.constant, rule.concat].filter((x) => x !== undefined).length;
    if (sources !== 1) {
      problems.push(`${to}: takes its value from exactly one of: from, constant, concat`);
      return;
    }
    const shapes = [rule.transform, rule.map, rule.date].filter((x) => x !== undefined).length;
    if (shapes > 1 || (rule.from === undefined && shapes > 0)) problems.push(`${to}: transform, map and date each shape one answer (\`from\`), one at a time`);
    for (const key of [...(rule.from === undefined ? [] : [rule.from]), ...(rule.concat ?? [])]) {
      if (!keys.includes(key)) problems.push(`${to}: the form's leads have no answer '${key}'`);
    }
    if (field.kind === "choice" && field.options.length > 0) {
      const values = [...(rule.constant === undefined ? [] : [rule.constant]), ...Object.values(rule.map ?? {})];
      for (const v of values) if (v !== undefined && !field.options.includes(v)) problems.push(`${to}: '${v}' is not one of its choices (${field.options.join(", ")})`);
    }
    if (rule.date !== undefined && !/%[YmdHMS]/.test(rule.date)) problems.push(`${to}: '${rule.date}' is not a date format (try %Y-%m-%d)`);
  });
  for (const f of fields.filter((f) => f.required)) {
    if (!mapping.fields.some((r) => r.to === f.name)) problems.push(`${f.name}: ${label} needs it to create a record`);
  }
  return problems;
}

/** One answer shaped as its rule says; a string is the problem. */
function shaped(rule: Rule, raw: string, country: string | null): { value: string | null } | string {
  if (rule.map) {
    const v = rule.map[raw];
    return v === undefined ? `the answer '${raw}' has no value in the map` : { value: v };
  }
  if (rule.date !== undefined) {
    const at = new Date(raw);
    if (Number.isNaN(at.getTime())) return `'${raw}' is not a date or time`;
    const two = (n: number) => String(n).padStart(2, "0");
    const items: Record<string, string> = {
      Y: String(at.getUTCFullYear()), m: two(at.getUTCMonth() + 1), d: two(at.getUTCDate()), H: two(at.getUTCHours()), M: two(at.getUTCMinutes()),
      S: two(at.getUTCSeconds()),
    };
    return { value: rule.date.replace(/%([YmdHMS])/g, (_, k: string) => items[k] ?? "") };
  }
  return rule.transform === undefined ? { value: raw } : TRANSFORMS[rule.transform](raw, country);
}

// Tables rather than switches: the command list is read from this file's `case` labels.
const TRANSFORMS: Record<Transform, (raw: string, country: string | null) => { value: string | null } | string> = {
  trim: (raw) => ({ value: raw }),
  email: (raw) => {
    const email = raw.toLowerCase();
    return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? { value: email } : `'${raw}' is not an email address`;
  },
  e164: (raw, country) => {
    const digits = raw.replace(/[^\d]/g, "");
    if (raw.startsWith("+")) return { value: `+${digits}` };
    if (raw.startsWith("0") && country === "GB") return { value: `+44${digits.slice(1)}` };
    return `'${raw}' cannot be placed as a phone number (is the client's country set?)`;
  },
  // A one-word name is a last name: CRMs require that one.
  first_name: (raw) => {
    const words = raw.split(/\s+/);
    return { value: words.length > 1 ? words[0]! : null };
  },
  last_name: (raw) => {
    const words = raw.split(/\s+/);
    return { value: words.length > 1 ? words.slice(1).join(" ") : raw };
  },
};

/** The fields sent for one lead, or every problem, as the real apply gives them. */
function applyMapping(mapping: Mapping, fields: Field[], answers: [string, string][], country: string | null): Record<string, string> | string[] {
  const answer = (key: string) => answers.find(([k]) => k === key)?.[1].trim() || null;
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const rule of mapping.fields) {
    let value: { value: string | null } | string;
    if (rule.constant !== undefined) value = { value: rule.constant };
    else if (rule.concat !== undefined) {
      const parts = rule.concat.map(answer).filter((p): p is string => p !== null);
      value = { value: parts.length ? parts.join(rule.separator ?? " ") : null };
    } else if (rule.from !== undefined) {
      const raw = answer(rule.from);
      value = raw === null ? { value: null } : shaped(rule, raw, country);
    } else value = "has no source";
    if (typeof value === "string") problems.push(`${rule.to}: ${value}`);
    else if (value.value !== null) out[rule.to] = value.value;
    else if (fields.find((f) => f.name === rule.to)?.required) problems.push(`${rule.to}: is required, and this lead has nothing for it`);
  }
  return problems.length ? problems : out;
}

/** The body a CRM gets for one lead's fields, in its own shape, or why it cannot get one. */
const CRM_BODIES: Record<Crm, (fields: Record<string, string>) => { body: unknown } | { problems: string[] }> = {
  // Contacts are upserted by email, so that pushing twice never makes a second contact.
  hubspot: (fields) =>
    fields.email === undefined
      ? { problems: ["email: HubSpot contacts are matched by email: map the lead's email to it"] }
      : { body: { inputs: [{ id: fields.email, idProperty: "email", properties: fields }] } },
  salesforce: (fields) => ({ body: fields }),
  pipedrive: ({ email, phone, ...person }) => ({
    body: {
      ...person,
      ...(email !== undefined && { emails: [{ value: email, primary: true, label: "work" }] }),
      ...(phone !== undefined && { phones: [{ value: phone, primary: true, label: "mobile" }] }),
    },
  }),
};

/** Sends through a Channel as Tauri does: numbered, so that the Channel delivers the messages in order. */
function sender<T>(channel: Channel<T>): (message: T) => void {
  const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } }).__TAURI_INTERNALS__;
  let index = 0;
  return (message) => internals.runCallback(channel.id, { index: index++, message });
}

const AGE_LABELS = ["under 30 days", "30–90 days", "90–180 days", "180 days – 1 year", "1–2 years", "over 2 years"];

/** A request as the backend would answer it: received today (the backend's 2026-11-22) unless told, due in a month. */
function newRequest(id: number, form: RequestForm): Request {
  return {
    id, kind: form.kind as Request["kind"], status: "received", regime: form.regime ?? "gdpr", received_on: form.received_on ?? "2026-11-22",
    due_on: "2026-12-22", days_left: 30, urgency: "on_track", extended: false, extension_reason: null, confirm_receipt_by: null,
    client_id: null, client: form.client, identifiers: form.identifiers, verification_notes: form.verification_notes ?? "",
    outcome_reason: null, created_at: "2026-11-22T10:00:00.000Z", closed_at: null,
  };
}

/** A lead as the backend would store it. */
export function lead(id: number, name: string, client = "Acme"): LeadDetail {
  return {
    id, client, meta_id: String(1000 + id), created_time: `2026-07-${String(10 + (id % 18)).padStart(2, "0")}T10:00:00+00:00`,
    ad_id: "1", ad_name: "Ad", adset_id: "2", adset_name: "Set", campaign_id: "3", campaign_name: "Spring", form_id: "4",
    form_name: "Test drive", is_organic: false, platform: id % 2 ? "ig" : "fb", lead_status: "CREATED", is_test: false,
    answers: [["full_name", name], ["email", `${name.split(" ")[0]?.toLowerCase()}@example.com`], ["what_is_your_budget?", "under_1000"]],
    source_file: "leads.csv", source_line: id + 1, imported_at: "2026-11-22T10:00:00.000Z",
  };
}

/** An import a crash stopped half-way, as list_imports reports it after the next start. */
export function interruptedImport(client = "Acme", file = "spring.csv", id = "imp-interrupted"): ImportRecord {
  return {
    id, client, file_name: file, path: `/home/ada/${file}`, started_at: "2026-11-21T09:30:00Z", finished_at: null,
    status: "interrupted", rows_read: 1200, imported: 1200, updated: 0, duplicates: 0, rejected: 0,
  };
}

/** A system-user connection as meta_connections answers it; `over` changes any field. */
export function metaConnection(over: Partial<MetaConnection> = {}): MetaConnection {
  return {
    id: "c0ffee00-0000-4000-8000-000000000001", token_type: "SYSTEM_USER", meta_user_id: "100000000000001", app_id: "1234",
    scopes: [...LEAD_ADS_SCOPES], expires_at: null, days_left: null, client: null, created_at: "2026-11-22T10:00:00.000Z",
    last_ok_at: "2026-11-22T10:00:00.000Z", health: "ok", health_reason: null, targets: [], ...over,
  };
}

const LEAD_ADS_SCOPES = ["leads_retrieval", "pages_show_list", "pages_read_engagement", "pages_manage_metadata"];
const APP_SECRET = "meta-app-secret/default";
const pageToken = (pageId: string) => `meta-page-token/${pageId}`;
/** How many leads Meta gives a page of them. */
const LEADS_A_PAGE = 500;
const GRAPH_VERSIONS = ["v25.0", "v26.0"];

function row(l: LeadDetail): LeadRow {
  const answer = (k: string) => l.answers.find(([q]) => q === k)?.[1] ?? "";
  return {
    id: l.id, client: l.client, meta_id: l.meta_id, created_time: l.created_time, full_name: answer("full_name"), email: answer("email"),
    phone: "", form_id: l.form_id, form_name: l.form_name, campaign_id: l.campaign_id, campaign_name: l.campaign_name,
    platform: l.platform, is_organic: l.is_organic, is_test: l.is_test, lead_status: l.lead_status, sort_value: l.created_time,
  };
}

/** An identifier as the register compares it. */
function same(a: Identifier, b: Identifier): boolean {
  const plain = (v: string) => v.toLowerCase().replace(/[\s+]/g, "");
  return plain(a.value) === plain(b.value);
}

export function installBackend(initial: string[] = [], fail?: ApiError): Backend {
  const backend: Backend = {
    threads: [], chatFiles: {}, datesEitherWay: [], chatSync: { pages: [], cancelled: false }, consent: [],
    clients: [], audit: [], leads: [], imported: [], requests: [], remote: {}, policies: {}, holds: [], breaches: [], lock: { passphrase: null, locked: false, idle_minutes: 10, wrong: 0 }, lastPurge: null, imports: [], files: [], saveAs: null, fail,
    metaApp: { app_id: null, graph_version: "v25.0", graph_url: "https://graph.facebook.com", sync_minutes: 15 }, keychain: [], connections: [], revokeError: null,
    pages: [], forms: [], meta: metaSide(), pauseSync: false, delayForms: false, releaseForms: () => {}, pauseLogin: false, pauseRetry: false, resume: () => {},
    crmConnections: [], mappings: {}, pushes: [], pushResults: [], crm: crmSide(), pauseCrmPush: false, openAs: null, texts: {},
    crmApps: [], pauseSignIn: false, pixels: [], pixelLog: [],
    processing: { controller: "Acme Ltd", purposes: "Follow-up", categories: "Contact details", recipients: "CRM", retention: "1 year", source: "Meta", rights: "Access, erasure" },
  };
  const consentOf = (identifiers: Identifier[]): ConsentOf => {
    const entries = backend.consent.filter((e) => e.identifiers.some((i) => identifiers.some((j) => same(i, j))));
    const clients = [null, ...new Set(entries.map((e) => e.client).filter((c): c is string => c !== null))];
    const states: ConsentState[] = [];
    for (const client of clients) {
      for (const channel of ["whatsapp_marketing", "messenger_marketing", "email_marketing"] as const) {
        const last = entries.filter((e) => e.channel === channel && (e.client === null || e.client === client)).pop();
        if (last) states.push({ client, channel, opted_in: last.opted_in, since: last.said_at, entry_id: last.id });
      }
    }
    return { searched: identifiers, states, entries };
  };
  let seq = 0;
  const record = (action: string, object: string, outcome = "ok") => {
    seq += 1;
    backend.audit.unshift({
      seq, at: "2026-11-22T10:00:00.000Z", actor: "ada", action, object, outcome, subject: null,
      prev_hash: "0".repeat(64), hash: String(seq).padStart(64, "0"),
    });
  };
  const add = (name: string) => {
    const c = { id: `id-${name}`, name: name.trim(), created_at: "2026-11-22T10:00:00.000Z", country: null };
    backend.clients.push(c);
    record("client.add", c.name);
    return c;
  };
  initial.forEach(add);
  const find = (name: string) => {
    const c = backend.clients.find((x) => x.name.toLowerCase() === name.trim().toLowerCase());
    if (!c) throw { code: "not_found", message: `No client is named '${name}'.` } satisfies ApiError;
    return c;
  };

  // Every lead here is from July 2026: past a 90-day policy, within a longer one; none when held.
  const held = (client: string) => backend.holds.some((h) => h.client === client);
  const days = (client: string) => backend.policies[client] ?? 90;
  const due = (): Purged[] =>
    backend.clients
      .map((c) => ({ c, count: days(c.name) < 120 && !held(c.name) ? backend.leads.filter((l) => l.client === c.name).length : 0 }))
      .filter(({ count }) => count > 0)
      .map(({ c, count }): Purged => ({ kind: "leads", label: "leads", client: c.name, days: days(c.name), count, anchor: null }));
  const review = (): Review[] => [
    ...backend.clients.map((c): Review => {
      const mine = backend.leads.filter((l) => l.client === c.name).length;
      const dueNow = due().find((d) => d.client === c.name)?.count ?? 0;
      return {
        kind: "leads", label: "leads", client: c.name, held: mine, on_hold: held(c.name) ? mine : 0,
        policy: { days: days(c.name), reason: "leads at most 90 days", client_override: c.name in backend.policies, set_at: "2026-11-22T10:00:00Z" },
        oldest: mine ? "2026-07-10T10:00:00Z" : null, ages: AGE_LABELS.map((label, i) => ({ label, count: i === 2 ? mine : 0 })),
        due_now: dueNow, due_within_7_days: dueNow, due_within_30_days: dueNow,
      };
    }),
    {
      kind: "audit_entries", label: "audit entries", client: null, held: backend.audit.length, on_hold: 0,
      policy: { days: 730, reason: "audit entries 24 months", client_override: false, set_at: "2026-11-22T10:00:00Z" },
      oldest: "2026-11-22T10:00:00Z", ages: AGE_LABELS.map((label, i) => ({ label, count: i === 0 ? backend.audit.length : 0 })),
      due_now: 0, due_within_7_days: 0, due_within_30_days: 0,
    },
  ];

  // The registry of kinds of personal data: leads and import records per client, the rest for the workspace.
  const clientHoldings = (client: string): Holding[] => [
    { kind: "leads", label: "leads", client, count: backend.leads.filter((l) => l.client === client).length },
    { kind: "imports", label: "import records", client, count: backend.imports.filter((i) => i.client === client).length },
  ];
  const holdings = (): Holding[] => [
    ...[...backend.clients].sort((x, y) => x.name.localeCompare(y.name)).flatMap((c) => clientHoldings(c.name)),
    { kind: "request_records", label: "closed request records", client: null, count: backend.requests.filter((r) => !isOpen(r)).length },
    { kind: "audit_entries", label: "audit entries", client: null, count: backend.audit.length },
  ];
  const heldBy = (client: string): Held[] =>
    clientHoldings(client)
      .filter((h) => h.count > 0)
      .map(({ kind, label, count }) => ({ kind, label, count }));

  const matching = (search: string | null) =>
    backend.leads.filter((l) => !search || l.answers.some(([, a]) => a.toLowerCase().includes(search.toLowerCase())));

  // The leads that carry one of these identifiers: an email or a phone among the answers, or the lead id.
  const carrying = (identifiers: Identifier[]) => {
    const values = (kind: string) => identifiers.filter((i) => i.kind === kind && i.value).map((i) => i.value.toLowerCase());
    const emails = values("email");
    const phones = values("phone");
    const leadIds = values("lead_id");
    return backend.leads.filter(
      (l) =>
        leadIds.includes((l.meta_id ?? "").toLowerCase()) ||
        l.answers.some(([k, v]) => (k === "email" && emails.includes(v.toLowerCase())) || (k === "phone_number" && phones.includes(v.toLowerCase()))),
    );
  };
  const heldAbout = (r: Request) => carrying(r.identifiers);
  const request = (id: unknown) => {
    const r = backend.requests.find((x) => x.id === Number(id));
    if (!r) throw { code: "not_found", message: `No request has number ${String(id)}.` } satisfies ApiError;
    return r;
  };
  const isOpen = (r: Request) => r.status !== "completed" && r.status !== "denied";

  // A hold on a person keeps its identifiers' values here (the real one keeps keyed hashes).
  const holdValues = new Map<number, string[]>();
  const holdOn = (r: Request, found: LeadDetail[]) =>
    backend.holds.find(
      (h) =>
        (h.client !== null && found.some((l) => l.client === h.client)) ||
        (holdValues.get(h.id) ?? []).some((v) => r.identifiers.some((i) => i.value.toLowerCase() === v)),
    );
  const describeHold = (h: Hold) => (h.client ? `legal hold #${h.id} on client '${h.client}' (${h.reason})` : `legal hold #${h.id} (${h.reason})`);

  // What erase_request refuses before deleting anything; erase_preview refuses alike.
  const erasable = (r: Request, nothingHeld: boolean) => {
    if (r.kind !== "erasure") {
      throw { code: "invalid_input", message: `Request ${r.id} is ${/^[aeiou]/.test(r.kind) ? "an" : "a"} ${r.kind} request; only an erasure request erases. Record an erasure request for it.` } satisfies ApiError;
    }
    if (!isOpen(r)) throw { code: "conflict", message: `Request ${r.id} was already erased (receipt ER-ABCD-EFGH-JKMN); nothing more was deleted.` } satisfies ApiError;
    const held = heldAbout(r);
    const hold = holdOn(r, held);
    if (hold) {
      r.verification_notes = `${r.verification_notes ? `${r.verification_notes}\n` : ""}2026-11-22: erasure withheld: ${describeHold(hold)}`;
      record("request.erase", `request:${r.id} refused: held`);
      throw {
        code: "held",
        message: `Request ${r.id}'s person is under ${describeHold(hold)}. Data needed for legal claims is kept from erasure (GDPR Art. 17(3)(e)); nothing was deleted. Lift the hold when it no longer applies, then erase.`,
      } satisfies ApiError;
    }
    if (held.length === 0 && !nothingHeld) {
      record("request.erase", `request:${r.id} refused: nothing found`);
      throw {
        code: "nothing_found",
        message: `Nothing held is found under the identifiers of request ${r.id} (${r.identifiers.map((i) => i.kind).join(", ")}). What is held here is found by email, phone, lead id: add one the person gave and search again, or close the request as nothing held.`,
      } satisfies ApiError;
    }
    return held;
  };
  // The held leads Meta holds too (those of a form on record), read there live when the request
  // answers with the person's data, as the real one does once the search is on record.
  const leadsAtMeta = (held: LeadDetail[], live: boolean): HeldRecord[] =>
    held.flatMap((l) => {
      const page = backend.pages.find((p) => backend.forms.some((f) => f.id === l.form_id && f.page_id === p.id));
      if (!l.meta_id || !page) return [];
      const fields: [string, string][] = [["lead id", l.meta_id], ["page id", page.id], ["page", page.name], ["form id", l.form_id]];
      const source = `Meta, Page ${page.name}, form ${l.form_id}`;
      return [{
        id: l.meta_id, client: l.client, created: l.created_time,
        ...(live
          ? { source: `${source}, read live there`, fields: [...fields, ...l.answers], fetched_at: "2026-11-22T10:00:00.000Z" }
          : { source, fields, fetched_at: null }),
      }];
    });
  // The CRM connection each correction step sends its record to; Meta's steps have none.
  const correcting = new WeakMap<RemoteStep, CrmConnection>();
  // Each service answers every attempt alike: Meta as `meta.deleteProblem` says, a CRM as `crm`
  // does; a test has it refuse, then lets a retry through.
  const takeRemote = (id: number, at: string): RemoteStep[] => {
    const steps = backend.remote[id] ?? [];
    for (const step of steps.filter((s) => s.status !== "done")) {
      const crm = correcting.get(step);
      const problem = crm ? crmProblem(crm) : backend.meta.deleteProblem;
      const done = crm ? `corrected in ${crmLabel(crm.crm)}` : "deleted at Meta";
      Object.assign(step, { status: problem === null ? "done" : "failed", answer: problem ?? done, attempts: step.attempts + 1, updated_at: at });
    }
    return steps.map((s) => ({ ...s }));
  };
  const retryRemote = async (r: Request): Promise<RemoteStep[]> => {
    if (backend.pauseRetry) await new Promise<void>((go) => (release = go));
    const steps = takeRemote(r.id, "2026-11-22T10:05:00.000Z");
    record("request.remote", `request:${r.id} ${steps.length} remote steps, ${steps.filter((s) => s.status === "failed").length} failed`);
    return steps;
  };
  const deletes = (held: LeadDetail[]): Held[] => (held.length ? [{ kind: "leads", label: "leads", count: held.length }] : []);
  const suppressible = (r: Request) => r.identifiers.filter((i) => i.value).length;

  // Writing a file: refused when it exists, unless replacing it.
  const write = (path: string, replace: boolean | undefined) => {
    if (backend.files.includes(path) && !replace) {
      throw { code: "file_exists", message: `${path} already exists; nothing was written. Choose another name, or say to replace it.` } satisfies ApiError;
    }
    if (!backend.files.includes(path)) backend.files.push(path);
  };

  let imports = 0;
  const runImport = (path: string, client: string): ImportSummary => {
    find(client);
    backend.imported.push(path);
    const start = backend.leads.length;
    backend.leads.push(lead(start + 1, "Imported Person", client));
    imports += 1;
    const file_name = path.split("/").pop() ?? path;
    const id = `imp-${imports}`;
    backend.imports.push({
      id, client, file_name, path, started_at: `2026-11-22T10:00:${String(imports).padStart(2, "0")}Z`, finished_at: "2026-11-22T10:01:00Z",
      status: "completed", rows_read: 2, imported: 1, updated: 0, duplicates: 0, rejected: 1,
    });
    record("import", `import:${id} ${file_name}`);
    return {
      import_id: id, client, file_name, format: "utf16_le", rows_read: 2, imported: 1, updated: 0,
      duplicates: 0, rejected: 1, rejections: [{ line: 3, reason: "has 2 fields where the header has 18" }], test_leads: 0, suppressed: 0, unplaced_phones: 0,
      cancelled: false, elapsed_ms: 10, rows_per_second: 200, notes: ["Read as UTF-16 LE, TAB-separated."],
    };
  };
  let connected = 0;
  const metaApp = (): MetaApp => ({ ...backend.metaApp, secret_set: backend.keychain.includes(APP_SECRET) });
  const connectMeta = (given: string, clientName: string | null): MetaConnection => {
    const token = given.trim();
    const oneWord = () => ({ code: "invalid_input", message: "A Meta access token is one word of letters and digits." }) satisfies ApiError;
    if (!token || /\s/.test(token)) throw oneWord();
    const appId = backend.metaApp.app_id;
    if (!appId) throw { code: "invalid_input", message: "Set the Meta app's id first: tokens are checked against the agency's own app." } satisfies ApiError;
    const client = clientName == null ? null : find(clientName).name;
    // Meta's inspection, by the token's first letters.
    if (!token.startsWith("EAAG")) throw oneWord();
    if (token.startsWith("EAAGexpired")) {
      throw { code: "token_invalid", message: "Meta no longer accepts this token (the token expired); log in again or add a new token." } satisfies ApiError;
    }
    const refuse = (theirApp: string, message: string): never => {
      record("meta.connect", `SYSTEM_USER token for app ${theirApp}`, "refused: invalid_input");
      throw { code: "invalid_input", message } satisfies ApiError;
    };
    if (token.startsWith("EAAGother")) refuse("999", `This token belongs to Meta app 999, not to this workspace's app ${appId}; use a token of the agency's own app.`);
    if (token.startsWith("EAAGfew")) refuse(appId, "The token lacks pages_read_engagement, pages_manage_metadata: grant them to the app and generate the token again.");
    const user = token.startsWith("EAAGuser");
    return keepToken("pasted", {
      token_type: user ? "USER" : "SYSTEM_USER", app_id: appId, client,
      ...(user && { expires_at: "2026-11-27T10:00:00Z", days_left: 5, health: "expiring", health_reason: "it expires in 5 days" }),
    });
  };
  // What a pasted token and a login share once Meta has accepted the token; `how` it came goes on the audit trail.
  const keepToken = (how: string, over: Partial<MetaConnection>): MetaConnection => {
    connected += 1;
    // Numbered past metaConnection()'s id, so that one a test puts on record is never taken again.
    const id = `c0ffee00-0000-4000-8000-${String(connected + 1).padStart(12, "0")}`;
    const c = metaConnection({ ...over, id });
    backend.connections.push(c);
    backend.keychain.push(`meta-token/${id}`);
    record("meta.connect", `connection:${id} ${c.token_type} token of app ${c.app_id} (${how})`);
    return { ...c };
  };
  // Facebook Login: a USER token, long-lived only when the app secret lets the code be exchanged,
  // then the Pages it reaches read as a refresh would.
  const metaLogin = async (clientName: string | null): Promise<LoggedIn> => {
    const appId = backend.metaApp.app_id;
    if (!appId) throw { code: "invalid_input", message: "Set the Meta app's id first: tokens are checked against the agency's own app." } satisfies ApiError;
    const client = clientName == null ? null : find(clientName).name;
    if (backend.pauseLogin) await new Promise<void>((go) => (release = go));
    if (backend.meta.login === "closed") {
      throw { code: "cancelled", message: "The login window was closed before Facebook answered; nothing was connected." } satisfies ApiError;
    }
    if (backend.meta.login === "declined") {
      record("meta.login", "Facebook Login declined", "refused: cancelled");
      throw { code: "cancelled", message: "Facebook Login did not connect: Permissions error." } satisfies ApiError;
    }
    const long_lived = backend.keychain.includes(APP_SECRET);
    const connection = keepToken("Facebook Login", {
      token_type: "USER", app_id: appId, client,
      ...(long_lived
        ? { expires_at: "2027-01-21T10:00:00Z", days_left: 60 }
        : { expires_at: "2026-11-22T12:00:00Z", days_left: 0, health: "expiring", health_reason: "it expires in 2 hours" }),
    });
    const { items, problems } = refreshPages();
    return { connection, long_lived, pages: items.filter((p) => p.connection_id === connection.id).length, problems };
  };
  const disconnectMeta = (given: string, confirmed: boolean): Disconnected => {
    const c = backend.connections.find((m) => m.id === given.trim());
    if (!c) {
      record("meta.disconnect", `connection:${given.trim()}`, "refused: invalid_input");
      throw { code: "invalid_input", message: `No Meta connection has id ${given.trim()}; the list of connections shows them.` } satisfies ApiError;
    }
    const user = c.token_type === "USER";
    if (!confirmed) {
      throw {
        code: "confirmation_required",
        message: `Disconnecting removes connection ${c.id}'s token from the keychain${user ? " and revokes the app's permissions at Meta" : ""}; leads synced through it stay.`,
      } satisfies ApiError;
    }
    const entry = `meta-token/${c.id}`;
    const revoked = user && backend.keychain.includes(entry) ? backend.revokeError === null : null;
    // Its Pages go with it (and their forms), as the real one's foreign keys cascade, and so do their tokens.
    const gone = backend.pages.filter((p) => p.connection_id === c.id).map((p) => p.id);
    backend.keychain = backend.keychain.filter((k) => k !== entry && !gone.some((id) => k === pageToken(id)));
    backend.connections = backend.connections.filter((m) => m !== c);
    backend.pages = backend.pages.filter((p) => !gone.includes(p.id));
    backend.forms = backend.forms.filter((f) => !gone.includes(f.page_id));
    const how = revoked === true ? ", revoked at Meta" : revoked === false ? ", not revoked at Meta" : "";
    record("meta.disconnect", `connection:${c.id} ${c.token_type} token${how}`);
    return { id: c.id, revoked_at_meta: revoked, revoke_error: revoked === false ? backend.revokeError : null };
  };
  const setMetaApp = (form: MetaAppForm): MetaApp => {
    const next = { ...backend.metaApp };
    if (form.app_id !== null) {
      const id = form.app_id.trim();
      if (!/^\d{1,32}$/.test(id)) throw { code: "invalid_input", message: `'${id}' is not a Meta app id: it is the digits on App settings → Basic.` } satisfies ApiError;
      next.app_id = id;
    }
    if (form.graph_version !== null) {
      const version = form.graph_version.trim();
      if (!GRAPH_VERSIONS.includes(version)) {
        throw { code: "invalid_input", message: `'${version}' is not a Graph API version Custodian speaks: use ${GRAPH_VERSIONS.join(" or ")}.` } satisfies ApiError;
      }
      next.graph_version = version;
    }
    if (form.graph_url !== null) {
      const url = form.graph_url.trim().replace(/\/+$/, "");
      if (!/^https?:\/\//.test(url)) throw { code: "invalid_input", message: `The Graph API address '${url}' is not usable: give an http or https URL.` } satisfies ApiError;
      next.graph_url = url;
    }
    if (form.sync_minutes !== null) {
      if (form.sync_minutes < 0 || form.sync_minutes > 1440) throw { code: "invalid_input", message: "Leads sync every 1 to 1,440 minutes, or never (0)." } satisfies ApiError;
      next.sync_minutes = form.sync_minutes;
    }
    backend.metaApp = next;
    record("meta.app", `Meta app ${next.app_id ?? "(no id)"} on ${next.graph_url} ${next.graph_version}`);
    return metaApp();
  };

  const pages = (): MetaPage[] =>
    [...backend.pages].sort((x, y) => x.name.localeCompare(y.name) || x.id.localeCompare(y.id)).map((p) => ({ ...p }));
  const formsOf = (pageId: string | null): MetaForm[] =>
    backend.forms
      .filter((f) => pageId === null || f.page_id === pageId.trim())
      .flatMap((f) => {
        const page = backend.pages.find((p) => p.id === f.page_id);
        return page ? [{ ...f, page: page.name, client: page.client }] : [];
      })
      .sort((x, y) => x.page.localeCompare(y.page) || x.name.localeCompare(y.name) || x.id.localeCompare(y.id));
  const noSuch = (what: string, id: string) =>
    ({ code: "invalid_input", message: `No ${what} has id ${id.trim()}; refresh the list from Meta to see them.` }) satisfies ApiError;

  const refreshPages = (): RefreshedPages => {
    const problems: string[] = [];
    for (const c of backend.connections) {
      // A connection Meta stopped accepting is not called again until it is connected anew.
      if (c.health === "log_in_again") continue;
      if (!backend.keychain.includes(`meta-token/${c.id}`)) {
        problems.push(`Connection ${c.id}'s token is not in the keychain; connect it again.`);
        continue;
      }
      const refused = backend.meta.refusedTokens[c.id];
      if (refused !== undefined) {
        Object.assign(c, { health: "log_in_again", health_reason: refused });
        record("meta.health", `connection:${c.id} needs a new login: ${refused}`);
        problems.push(`Connection ${c.id}: Meta no longer accepts this token (${refused}); log in again or add a new token.`);
        continue;
      }
      for (const seen of backend.meta.pages) {
        const known = backend.pages.find((p) => p.id === seen.id);
        if (known) Object.assign(known, { ...seen, connection_id: c.id });
        else backend.pages.push({ ...seen, client: null, connection_id: c.id });
        if (!backend.keychain.includes(pageToken(seen.id))) backend.keychain.push(pageToken(seen.id));
      }
      record("meta.pages", `connection:${c.id} reaches ${backend.meta.pages.length} Pages`);
    }
    return { items: pages(), problems };
  };
  const assignPage = (pageId: string, clientName: string | null): MetaPage => {
    const client = clientName === null ? null : find(clientName);
    const page = backend.pages.find((p) => p.id === pageId.trim());
    const object = `page:${pageId.trim()} to ${client ? `client:${client.id} "${client.name}"` : "no client"}`;
    if (!page) {
      record("meta.assign", object, "refused: invalid_input");
      throw noSuch("Page", pageId);
    }
    page.client = client?.name ?? null;
    record("meta.assign", object);
    return { ...page };
  };
  const refreshForms = (pageId: string | null): RefreshedForms => {
    if (pageId !== null && !backend.pages.some((p) => p.id === pageId.trim())) throw noSuch("Page", pageId);
    const problems: string[] = [];
    for (const page of pages().filter((p) => pageId === null || p.id === pageId.trim())) {
      if (!backend.keychain.includes(pageToken(page.id))) {
        problems.push(`Page ${page.name}'s token is not in the keychain; refresh the Pages.`);
        continue;
      }
      const problem = backend.meta.formProblems[page.id];
      if (problem !== undefined) {
        problems.push(`Page ${page.name}: ${problem}`);
        continue;
      }
      const seen = backend.meta.forms[page.id] ?? [];
      for (const f of seen) {
        const known = backend.forms.find((x) => x.id === f.id);
        if (known) Object.assign(known, { ...f, page_id: page.id });
        else backend.forms.push({ ...f, page_id: page.id, sync: false, last_synced_at: null });
      }
      record("meta.forms", `page:${page.id} has ${seen.length} lead forms`);
    }
    return { items: formsOf(pageId), problems };
  };
  const setFormSync = (formId: string, sync: boolean): MetaForm => {
    const form = backend.forms.find((f) => f.id === formId.trim());
    const object = `form:${formId.trim()} sync ${sync ? "on" : "off"}`;
    if (!form) {
      record("meta.form", object, "refused: invalid_input");
      throw noSuch("lead form", formId);
    }
    form.sync = sync;
    record("meta.form", object);
    return formsOf(null).find((f) => f.id === form.id)!;
  };

  // The window's one long job (an import, a sync, a push or a sign-in), and its cancel switch, as the real one keeps them.
  let running = false;
  let cancelled = false;
  let release: (() => void) | null = null;
  backend.resume = () => {
    const go = release;
    release = null;
    go?.();
  };
  const busy = () => ({ code: "conflict", message: "An import is already running; wait for it or cancel it first." }) satisfies ApiError;
  // How many of each form's leads are stored: the fake's watermark, so a second sync finds them unchanged.
  const stored = new Map<string, number>();
  let syncs = 0;
  const syncForm = (form: StoredForm, send: (p: SyncProgress) => void): FormSynced => {
    const done: FormSynced = {
      form_id: form.id, form: form.name, client: null, new: 0, updated: 0, unchanged: 0, suppressed: 0, rejected: 0, pages: 0, problem: null,
    };
    const owner = backend.pages.find((p) => p.id === form.page_id)?.client;
    const client = backend.clients.find((c) => c.name === owner);
    if (!client) return { ...done, problem: "its Page is not assigned to a client; assign it first" };
    done.client = client.name;
    if (!backend.keychain.includes(pageToken(form.page_id))) return { ...done, problem: "its Page's token is not in the keychain; refresh the Pages" };
    syncs += 1;
    const id = `sync-${syncs}`;
    const file_name = `Meta form ${form.name} (${form.id})`;
    const object = `Meta form ${form.name} (${form.id}) into client:${client.id} (import ${id})`;
    record("lead.sync", object, "started");
    const imported: ImportRecord = {
      id, client: client.name, file_name, path: "", started_at: `2026-11-22T10:05:${String(syncs).padStart(2, "0")}Z`, finished_at: "2026-11-22T10:06:00Z",
      status: "failed", rows_read: 0, imported: 0, updated: 0, duplicates: 0, rejected: 0,
    };
    backend.imports.push(imported);
    const problem = backend.meta.syncProblems[form.id];
    if (problem !== undefined) {
      record("lead.sync", object, "failed: 0 new, 0 updated, 0 unchanged, 0 suppressed, 0 pages");
      return { ...done, problem };
    }
    const total = form.leads_count ?? 0;
    const before = Math.min(stored.get(form.id) ?? 0, total);
    for (let n = before + 1; n <= total; n += 1) {
      const next = Math.max(0, ...backend.leads.map((l) => l.id)) + 1;
      backend.leads.push({
        ...lead(next, `Synced Person ${n}`, client.name), meta_id: `${form.id}-${n}`, form_id: form.id, form_name: form.name,
        source_file: file_name, source_line: n,
      });
    }
    stored.set(form.id, total);
    Object.assign(done, { new: total - before, unchanged: before, pages: Math.max(1, Math.ceil(total / LEADS_A_PAGE)) });
    Object.assign(imported, { status: "completed", rows_read: total, imported: total - before, duplicates: before });
    form.last_synced_at = "2026-11-22T10:06:00Z";
    send({ form: form.name, pages: done.pages, leads: total });
    record("lead.sync", object, `completed: ${done.new} new, 0 updated, ${done.unchanged} unchanged, 0 suppressed, ${done.pages} pages`);
    return done;
  };
  const syncMeta = async (clientName: string | null, formId: string | null, channel: Channel<SyncProgress>): Promise<SyncReport> => {
    if (running) throw busy();
    const only = clientName === null ? null : find(clientName);
    const clientOf = (f: StoredForm) => backend.pages.find((p) => p.id === f.page_id)?.client ?? null;
    const chosen = backend.forms
      .filter((f) => f.sync && backend.pages.some((p) => p.id === f.page_id))
      .filter((f) => formId === null || f.id === formId.trim())
      .filter((f) => only === null || clientOf(f) === only.name)
      .sort((x, y) => x.page_id.localeCompare(y.page_id) || x.id.localeCompare(y.id));
    if (formId !== null && chosen.length === 0) {
      throw { code: "invalid_input", message: `Form ${formId.trim()} is not chosen for sync (or is not a form of this client); enable it first.` } satisfies ApiError;
    }
    running = true;
    cancelled = false;
    const send = sender(channel);
    const report: SyncReport = { forms: [], cancelled: false };
    try {
      for (const form of chosen) {
        if (cancelled) break;
        report.forms.push(syncForm(form, send));
        if (backend.pauseSync && !cancelled) await new Promise<void>((go) => (release = go));
      }
      report.cancelled = cancelled;
      return report;
    } finally {
      running = false;
      release = null;
    }
  };

  // CRM connections: a token is checked by reading the CRM's schema with it, and only then kept.
  let crmConnected = 0;
  const crmLabel = (crm: Crm) => CRM_LABELS[crm];
  const crmOf = (which: string): CrmConnection => {
    const c = backend.crmConnections.find((x) => x.id === which.trim());
    if (!c) throw { code: "invalid_input", message: `No CRM connection is '${which.trim()}'; the list of CRM connections shows them.` } satisfies ApiError;
    return c;
  };
  const refusedBy = (crm: Crm, reason: string) =>
    ({ code: "token_invalid", message: `${crmLabel(crm)} no longer accepts this token (${reason}); connect it again with a new one.` }) satisfies ApiError;
  const unreachable = (crm: Crm) =>
    ({ code: "remote_unavailable", message: `${crmLabel(crm)} kept failing (connection refused) after 3 attempts; nothing was lost, try again later.` }) satisfies ApiError;
  const schemaOf = (c: CrmConnection): Schema => {
    if (!backend.keychain.includes(crmToken(c.id))) {
      throw { code: "secret_missing", message: `Connection ${c.id}'s token is not in the keychain; connect the CRM again.` } satisfies ApiError;
    }
    if (backend.crm.unreachable) throw unreachable(c.crm);
    const refused = backend.crm.refusedTokens[c.id];
    if (refused !== undefined) {
      c.invalid_reason = refused;
      throw refusedBy(c.crm, refused);
    }
    Object.assign(c, { last_ok_at: "2026-11-22T10:30:00.000Z", invalid_reason: null });
    return { crm: c.crm, fields: backend.crm.schemas[c.crm].map((f) => ({ ...f, options: [...f.options], option_values: [...f.option_values] })) };
  };
  const connectCrm = (crm: Crm, clientName: string, given: string, baseUrl: string | null): CrmConnection => {
    const token = given.trim();
    if (!token || /\s/.test(token)) throw { code: "invalid_input", message: `A ${crmLabel(crm)} token is one word of letters, digits and dashes.` } satisfies ApiError;
    const client = find(clientName);
    const base = (baseUrl?.trim() || CRM_BASES[crm])?.replace(/\/+$/, "");
    if (!base) {
      throw {
        code: "invalid_input",
        message: `${crmLabel(crm)} is reached at each org's own address: give its instance URL (https://yourorg.my.salesforce.com).`,
      } satisfies ApiError;
    }
    if (!/^https?:\/\//.test(base)) throw { code: "invalid_input", message: `The address '${base}' is not usable: give an http or https URL.` } satisfies ApiError;
    if (backend.crm.unreachable) throw unreachable(crm);
    // The CRM's answer to the schema read, by the token's first letters.
    if (token.startsWith("bad")) throw refusedBy(crm, "Authentication credentials not found");
    return keepCrm(crm, client, base, false);
  };
  // What a pasted token and a sign-in share once the CRM has answered: the tokens in the keychain, the rest on record.
  const keepCrm = (crm: Crm, client: Client, base: string, oauth: boolean): CrmConnection => {
    crmConnected += 1;
    // Numbered past crmConnection()'s id, so that one a test puts on record is never taken again.
    const id = `crm00000-0000-4000-8000-${String(crmConnected + 1).padStart(12, "0")}`;
    const c = crmConnection({
      id, crm, client: client.name, base_url: base, created_at: "2026-11-22T10:20:00.000Z", last_ok_at: "2026-11-22T10:20:00.000Z", oauth,
    });
    backend.crmConnections.push(c);
    backend.keychain.push(crmToken(id), ...(oauth ? [crmRefresh(id)] : []));
    record("crm.connect", `crm:${id} ${crmLabel(crm)} of client:${client.id}, ${oauth ? "signed in through the browser" : "with a token"}`);
    return { ...c };
  };

  // The agency's apps at the CRMs, and signing in through one: the browser comes back at once
  // (or once resumed), as the CRM's sign-in page says `crm.signIn`.
  const shownApp = (app: StoredCrmApp): CrmApp => ({
    crm: app.crm, client_id: app.client_id, has_secret: backend.keychain.includes(crmAppSecret(app.crm)),
    auth_url: app.auth_url ?? CRM_AUTH[app.crm].url, redirect_port: app.redirect_port, redirect_uri: redirectUri(app.redirect_port),
  });
  const crmApps = (): CrmApp[] => [...backend.crmApps].sort((x, y) => x.crm.localeCompare(y.crm)).map(shownApp);
  const setCrmApp = (form: CrmAppForm, secret: string | null): CrmApp => {
    const client_id = form.client_id.trim();
    if (!client_id || client_id.length > 256 || /\s/.test(client_id)) {
      throw { code: "invalid_input", message: `A ${crmLabel(form.crm)} app's client id is one word, as the CRM's developer settings show it.` } satisfies ApiError;
    }
    const url = form.auth_url?.trim().replace(/\/+$/, "") || null;
    if (url !== null && !/^https?:\/\/[^/\s]+/.test(url)) {
      throw { code: "invalid_input", message: `'${url}' is not a usable address for ${crmLabel(form.crm)}'s authorization server` } satisfies ApiError;
    }
    const port = form.redirect_port ?? CRM_APP_PORT;
    // The real command takes only a u16 here; anything else never reaches the backend.
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw { code: "invalid_input", message: `${port} is not a port.` } satisfies ApiError;
    const given = secret?.trim();
    if (given && !backend.keychain.includes(crmAppSecret(form.crm))) backend.keychain.push(crmAppSecret(form.crm));
    const app: StoredCrmApp = { crm: form.crm, client_id, auth_url: url, redirect_port: port };
    backend.crmApps = [...backend.crmApps.filter((x) => x.crm !== form.crm), app];
    record("crm.app", `crm-app:${form.crm} client id ${client_id}`);
    return shownApp(app);
  };
  const removeCrmApp = (crm: Crm): null => {
    backend.keychain = backend.keychain.filter((k) => k !== crmAppSecret(crm));
    if (!backend.crmApps.some((x) => x.crm === crm)) throw { code: "invalid_input", message: `No ${crmLabel(crm)} app is set.` } satisfies ApiError;
    backend.crmApps = backend.crmApps.filter((x) => x.crm !== crm);
    record("crm.app.remove", `crm-app:${crm}`);
    return null;
  };
  const connectInBrowser = async (crm: Crm, clientName: string, baseUrl: string | null, channel: Channel<SignIn>): Promise<CrmConnection> => {
    if (running) throw busy();
    const client = find(clientName);
    const app = backend.crmApps.find((x) => x.crm === crm);
    if (!app) {
      throw {
        code: "invalid_input",
        message: `Signing in to ${crmLabel(crm)} through the browser needs the agency's ${crmLabel(crm)} app: set its client id first.`,
      } satisfies ApiError;
    }
    const given = baseUrl?.trim().replace(/\/+$/, "") || null;
    if (given !== null && !/^https?:\/\//.test(given)) {
      throw { code: "invalid_input", message: `The address '${given}' is not usable: give an http or https URL.` } satisfies ApiError;
    }
    // A Salesforce org given by its address (a My Domain, a sandbox) is signed in to there.
    const at = crm === "salesforce" && given !== null ? given : (app.auth_url ?? CRM_AUTH[crm].url);
    const query = new URLSearchParams({
      response_type: "code", client_id: app.client_id, redirect_uri: redirectUri(app.redirect_port || 53682), state: "state-1",
      code_challenge: "challenge-1", code_challenge_method: "S256",
    });
    running = true;
    cancelled = false;
    try {
      sender(channel)({ crm, address: `${at}${CRM_AUTH[crm].path}?${query.toString()}` });
      if (backend.pauseSignIn && !cancelled) await new Promise<void>((go) => (release = go));
      if (cancelled) throw { code: "cancelled", message: `The ${crmLabel(crm)} sign-in was cancelled; nothing was connected.` } satisfies ApiError;
      if (backend.crm.signIn === "declined") throw { code: "cancelled", message: `${crmLabel(crm)} did not connect: access_denied.` } satisfies ApiError;
      if (backend.crm.unreachable) throw unreachable(crm);
      // Salesforce's token answer names the org's instance; the others are reached where they always are.
      const base = crm === "salesforce" ? (given ?? SALESFORCE_INSTANCE) : (given ?? CRM_BASES[crm] ?? "");
      return keepCrm(crm, client, base, true);
    } finally {
      running = false;
      release = null;
    }
  };
  const disconnectCrm = (which: string, confirmed: boolean): string => {
    const c = crmOf(which);
    if (!confirmed) {
      throw {
        code: "confirmation_required",
        message: `Disconnecting removes the ${crmLabel(c.crm)} token of connection ${c.id} from the keychain, with its field mappings; records already in the CRM stay there.`,
      } satisfies ApiError;
    }
    backend.keychain = backend.keychain.filter((k) => k !== crmToken(c.id) && k !== crmRefresh(c.id));
    backend.crmConnections = backend.crmConnections.filter((x) => x !== c);
    for (const key of Object.keys(backend.mappings)) if (key.startsWith(`${c.id}/`)) delete backend.mappings[key];
    record("crm.disconnect", `crm:${c.id} ${crmLabel(c.crm)}`);
    return c.id;
  };

  // The left side of a mapping: Meta's columns, then what the form's leads answered (the standard
  // answers while none is held).
  const formsHeld = (clientName: string): CrmForm[] => {
    const client = find(clientName);
    const forms = new Map<string, CrmForm>();
    for (const l of backend.leads.filter((x) => x.client === client.name)) {
      const f = forms.get(l.form_id) ?? { form_id: l.form_id, form_name: l.form_name, leads: 0 };
      f.leads += 1;
      forms.set(l.form_id, f);
    }
    return [...forms.values()].sort((x, y) => x.form_name.localeCompare(y.form_name) || x.form_id.localeCompare(y.form_id));
  };
  const formKeys = (clientName: string, form: string): string[] => {
    const client = find(clientName);
    const answered = backend.leads.filter((l) => l.client === client.name && l.form_id === form.trim()).flatMap((l) => l.answers.map(([k]) => k));
    const keys: string[] = [...META_COLUMNS];
    for (const k of answered.length ? answered : STANDARD_KEYS) if (!keys.includes(k)) keys.push(k);
    return keys;
  };
  const kept = (c: CrmConnection, form: string) => backend.mappings[`${c.id}/${form.trim()}`] ?? [];
  const keepMapping = (clientName: string, form: string, c: CrmConnection, read: Mapping): KeptMapping => {
    const client = find(clientName);
    if (read.form !== form.trim() || read.crm !== c.crm) {
      throw {
        code: "invalid_input",
        message: `The mapping is for form ${read.form} and ${crmLabel(read.crm)}, not form ${form.trim()} and ${crmLabel(c.crm)}.`,
      } satisfies ApiError;
    }
    const schema = schemaOf(c);
    const problems = checkMapping(read, c.crm, schema.fields, formKeys(client.name, form));
    const object = `crm:${c.id} form ${form.trim()}`;
    if (problems.length) {
      record("crm.map", object, "refused: invalid_input");
      throw { code: "invalid_input", message: `The mapping was not kept:\n${problems.map((p) => `- ${p}`).join("\n")}` } satisfies ApiError;
    }
    const versions = kept(c, form);
    const mapping: Mapping = { crm: read.crm, form: read.form, fields: read.fields.map((r) => ({ ...r })) };
    const next: KeptMapping = { version: versions.length + 1, saved_at: "2026-11-22T10:40:00.000Z", mapping };
    backend.mappings[`${c.id}/${form.trim()}`] = [...versions, next];
    record("crm.map", `${object} version ${next.version}`);
    return next;
  };
  const suggestMapping = (clientName: string, form: string, c: CrmConnection): Mapping => {
    const keys = formKeys(clientName, form);
    const { fields } = schemaOf(c);
    const rules: Rule[] = [];
    const add = (to: string, from: string, transform: Rule["transform"]) => {
      if (fields.some((f) => f.name === to) && !rules.some((r) => r.to === to)) rules.push({ to, from, transform });
    };
    const candidates: [string, string[], Rule["transform"]][] = [
      ["email", ["email", "Email"], "email"],
      ["first_name", ["firstname", "FirstName", "first_name"], "trim"],
      ["last_name", ["lastname", "LastName", "last_name"], "trim"],
      ["phone_number", ["phone", "Phone", "MobilePhone"], "e164"],
      ["city", ["city", "City"], "trim"],
      ["company_name", ["company", "Company", "org_name"], "trim"],
    ];
    for (const [key, names, transform] of candidates) if (keys.includes(key)) names.forEach((n) => add(n, key, transform));
    if (keys.includes("full_name")) {
      add("name", "full_name", "trim");
      ["firstname", "FirstName"].forEach((n) => add(n, "full_name", "first_name"));
      ["lastname", "LastName"].forEach((n) => add(n, "full_name", "last_name"));
    }
    const unmet = fields.filter((f) => f.required && !rules.some((r) => r.to === f.name)).map((f) => f.name);
    return { crm: c.crm, form: form.trim(), fields: rules, ...(unmet.length > 0 && { unmet }) };
  };
  const newestOf = (leads: LeadDetail[]) =>
    [...leads].sort((x, y) => y.created_time.localeCompare(x.created_time) || y.id - x.id)[0];
  const previewDraft = (clientName: string, form: string, c: CrmConnection, draft: Mapping, leadId: number | null): CrmPreview => {
    const client = find(clientName);
    const schema = schemaOf(c);
    const problems = checkMapping(draft, c.crm, schema.fields, formKeys(client.name, form));
    const ofForm = backend.leads.filter((l) => l.client === client.name && l.form_id === form.trim());
    const l = leadId === null ? newestOf(ofForm) : ofForm.find((x) => x.id === leadId);
    if (!l) return { lead_id: null, meta_id: null, body: null, problems: [...problems, "no lead of this form is held to preview"] };
    const applied = applyMapping(draft, schema.fields, answersOf(l), client.country);
    const shapedBody = Array.isArray(applied) ? { problems: applied } : CRM_BODIES[c.crm](applied);
    if ("problems" in shapedBody) {
      return { lead_id: l.id, meta_id: l.meta_id, body: null, problems: [...problems, ...shapedBody.problems.filter((p) => !problems.includes(p))] };
    }
    return { lead_id: l.id, meta_id: l.meta_id, body: shapedBody.body, problems };
  };

  // What each connection holds of each lead sent, as the body last sent: the same body is not sent again.
  const sentBodies = new Map<string, string>();
  const withheldLeads = () =>
    backend.requests.filter((r) => r.outcome_reason === "restricted").flatMap((r) => carrying(r.identifiers).map((l) => l.id));
  const pushTo = async (c: CrmConnection, send: (p: PushProgress) => void): Promise<ConnectionPush> => {
    if (c.client === null) throw { code: "invalid_input", message: "This CRM connection's client was removed; disconnect it." } satisfies ApiError;
    const client = find(c.client);
    const schema = schemaOf(c);
    const leads = backend.leads.filter((l) => l.client === client.name).sort((x, y) => x.id - y.id);
    const at = `2026-11-22T11:${String(backend.pushes.length + 1).padStart(2, "0")}:00Z`;
    const push: Push = {
      id: backend.pushes.length + 1, connection_id: c.id, crm: c.crm, client: c.client, started_at: at, finished_at: null,
      counts: { created: 0, updated: 0, unchanged: 0, withheld: 0, not_mapped: 0, failed: 0 }, stopped: null,
    };
    backend.pushes.push(push);
    const counts: Counts = push.counts;
    const failures: PushFailure[] = [];
    const note = (lead_id: number, status: string, message: string | null) =>
      backend.pushResults.push({ push_id: push.id, lead_id, crm: c.crm, client: c.client, at, status, message });
    const fail = (l: LeadDetail, message: string) => {
      counts.failed += 1;
      note(l.id, "failed", message);
      failures.push({ lead_id: l.id, meta_id: l.meta_id, form_id: l.form_id, message });
    };
    const withheld = withheldLeads();
    for (let i = 0; i < leads.length; i += PUSH_BATCH) {
      for (const l of leads.slice(i, i + PUSH_BATCH)) {
        if (withheld.includes(l.id)) {
          counts.withheld += 1;
          continue;
        }
        const mapping = kept(c, l.form_id).at(-1)?.mapping;
        if (!mapping) {
          counts.not_mapped += 1;
          continue;
        }
        const applied = applyMapping(mapping, schema.fields, answersOf(l), client.country);
        const shapedBody = Array.isArray(applied) ? { problems: applied } : CRM_BODIES[c.crm](applied);
        if ("problems" in shapedBody) {
          fail(l, `as mapped: ${shapedBody.problems.join("; ")}`);
          continue;
        }
        const refused = backend.crm.refusedLeads[l.id];
        if (refused !== undefined) {
          fail(l, refused);
          continue;
        }
        const key = `${c.id}/${l.id}`;
        const body = JSON.stringify(shapedBody.body);
        const before = sentBodies.get(key);
        if (before === body) {
          counts.unchanged += 1;
          continue;
        }
        sentBodies.set(key, body);
        const status = before === undefined ? "created" : "updated";
        counts[status] += 1;
        note(l.id, status, null);
      }
      send({ connection_id: c.id, done: Math.min(leads.length, i + PUSH_BATCH), total: leads.length });
      if (backend.pauseCrmPush && !cancelled) await new Promise<void>((go) => (release = go));
      if (cancelled) {
        push.stopped = "cancelled";
        break;
      }
    }
    push.finished_at = at.replace(":00Z", ":30Z");
    const { created, updated, unchanged, withheld: kept_back, not_mapped, failed } = counts;
    record(
      "crm.push",
      `crm:${c.id} push ${push.id}: ${created} created, ${updated} updated, ${unchanged} unchanged, ${kept_back} withheld, ${not_mapped} not mapped, ${failed} failed${push.stopped ? ", stopped" : ""}`,
    );
    return { push_id: push.id, connection_id: c.id, crm: c.crm, client: c.client, counts: { ...counts }, failures, stopped: push.stopped };
  };
  const crmPush = async (clientName: string | null, which: string | null, channel: Channel<PushProgress>): Promise<PushReport> => {
    if (running) throw busy();
    const only = clientName === null ? null : find(clientName);
    const chosen =
      which !== null ? [crmOf(which)] : backend.crmConnections.filter((c) => c.client !== null && (only === null || c.client === only.name));
    if (chosen.length === 0) {
      throw {
        code: "invalid_input",
        message: only ? `Client ${only.name} has no CRM connection to push to; connect its CRM first.` : "No CRM is connected to push to; connect a client's CRM first.",
      } satisfies ApiError;
    }
    running = true;
    cancelled = false;
    const send = sender(channel);
    try {
      const pushes: ConnectionPush[] = [];
      for (const c of chosen) {
        if (cancelled) break;
        pushes.push(await pushTo(c, send));
      }
      return { pushes };
    } finally {
      running = false;
      release = null;
    }
  };
  const crmLog = (clientName: string | null, crm: Crm | null, status: string | null, limit: number): PushLog => {
    const client = clientName === null ? null : find(clientName).name;
    if (status !== null && !["created", "updated", "failed"].includes(status)) {
      throw { code: "invalid_input", message: `'${status}' is not a push result: created, updated or failed.` } satisfies ApiError;
    }
    const mine = (x: { client: string | null; crm: string }) => (client === null || x.client === client) && (crm === null || x.crm === crm);
    return {
      pushes: [...backend.pushes].reverse().filter(mine).slice(0, limit).map((p) => ({ ...p, counts: { ...p.counts } })),
      results: [...backend.pushResults]
        .sort((x, y) => y.push_id - x.push_id || x.lead_id - y.lead_id)
        .filter((r) => mine(r) && (status === null || r.status === status))
        .slice(0, limit),
    };
  };

  // A client's records in its CRMs: one for each lead a push of one of its connections sent.
  const crmRecordsOf = (client: string) =>
    [...sentBodies.keys()].filter((key) => backend.crmConnections.some((c) => c.client === client && key.startsWith(`${c.id}/`)));
  const connectionOf = (key: string) => crmOf(key.slice(0, key.indexOf("/")));
  const asHeld = (records: string[]): Held[] => (records.length ? [{ kind: "crm_records", label: "CRM records", count: records.length }] : []);
  // Why a CRM would not take a call now, in the words a failed step or refusal gives; null: it would.
  const crmProblem = (c: CrmConnection): string | null => {
    if (backend.crm.unreachable) return `${crmLabel(c.crm)} kept failing (connection refused) after 3 attempts`;
    const refused = backend.crm.refusedTokens[c.id];
    return refused === undefined ? null : `${crmLabel(c.crm)} no longer accepts the token (${refused})`;
  };
  // One call a record; each deleted is forgotten here, so that trying again goes on from there.
  const deleteElsewhere = (c: Client): number => {
    let deleted = 0;
    let notDeleted = 0;
    const reasons: string[] = [];
    for (const key of crmRecordsOf(c.name)) {
      const problem = crmProblem(connectionOf(key));
      if (problem === null) {
        sentBodies.delete(key);
        deleted += 1;
      } else {
        notDeleted += 1;
        if (!reasons.includes(problem)) reasons.push(problem);
      }
    }
    if (deleted + notDeleted === 0) return 0;
    record("client.delete_elsewhere", `client:${c.id} "${c.name}": ${deleted} records deleted in its CRMs, ${notDeleted} not deleted`);
    if (notDeleted > 0) {
      throw {
        code: "remote_unavailable",
        message: `${notDeleted} records of client '${c.name}' in its CRMs could not be deleted (${reasons.join("; ")}); ${deleted} were. Nothing Custodian holds about the client was removed: try again when the CRM can be reached, or leave the rest there.`,
      } satisfies ApiError;
    }
    return deleted;
  };
  // A correction reaches the person's CRM records at once, by a step for each.
  const correctElsewhere = (r: Request, corrected: LeadDetail[]): string[] => {
    const records = [...sentBodies.keys()].filter((key) => corrected.some((l) => key.endsWith(`/${l.id}`)));
    const steps = (backend.remote[r.id] ??= []);
    for (const key of records) {
      const step: RemoteStep = { kind: "crm_records", action: "correct_record", status: "pending", answer: null, attempts: 0, updated_at: "2026-11-22T10:00:00.000Z" };
      correcting.set(step, connectionOf(key));
      steps.push(step);
    }
    return records;
  };

  const tooLong = (reason: string) => {
    if ([...reason].length > 500) throw { code: "invalid_input", message: "A reason is kept in the audit trail and may be at most 500 characters long." } satisfies ApiError;
  };

  // Pixels: read from `meta.pixels` through every connection Meta accepts, kept here with when
  // each grant was first found there or made by Custodian; every operation goes on the pixel's log.
  let ticks = 0;
  const stamp = () => {
    ticks += 1;
    return new Date(Date.UTC(2026, 10, 22, 12, 0, ticks)).toISOString();
  };
  const invalid = (message: string) => ({ code: "invalid_input", message }) satisfies ApiError;
  const sameGrantee = (x: Grantee | Grant, y: Grantee | Grant) => x.kind === y.kind && x.id === y.id;
  const byGrantee = (x: Grant, y: Grant) => x.kind.localeCompare(y.kind) || x.id.localeCompare(y.id);
  const copyPixel = (p: Pixel): Pixel => ({ ...p, grants: p.grants.map((g) => ({ ...g, tasks: [...g.tasks] })) });
  const reachOf = (grantees: Grantee[]) => {
    const count = (kind: string) => grantees.filter((g) => g.kind === kind).length;
    const [businesses, accounts] = [count("business"), count("ad_account")];
    return `${businesses} ${businesses === 1 ? "business" : "businesses"} and ${accounts} ${accounts === 1 ? "ad account" : "ad accounts"}`;
  };
  const granteeWords = (kind: string) => (kind === "business" ? "Business" : "Ad account");
  const businessId = (raw: string) => {
    const id = raw.trim();
    if (!/^\d{1,32}$/.test(id)) throw invalid(`'${id}' is not a business id: it is a number.`);
    return id;
  };
  const adAccountId = (raw: string) => {
    const digits = raw.trim().replace(/^act_/, "");
    if (!/^\d+$/.test(digits)) throw invalid(`'${raw.trim()}' is not an ad account: write it as Meta does, act_ and its number.`);
    return `act_${digits}`;
  };
  const parseTasks = (raw: string): { tasks: string[] } | { problem: string } => {
    const tasks: string[] = [];
    for (const task of raw.split(",").map((t) => t.trim().toUpperCase()).filter((t) => t !== "")) {
      if (!PIXEL_TASKS.includes(task)) return { problem: `'${task}' is not a pixel task: ANALYZE, UPLOAD or ADVERTISE` };
      if (!tasks.includes(task)) tasks.push(task);
    }
    return { tasks };
  };
  const notePixel = (pixel: string | null, operation: string, target: string | null, tasks: string | null, answer: string, refused: boolean) => {
    backend.pixelLog.push({
      id: backend.pixelLog.length + 1, pixel_id: pixel, operation, target, tasks, actor: "ada", at: stamp(), outcome: refused ? "refused" : "done", answer,
    });
  };
  // The usable connections (of `client`): those Meta has not stopped accepting, with their token in the keychain.
  const reaches = (client: string | null): MetaConnection[] => {
    const usable = backend.connections.filter(
      (c) => c.health !== "log_in_again" && backend.keychain.includes(`meta-token/${c.id}`) && (client === null || c.client === client),
    );
    if (usable.length === 0) {
      throw invalid(
        client === null
          ? "No Meta connection reaches any business: connect a system-user token first."
          : `Client ${client} has no Meta connection: connect a system-user token of its business.`,
      );
    }
    for (const c of usable) {
      const refused = backend.meta.refusedTokens[c.id];
      if (refused !== undefined) {
        throw { code: "token_invalid", message: `Meta no longer accepts this token (${refused}); log in again or add a new token.` } satisfies ApiError;
      }
    }
    return usable;
  };
  // Who can reach a kept pixel, as just read from Meta: a grant gone from there is forgotten, a new one noted as found there.
  const seen = (kept: Pixel, grantees: Grantee[], at: string) => {
    kept.grants = grantees
      .map((g): Grant => {
        const known = kept.grants.find((x) => sameGrantee(x, g));
        return known ? { ...known, tasks: [...g.tasks] } : { kind: g.kind, id: g.id, tasks: [...g.tasks], granted_at: at, by_custodian: false };
      })
      .sort(byGrantee);
  };
  const keptPixels = (client: string | null) =>
    backend.pixels
      .filter((p) => client === null || p.client === client)
      .sort((x, y) => x.name.localeCompare(y.name) || x.id.localeCompare(y.id))
      .map(copyPixel);
  const listPixels = (clientName: string | null): Pixel[] => {
    const client = clientName === null ? null : find(clientName).name;
    const listed: string[] = [];
    for (const c of reaches(client)) {
      for (const m of backend.meta.pixels) {
        const at = stamp();
        const fields = {
          name: m.name, business_id: m.business_id, relation: m.relation, client: c.client, connection_id: c.id, creation_time: m.creation_time,
          last_fired_time: m.last_fired_time, listed_at: at,
        };
        let kept = backend.pixels.find((p) => p.id === m.id);
        if (kept) Object.assign(kept, fields);
        else {
          kept = { id: m.id, ...fields, grants: [] };
          backend.pixels.push(kept);
        }
        seen(kept, m.grantees, at);
        const answer = `${reachOf(m.grantees)} can reach it`;
        notePixel(m.id, "list", m.business_id, null, answer, false);
        record("pixel.list", `pixel:${m.id} listed for business ${m.business_id}: ${answer}`);
        listed.push(m.id);
      }
    }
    return keptPixels(client).filter((p) => listed.includes(p.id));
  };
  const knownPixel = (given: string): Pixel => {
    const kept = backend.pixels.find((p) => p.id === given.trim());
    if (!kept) throw invalid(`Pixel ${given.trim()} is not among the pixels listed from Meta; list the businesses' pixels first.`);
    if (!backend.keychain.includes(`meta-token/${kept.connection_id}`)) {
      throw {
        code: "secret_missing",
        message: `The token of Meta connection ${kept.connection_id} is no longer in the keychain; connect the business again.`,
      } satisfies ApiError;
    }
    return kept;
  };
  // The pixel as Meta has it now; one gone from there is refused as Meta refuses it.
  const atMeta = (kept: Pixel): MetaPixel => {
    const m = backend.meta.pixels.find((p) => p.id === kept.id);
    if (!m) {
      throw { code: "remote_refused", message: "Meta refused the call (code 100, subcode 33): Unsupported request. Object does not exist or cannot be loaded." } satisfies ApiError;
    }
    return m;
  };
  const pixelAccess = (given: string): Pixel => {
    const kept = knownPixel(given);
    const m = atMeta(kept);
    seen(kept, m.grantees, stamp());
    const answer = reachOf(m.grantees);
    notePixel(kept.id, "list", null, null, answer, false);
    record("pixel.access", `pixel:${kept.id} access read: ${answer}`);
    return copyPixel(kept);
  };
  // What Meta said of a share or a revocation, on the pixel's log and the audit trail; kept here once done.
  const recordChange = (kept: Pixel, operation: "share" | "revoke", grantee: Grantee, before: Grantee[], refusal: string | null): PixelChange => {
    const target = `${grantee.kind} ${grantee.id}`;
    const tasks = grantee.tasks.length ? grantee.tasks.join(",") : null;
    const answer = refusal === null ? "done" : `Meta refused the call (code 100): ${refusal}`;
    notePixel(kept.id, operation, target, tasks, answer, refusal !== null);
    record(`pixel.${operation}`, `pixel:${kept.id} ${operation} ${target}${tasks ? ` (${tasks})` : ""}: ${refusal === null ? answer : `refused: ${answer}`}`);
    if (refusal !== null) throw { code: "remote_refused", message: answer } satisfies ApiError;
    const others = kept.grants.filter((g) => !sameGrantee(g, grantee));
    kept.grants =
      operation === "share"
        ? [...others, { kind: grantee.kind, id: grantee.id, tasks: [...grantee.tasks], granted_at: stamp(), by_custodian: true }].sort(byGrantee)
        : others;
    return { pixel_id: kept.id, operation, target, tasks: [...grantee.tasks], before };
  };
  const shareAtMeta = (kept: Pixel, m: MetaPixel, grantee: Grantee): PixelChange => {
    const before = m.grantees.map((g) => ({ ...g, tasks: [...g.tasks] }));
    const refusal = grantee.kind === "business" ? (backend.meta.refusedShares[grantee.id] ?? null) : null;
    if (refusal === null) m.grantees = [...m.grantees.filter((g) => !sameGrantee(g, grantee)), { ...grantee, tasks: [...grantee.tasks] }];
    return recordChange(kept, "share", grantee, before, refusal);
  };
  const revokeAtMeta = (kept: Pixel, m: MetaPixel, grantee: Grantee): PixelChange => {
    const before = m.grantees.map((g) => ({ ...g, tasks: [...g.tasks] }));
    m.grantees = m.grantees.filter((g) => !sameGrantee(g, grantee));
    return recordChange(kept, "revoke", grantee, before, null);
  };
  const sharePixel = (pixel: string, business: string, given: string[], confirmed: boolean): PixelChange => {
    const id = businessId(business);
    const parsed = parseTasks(given.join(","));
    if ("problem" in parsed) throw invalid(parsed.problem);
    if (parsed.tasks.length === 0) throw invalid("Give the tasks to share: ANALYZE, UPLOAD, ADVERTISE or several.");
    const kept = knownPixel(pixel);
    const m = atMeta(kept);
    if (!confirmed) {
      const now = m.grantees.find((g) => g.kind === "business" && g.id === id);
      throw {
        code: "confirmation_required",
        message: `Business ${id} would be able to ${parsed.tasks.join(", ")} on pixel ${kept.id} (${kept.name}); it now ${now ? `may ${now.tasks.join(", ")}` : "has no access"}. Confirm to share.`,
      } satisfies ApiError;
    }
    return shareAtMeta(kept, m, { kind: "business", id, tasks: parsed.tasks });
  };
  const shareWithAccount = (pixel: string, account: string, business: string): PixelChange => {
    const id = adAccountId(account);
    businessId(business);
    const kept = knownPixel(pixel);
    return shareAtMeta(kept, atMeta(kept), { kind: "ad_account", id, tasks: [] });
  };
  const revokePixel = (pixel: string, kind: string, given: string, confirmed: boolean): PixelChange => {
    const grantee: Grantee = kind === "ad_account" ? { kind, id: adAccountId(given), tasks: [] } : { kind: "business", id: businessId(given), tasks: [] };
    const kept = knownPixel(pixel);
    const m = atMeta(kept);
    const now = m.grantees.find((g) => sameGrantee(g, grantee));
    const who = `${granteeWords(grantee.kind)} ${grantee.id}`;
    if (!now) throw invalid(`${who} cannot reach pixel ${kept.id}: there is nothing to revoke.`);
    if (!confirmed) {
      const tasks = now.tasks.length ? ` (now ${now.tasks.join(", ")})` : "";
      throw { code: "confirmation_required", message: `${who}${tasks} would no longer reach pixel ${kept.id} (${kept.name}). Confirm to revoke.` } satisfies ApiError;
    }
    return revokeAtMeta(kept, m, grantee);
  };
  const createPixel = (account: string, given: string, clientName: string | null): string => {
    const id = adAccountId(account);
    const name = given.trim();
    if (!name || [...name].length > 100) throw invalid("A pixel's name is 1 to 100 characters.");
    reaches(clientName === null ? null : find(clientName).name);
    const refused = (error: ApiError) => {
      notePixel(null, "create", id, null, error.message, true);
      record("pixel.create", `pixel create on ${id} named ${name}: refused: ${error.message}`);
      return error;
    };
    const owner = backend.meta.adAccounts[id];
    if (owner === undefined) {
      throw refused({ code: "remote_refused", message: "Meta refused the call (code 100, subcode 33): Unsupported post request. Object does not exist or cannot be loaded." });
    }
    if (backend.meta.pixels.some((p) => p.relation === "owned" && p.business_id === owner)) {
      throw refused({
        code: "conflict",
        message: `Meta says a pixel already exists for ad account ${id} (error 6200): its business has the one pixel Meta allows it to make this way. Use that pixel, and share it where it is needed.`,
      });
    }
    const made = `77${String(backend.meta.pixels.length + 1).padStart(13, "0")}`;
    backend.meta.pixels.push({ id: made, name, business_id: owner, relation: "owned", creation_time: null, last_fired_time: null, grantees: [] });
    notePixel(made, "create", id, null, `made pixel ${made}`, false);
    record("pixel.create", `pixel create on ${id} named ${name}: made pixel ${made}`);
    return made;
  };
  // Each row is compared with who can reach its pixel at Meta now; a row that cannot be done says why without stopping the rest.
  const bulkPixels = (path: string, dryRun: boolean): PixelBulk => {
    const text = backend.texts[path];
    if (text === undefined) throw invalid(`cannot read ${path}: No such file or directory (os error 2)`);
    const [head = "", ...lines] = text.split(/\r?\n/);
    const header = csvCells(head).map((h) => h.replace(/^\uFEFF/, "").trim().toLowerCase());
    const [pixelAt, businessAt, tasksAt] = [header.indexOf("pixel"), header.indexOf("business"), header.indexOf("tasks")];
    if (Math.min(pixelAt, businessAt, tasksAt) < 0) {
      throw invalid("The file's header must be pixel,business,tasks.");
    }
    const rows: BulkRow[] = [];
    for (const [i, line] of lines.entries()) {
      const cells = csvCells(line).map((c) => c.trim());
      if (cells.every((c) => c === "")) continue;
      const row: BulkRow = {
        line: i + 2, pixel_id: cells[pixelAt] ?? "", business: cells[businessAt] ?? "", tasks: [], change: "invalid", outcome: "none", message: null,
      };
      rows.push(row);
      const parsed = parseTasks(cells[tasksAt] ?? "");
      if (!/^\d{1,32}$/.test(row.business)) {
        row.message = `'${row.business}' is not a business id`;
        continue;
      }
      if ("problem" in parsed) {
        row.message = parsed.problem;
        continue;
      }
      row.tasks = parsed.tasks;
      let kept: Pixel;
      try {
        kept = knownPixel(row.pixel_id);
      } catch (e) {
        row.message = (e as ApiError).message;
        continue;
      }
      const m = backend.meta.pixels.find((p) => p.id === kept.id);
      if (!m) {
        Object.assign(row, { change: "none", outcome: "refused", message: "Meta refused the call (code 100, subcode 33): Unsupported request. Object does not exist or cannot be loaded." });
        continue;
      }
      const now = m.grantees.find((g) => g.kind === "business" && g.id === row.business);
      const same = now !== undefined && now.tasks.length === row.tasks.length && now.tasks.every((t) => row.tasks.includes(t));
      row.change = row.tasks.length === 0 ? (now ? "revoke" : "none") : same ? "none" : "share";
      if (row.change === "none") {
        row.message = row.tasks.length === 0 ? "it has no access already" : "it has these tasks already";
        continue;
      }
      if (dryRun) {
        row.outcome = "would";
        row.message = now ? `now ${now.tasks.length ? now.tasks.join(", ") : "no tasks"}` : null;
        continue;
      }
      const grantee: Grantee = { kind: "business", id: row.business, tasks: row.tasks };
      try {
        if (row.change === "revoke") revokeAtMeta(kept, m, grantee);
        else shareAtMeta(kept, m, grantee);
        row.outcome = "done";
      } catch (e) {
        Object.assign(row, { outcome: "refused", message: (e as ApiError).message });
      }
    }
    return { dry_run: dryRun, rows };
  };
  const pixelOperations = (pixel: string | null, limit: number): Operation[] =>
    [...backend.pixelLog]
      .reverse()
      .filter((o) => pixel === null || o.pixel_id === pixel.trim())
      .slice(0, Math.max(1, limit))
      .map((o) => ({ ...o }));

  clearMocks();
  // The app lock's gate: while locked, only the lock screen's calls get through.
  const lockStatus = () => ({ enabled: backend.lock.passphrase !== null, locked: backend.lock.locked, idle_minutes: backend.lock.idle_minutes, wait_seconds: backend.lock.wrong >= 5 ? 30 : 0 });
  const lockCommand = (cmd: string, args: Record<string, unknown>): { handled: boolean; value?: unknown } => {
    const l = backend.lock;
    const wrong = () => ({ code: "invalid_input", message: "That is not the app's passphrase." }) satisfies ApiError;
    switch (cmd) {
      case "lock_status":
        return { handled: true, value: lockStatus() };
      case "lock_now":
        if (l.passphrase !== null && !l.locked) record("lock.lock", "window locked: on demand");
        l.locked = l.passphrase !== null;
        return { handled: true, value: lockStatus() };
      case "unlock":
        if (l.wrong >= 5) throw { code: "try_later", message: "Too many wrong passphrases: try again in 30 seconds." } satisfies ApiError;
        if (args.passphrase !== l.passphrase) {
          l.wrong += 1;
          record("lock.unlock", "window", "refused");
          throw wrong();
        }
        l.wrong = 0;
        l.locked = false;
        record("lock.unlock", "window");
        return { handled: true, value: lockStatus() };
      default:
        if (l.locked && l.passphrase !== null) throw { code: "locked", message: "The app is locked. Unlock it with its passphrase to go on." } satisfies ApiError;
    }
    switch (cmd) {
      case "lock_activity":
        return { handled: true, value: null };
      case "set_lock_passphrase": {
        if (l.passphrase !== null && args.current !== l.passphrase) throw wrong();
        if (String(args.passphrase).length < 8) throw { code: "invalid_input", message: "A passphrase is at least 8 characters long, and at most 1024." } satisfies ApiError;
        l.passphrase = String(args.passphrase);
        record("lock.set", "app lock passphrase set in the keychain (as its Argon2id hash)");
        return { handled: true, value: lockStatus() };
      }
      case "clear_lock_passphrase":
        if (args.current !== l.passphrase) throw wrong();
        l.passphrase = null;
        record("lock.clear", "app lock passphrase removed from the keychain");
        return { handled: true, value: lockStatus() };
      case "set_lock_idle":
        l.idle_minutes = Number(args.minutes);
        return { handled: true, value: lockStatus() };
      default:
        return { handled: false };
    }
  };

  const breachCommand = breachCommands(backend, {
    record,
    held: (clients) => {
      const leads = backend.leads.filter((l) => clients.length === 0 || clients.includes(l.client));
      const emails = new Set(leads.map((l) => l.answers.find(([q]) => q === "email")?.[1] ?? `lead ${l.id}`));
      return { people: emails.size, records: leads.length };
    },
    clientExists: (name) => backend.clients.some((c) => c.name.toLowerCase() === name.trim().toLowerCase()),
    text: (path) => backend.texts[path],
    write,
  });

  mockIPC((cmd, args) => {
    if (backend.fail) throw backend.fail;
    const a = (args ?? {}) as Record<string, string>;
    const locking = lockCommand(cmd, (args ?? {}) as Record<string, unknown>);
    if (locking.handled) return locking.value;
    const breach = breachCommand(cmd, (args ?? {}) as Record<string, unknown>);
    if (breach.handled) return breach.value;
    switch (cmd) {
      case "overview":
        return {
          workspace_id: "ws", data_dir: "/data", version: "0.1.0 (1a2b3c4d5e6f)", clients: backend.clients.length, audit_entries: backend.audit.length,
          requests_open: backend.requests.filter((r) => r.urgency !== "closed").length, requests_due_this_week: 0, requests_overdue: 0,
          held: holdings(),
        } satisfies Overview;
      case "list_clients":
        return [...backend.clients].sort((x, y) => x.name.localeCompare(y.name));
      case "add_client": {
        const name = a.name ?? "";
        if (backend.clients.some((x) => x.name.toLowerCase() === name.trim().toLowerCase())) {
          throw { code: "conflict", message: `A client named '${name}' already exists; choose another name.` } satisfies ApiError;
        }
        return add(name);
      }
      case "rename_client": {
        const c = find(a.old ?? "");
        const old = c.name;
        c.name = (a.new ?? "").trim();
        backend.connections.forEach((m) => m.client === old && (m.client = c.name));
        backend.crmConnections.forEach((m) => m.client === old && (m.client = c.name));
        backend.pages.forEach((p) => p.client === old && (p.client = c.name));
        backend.pixels.forEach((p) => p.client === old && (p.client = c.name));
        record("client.rename", c.name);
        return c;
      }
      case "client_holdings": {
        const c = find(a.name ?? "");
        const there = asHeld(crmRecordsOf(c.name));
        return { client: c, held: [...heldBy(c.name), ...there], elsewhere: there } satisfies Holdings;
      }
      case "remove_client": {
        const c = find(a.name ?? "");
        const hold = backend.holds.find((h) => h.client === c.name);
        if (hold) {
          record("client.remove", `client:${c.id} "${c.name}" refused: held`);
          throw {
            code: "held",
            message: `Client '${c.name}' cannot be removed: ${describeHold(hold)} keeps its data (GDPR Art. 17(3)(e)). Nothing was deleted. Lift the hold when it no longer applies, then remove the client.`,
          } satisfies ApiError;
        }
        const elsewhere = (args as { elsewhere?: Elsewhere | null }).elsewhere ?? null;
        const there = crmRecordsOf(c.name).length;
        if (there > 0 && elsewhere === null) {
          throw {
            code: "confirmation_required",
            message: `Client '${c.name}' has ${there} records in its CRMs. Say whether to leave them there (only what Custodian knows of them goes) or to delete them there too.`,
          } satisfies ApiError;
        }
        const deleted_elsewhere = elsewhere === "delete" ? deleteElsewhere(c) : 0;
        const removed = [...heldBy(c.name), ...asHeld(crmRecordsOf(c.name))];
        backend.clients = backend.clients.filter((x) => x !== c);
        backend.leads = backend.leads.filter((l) => l.client !== c.name);
        backend.imports = backend.imports.filter((i) => i.client !== c.name);
        // A connection outlives its client, as the real one's foreign key sets it to none.
        backend.connections.forEach((m) => m.client === c.name && (m.client = null));
        backend.crmConnections.forEach((m) => m.client === c.name && (m.client = null));
        backend.pages.forEach((p) => p.client === c.name && (p.client = null));
        backend.pixels.forEach((p) => p.client === c.name && (p.client = null));
        record("client.remove", c.name);
        return { client: c, removed, deleted_elsewhere } satisfies Removal;
      }
      case "leads_count": {
        const f = (args as { filter: { search: string | null } }).filter;
        return matching(f.search).length;
      }
      case "leads_page": {
        const { filter, page } = args as { filter: { search: string | null }; page: { limit: number; offset: number } };
        const rows = matching(filter.search).slice(page.offset, page.offset + page.limit).map(row);
        return { rows, next: null };
      }
      case "lead_detail":
        return backend.leads.find((l) => l.id === (args as { id: number }).id);
      case "import_file": {
        const { path, client } = args as { path: string; client: string };
        if (running) throw busy();
        return runImport(path, client);
      }
      case "list_imports":
        return [...backend.imports].sort((x, y) => y.started_at.localeCompare(x.started_at));
      case "import_again": {
        const i = backend.imports.find((x) => x.id === a.id);
        if (running) throw busy();
        if (!i) throw { code: "invalid_input", message: `No import has id ${a.id}; the list of imports shows their ids.` } satisfies ApiError;
        if (!i.path) throw { code: "invalid_input", message: `Import ${i.id} was recorded without the file's place; import ${i.file_name} again by choosing it.` } satisfies ApiError;
        return runImport(i.path, i.client);
      }
      case "export_leads": {
        const { filter, path, replace } = args as { filter: { search: string | null }; path: string; replace?: boolean };
        write(path, replace);
        record("lead.export", path);
        return { path, rows: matching(filter.search).length } satisfies Export;
      }
      case "plugin:dialog|save":
        return backend.saveAs;
      case "list_requests":
        return backend.requests;
      case "new_request": {
        const form = (args as { form: RequestForm }).form;
        if (form.identifiers.length === 0) throw { code: "invalid_input", message: "A request needs at least one identifier of the person." } satisfies ApiError;
        const r = newRequest(backend.requests.length + 1, form);
        backend.requests.push(r);
        record("request.new", `request:${r.id}`);
        return r;
      }
      case "find_for_request": {
        const r = request(a.id);
        const held = heldAbout(r);
        const here: HeldRecord[] = held.map((l) => ({
          id: String(l.id), client: l.client, source: `leads.csv, line ${l.source_line}`, created: l.created_time, fields: l.answers, fetched_at: null,
        }));
        const atMeta = leadsAtMeta(held, r.kind === "access" || r.kind === "portability");
        const found: Discovery = {
          request_id: r.id, searched: r.identifiers, offered: [],
          groups: [
            ...(here.length ? [{ kind: "leads" as const, label: "leads", client: "Acme", records: here }] : []),
            ...(atMeta.length ? [{ kind: "leads_at_meta" as const, label: "leads at Meta", client: null, records: atMeta }] : []),
          ],
        };
        return found;
      }
      case "add_request_identifiers": {
        const r = request(a.id);
        const given = (args as { identifiers: Identifier[] }).identifiers.filter((i) => i.value.trim());
        if (!isOpen(r)) throw { code: "conflict", message: `Request ${r.id} is closed; identifiers are added only to an open request.` } satisfies ApiError;
        if (given.length === 0) throw { code: "invalid_input", message: "Give at least one identifier to add." } satisfies ApiError;
        const fresh = given.filter((g) => !r.identifiers.some((i) => i.kind === g.kind && i.value.toLowerCase() === g.value.toLowerCase()));
        r.identifiers = [...r.identifiers, ...fresh];
        record("request.identify", `request:${r.id} ${fresh.length} identifiers added`);
        return r;
      }
      case "erase_preview": {
        const r = request(a.id);
        const held = erasable(r, false);
        return { request_id: r.id, deletes: deletes(held), suppresses: suppressible(r) } satisfies ErasePreview;
      }
      case "erase_request": {
        const r = request(a.id);
        const { confirmed, nothingHeld } = args as { confirmed: boolean; nothingHeld?: boolean };
        const held = erasable(r, nothingHeld ?? false);
        const suppressed = suppressible(r);
        if (!confirmed) {
          const words = deletes(held).map((d) => `${d.count} ${d.label}`).join(", ") || "nothing";
          throw { code: "confirmation_required", message: `Erasing request ${r.id}'s person deletes ${words} and puts ${suppressed} identifiers on the suppression list.` } satisfies ApiError;
        }
        const atMeta = leadsAtMeta(held, false);
        backend.leads = backend.leads.filter((l) => !held.includes(l));
        const nothing_held = held.length === 0;
        Object.assign(r, {
          status: "completed", urgency: "closed", identifiers: r.identifiers.map((i) => ({ ...i, value: "" })),
          outcome_reason: `${nothing_held ? "nothing held" : "erased"}; receipt ER-ABCD-EFGH-JKMN`, closed_at: "2026-11-22T10:00:00.000Z",
        });
        record("request.erase", `request:${r.id}`);
        // One step deleting each erased lead Meta holds too (a synced one), taken once the erasure here is done.
        backend.remote[r.id] = atMeta.map(() => ({
          kind: "leads_at_meta", action: "delete_lead", status: "pending", answer: null, attempts: 0, updated_at: "2026-11-22T10:00:00.000Z",
        }));
        return {
          receipt: {
            code: "ER-ABCD-EFGH-JKMN", request_id: r.id, erased_at: "2026-11-22T10:00:00.000Z", actor: "ada", nothing_held,
            deleted: deletes(held), beyond_reach: [], suppressed, audit_seq: 9, audit_hash: "a".repeat(64),
          },
          wal_emptied: true,
          remote: takeRemote(r.id, "2026-11-22T10:00:00.000Z"),
        } satisfies Erased;
      }
      case "remote_steps":
        return (backend.remote[request(a.id).id] ?? []).map((s) => ({ ...s }));
      case "retry_remote":
        return retryRemote(request(a.id));
      case "advance_request": {
        const r = request(a.id);
        const { to, note } = args as { to: Request["status"]; note: string | null };
        if (!isOpen(r)) throw { code: "conflict", message: `Request ${r.id} is ${r.status} and can no longer change.` } satisfies ApiError;
        if (to === "completed" || to === "denied") throw { code: "invalid_input", message: "A request is completed or denied by closing it." } satisfies ApiError;
        if (note) r.verification_notes = r.verification_notes ? `${r.verification_notes}\n${note}` : note;
        record("request.status", `request:${r.id} ${r.status} -> ${to}`);
        r.status = to;
        return r;
      }
      case "extend_request": {
        const r = request(a.id);
        const { reason } = args as { reason: string };
        if (r.extended) throw { code: "invalid_input", message: `Request ${r.id} was already extended once.` } satisfies ApiError;
        Object.assign(r, { extended: true, extension_reason: reason, due_on: "2027-02-22", days_left: 92 });
        record("request.extend", `request:${r.id} due ${r.due_on}`);
        return r;
      }
      case "close_request": {
        const r = request(a.id);
        const { outcome, reason } = args as { outcome: "completed" | "denied"; reason: string | null };
        if (!isOpen(r)) throw { code: "conflict", message: `Request ${r.id} is ${r.status} and can no longer change.` } satisfies ApiError;
        if (outcome === "completed" && r.kind === "erasure") throw { code: "invalid_input", message: `Erasure request ${r.id} is completed by erasing its person, or, when nothing is held, by closing it as nothing held; either gives a receipt. It can be denied with a reason.` } satisfies ApiError;
        if (outcome === "denied" && !reason) throw { code: "invalid_input", message: "Denying a request needs the reason, which the person is told." } satisfies ApiError;
        Object.assign(r, { status: outcome, outcome_reason: reason, closed_at: "2026-11-22T10:00:00.000Z" });
        record("request.close", `request:${r.id} ${outcome}`);
        return r;
      }
      case "restrict_request": {
        const r = request(a.id);
        if (r.kind !== "restriction" && r.kind !== "objection") throw { code: "invalid_input", message: `Request ${r.id} is an ${r.kind} request; only a restriction or objection request flags the person.` } satisfies ApiError;
        Object.assign(r, { status: "completed", outcome_reason: "restricted", closed_at: "2026-11-22T10:00:00.000Z" });
        record("request.restrict", `request:${r.id}`);
        return r;
      }
      case "rectify_request": {
        const r = request(a.id);
        const { field, value } = args as { field: string; value: string };
        if (r.kind !== "rectification") throw { code: "invalid_input", message: `Request ${r.id} is an ${r.kind} request; only a rectification request corrects data.` } satisfies ApiError;
        const held = heldAbout(r).filter((l) => l.answers.some(([k]) => k === field));
        for (const lead of held) lead.answers = lead.answers.map(([k, v]) => [k, k === field ? value : v]);
        record("request.rectify", `request:${r.id} field ${field}`);
        const changed: Held[] = [...(held.length ? [{ kind: "leads" as const, label: "leads", count: held.length }] : []), ...asHeld(correctElsewhere(r, held))];
        return { request: r, changed, not_corrected: [], remote: takeRemote(r.id, "2026-11-22T10:00:00.000Z") } satisfies Rectified;
      }
      case "cancel_import":
        // Imports here finish at once; only a sync, a push or a sign-in can still be running.
        if (!running) return false;
        cancelled = true;
        backend.resume();
        return true;
      case "export_request": {
        const r = request(a.id);
        const { path, replace } = args as { path: string; replace?: boolean };
        write(path, replace);
        record("request.export", `request:${r.id}`);
        return {
          path, records: heldAbout(r).length,
          files: ["summary.html", "data.json", "manifest.json"].map((name) => ({ name, bytes: 100, sha256: "b".repeat(64) })),
        } satisfies Package;
      }
      case "request_from_signed_request": {
        if (!(a.signed ?? "").startsWith("good.")) {
          throw { code: "invalid_input", message: "The signed_request's signature does not match the Meta app secret in the keychain." } satisfies ApiError;
        }
        const r = newRequest(backend.requests.length + 1, {
          kind: "erasure", identifiers: [{ kind: "app_user_id", value: "987654321" }], regime: null, received_on: null, client: null,
          verification_notes: "From Meta's data-deletion callback, signature verified with the app secret.",
        });
        backend.requests.push(r);
        return r;
      }
      case "processing_info":
        return Object.entries(backend.processing);
      case "set_processing_info":
        backend.processing[a.key ?? ""] = a.text ?? "";
        return Object.entries(backend.processing);
      case "retention_review":
        return review();
      case "set_retention": {
        const { days: d, client, reason } = args as { days: number; client: string | null; reason: string };
        if (!reason.trim()) throw { code: "invalid_input", message: "A retention change needs its reason (an agreement, a legal duty), which the audit trail keeps." } satisfies ApiError;
        tooLong(reason);
        if (client) backend.policies[client] = d;
        record("retention.set", `retention of leads for ${client ?? "the workspace default"}: ${d} days, because ${reason}`);
        return review();
      }
      case "list_holds":
        return backend.holds;
      case "add_hold": {
        const form = (args as { form: HoldForm }).form;
        if (!form.reason.trim()) throw { code: "invalid_input", message: "A hold needs its reason (a dispute, an authority's request), which the audit trail keeps." } satisfies ApiError;
        tooLong(form.reason);
        const h: Hold = {
          id: backend.holds.length + 1, client: form.client, identifiers: form.identifiers.map((i) => i.kind), reason: form.reason,
          until: form.until, created_at: "2026-11-22T10:00:00.000Z",
        };
        backend.holds.push(h);
        holdValues.set(h.id, form.identifiers.map((i) => i.value.trim().toLowerCase()));
        record("hold.add", `hold:${h.id}`);
        return h;
      }
      case "remove_hold":
        backend.holds = backend.holds.filter((h) => h.id !== Number(a.id));
        record("hold.remove", `hold:${a.id}`);
        return null;
      case "purge_retention": {
        const purged = due();
        const dry = (args as { dryRun: boolean }).dryRun;
        if (!dry) {
          backend.leads = backend.leads.filter((l) => !purged.some((p) => p.client === l.client));
          purged.forEach((p) => record("retention.purge", `purged ${p.count} leads of ${p.client}`));
          backend.lastPurge = { started_at: "2026-11-22T10:00:00Z", finished_at: "2026-11-22T10:00:01Z", automatic: false, purged: purged.reduce((n, p) => n + p.count, 0), error: null };
        }
        return {
          dry_run: dry, as_of: "2026-11-22T10:00:00Z", purged, audit_seq: dry ? null : seq, audit_hash: dry ? null : String(seq).padStart(64, "0"),
          wal_emptied: !dry,
        };
      }
      case "purge_schedule":
        return { last: backend.lastPurge, next_at: "2099-01-01T00:00:00Z", next: due() };
      case "meta_app":
        return metaApp();
      case "set_meta_app":
        return setMetaApp((args as { form: MetaAppForm }).form);
      case "set_meta_app_secret": {
        const secret = (a.secret ?? "").trim();
        if (!secret || /\s/.test(secret)) {
          throw { code: "invalid_input", message: "A Meta app secret is one word of letters and digits (App settings → Basic → App secret)." } satisfies ApiError;
        }
        if (!backend.keychain.includes(APP_SECRET)) backend.keychain.push(APP_SECRET);
        record("meta.app_secret", "Meta app secret set in the keychain");
        return metaApp();
      }
      case "remove_meta_app_secret":
        backend.keychain = backend.keychain.filter((k) => k !== APP_SECRET);
        record("meta.app_secret", "Meta app secret removed from the keychain");
        return metaApp();
      case "connect_meta": {
        const { token, client } = args as { token: string; client: string | null };
        return connectMeta(token, client);
      }
      case "meta_login":
        return metaLogin((args as { client: string | null }).client);
      case "meta_connections":
        return backend.connections.map((c) => ({ ...c }));
      case "disconnect_meta": {
        const { id, confirmed } = args as { id: string; confirmed: boolean };
        return disconnectMeta(id, confirmed);
      }
      case "meta_pages":
        return pages();
      case "refresh_meta_pages":
        return refreshPages();
      case "assign_meta_page": {
        const { pageId, client } = args as { pageId: string; client: string | null };
        return assignPage(pageId, client);
      }
      case "meta_forms": {
        const read = formsOf((args as { pageId: string | null }).pageId).map((f) => ({ ...f }));
        if (!backend.delayForms) return read;
        return new Promise((answer) => (backend.releaseForms = () => answer(read)));
      }
      case "refresh_meta_forms":
        return refreshForms((args as { pageId: string | null }).pageId);
      case "set_meta_form_sync": {
        const { formId, sync } = args as { formId: string; sync: boolean };
        return setFormSync(formId, sync);
      }
      case "sync_meta": {
        const { client, form, onProgress } = args as { client: string | null; form: string | null; onProgress: Channel<SyncProgress> };
        return syncMeta(client, form, onProgress);
      }
      case "crm_connections":
        return backend.crmConnections.map((c) => ({ ...c }));
      case "set_crm_auto_push": {
        const { id, on } = args as { id: string; on: boolean };
        const c = backend.crmConnections.find((x) => x.id === id);
        if (!c) throw { code: "invalid_input", message: `No CRM connection is '${id}'.` };
        c.auto_push = on;
        return { ...c };
      }
      case "connect_crm": {
        const { crm, client, token, baseUrl } = args as { crm: Crm; client: string; token: string; baseUrl?: string | null };
        return connectCrm(crm, client, token, baseUrl ?? null);
      }
      case "connect_crm_in_browser": {
        const { crm, client, baseUrl, onAddress } = args as { crm: Crm; client: string; baseUrl: string | null; onAddress: Channel<SignIn> };
        return connectInBrowser(crm, client, baseUrl, onAddress);
      }
      case "crm_apps":
        return crmApps();
      case "set_crm_app": {
        const { form, secret } = args as { form: CrmAppForm; secret: string | null };
        return setCrmApp(form, secret);
      }
      case "remove_crm_app":
        return removeCrmApp((args as { crm: Crm }).crm);
      case "disconnect_crm": {
        const { id, confirmed } = args as { id: string; confirmed: boolean };
        return disconnectCrm(id, confirmed);
      }
      case "crm_fields":
        return schemaOf(crmOf(a.id ?? ""));
      case "crm_forms":
        return formsHeld(a.client ?? "");
      case "crm_form_keys":
        return formKeys(a.client ?? "", a.form ?? "");
      case "crm_map_show": {
        find(a.client ?? "");
        return kept(crmOf(a.connection ?? ""), a.form ?? "").at(-1) ?? null;
      }
      case "crm_map_suggest":
        return suggestMapping(a.client ?? "", a.form ?? "", crmOf(a.connection ?? ""));
      case "crm_map_set": {
        const { client, form, connection, mapping } = args as { client: string; form: string; connection: string; mapping: Mapping };
        return keepMapping(client, form, crmOf(connection), mapping);
      }
      case "crm_map_export": {
        const { client, form, connection, path } = args as { client: string; form: string; connection: string; path: string };
        find(client);
        const newest = kept(crmOf(connection), form).at(-1);
        if (!newest) throw { code: "invalid_input", message: `No mapping is kept for form ${form.trim()} to this CRM yet.` } satisfies ApiError;
        if (!backend.files.includes(path)) backend.files.push(path);
        backend.texts[path] = `${JSON.stringify(newest.mapping, null, 2)}\n`;
        return Number(newest.version);
      }
      case "crm_map_import": {
        const { client, form, connection, path } = args as { client: string; form: string; connection: string; path: string };
        const text = backend.texts[path];
        if (text === undefined) throw { code: "invalid_input", message: `The file ${path} cannot be read: No such file or directory (os error 2).` } satisfies ApiError;
        let read: Mapping;
        try {
          read = JSON.parse(text) as Mapping;
        } catch (e) {
          throw { code: "invalid_input", message: `The mapping is not one Custodian reads: ${String(e)}.` } satisfies ApiError;
        }
        return keepMapping(client, form, crmOf(connection), read);
      }
      case "crm_preview_draft": {
        const { client, form, connection, mapping, leadId } = args as { client: string; form: string; connection: string; mapping: Mapping; leadId: number | null };
        return previewDraft(client, form, crmOf(connection), mapping, leadId);
      }
      case "crm_push": {
        const { client, connection, onProgress } = args as { client: string | null; connection: string | null; onProgress: Channel<PushProgress> };
        return crmPush(client, connection, onProgress);
      }
      case "crm_log": {
        const { client, crm, status, limit } = args as { client: string | null; crm: Crm | null; status: string | null; limit: number };
        return crmLog(client, crm, status, limit);
      }
      case "pixels_kept": {
        const { client } = args as { client: string | null };
        return keptPixels(client === null ? null : find(client).name);
      }
      case "pixel_list":
        return listPixels((args as { client: string | null }).client);
      case "pixel_access":
        return pixelAccess(a.pixel ?? "");
      case "pixel_share": {
        const { pixel, business, tasks, confirmed } = args as { pixel: string; business: string; tasks: string[]; confirmed: boolean };
        return sharePixel(pixel, business, tasks, confirmed);
      }
      case "pixel_share_account": {
        const { pixel, account, business } = args as { pixel: string; account: string; business: string };
        return shareWithAccount(pixel, account, business);
      }
      case "pixel_revoke": {
        const { pixel, kind, id, confirmed } = args as { pixel: string; kind: string; id: string; confirmed: boolean };
        return revokePixel(pixel, kind, id, confirmed);
      }
      case "pixel_create": {
        const { account, name, client } = args as { account: string; name: string; client: string | null };
        return createPixel(account, name, client);
      }
      case "pixel_bulk": {
        const { path, dryRun } = args as { path: string; dryRun: boolean };
        return bulkPixels(path, dryRun);
      }
      case "pixel_log": {
        const { pixel, limit } = args as { pixel: string | null; limit: number };
        return pixelOperations(pixel, limit);
      }
      case "chat_list": {
        const { client, search, limit, offset } = args as { client: string | null; search: string | null; limit: number; offset: number };
        const words = (search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
        return backend.threads
          .filter((t) => client === null || t.summary.client === find(client).name)
          .filter((t) => words.every((w) => t.messages.some((m) => m.body.toLowerCase().includes(w))))
          .map((t) => t.summary)
          .sort((x, y) => y.last_at.localeCompare(x.last_at))
          .slice(offset, offset + limit);
      }
      case "chat_show": {
        const { thread, limit, offset } = args as { thread: number; limit: number; offset: number };
        const held = backend.threads.find((t) => t.summary.id === thread);
        if (!held) throw { code: "not_found", message: "No conversation has id that; it may have been erased or purged." } satisfies ApiError;
        return { ...held, messages: held.messages.slice(offset, offset + limit) };
      }
      case "chat_import": {
        const { client, path, with: given } = args as { client: string; path: string; with: ChatWith };
        const into = find(client);
        const file = backend.chatFiles[path];
        if (backend.datesEitherWay.includes(path) && given.date_order === null) {
          throw {
            code: "date_order",
            message: `${path}'s dates read as well day first as month first (line 1: 2/3/2026), and none of them says which.`,
          } satisfies ApiError;
        }
        if (!file) {
          throw {
            code: "file_unreadable",
            message: `${path} is neither WhatsApp's Export chat text nor an archive of webhook payloads (JSON Lines).`,
          } satisfies ApiError;
        }
        const fresh = file.filter((t) => !backend.threads.some((h) => h.summary.id === t.summary.id));
        backend.threads.push(...fresh.map((t) => ({ ...t, summary: { ...t.summary, client: into.name } })));
        const count = (ts: Thread[]) => ts.reduce((n, t) => n + t.messages.length, 0);
        record("chat.import", `client ${into.name}`);
        return {
          client: into.name, file_name: path.split("/").pop() ?? path, kind: path.endsWith(".jsonl") ? "webhook_archive" : "whatsapp_export",
          threads: fresh.length, messages: count(fresh), already_held: count(file) - count(fresh), erased: 0, consent: 0, rejected: 0, rejections: [],
          stopped: null, cancelled: false,
        } satisfies ChatImport;
      }
      case "chat_sync":
        return backend.chatSync;
      case "consent_show":
        return consentOf((args as { identifiers: Identifier[] }).identifiers);
      case "consent_set": {
        const { identifiers, change } = args as { identifiers: Identifier[]; change: ConsentChange };
        if (change.opted_in && change.client === null) {
          throw { code: "invalid_input", message: "An opt-in is given to one business: name the client the person agreed to hear from." } satisfies ApiError;
        }
        if (!change.reason.trim()) {
          throw { code: "invalid_input", message: "Say how the person gave their answer: it is the proof the register keeps." } satisfies ApiError;
        }
        backend.consent.push({
          id: backend.consent.length + 1, client: change.client, channel: change.channel, opted_in: change.opted_in,
          said_at: "2026-11-23T09:00:00Z", recorded_at: "2026-11-23T09:00:00Z", source: "admin",
          proof: `recorded by tester: ${change.reason.trim()}`, identifiers, request_id: null,
        });
        record("consent.set", "consent register");
        return consentOf(identifiers);
      }
      case "consent_export": {
        const { client, path, replace } = args as { client: string; path: string; replace?: boolean };
        write(path, replace);
        record("consent.export", `client ${client}`);
        return { path, rows: backend.consent.filter((e) => e.client === null || e.client === client).length } satisfies Export;
      }
      case "plugin:dialog|open":
        return backend.openAs;
      case "audit_list":
        return backend.audit;
      case "audit_verify":
        return { intact: true, entries: backend.audit.length, head: "f".repeat(64), broken: null, anchor: null };
      default:
        throw { code: "internal", message: `unknown command ${cmd}` } satisfies ApiError;
    }
  }, { shouldMockEvents: true });
  return backend;
}
