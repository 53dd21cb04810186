//! The command line's arguments: every subcommand and flag, as clap parses them. Their names are
//! a contract with people's scripts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::console;
use crate::personal_data::DataKind;
use crate::requests::{IdKind, Identifier, Outcome, RequestKind, RequestStatus};

/// The order an export's phone writes dates in.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DateOrderArg {
    /// 13/01/2026
    DayFirst,
    /// 01/13/2026
    MonthFirst,
}

#[derive(Debug, Parser)]
#[command(
    name = "custodian",
    version = crate::VERSION,
    about = "A privacy console for agencies that run Meta Lead Ads for their clients.",
    long_about = "A privacy console for agencies that run Meta Lead Ads for their clients.\n\n\
                  Run without a command to open the desktop app. Exit codes: 0 success, 1 the operation \
                  failed (the message says why), 2 the command line was wrong, 3 the audit trail is broken."
)]
pub struct Cli {
    /// The workspace's data directory [default: the OS app-data directory]
    #[arg(long, global = true, env = "CUSTODIAN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print the result as JSON (errors go to stderr as {"code", "message"})
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop app (the default when no command is given)
    App,
    /// Add, list, rename and remove clients (the advertisers you work for)
    #[command(subcommand)]
    Client(ClientCommand),
    /// Import a lead export file from Meta (CSV/TSV in UTF-8 or UTF-16, or XLSX)
    Import {
        #[arg(required_unless_present = "again")]
        file: Option<PathBuf>,
        /// The client the leads belong to
        #[arg(long, required_unless_present = "again")]
        client: Option<String>,
        /// Run an earlier import again from its file and into its client (`imports` lists them):
        /// an interrupted import is completed
        #[arg(long, value_name = "IMPORT_ID", conflicts_with_all = ["file", "client"])]
        again: Option<String>,
    },
    /// List the imports, newest first, with those a crash interrupted
    Imports,
    /// Review, export and find leads
    #[command(subcommand)]
    Leads(LeadsCommand),
    /// Data-subject requests: record them, follow their legal deadlines, close them
    #[command(subcommand)]
    Request(RequestCommand),
    /// How long each kind of data is kept, what is held and what falls due
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Legal holds: what they cover is never purged
    #[command(subcommand)]
    Hold(HoldCommand),
    /// The breach register: each personal-data breach, its 72 hours to tell the supervisory
    /// authority, and who was told when
    #[command(subcommand)]
    Breach(BreachCommand),
    /// The desktop window's app lock (the command line itself is never locked)
    #[command(subcommand)]
    Lock(LockCommand),
    /// The workspace as a whole
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// The Meta app's settings kept in the keychain
    #[command(subcommand)]
    Meta(MetaCommand),
    /// Clients' CRMs (HubSpot, Salesforce, Pipedrive): connections and field mappings
    #[command(subcommand)]
    Crm(CrmCommand),
    /// Meta's Conversions API: each client's dataset, offline conversions, what would be sent
    /// (hashed), sending, and the event log
    #[command(subcommand)]
    Capi(CapiCommand),
    /// Conversations on Messenger, Instagram and WhatsApp: importing WhatsApp's exports and
    /// webhook archives, listing, searching and reading threads
    #[command(subcommand)]
    Chat(ChatCommand),
    /// The consent register: each person's opt-ins and opt-outs of WhatsApp, Messenger and email
    /// marketing, with their proof
    #[command(subcommand)]
    Consent(ConsentCommand),
    /// Pixels (datasets) of the connected businesses: who can reach each, sharing, revoking,
    /// making them, in bulk from a CSV, and the log of every operation
    #[command(subcommand)]
    Pixel(PixelCommand),
    /// What export summaries say about the processing (GDPR Art. 15): show and edit it
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// The suppression list: keyed hashes of erased people's identifiers
    #[command(subcommand)]
    Suppression(SuppressionCommand),
    /// Read and verify the audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check the keychain, the database and the audit trail, and say what to fix
    Doctor,
    /// Measure performance on generated data in a throwaway workspace
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client
    Add {
        name: String,
        /// ISO country code for leads' phone numbers written without a country code (e.g. GB)
        #[arg(long)]
        country: Option<String>,
    },
    /// List the clients, by name
    List,
    /// Rename a client
    Rename { old: String, new: String },
    /// Set the country of a client's national phone numbers (`none` clears it)
    Country { name: String, country: String },
    /// Remove a client and every record it holds
    Remove {
        name: String,
        /// Confirm the removal; without it nothing is removed and Custodian says what would be
        #[arg(long)]
        yes: bool,
        /// What becomes of the client's records in its CRMs: left there, or deleted there first
        /// (the client is removed only once all of them are)
        #[arg(long, value_name = "leave|delete")]
        crm_records: Option<crate::clients::holdings::Elsewhere>,
    },
}

