//! The command line: parse, call the Console, print. Each subcommand is a few lines.

mod print;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use time::OffsetDateTime;

use crate::console::{self, ApiError, Console, HoldForm, IdentifierKind, RequestForm};
use crate::leads::{parse::parse_time, Filter};
use crate::requests::{IdKind, Identifier};
use print::{json, Exit};

#[derive(Debug, Parser)]
#[command(
    name = "custodian",
    version,
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
    /// The Meta app's settings kept in the keychain
    #[command(subcommand)]
    Meta(MetaCommand),
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
    },
}

#[derive(Debug, Args)]
pub struct LeadFilter {
    /// Only this client's leads
    #[arg(long)]
    client: Option<String>,
    /// Words to find in any answer (prefixes match)
    #[arg(long)]
    search: Option<String>,
    /// Form id or name
    #[arg(long)]
    form: Option<String>,
    /// Campaign id or name
    #[arg(long)]
    campaign: Option<String>,
    /// fb or ig
    #[arg(long)]
    platform: Option<String>,
    /// Only organic (true) or only paid (false) leads
    #[arg(long)]
    organic: Option<bool>,
    /// Created on or after this date (YYYY-MM-DD) or time (RFC 3339)
    #[arg(long)]
    since: Option<String>,
    /// Created on or before this date (YYYY-MM-DD, the whole day) or before this time (RFC 3339)
    #[arg(long)]
    until: Option<String>,
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
        /// access, portability, rectification, erasure, restriction or objection (withdraw-consent)
        #[arg(long)]
        kind: String,
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
        status: String,
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
        #[arg(long, value_name = "completed|denied")]
        outcome: String,
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
    fn into_identifiers(self) -> Vec<Identifier> {
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
        /// leads, conversion_events, request_records or audit_entries
        #[arg(long)]
        kind: String,
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
pub enum MetaCommand {
    /// Keep the Meta app secret (it verifies data-deletion callbacks) in the keychain, read from
    /// standard input so that it never appears in the shell's history
    AppSecret {
        #[arg(long, required = true)]
        stdin: bool,
    },
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
}

impl Cli {
    pub fn dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(console::workspace::default_dir)
    }
}

/// Runs a command that is not the desktop app.
pub fn run(dir: &Path, command: Command, as_json: bool) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            let e = ApiError { code: console::Code::Internal, message: format!("cannot start: {e}") };
            return Exit::from_error(as_json, e).code();
        }
    };
    runtime
        .block_on(async {
            match command {
                Command::App => unreachable!("the desktop app is started by main"),
                Command::Doctor => doctor(dir, as_json).await,
                Command::Bench(BenchCommand::Import { rows }) => match crate::bench::import::run(rows).await {
                    Ok(report) => print::bench(as_json, &report),
                    Err(e) => Exit::from_error(as_json, e.into()),
                },
                Command::Bench(BenchCommand::Requests { rows }) => {
                    bench_report(as_json, crate::bench::requests::run(rows).await)
                }
                Command::Bench(BenchCommand::Retention { rows }) => {
                    bench_report(as_json, crate::bench::retention::run(rows).await)
                }
                command => with_console(dir, command, as_json).await,
            }
        })
        .code()
}

fn bench_report<R: crate::bench::Printed>(as_json: bool, report: Result<R, console::Error>) -> Exit {
    match report {
        Ok(report) if as_json => {
            json(&report);
            Exit::Ok
        }
        Ok(report) => {
            report.print();
            Exit::Ok
        }
        Err(e) => Exit::from_error(as_json, e.into()),
    }
}

async fn doctor(dir: &Path, as_json: bool) -> Exit {
    let report = console::doctor(dir).await;
    if as_json {
        json(&report);
    } else {
        print::report(&report);
    }
    if report.ok {
        Exit::Ok
    } else {
        Exit::Failed
    }
}

async fn with_console(dir: &Path, command: Command, as_json: bool) -> Exit {
    let clock = match crate::clock::from_env() {
        Ok(clock) => clock,
        Err(message) => return Exit::from_error(as_json, ApiError { code: console::Code::InvalidInput, message }),
    };
    let console = match Console::open(dir, clock).await {
        Ok(c) => c,
        Err(e) => return Exit::from_error(as_json, e.into()),
    };
    if let Err(e) = reindex_if_pending(&console).await {
        console.close().await;
        return Exit::from_error(as_json, e.into());
    }
    for id in console.interrupted_imports() {
        eprintln!(
            "note: import {id} was interrupted before it finished; complete it with: custodian import --again {id}"
        );
    }
    let exit = match dispatch(&console, command, as_json).await {
        Ok(exit) => exit,
        Err(e) => Exit::from_error(as_json, e.into()),
    };
    console.close().await;
    exit
}