#[derive(Debug, Args)]
pub struct LeadFilter {
    /// Only this client's leads
    #[arg(long)]
    pub(super) client: Option<String>,
    /// Words to find in any answer (prefixes match)
    #[arg(long)]
    pub(super) search: Option<String>,
    /// Form id or name
    #[arg(long)]
    pub(super) form: Option<String>,
    /// Campaign id or name
    #[arg(long)]
    pub(super) campaign: Option<String>,
    /// fb or ig
    #[arg(long)]
    pub(super) platform: Option<String>,
    /// Only organic (true) or only paid (false) leads
    #[arg(long)]
    pub(super) organic: Option<bool>,
    /// Created on or after this date (YYYY-MM-DD) or time (RFC 3339)
    #[arg(long)]
    pub(super) since: Option<String>,
    /// Created on or before this date (YYYY-MM-DD, the whole day) or before this time (RFC 3339)
    #[arg(long)]
    pub(super) until: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum LeadsCommand {
    /// List leads in full, newest first
    List {
        #[command(flatten)]
        filter: LeadFilter,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// Export leads to a CSV or XLSX file (chosen by the file's extension)
    Export {
        #[command(flatten)]
        filter: LeadFilter,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace the file if it exists (otherwise an existing file is never touched)
        #[arg(long)]
        force: bool,
    },
    /// Find every lead holding a person's identifier, through the identity index
    Find {
        #[arg(long, group = "identifier")]
        email: Option<String>,
        #[arg(long, group = "identifier")]
        phone: Option<String>,
        #[arg(long, group = "identifier")]
        lead_id: Option<String>,
        /// Country for a phone number written without its country code
        #[arg(long)]
        country: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Record a new request; it starts as received, with its deadline worked out
    New {
        /// What the person asks for (withdraw-consent is an objection)
        #[arg(long, ignore_case = true)]
        kind: RequestKind,
        #[command(flatten)]
        person: Box<PersonIdentifiers>,
        /// The client the request is about (its country completes national phone numbers)
        #[arg(long)]
        client: Option<String>,
        /// gdpr (one month, extendable by two), ccpa (45 days, extendable by 45) or days:N
        #[arg(long, default_value = "gdpr")]
        regime: String,
        /// The day the request arrived, YYYY-MM-DD [default: today]
        #[arg(long, value_name = "DATE")]
        received: Option<String>,
        /// How the person's identity was checked, or what is still to check
        #[arg(long)]
        notes: Option<String>,
    },
    /// List every request: open ones soonest due first, then closed ones
    List,
    /// Show one request with its identifiers and deadline
    Show { id: i64 },
    /// Take again the request's steps at remote services not yet done (deleting the person's leads
    /// at Meta), and show every step's answer
    RetryRemote { id: i64 },
    /// Find every record held about the request's person, grouped by kind of data and client
    Find {
        id: i64,
        /// Also search the identifiers found on those records, adding them to the request
        #[arg(long)]
        widen: bool,
    },
    /// Add identifiers the person gave to an open request, for its next search (a search that
    /// found nothing under an app-scoped user id, say)
    AddIdentifiers {
        id: i64,
        #[command(flatten)]
        person: Box<PersonIdentifiers>,
    },
    /// Erase everything held about an erasure request's person, suppress their identifiers, and
    /// print the receipt
    Erase {
        id: i64,
        /// Confirm; without it nothing is erased and Custodian says what would be
        #[arg(long)]
        yes: bool,
        /// When the search finds nothing: close the request as nothing held (the receipt says so)
        #[arg(long)]
        nothing_held: bool,
    },
    /// Write everything held about an access or portability request's person to a ZIP
    Export {
        id: i64,
        #[arg(long, value_name = "FILE.zip")]
        out: PathBuf,
        /// Replace the file if it exists (otherwise an existing file is never touched)
        #[arg(long)]
        force: bool,
    },
    /// Correct a field on every record held about a rectification request's person
    Rectify {
        id: i64,
        /// The field, as `request find` names it (e.g. email, full_name, or a form's question)
        #[arg(long)]
        field: String,
        /// The corrected value
        #[arg(long)]
        value: String,
    },
    /// Open an erasure request from the signed_request of Meta's data-deletion callback, after
    /// verifying it with the Meta app secret in the keychain
    FromSignedRequest {
        /// The signed_request, as Meta posted it
        #[arg(long, conflicts_with = "stdin", required_unless_present = "stdin")]
        value: Option<String>,
        /// Read the signed_request from standard input
        #[arg(long)]
        stdin: bool,
    },
    /// Flag a restriction or objection request's person: later pushes and sends skip them
    Restrict { id: i64 },
    /// Move a request forward: verifying or in_progress
    Status {
        id: i64,
        /// verifying or in_progress
        #[arg(ignore_case = true)]
        status: RequestStatus,
        /// A note added to the verification notes
        #[arg(long)]
        note: Option<String>,
    },
    /// Extend the deadline once (GDPR: two more months; CCPA: 45 more days), with the reason
    Extend {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Close a request as completed or denied (a denial needs --reason)
    Close {
        id: i64,
        #[arg(long, ignore_case = true)]
        outcome: Outcome,
        #[arg(long)]
        reason: Option<String>,
    },
}

/// The identifiers a person gives; any number of each.
#[derive(Debug, Args)]
pub struct PersonIdentifiers {
    #[arg(long)]
    email: Vec<String>,
    /// With its country code, or national with --client whose country is set
    #[arg(long)]
    phone: Vec<String>,
    /// A Meta lead id
    #[arg(long)]
    lead_id: Vec<String>,
    /// A Page-scoped id (Messenger, Instagram)
    #[arg(long)]
    psid: Vec<String>,
    /// A WhatsApp id or business-scoped user id
    #[arg(long)]
    wa_id: Vec<String>,
    /// A Meta app-scoped user id
    #[arg(long)]
    app_user_id: Vec<String>,
    /// A CRM record id
    #[arg(long)]
    crm_record: Vec<String>,
}

impl PersonIdentifiers {
    pub(super) fn into_identifiers(self) -> Vec<Identifier> {
        let kinds = [
            (IdKind::Email, self.email),
            (IdKind::Phone, self.phone),
            (IdKind::LeadId, self.lead_id),
            (IdKind::Psid, self.psid),
            (IdKind::WaId, self.wa_id),
            (IdKind::AppUserId, self.app_user_id),
            (IdKind::CrmRecord, self.crm_record),
        ];
        kinds
            .into_iter()
            .flat_map(|(kind, values)| values.into_iter().map(move |value| Identifier { kind, value }))
            .collect()
    }
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Each kind of data per client: its policy, how many records, their ages, what falls due
    Show {
        #[arg(long)]
        client: Option<String>,
        /// Review as of this date (YYYY-MM-DD) or time (RFC 3339) instead of now
        #[arg(long, value_name = "DATETIME")]
        now: Option<String>,
    },
    /// Delete what is past its retention period and not on hold (each client and kind audited)
    Purge {
        /// Only count what would go, per client and kind
        #[arg(long)]
        dry_run: bool,
        /// For a dry run: as of this date (YYYY-MM-DD) or time (RFC 3339) instead of now
        #[arg(long, value_name = "DATETIME", requires = "dry_run")]
        now: Option<String>,
    },
    /// Set how long a kind of data is kept, as the workspace default or for one client
    Set {
        /// The kind of data
        #[arg(long, ignore_case = true)]
        kind: DataKind,
        #[arg(long)]
        days: i64,
        /// Only this client (otherwise the workspace default)
        #[arg(long)]
        client: Option<String>,
        /// Why: the agreement or duty behind the period (kept in the audit trail)
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum HoldCommand {
    /// Place a hold on a client (--client) or on a person (their identifiers)
    Add {
        #[arg(long)]
        client: Option<String>,
        #[command(flatten)]
        person: Box<PersonIdentifiers>,
        /// Why (kept in the audit trail)
        #[arg(long)]
        reason: String,
        /// The last day it holds, YYYY-MM-DD [default: until removed]
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// List the holds
    List,
    /// Lift a hold
    Remove { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Delete the data directory and every keychain entry of the workspace, for good (refused while
    /// legal holds are in force)
    Delete {
        /// Go ahead; without it, says what would go
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LockCommand {
    /// Remove the window's passphrase without it (forgotten, or its hash damaged); audited
    Clear,
}

#[derive(Debug, Subcommand)]
pub enum BreachCommand {
    /// Record a breach; the 72 hours to tell the authority count from --aware-at
    New {
        /// When the agency became aware, with its offset from UTC: 2026-12-01T09:30+01:00
        #[arg(long, value_name = "DATETIME", allow_hyphen_values = true)]
        aware_at: String,
        /// What happened, in a few sentences
        #[arg(long, value_name = "TEXT")]
        summary: String,
        /// A client whose data it concerns (again for each)
        #[arg(long = "client", value_name = "NAME")]
        clients: Vec<String>,
        /// A kind of data it concerns (again for each)
        #[arg(long = "kind", value_name = "KIND")]
        kinds: Vec<DataKind>,
        /// The first day of the data concerned, YYYY-MM-DD (with --until)
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// The last day of the data concerned, YYYY-MM-DD (with --since)
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// A file that leaked: a lead export (or any table with email or phone columns), or a
        /// list of emails and phone numbers, one person a line
        #[arg(long, value_name = "FILE")]
        identifiers: Option<PathBuf>,
    },
    /// List the breaches, the latest first, with where each stands against its deadline
    List,
    /// Show one breach
    Show { id: i64 },
    /// Count who a breach affects again, from what is held now
    Assess {
        id: i64,
        /// A leaked file or list of identifiers, replacing one given before
        #[arg(long, value_name = "FILE")]
        identifiers: Option<PathBuf>,
    },
    /// Fill in what has become known: each flag given replaces what was there ("" clears it)
    Edit {
        id: i64,
        /// A system concerned: "the HubSpot connection", "an export file" (again for each; replaces the list)
        #[arg(long = "system", value_name = "TEXT")]
        systems: Vec<String>,
        /// The likely consequences for the people affected
        #[arg(long, value_name = "TEXT")]
        consequences: Option<String>,
        /// The measures taken or proposed, including to mitigate its effects
        #[arg(long, value_name = "TEXT")]
        measures: Option<String>,
        /// The data protection officer or other contact point: name and how to reach them
        #[arg(long, value_name = "TEXT")]
        contact: Option<String>,
    },
    /// Write the draft notice to the authority (--authority) or the people affected (--subjects)
    Notice {
        id: i64,
        #[arg(long, conflicts_with = "subjects", required_unless_present = "subjects")]
        authority: bool,
        #[arg(long)]
        subjects: bool,
        /// The HTML file to write
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
        /// Replace the file if it exists
        #[arg(long)]
        replace: bool,
    },
    /// Record that the authority (--authority) or the people affected (--subjects) were told
    Notified {
        id: i64,
        #[arg(long, conflicts_with = "subjects", required_unless_present = "subjects")]
        authority: bool,
        #[arg(long)]
        subjects: bool,
        /// When: a day (YYYY-MM-DD) or a time with its offset
        #[arg(long, value_name = "DATE")]
        on: String,
        /// Why the authority was told after the 72 hours (GDPR Art. 33(1))
        #[arg(long, value_name = "TEXT", conflicts_with = "subjects")]
        late_reason: Option<String>,
    },
    /// Close a breach with its reason: its record stays
    Close {
        id: i64,
        /// Why: for a breach the authority was not told of, why it is unlikely to result in a risk
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PixelCommand {
    /// Read from Meta the pixels of every business the connections reach (owned and client
    /// pixels), with who can reach each
    List {
        #[arg(long)]
        client: Option<String>,
    },
    /// Who can reach a pixel now (partner businesses with their tasks, ad accounts), and since when
    Access {
        #[arg(value_name = "PIXEL_ID")]
        pixel: String,
    },
    /// Share a pixel with a partner business (--tasks), or with an ad account (--ad-account)
    Share {
        #[arg(value_name = "PIXEL_ID")]
        pixel: String,
        /// The partner business; with --ad-account, the business asking for the account
        #[arg(long, value_name = "ID")]
        business: String,
        /// ANALYZE, UPLOAD, ADVERTISE, comma-separated
        #[arg(long, value_name = "TASKS", required_unless_present = "ad_account", conflicts_with = "ad_account")]
        tasks: Option<String>,
        /// An ad account, as Meta writes it (act_…)
        #[arg(long, value_name = "ID")]
        ad_account: Option<String>,
        /// Confirm sharing with a business; without it Custodian says what would change
        #[arg(long)]
        yes: bool,
    },
    /// Revoke a partner business's or an ad account's access to a pixel
    Revoke {
        #[arg(value_name = "PIXEL_ID")]
        pixel: String,
        #[arg(long, value_name = "ID", required_unless_present = "ad_account", conflicts_with = "ad_account")]
        business: Option<String>,
        #[arg(long, value_name = "ID")]
        ad_account: Option<String>,
        /// Confirm; without it Custodian says what would change
        #[arg(long)]
        yes: bool,
    },
    /// Make a pixel on an ad account
    Create {
        #[arg(long, value_name = "ID")]
        ad_account: String,
        #[arg(long)]
        name: String,
        /// Through this client's Meta connection
        #[arg(long)]
        client: Option<String>,
    },
    /// Share and revoke as a CSV says (header pixel,business,tasks; an empty tasks cell revokes)
    Bulk {
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
        /// Say what would change, and change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// The operations on a pixel (or on every pixel), newest first
    Log {
        #[arg(value_name = "PIXEL_ID")]
        pixel: Option<String>,
        #[arg(long, default_value_t = 200)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// Read the Messenger and Instagram conversations of every Page assigned to a client (needs
    /// pages_messaging, and instagram_manage_messages for Instagram) updated since the last sync
    Sync {
        #[arg(long)]
        client: Option<String>,
    },
    /// Import a WhatsApp "Export chat" file (its text, or the ZIP with media) or an archive of
    /// Cloud API webhook payloads (JSON Lines), told apart by what the file holds; importing again
    /// adds nothing
    Import {
        #[arg(long)]
        client: String,
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// For an export: the phone number of the person the chat is with, with its country code,
        /// so that a request by phone finds it (the export names them as the phone saved them)
        #[arg(long, value_name = "PHONE", conflicts_with = "wa_id")]
        phone: Option<String>,
        /// For an export: the WhatsApp id of the person the chat is with
        #[arg(long, value_name = "WA_ID")]
        wa_id: Option<String>,
        /// For an export: the person's name, where the file's name does not say it
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// For an export: the name the business's own messages are written under
        #[arg(long, value_name = "NAME")]
        business_name: Option<String>,
        /// For an export: the exporting phone's offset from UTC (its times are local), such as
        /// +01:00; UTC without it
        #[arg(long, value_name = "±HH:MM", allow_hyphen_values = true)]
        utc_offset: Option<String>,
        /// For an export whose dates read either way (every day 12 or under): the order the
        /// phone writes them in
        #[arg(long, value_name = "ORDER")]
        date_order: Option<DateOrderArg>,
    },
    /// The threads held, latest first
    List {
        #[arg(long)]
        client: Option<String>,
        /// Only threads with a message holding every one of these words
        #[arg(long, value_name = "WORDS")]
        search: Option<String>,
        /// How many threads to list
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
        limit: u32,
        /// How many to skip first: the next page is at the last one's offset plus its limit
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// A thread's participants and its messages, oldest first
    Show {
        #[arg(value_name = "THREAD_ID")]
        thread: i64,
        /// How many messages to show
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
        limit: u32,
        /// How many messages to skip first
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// A person's answer on each channel, and every entry with its proof
    Show {
        #[command(flatten)]
        person: ConsentPerson,
    },
    /// Record an opt-in or an opt-out someone gave the agency, with how they gave it
    Set {
        #[command(flatten)]
        person: ConsentPerson,
        #[arg(long, value_enum)]
        channel: crate::consent::ConsentChannel,
        #[arg(long, conflicts_with = "opt_out", required_unless_present = "opt_out")]
        opt_in: bool,
        #[arg(long)]
        opt_out: bool,
        /// How the person said it ("asked by phone on 3 March"): the proof the register keeps
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// The client (business) the answer is for; an opt-out without it is for every client
        #[arg(long)]
        client: Option<String>,
    },
    /// Write a client's register to a CSV, each entry with its proof and whether it is still the
    /// person's answer (for a WhatsApp Business opt-in audit)
    Export {
        #[arg(long)]
        client: String,
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
        /// Replace the file if it exists (otherwise an existing file is never touched)
        #[arg(long)]
        force: bool,
    },
}

/// Whom a consent command is about: at least one identifier.
#[derive(Debug, Args)]
#[group(required = true, multiple = true)]
pub struct ConsentPerson {
    #[arg(long)]
    email: Vec<String>,
    /// With its country code
    #[arg(long)]
    phone: Vec<String>,
    /// A WhatsApp id: the number with its country code, digits only
    #[arg(long)]
    wa_id: Vec<String>,
    /// A Page-scoped id (Messenger)
    #[arg(long)]
    psid: Vec<String>,
}

impl ConsentPerson {
    pub(super) fn into_identifiers(self) -> Vec<Identifier> {
        let kinds = [
            (IdKind::Email, self.email),
            (IdKind::Phone, self.phone),
            (IdKind::WaId, self.wa_id),
            (IdKind::Psid, self.psid),
        ];
        kinds
            .into_iter()
            .flat_map(|(kind, values)| values.into_iter().map(move |value| Identifier { kind, value }))
            .collect()
    }
}

#[derive(Debug, Subcommand)]
pub enum CapiCommand {
    /// Set the dataset (pixel) a client's conversion events go to
    Set {
        #[arg(long)]
        client: String,
        /// The dataset's id, as Events Manager shows it
        #[arg(long, value_name = "ID")]
        dataset: String,
        /// Send to Meta's Test Events tool under this code instead of the dataset's figures (an
        /// empty code sends for real again)
        #[arg(long, value_name = "CODE")]
        test_code: Option<String>,
    },
    /// Each client's dataset
    Datasets,
    /// Queue the offline conversions of a CSV (header: event_name, event_time, and any of email,
    /// phone, first_name, last_name, city, state, zip, country, external_id, value, currency,
    /// event_id); matching keys are hashed as the file is read
    Import {
        #[arg(long)]
        client: String,
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
    },
    /// What `capi send` would send now, with hashed keys only, and what it would not, and why
    Preview {
        #[arg(long)]
        client: Option<String>,
    },
    /// Send the events that may go, in batches of up to 1,000 (nothing is ever sent twice)
    Send {
        #[arg(long)]
        client: Option<String>,
    },
    /// The CRM stages sent as Conversion Leads events: without --send or --off, the list; with
    /// --crm and --send, the stages of that CRM's records a client's leads are sent at (read by
    /// each `capi send`; a lead's stage when first read is where watching starts); --off stops it
    Stages {
        #[arg(long)]
        client: Option<String>,
        /// hubspot, salesforce or pipedrive (or a connection id)
        #[arg(long, value_name = "CRM")]
        crm: Option<String>,
        /// The record field that holds the stage (HubSpot: lifecyclestage, Salesforce: Status by
        /// default; Pipedrive: always named, by the field's key)
        #[arg(long, value_name = "FIELD", conflicts_with = "off")]
        field: Option<String>,
        /// The stages to send, as the CRM writes them, comma-separated
        #[arg(long, value_name = "STAGE,...", value_delimiter = ',', conflicts_with = "off")]
        send: Vec<String>,
        #[arg(long)]
        off: bool,
    },
    /// The event log: what was sent, newest first (hashed keys and Meta's answer)
    Log {
        #[arg(long)]
        client: Option<String>,
        /// At most this many events
        #[arg(long, default_value_t = 200)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum CrmCommand {
    /// Connect a client's CRM: with a token read from standard input, or by signing in through
    /// the system browser (the CRM app set with `crm app set`). The CRM is asked for its fields
    /// before anything is kept; tokens go to the keychain only
    Connect {
        crm: crate::crm::Crm,
        #[arg(long)]
        client: String,
        /// Read the token from standard input (a HubSpot private-app token, a Pipedrive API token, a
        /// Salesforce access token) instead of signing in through the browser
        #[arg(long)]
        token_stdin: bool,
        /// The CRM's API address, when not its own (a sandbox, a proxy)
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// A Salesforce org's address (https://yourorg.my.salesforce.com); a browser sign-in
        /// signs in there
        #[arg(long, value_name = "URL", conflicts_with = "base_url")]
        instance_url: Option<String>,
    },
    /// The agency's OAuth apps at the CRMs, through which `crm connect` signs in in the browser
    #[command(subcommand)]
    App(CrmAppCommand),
    /// The CRM connections: which CRM, whose, and how they are doing; never a token
    Status,
    /// Take a connection's token out of the keychain and forget it and its mappings
    Disconnect {
        /// A connection's id, or the CRM's name with --client
        connection: String,
        #[arg(long)]
        client: Option<String>,
        #[arg(long)]
        yes: bool,
    },
    /// The CRM's fields, read live from its schema
    Fields {
        /// A connection's id, or the CRM's name with --client
        #[arg(long, value_name = "CONNECTION")]
        crm: String,
        #[arg(long)]
        client: Option<String>,
    },
    /// How a lead form's answers become a CRM record
    #[command(subcommand)]
    Map(CrmMapCommand),
    /// The exact JSON that would be sent to the CRM for one lead
    Preview {
        /// The lead's Meta lead id
        #[arg(long, value_name = "META_LEAD_ID")]
        lead_id: String,
        /// A connection's id, or the CRM's name with --client
        #[arg(long, value_name = "CONNECTION")]
        crm: String,
        #[arg(long)]
        client: Option<String>,
    },
    /// Send leads to the CRMs by their forms' mappings: new and changed leads only, never a
    /// person who restricted processing, objected or was erased. Ctrl+C stops after the batch in
    /// flight
    Push {
        /// Only this client's leads and CRM connections
        #[arg(long)]
        client: Option<String>,
        /// Only this connection: its id, or the CRM's name with --client
        #[arg(long, value_name = "CONNECTION")]
        crm: Option<String>,
    },
    /// Push a client's new leads to this connection after each import and sync, or stop doing so
    AutoPush {
        /// A connection's id, or the CRM's name with --client
        connection: String,
        #[arg(long)]
        client: Option<String>,
        #[arg(long, required_unless_present = "off", conflicts_with = "off")]
        on: bool,
        #[arg(long)]
        off: bool,
    },
    /// What pushes sent where and when, and what became of each lead
    Log {
        #[arg(long)]
        client: Option<String>,
        #[arg(long)]
        crm: Option<crate::crm::Crm>,
        /// Only leads that were created, updated or failed
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        /// The most pushes and lead lines shown
        #[arg(long, default_value_t = 200)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum CrmAppCommand {
    /// Set the agency's app at a CRM: its client id, and its client secret read from standard input
    Set {
        crm: crate::crm::Crm,
        #[arg(long)]
        client_id: String,
        /// Read the app's client secret from standard input (HubSpot and Pipedrive need one;
        /// Salesforce when its connected app requires it)
        #[arg(long)]
        secret_stdin: bool,
        /// The CRM's authorization server, when not its own (a sandbox, a My Domain login)
        #[arg(long, value_name = "URL")]
        auth_url: Option<String>,
        /// The loopback port of the redirect URL registered with the app; 0 takes any free port
        #[arg(long, value_name = "PORT")]
        port: Option<u16>,
    },
    /// The apps set, with the redirect URL to register with each; never a secret
    Show,
    /// Forget the agency's app at a CRM and take its secret out of the keychain
    Remove { crm: crate::crm::Crm },
}

#[derive(Debug, Subcommand)]
pub enum CrmMapCommand {
    /// Print a first mapping (standard answers matched to the CRM's fields; required fields left
    /// unmet listed) in the JSON that `crm map set` reads
    Suggest(#[command(flatten)] MapTarget),
    /// Keep a mapping read from a JSON file, once it checks out against the CRM's live schema
    Set {
        #[command(flatten)]
        target: MapTarget,
        #[arg(long, value_name = "MAPPING.json")]
        file: PathBuf,
    },
    /// The mapping kept for a form, newest version
    Show(#[command(flatten)] MapTarget),
}

/// Which mapping: a client's lead form, to one of its CRM connections.
#[derive(Debug, Args)]
pub struct MapTarget {
    #[arg(long)]
    pub(super) client: String,
    #[arg(long, value_name = "FORM_ID")]
    pub(super) form: String,
    /// A connection's id, or the CRM's name
    #[arg(long, value_name = "CONNECTION")]
    pub(super) crm: String,
}

#[derive(Debug, Subcommand)]
pub enum MetaCommand {
    /// Keep the Meta app secret (it verifies data-deletion callbacks) in the keychain, read from
    /// standard input so that it never appears in the shell's history
    AppSecret {
        #[arg(long, required = true)]
        stdin: bool,
    },
    /// Show or change the agency's Meta app: its id, its secret (kept in the keychain, read from
    /// standard input), the Graph API version and address
    App {
        #[arg(long, value_name = "ID")]
        app_id: Option<String>,
        /// Read the app secret from standard input and keep it in the keychain
        #[arg(long, conflicts_with = "remove_secret")]
        secret_stdin: bool,
        /// Remove the app secret from the keychain
        #[arg(long)]
        remove_secret: bool,
        /// v25.0 or v26.0
        #[arg(long, value_name = "VERSION")]
        graph_version: Option<String>,
        /// Where the Graph API is (CUSTODIAN_GRAPH_URL overrides it)
        #[arg(long, value_name = "URL")]
        graph_url: Option<String>,
        /// How often the app syncs leads while it runs (0: never)
        #[arg(long, value_name = "MINUTES")]
        sync_every: Option<i64>,
    },
    /// Connect a system-user, user or Page token, read from standard input: Meta inspects it first;
    /// it is kept only in the keychain and never printed
    Connect {
        #[arg(long, required = true)]
        token_stdin: bool,
        /// The client whose Pages the token reaches
        #[arg(long)]
        client: Option<String>,
    },
    /// The connections to Meta: each token's type, permissions, expiry and health (never a token)
    Status,
    /// The Facebook Pages the connections reach, read from Meta (their tokens go to the keychain)
    Pages,
    /// Assign a Page, and the leads of its forms, to a client
    Assign {
        page_id: String,
        #[arg(long)]
        client: String,
    },
    /// The lead forms of the Pages (Instagram forms included), read from Meta; or choose which sync
    Forms {
        #[command(subcommand)]
        choice: Option<FormsCommand>,
        /// Only this Page's forms
        #[arg(long, value_name = "PAGE_ID")]
        page: Option<String>,
    },
    /// Sync the new leads of the forms chosen for sync, into their Pages' clients
    Sync {
        /// Only this client's forms
        #[arg(long)]
        client: Option<String>,
        /// Only this form
        #[arg(long, value_name = "FORM_ID")]
        form: Option<String>,
    },
    /// Remove a connection: its token leaves the keychain (a user token is revoked at Meta first);
    /// leads synced through it stay
    Disconnect {
        id: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// Sync this form's leads
    Enable { form_id: String },
    /// Stop syncing this form's leads (those synced stay)
    Disable { form_id: String },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the processing information
    Show,
    /// Set one piece: controller, purposes, categories, recipients, retention, source or rights
    Set { key: String, text: String },
}

#[derive(Debug, Subcommand)]
pub enum SuppressionCommand {
    /// List the suppressed identifiers (hashes only), oldest first
    List,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; exit 0 when intact, 3 with the first broken entry otherwise
    Verify,
    /// List entries, newest first
    List {
        /// How many entries
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// Start below this entry number (for paging)
        #[arg(long)]
        before: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Import a generated UTF-16 TAB export of N leads; report throughput, memory and query times
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
    },
    /// Import a generated archive of N WhatsApp webhook payloads, then again; report throughput
    /// beside the sqlite3 shell, memory, and the time to find a person's messages
    Chat {
        #[arg(long, default_value_t = 1_000_000)]
        messages: u64,
    },
    /// Over N imported leads: find, export and erase people through data-subject requests
    Requests {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
    },
    /// Over N imported leads, the older half past 90 days: the dry run, then the purge
    Retention {
        #[arg(long, default_value_t = 2_000_000)]
        rows: u64,
    },
    /// Sync every lead form a Graph API offers into a throwaway workspace (`make bench` runs it
    /// against the tests' simulator); report requests, CPU time a lead and memory
    Sync {
        /// The Graph API's address
        #[arg(long)]
        graph_url: String,
        /// The Meta app the token belongs to
        #[arg(long)]
        app_id: String,
        /// Read the system-user token from standard input
        #[arg(long)]
        token_stdin: bool,
    },
    /// Queue N generated offline conversions and send them to a dataset at a Graph API (`make
    /// bench` runs it against the tests' simulator); report requests, CPU time an event and memory
    Capi {
        /// The Graph API's address
        #[arg(long)]
        graph_url: String,
        /// The Meta app the token belongs to
        #[arg(long)]
        app_id: String,
        /// The dataset (pixel) the events go to
        #[arg(long)]
        dataset: String,
        /// Read the system-user token from standard input
        #[arg(long)]
        token_stdin: bool,
        #[arg(long, default_value_t = 100_000)]
        rows: u64,
    },
    /// Push N imported leads to a HubSpot API (`make bench` runs it against the tests' simulator),
    /// then again with nothing changed; report requests, CPU time a lead and memory
    Push {
        /// The HubSpot API's address
        #[arg(long)]
        crm_url: String,
        /// Read the HubSpot token from standard input
        #[arg(long)]
        token_stdin: bool,
        #[arg(long, default_value_t = 100_000)]
        rows: u64,
    },
}

impl Cli {
    pub fn dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(console::workspace::default_dir)
    }
}