/// After an upgrade that changed how identifiers are found, the leads are indexed again once,
/// before anything else, with progress on a terminal.
async fn reindex_if_pending(c: &Console) -> Result<(), console::Error> {
    if !c.reindex_pending().await? {
        return Ok(());
    }
    eprintln!("Indexing the leads again under this version's rules of finding people (once)…");
    let show = std::io::stderr().is_terminal();
    let done = c
        .reindex(&move |done, total| {
            if show {
                eprint!("\r{done} of {total} leads ");
            }
        })
        .await?;
    eprintln!("\r{done} leads indexed again.");
    Ok(())
}

async fn dispatch(c: &Console, command: Command, j: bool) -> Result<Exit, console::Error> {
    match command {
        Command::Client(ClientCommand::Add { name, country }) => {
            print::client(j, "Added", &c.add_client(&name, country.as_deref()).await?)
        }
        Command::Client(ClientCommand::List) => print::clients(j, &c.list_clients().await?),
        Command::Client(ClientCommand::Rename { old, new }) => {
            print::client(j, "Renamed to", &c.rename_client(&old, &new).await?)
        }
        Command::Client(ClientCommand::Country { name, country }) => {
            let country = Some(country.as_str()).filter(|c| !c.eq_ignore_ascii_case("none"));
            print::client(j, "Updated", &c.set_client_country(&name, country).await?)
        }
        Command::Client(ClientCommand::Remove { name, yes }) => print::removal(j, &c.remove_client(&name, yes).await?),
        Command::Import { file, client, again } => import(c, Source::of(file, client, again)?, j).await,
        Command::Imports => print::imports(j, &c.imports().await?),
        Command::Leads(LeadsCommand::List { filter, limit, offset }) => {
            print::leads(j, &c.list_leads(&to_filter(c, filter).await?, limit, offset).await?)
        }
        Command::Leads(LeadsCommand::Export { filter, out, force }) => {
            print::export(j, &c.export_leads(&to_filter(c, filter).await?, &out, force).await?)
        }
        Command::Leads(LeadsCommand::Find { email, phone, lead_id, country }) => {
            let (kind, value) = match (email, phone, lead_id) {
                (Some(e), _, _) => (IdentifierKind::Email, e),
                (_, Some(p), _) => (IdentifierKind::Phone, p),
                (_, _, Some(l)) => (IdentifierKind::LeadId, l),
                _ => return Err(console::Error::Invalid("Give one of --email, --phone or --lead-id.".into())),
            };
            print::leads(j, &c.find_leads(kind, &value, country.as_deref()).await?.leads)
        }
        Command::Request(command) => request(c, command, j).await,
        Command::Retention(RetentionCommand::Show { client, now }) => {
            print::retention(j, &c.retention_review(client.as_deref(), as_of(c, now)?).await?)
        }
        Command::Retention(RetentionCommand::Purge { dry_run, now }) => {
            print::purge(j, &c.purge(as_of(c, now)?, dry_run).await?)
        }
        Command::Retention(RetentionCommand::Set { kind, days, client, reason }) => {
            print::retention(j, &c.set_retention(&kind, days, client.as_deref(), &reason).await?)
        }
        Command::Hold(HoldCommand::Add { client, person, reason, until }) => {
            let form = HoldForm { client, identifiers: person.into_identifiers(), reason, until };
            print::holds(j, &[c.add_hold(form).await?])
        }
        Command::Hold(HoldCommand::List) => print::holds(j, &c.list_holds().await?),
        Command::Hold(HoldCommand::Remove { id }) => {
            c.remove_hold(id).await?;
            if !j {
                println!("Lifted hold {id}.");
            }
            Ok(Exit::Ok)
        }
        Command::Meta(MetaCommand::AppSecret { stdin }) => {
            c.set_meta_app_secret(crate::vault::Sensitive::new(read_stdin(stdin)?)).await?;
            if !j {
                println!("The Meta app secret is in the keychain.");
            }
            Ok(Exit::Ok)
        }
        Command::Settings(SettingsCommand::Show) => print::settings(j, &c.processing_info().await?),
        Command::Settings(SettingsCommand::Set { key, text }) => {
            print::settings(j, &c.set_processing_info(&key, &text).await?)
        }
        Command::Suppression(SuppressionCommand::List) => print::suppressions(j, &c.suppressions().await?),
        Command::Audit(AuditCommand::Verify) => Ok(print::verification(j, &c.audit_verify().await?)),
        Command::Audit(AuditCommand::List { limit, before }) => print::entries(j, &c.audit_list(limit, before).await?),
        Command::App | Command::Doctor | Command::Bench(_) => unreachable!("handled before a console is opened"),
    }
}

async fn request(c: &Console, command: RequestCommand, j: bool) -> Result<Exit, console::Error> {
    match command {
        RequestCommand::New { kind, person, client, regime, received, notes } => {
            let form = RequestForm {
                kind,
                identifiers: person.into_identifiers(),
                regime: Some(regime),
                received_on: received,
                client,
                verification_notes: notes,
            };
            print::request(j, "Recorded", &c.new_request(form).await?)
        }
        RequestCommand::List => print::requests(j, &c.list_requests().await?),
        RequestCommand::Show { id } => print::request(j, "Request", &c.request(id).await?),
        RequestCommand::Export { id, out, force } => print::package(j, &c.export_request(id, &out, force).await?),
        RequestCommand::Rectify { id, field, value } => {
            print::rectified(j, &c.rectify_request(id, &field, &value).await?)
        }
        RequestCommand::FromSignedRequest { value, stdin } => {
            let signed = match value {
                Some(v) => v,
                None => read_stdin(stdin)?,
            };
            print::request(j, "Recorded", &c.request_from_signed_request(&signed).await?)
        }
        RequestCommand::Restrict { id } => print::request(j, "Restricted", &c.restrict_request(id).await?),
        RequestCommand::Erase { id, yes, nothing_held } => {
            print::erased(j, &c.erase_request(id, yes, nothing_held).await?)
        }
        RequestCommand::AddIdentifiers { id, person } => {
            print::request(j, "Updated", &c.add_request_identifiers(id, &person.into_identifiers()).await?)
        }
        RequestCommand::Find { id, widen } => print::discovery(j, &c.find_for_request(id, widen).await?),
        RequestCommand::Status { id, status, note } => {
            print::request(j, "Updated", &c.advance_request(id, &status, note.as_deref()).await?)
        }
        RequestCommand::Extend { id, reason } => print::request(j, "Extended", &c.extend_request(id, &reason).await?),
        RequestCommand::Close { id, outcome, reason } => {
            print::request(j, "Closed", &c.close_request(id, &outcome, reason.as_deref()).await?)
        }
    }
}

/// The Console's `now`, or the day or time given instead.
fn as_of(c: &Console, given: Option<String>) -> Result<OffsetDateTime, console::Error> {
    match given {
        Some(t) => OffsetDateTime::from_unix_timestamp(date_bound(&t, false)?)
            .map_err(|_| console::Error::Invalid(format!("'{t}' is out of range"))),
        None => Ok(c.now()),
    }
}

/// Standard input, whole, trimmed: for values that must not appear on the command line.
fn read_stdin(asked: bool) -> Result<String, console::Error> {
    if !asked {
        return Err(console::Error::Invalid("Give the value with --stdin.".into()));
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .map_err(|e| console::Error::Invalid(format!("cannot read standard input: {e}")))?;
    Ok(text.trim().to_owned())
}

/// What to import: a file into a client, or an earlier import again.
enum Source {
    File(PathBuf, String),
    Again(String),
}

impl Source {
    fn of(file: Option<PathBuf>, client: Option<String>, again: Option<String>) -> Result<Self, console::Error> {
        match (file, client, again) {
            (_, _, Some(id)) => Ok(Source::Again(id)),
            (Some(file), Some(client), None) => Ok(Source::File(file, client)),
            _ => Err(console::Error::Invalid("Give the file and --client, or --again IMPORT_ID.".into())),
        }
    }
}

/// Imports with progress on a terminal, and Ctrl+C to stop after the batch in flight.
async fn import(c: &Console, source: Source, j: bool) -> Result<Exit, console::Error> {
    let cancel = Arc::new(AtomicBool::new(false));
    let on_ctrl_c = Arc::clone(&cancel);
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping after the batch in flight; what is stored stays.");
            on_ctrl_c.store(true, Ordering::Relaxed);
        }
    });
    let show = std::io::stderr().is_terminal();
    let progress = move |p: crate::leads::Progress| {
        if show {
            let pct = (p.bytes * 100).checked_div(p.total_bytes).unwrap_or(100);
            eprint!("\r{pct:>3}%  {} rows  {} rows/s ", p.rows, p.rows_per_second);
        }
    };
    let summary = match source {
        Source::File(file, client) => c.import_file(&file, &client, &progress, cancel).await,
        Source::Again(id) => c.import_again(&id, &progress, cancel).await,
    };
    watcher.abort();
    if show {
        eprintln!();
    }
    print::import(j, &summary?)
}

async fn to_filter(c: &Console, f: LeadFilter) -> Result<Filter, console::Error> {
    let client_id = match &f.client {
        Some(name) => Some(c.client(name).await?.id),
        None => None,
    };
    Ok(Filter {
        client_id,
        form: f.form,
        campaign: f.campaign,
        platform: f.platform,
        organic: f.organic,
        since: f.since.as_deref().map(|d| date_bound(d, false)).transpose()?,
        until: f.until.as_deref().map(|d| date_bound(d, true)).transpose()?,
        search: f.search,
    })
}

/// Seconds since the epoch of a date (start of the day, or the start of the next day for an
/// inclusive `until`) or of an exact RFC 3339 time.
fn date_bound(s: &str, until: bool) -> Result<i64, console::Error> {
    let bad = || console::Error::Invalid(format!("'{s}' is not a date (YYYY-MM-DD) or a time (RFC 3339)"));
    if s.len() == 10 {
        let start = parse_time(&format!("{s}T00:00:00Z")).ok_or_else(bad)?;
        return Ok(if until { start + 86_400 } else { start });
    }
    parse_time(s).ok_or_else(bad)
}
