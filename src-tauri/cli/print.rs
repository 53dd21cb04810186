//! What the CLI prints. `--json` output is the DTOs as serialised for the UI: stable field names,
//! documented in the README. Errors go to stderr, as `{code, message}` with `--json`.

use std::process::ExitCode;

use serde::Serialize;

use crate::audit::{AuditEntry, Verification};
use crate::bench;
use crate::breaches::Breach;
use crate::clients::Client;
use crate::console::{self, ApiError, Erased, Export, ImportRecord, PurgeReport, Rectified, Removal, Report, Status};
use crate::leads::{ImportSummary, LeadDetail};
use crate::requests::discovery::Discovery;
use crate::requests::erasure::Suppression;
use crate::requests::package::Package;
use crate::requests::{Request, RequestUrgency};
use crate::retention::holds::Hold;
use crate::retention::Review;

pub enum Exit {
    Ok,
    Failed,
    AuditBroken,
}

impl Exit {
    pub fn code(self) -> ExitCode {
        match self {
            Exit::Ok => ExitCode::SUCCESS,
            Exit::Failed => ExitCode::from(1),
            Exit::AuditBroken => ExitCode::from(3),
        }
    }

    pub fn from_error(as_json: bool, e: ApiError) -> Exit {
        Self::from_error_with(as_json, e, None)
    }

    /// Prints the error and, on a terminal's text output, what to type next.
    pub fn from_error_with(as_json: bool, e: ApiError, hint: Option<&str>) -> Exit {
        if as_json {
            eprintln!("{}", serde_json::to_string(&e).expect("an error serialises"));
        } else {
            eprintln!("error: {}", e.message);
            if let Some(hint) = hint {
                eprintln!("{hint}");
            }
        }
        Exit::Failed
    }
}

pub fn json<T: Serialize>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).expect("DTOs serialise"));
}

pub fn client(as_json: bool, verb: &str, c: &Client) -> Result<Exit, console::Error> {
    if as_json {
        json(c);
    } else {
        println!("{verb} client '{}'", c.name);
    }
    Ok(Exit::Ok)
}

pub fn clients(as_json: bool, list: &[Client]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
    } else if list.is_empty() {
        println!("No clients yet. Add one with: custodian client add NAME");
    } else {
        for c in list {
            println!("{}\t{}\t{}", c.name, c.created_at, c.id);
        }
    }
    Ok(Exit::Ok)
}

pub fn removal(as_json: bool, r: &Removal) -> Result<Exit, console::Error> {
    if as_json {
        json(r);
    } else if r.removed.is_empty() {
        println!("Removed client '{}' (it held no data)", r.client.name);
    } else {
        let parts: Vec<String> = r.removed.iter().map(|h| format!("{} {}", h.count, h.label)).collect();
        println!("Removed client '{}' with {}", r.client.name, parts.join(", "));
    }
    if !as_json && r.deleted_elsewhere > 0 {
        println!("Its {} records in its CRMs were deleted there first.", r.deleted_elsewhere);
    }
    Ok(Exit::Ok)
}

pub fn verification(as_json: bool, v: &Verification) -> Exit {
    if as_json {
        json(v);
    } else if let Some(b) = &v.broken {
        eprintln!("Audit trail BROKEN at entry #{}: {}", b.seq, b.reason);
        eprintln!("{} entries before it verified.", v.entries);
    } else {
        println!("Audit trail intact: {} entries, head {}", v.entries, v.head);
    }
    if let Some(a) = &v.anchor {
        println!(
            "Entries up to #{} were purged by policy on {}; verified from their last hash {}.",
            a.seq, a.at, a.hash
        );
    }
    if v.intact {
        Exit::Ok
    } else {
        Exit::AuditBroken
    }
}

pub fn entries(as_json: bool, list: &[AuditEntry]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
    } else if list.is_empty() {
        println!("The audit trail is empty.");
    } else {
        for e in list {
            println!("#{}\t{}\t{}\t{}\t{}\t{}", e.seq, e.at, e.actor, e.action, e.outcome, e.object);
        }
    }
    Ok(Exit::Ok)
}

pub fn report(r: &Report) {
    for c in &r.checks {
        let mark = match c.status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        println!("{mark}  {}: {}", c.name, c.detail);
        if let Some(fix) = &c.fix {
            if c.status != Status::Ok {
                println!("      fix: {fix}");
            }
        }
    }
    println!(
        "{}",
        if r.ok { "Everything Custodian needs is in place." } else { "Some checks failed: see the fixes above." }
    );
}

pub fn import(as_json: bool, s: &ImportSummary) -> Result<Exit, console::Error> {
    if as_json {
        json(s);
        return Ok(Exit::Ok);
    }
    let verb = if s.cancelled { "Import cancelled" } else { "Imported" };
    println!(
        "{verb}: {} into {} ({} rows read in {:.1} s, {} rows/s)",
        s.file_name,
        s.client,
        s.rows_read,
        s.elapsed_ms as f64 / 1000.0,
        s.rows_per_second
    );
    println!("  new leads         {}", s.imported);
    println!("  updated           {}", s.updated);
    println!("  duplicates        {} (already stored unchanged, or repeated in the file)", s.duplicates);
    println!("  test leads        {} (flagged)", s.test_leads);
    if s.suppressed > 0 {
        println!("  suppressed        {} (people whose data was erased; not imported)", s.suppressed);
    }
    println!("  rejected rows     {}", s.rejected);
    for r in &s.rejections {
        println!("    line {}: {}", r.line, r.reason);
    }
    if s.rejected > s.rejections.len() as u64 {
        println!("    … and {} more", s.rejected - s.rejections.len() as u64);
    }
    for note in &s.notes {
        println!("  {note}");
    }
    Ok(Exit::Ok)
}

pub fn leads(as_json: bool, leads: &[LeadDetail]) -> Result<Exit, console::Error> {
    if as_json {
        json(&leads);
    } else if leads.is_empty() {
        println!("No leads match.");
    } else {
        for l in leads {
            let name = l.answers.iter().find(|(q, _)| q == "full_name").map_or("", |(_, a)| a.as_str());
            let test = if l.is_test { "  [test lead]" } else { "" };
            println!(
                "{}\t{}\t{}\t{}\t{}{test}",
                l.created_time,
                l.meta_id.as_deref().unwrap_or("-"),
                l.platform,
                l.form_name,
                name
            );
        }
    }
    Ok(Exit::Ok)
}

pub fn export(as_json: bool, e: &Export) -> Result<Exit, console::Error> {
    if as_json {
        json(e);
    } else {
        println!("Exported {} leads to {}", e.rows, e.path);
    }
    Ok(Exit::Ok)
}

pub fn consent_exported(as_json: bool, e: &Export) -> Result<Exit, console::Error> {
    if as_json {
        json(e);
    } else {
        println!("Exported {} consent entries to {}", e.rows, e.path);
    }
    Ok(Exit::Ok)
}

pub fn consent(as_json: bool, r: &console::ConsentOf) -> Result<Exit, console::Error> {
    if as_json {
        json(r);
        return Ok(Exit::Ok);
    }
    let who: Vec<String> = r.searched.iter().map(|i| format!("{} {}", i.kind.label(), i.value)).collect();
    let who = who.join(", ");
    if r.entries.is_empty() {
        println!("No consent is recorded for {who}: they have not opted in to marketing on any channel.");
        return Ok(Exit::Ok);
    }
    println!("Consent of {who}");
    for s in &r.states {
        println!(
            "  {:<20} {:<20} {} since {} (entry {})",
            s.client.as_deref().unwrap_or("every client"),
            s.channel.as_str(),
            if s.opted_in { "opted in " } else { "opted out" },
            s.since,
            s.entry_id
        );
    }
    println!("Entries, oldest first:");
    for e in &r.entries {
        println!(
            "  {:>5}  {}  {:<20} {:<20} {:<8} {}: {}",
            e.id,
            e.said_at,
            e.client.as_deref().unwrap_or("every client"),
            e.channel.as_str(),
            if e.opted_in { "opt-in" } else { "opt-out" },
            e.source.as_str().replace('_', " "),
            e.proof
        );
    }
    Ok(Exit::Ok)
}

pub fn bench(as_json: bool, r: &bench::import::Report) -> Exit {
    if as_json {
        json(r);
    } else {
        r.print();
    }
    Exit::Ok
}

/// A request's deadline in words: "due 2026-12-22 (29 days left)".
fn deadline(r: &Request) -> String {
    let left = match (r.urgency, r.days_left) {
        (RequestUrgency::Closed, _) => return format!("was due {}", r.due_on),
        (_, 0) => "due today".to_owned(),
        (_, 1) => "1 day left".to_owned(),
        (_, -1) => "1 day overdue".to_owned(),
        (_, d) if d < 0 => format!("{} days overdue", -d),
        (_, d) => format!("{d} days left"),
    };
    format!("due {} ({left})", r.due_on)
}

fn person(r: &Request) -> String {
    r.identifiers.first().map(|i| i.value.clone()).unwrap_or_default()
}

pub fn request(as_json: bool, verb: &str, r: &Request) -> Result<Exit, console::Error> {
    if as_json {
        json(r);
        return Ok(Exit::Ok);
    }
    println!("{verb} request {}: {} for {}", r.id, r.kind.as_str(), person(r));
    println!("  status      {}", r.status.as_str());
    println!("  regime      {}, received {}, {}", r.regime, r.received_on, deadline(r));
    if let Some(reason) = &r.extension_reason {
        println!("  extended    {reason}");
    }
    if let Some(by) = &r.confirm_receipt_by {
        println!("  confirm receipt by {by}");
    }
    if let Some(client) = &r.client {
        println!("  client      {client}");
    }
    for i in &r.identifiers {
        println!("  {:<11} {}", i.kind.label(), i.value);
    }
    if !r.verification_notes.is_empty() {
        println!("  notes       {}", r.verification_notes.replace('\n', "\n              "));
    }
    if let Some(reason) = &r.outcome_reason {
        println!("  outcome     {reason}");
    }
    Ok(Exit::Ok)
}

pub fn requests(as_json: bool, list: &[Request]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
    } else if list.is_empty() {
        println!("No requests yet. Record one with: custodian request new --kind access --email ADDRESS");
    } else {
        for r in list {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                r.id,
                r.kind.as_str(),
                r.status.as_str(),
                r.regime,
                deadline(r),
                person(r)
            );
        }
    }
    Ok(Exit::Ok)
}

pub fn discovery(as_json: bool, d: &Discovery) -> Result<Exit, console::Error> {
    if as_json {
        json(d);
        return Ok(Exit::Ok);
    }
    let searched: Vec<String> = d.searched.iter().map(|i| format!("{} {}", i.kind.label(), i.value)).collect();
    println!("Request {}: searched {}", d.request_id, searched.join(", "));
    if d.groups.is_empty() {
        println!("Nothing is held about this person here.");
    }
    for g in &d.groups {
        let client = g.client.as_deref().map(|c| format!(" of client '{c}'")).unwrap_or_default();
        println!("{} {}{client}:", g.records.len(), g.label);
        for r in &g.records {
            let live = r.fetched_at.as_deref().map(|at| format!(" (at {at})")).unwrap_or_default();
            println!("  {}  {}{live}", r.id, r.source);
        }
    }
    if !d.offered.is_empty() {
        let offered: Vec<String> = d.offered.iter().map(|i| format!("{} {}", i.kind.label(), i.value)).collect();
        println!("Also on these records: {}. Add --widen to search them too.", offered.join(", "));
    }
    Ok(Exit::Ok)
}

pub fn imports(as_json: bool, list: &[ImportRecord]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
    } else if list.is_empty() {
        println!("No imports yet. Import a lead export with: custodian import FILE --client NAME");
    } else {
        for i in list {
            println!(
                "{}\t{}\t{}\t{}\t{}: {} imported, {} updated, {} duplicates, {} rejected",
                i.id, i.started_at, i.client, i.file_name, i.status, i.imported, i.updated, i.duplicates, i.rejected
            );
            if i.status == "interrupted" {
                println!("  interrupted: run it again with  custodian import --again {}", i.id);
            }
        }
    }
    Ok(Exit::Ok)
}

pub fn erased(as_json: bool, e: &Erased) -> Result<Exit, console::Error> {
    if as_json {
        json(e);
        return Ok(Exit::Ok);
    }
    let r = &e.receipt;
    if r.nothing_held {
        println!("Closed request {} as nothing held. Receipt {}", r.request_id, r.code);
    } else {
        println!("Erased request {}'s person. Receipt {}", r.request_id, r.code);
    }
    println!("  erased at   {} by {}", r.erased_at, r.actor);
    if r.nothing_held {
        println!("  deleted     nothing: the search found nothing held under the request's identifiers");
    }
    for d in &r.deleted {
        println!("  deleted     {} {}", d.count, d.label);
    }
    println!("  suppressed  {} identifiers (keyed hashes; later imports skip them)", r.suppressed);
    for note in &r.beyond_reach {
        println!("  not reached {note}");
    }
    println!("  audit head  #{} {}", r.audit_seq, r.audit_hash);
    if !e.wal_emptied {
        println!("  note        a reader kept the write-ahead log from being emptied now; it is emptied at the next checkpoint");
    }
    remote_lines(&e.remote);
    Ok(Exit::Ok)
}

fn remote_lines(steps: &[crate::requests::remote::RemoteStep]) {
    for s in steps {
        let answer = s.answer.as_deref().unwrap_or("not yet taken");
        println!("  remote      {} {}: {} ({answer})", s.kind, s.action, s.status);
    }
    if steps.iter().any(|s| s.status != "done") {
        println!("  retry       custodian request retry-remote ID takes the steps not done again");
    }
}

pub fn remote_steps(
    as_json: bool,
    id: i64,
    steps: &[crate::requests::remote::RemoteStep],
) -> Result<Exit, console::Error> {
    if as_json {
        json(&steps);
    } else if steps.is_empty() {
        println!("Request {id} has no steps at remote services.");
    } else {
        println!("Request {id}'s steps at remote services:");
        remote_lines(steps);
    }
    Ok(if steps.iter().any(|s| s.status == "failed") { Exit::Failed } else { Exit::Ok })
}

pub fn suppressions(as_json: bool, list: &[Suppression]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
    } else if list.is_empty() {
        println!("The suppression list is empty.");
    } else {
        for s in list {
            let request = s.request_id.map(|r| format!("request {r}")).unwrap_or_default();
            println!("{}\t{}\t{}\t{request}", s.hash, s.kind, s.added_at);
        }
    }
    Ok(Exit::Ok)
}

pub fn rectified(as_json: bool, r: &Rectified) -> Result<Exit, console::Error> {
    if as_json {
        json(r);
        return Ok(Exit::Ok);
    }
    let counts: Vec<String> = r.changed.iter().map(|c| format!("{} {}", c.count, c.label)).collect();
    println!("Corrected on {} for request {}; the old value is not kept.", counts.join(", "), r.request.id);
    for why in &r.not_corrected {
        println!("  not corrected: {why}");
    }
    Ok(Exit::Ok)
}

pub fn package(as_json: bool, p: &Package) -> Result<Exit, console::Error> {
    if as_json {
        json(p);
        return Ok(Exit::Ok);
    }
    println!("Wrote {} ({} records)", p.path, p.records);
    for f in &p.files {
        println!("  {:<14} {:>9} bytes  sha256 {}", f.name, f.bytes, f.sha256);
    }
    Ok(Exit::Ok)
}

pub fn settings(as_json: bool, info: &[(String, String)]) -> Result<Exit, console::Error> {
    if as_json {
        let map: serde_json::Map<String, serde_json::Value> =
            info.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        json(&map);
    } else {
        for (k, v) in info {
            println!("{k:<11} {v}");
        }
    }
    Ok(Exit::Ok)
}

pub fn retention(as_json: bool, rows: &[Review]) -> Result<Exit, console::Error> {
    if as_json {
        json(&rows);
        return Ok(Exit::Ok);
    }
    if rows.is_empty() {
        println!("Nothing to review: add a client, or check the client's name.");
    }
    for r in rows {
        let whose = r.client.as_deref().map(|c| format!(" of {c}")).unwrap_or_default();
        let scope = if r.policy.client_override { "the client's own" } else { "workspace default" };
        println!("{}{whose}: kept {} days ({scope}: {})", r.label, r.policy.days, r.policy.reason);
        let oldest = r.oldest.as_deref().map(|o| format!(", oldest {o}")).unwrap_or_default();
        let on_hold = if r.on_hold > 0 { format!(", {} on hold", r.on_hold) } else { String::new() };
        println!(
            "  held {}{oldest}{on_hold}; due now {}, within 7 days {}, within 30 days {}",
            r.held, r.due_now, r.due_within_7_days, r.due_within_30_days
        );
        let ages: Vec<String> =
            r.ages.iter().filter(|a| a.count > 0).map(|a| format!("{} {}", a.label, a.count)).collect();
        if !ages.is_empty() {
            println!("  by age: {}", ages.join(", "));
        }
    }
    Ok(Exit::Ok)
}

fn span(minutes: i64) -> String {
    crate::clock::span_text(minutes.unsigned_abs())
}

/// "running: authority to be told by …, 47 h 10 min left", "passed 2 h 5 min ago: …".
fn breach_standing(b: &Breach) -> String {
    use crate::breaches::deadline::Standing;
    match b.standing {
        Standing::Running => format!("running: authority to be told by {}, {} left", b.deadline, span(b.minutes_left)),
        Standing::Near => format!("near: authority to be told by {}, only {} left", b.deadline, span(b.minutes_left)),
        Standing::Passed => {
            format!("passed {} ago, at {}: the authority is not told yet", span(b.minutes_left), b.deadline)
        }
        Standing::Notified => format!("authority told {}", b.authority_on.as_deref().unwrap_or("")),
        Standing::NotifiedLate => format!("authority told {}, late", b.authority_on.as_deref().unwrap_or("")),
        Standing::Closed => "closed without telling the authority".to_owned(),
    }
}

pub fn breaches(as_json: bool, list: &[Breach]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
    } else if list.is_empty() {
        println!("No breach is recorded.");
    } else {
        for b in list {
            let closed = if b.closed_at.is_some() { "\tclosed" } else { "" };
            println!("breach {}\taware {}\t{}{closed}\t{}", b.id, b.aware_at, breach_standing(b), b.summary);
        }
    }
    Ok(Exit::Ok)
}

pub fn breach(as_json: bool, b: &Breach) -> Result<Exit, console::Error> {
    if as_json {
        json(b);
        return Ok(Exit::Ok);
    }
    println!("breach {}: {}", b.id, b.summary);
    println!("aware            {}", b.aware_at);
    println!("deadline         {} (72 hours after)", b.deadline);
    println!("standing         {}", breach_standing(b));
    if !b.clients.is_empty() {
        println!("clients          {}", b.clients.join(", "));
    }
    if !b.kinds.is_empty() {
        println!("kinds            {}", b.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "));
    }
    if let (Some(since), Some(until)) = (&b.since, &b.until) {
        println!("data from        {since} to {until}");
    }
    if let (Some(people), Some(records)) = (b.people, b.records) {
        println!(
            "affected         {people} people, {records} records (assessed {})",
            b.assessed_at.as_deref().unwrap_or("")
        );
    }
    if let Some(counted) = &b.counted {
        for k in &counted.kinds {
            println!("  {:<15}{} records", k.label, k.records);
        }
        if counted.leaked_rows > 0 || counted.leaked_unreadable > 0 || counted.leaked_erased > 0 {
            println!(
                "  {:<15}{} rows naming someone ({} in no record counted here), {} naming no one, {} erased since",
                "leaked file",
                counted.leaked_rows,
                counted.leaked_beyond,
                counted.leaked_unreadable,
                counted.leaked_erased
            );
        }
        for kind in &counted.not_counted {
            println!("  {:<15}not counted here", kind.label);
        }
    }
    let d = &b.details;
    if !d.systems.is_empty() {
        println!("systems          {}", d.systems.join("; "));
    }
    for (label, text) in [("consequences", &d.consequences), ("measures", &d.measures), ("contact", &d.contact)] {
        if let Some(text) = text {
            println!("{label:<17}{text}");
        }
    }
    if let Some(reason) = &b.late_reason {
        println!("late because     {reason}");
    }
    if let Some(on) = &b.subjects_on {
        println!("people told      {on}");
    }
    if let Some(at) = &b.closed_at {
        println!("closed           {at}: {}", b.close_reason.as_deref().unwrap_or(""));
    }
    Ok(Exit::Ok)
}

pub fn breach_notice(
    as_json: bool,
    out: &std::path::Path,
    notice: &crate::breaches::notice::Notice,
) -> Result<Exit, console::Error> {
    if as_json {
        json(&serde_json::json!({ "path": out, "missing": notice.missing }));
        return Ok(Exit::Ok);
    }
    println!("Wrote the draft notice to {}.", out.display());
    if !notice.missing.is_empty() {
        println!("Still to be filled in (marked in the draft):");
        for item in &notice.missing {
            println!("  {item}");
        }
    }
    Ok(Exit::Ok)
}

pub fn holds(as_json: bool, list: &[Hold]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
    } else if list.is_empty() {
        println!("No legal holds.");
    } else {
        for h in list {
            let what = match &h.client {
                Some(c) => format!("client '{c}'"),
                None => format!("a person ({})", h.identifiers.join(", ")),
            };
            let until = h.until.as_deref().map_or("until lifted".to_owned(), |u| format!("until {u}"));
            println!("hold {}\t{what}\t{until}\t{}", h.id, h.reason);
        }
    }
    Ok(Exit::Ok)
}

pub fn purge(as_json: bool, r: &PurgeReport) -> Result<Exit, console::Error> {
    if as_json {
        json(r);
        return Ok(Exit::Ok);
    }
    let verb = if r.dry_run { "Would purge" } else { "Purged" };
    if r.purged.is_empty() {
        println!("Nothing is past its retention period as of {} (or it is on hold).", r.as_of);
    }
    for p in &r.purged {
        let whose = p.client.as_deref().map(|c| format!(" of {c}")).unwrap_or_default();
        println!("{verb} {} {}{whose} (kept {} days)", p.count, p.label, p.days);
    }
    if let (Some(seq), Some(hash)) = (r.audit_seq, &r.audit_hash) {
        println!("  audit head  #{seq} {hash}");
    }
    if !r.dry_run && !r.wal_emptied {
        println!("  note        a reader kept the write-ahead log from being emptied now; it is emptied at the next checkpoint");
    }
    Ok(Exit::Ok)
}

pub fn meta_app(as_json: bool, app: &console::MetaApp) -> Result<Exit, console::Error> {
    if as_json {
        json(app);
    } else {
        println!("app id         {}", app.app_id.as_deref().unwrap_or("not set"));
        println!("app secret     {}", if app.secret_set { "set (in the keychain)" } else { "not set" });
        println!("Graph API      {} {}", app.graph_url, app.graph_version);
        match app.sync_minutes {
            0 => println!("leads sync     only when asked"),
            m => println!("leads sync     every {m} minutes while the app runs"),
        }
    }
    Ok(Exit::Ok)
}

pub fn meta_connections(as_json: bool, list: &[console::MetaConnection]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
        return Ok(Exit::Ok);
    }
    if list.is_empty() {
        println!("No connections to Meta. Add one with: custodian meta connect --token-stdin");
    }
    for c in list {
        let expiry = match (&c.expires_at, c.days_left) {
            (Some(at), Some(days)) => format!("expires {} ({days} days)", &at[..10.min(at.len())]),
            _ => "never expires".to_owned(),
        };
        let health = match c.health {
            console::TokenHealth::Ok => "ok".to_owned(),
            console::TokenHealth::Expiring => format!("expiring: {}", c.health_reason.as_deref().unwrap_or("")),
            console::TokenHealth::Expired => "expired: add a new token".to_owned(),
            console::TokenHealth::LogInAgain => {
                format!("log in again: {}", c.health_reason.as_deref().unwrap_or("Meta no longer accepts it"))
            }
        };
        println!("{}  {} token, {expiry}, {health}", c.id, c.token_type);
        println!("    client {}; permissions {}", c.client.as_deref().unwrap_or("none"), c.scopes.join(", "));
    }
    Ok(Exit::Ok)
}

pub fn disconnected(as_json: bool, d: &console::Disconnected) -> Result<Exit, console::Error> {
    if as_json {
        json(d);
    } else {
        println!("Disconnected {}: its token is no longer in the keychain.", d.id);
        match (d.revoked_at_meta, &d.revoke_error) {
            (Some(true), _) => println!("Meta revoked the app's permissions."),
            (Some(false), Some(e)) => println!("Meta did not revoke the app's permissions: {e}"),
            _ => {}
        }
    }
    Ok(Exit::Ok)
}

pub fn meta_pages(as_json: bool, pages: &console::RefreshedPages) -> Result<Exit, console::Error> {
    if as_json {
        json(pages);
        return Ok(Exit::Ok);
    }
    if pages.items.is_empty() {
        println!("No Pages yet: connect a token that reaches them (custodian meta connect --token-stdin).");
    }
    for p in &pages.items {
        println!(
            "{}  {}  client {}",
            p.id,
            p.name,
            p.client.as_deref().unwrap_or("none (assign it: custodian meta assign)")
        );
    }
    for problem in &pages.problems {
        eprintln!("note: {problem}");
    }
    Ok(Exit::Ok)
}

pub fn meta_forms(as_json: bool, forms: &console::RefreshedForms) -> Result<Exit, console::Error> {
    if as_json {
        json(forms);
        return Ok(Exit::Ok);
    }
    if forms.items.is_empty() {
        println!("No lead forms yet: list the Pages first (custodian meta pages).");
    }
    for f in &forms.items {
        let count = f.leads_count.map_or(String::new(), |n| format!(", {n} leads at Meta"));
        let sync = if f.sync { "synced" } else { "not synced" };
        println!(
            "{}  {} (Page {}{count}), {}, {sync}",
            f.id,
            f.name,
            f.page,
            f.status.as_deref().unwrap_or("status unknown")
        );
    }
    for problem in &forms.problems {
        eprintln!("note: {problem}");
    }
    Ok(Exit::Ok)
}

pub fn synced(as_json: bool, report: &console::SyncReport) -> Result<Exit, console::Error> {
    if as_json {
        json(report);
    } else {
        if report.forms.is_empty() {
            println!("No form is chosen for sync: choose one with custodian meta forms enable FORM_ID.");
        }
        for f in &report.forms {
            println!(
                "{} ({}) into {}: {} new, {} updated, {} unchanged, {} suppressed, {} rejected, {} pages read",
                f.form,
                f.form_id,
                f.client.as_deref().unwrap_or("no client"),
                f.new,
                f.updated,
                f.unchanged,
                f.suppressed,
                f.rejected,
                f.pages
            );
            if let Some(problem) = &f.problem {
                eprintln!("error: {} did not sync to the end: {problem}", f.form);
            }
        }
        if report.cancelled {
            println!("Cancelled: what was stored stays; the next sync goes on from there.");
        }
    }
    Ok(if report.failed() { Exit::Failed } else { Exit::Ok })
}

pub fn crm_connections(as_json: bool, list: &[console::CrmConnection]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
        return Ok(Exit::Ok);
    }
    if list.is_empty() {
        println!("No CRM connections. Add one with: custodian crm connect hubspot --client NAME --token-stdin");
    }
    for c in list {
        let health = match &c.invalid_reason {
            Some(reason) => format!("connect again: {reason}"),
            None => "ok".to_owned(),
        };
        println!("{}  {} of client {}, {health}", c.id, c.crm.label(), c.client.as_deref().unwrap_or("(removed)"));
        println!("    at {}; last answered {}", c.base_url, c.last_ok_at.as_deref().unwrap_or("never"));
        if c.oauth {
            println!("    signed in through the browser; its access token is renewed when it runs out");
        }
        if c.auto_push {
            println!("    new leads are pushed after each import and sync");
        }
    }
    Ok(Exit::Ok)
}

pub fn crm_apps(as_json: bool, list: &[console::CrmApp]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
        return Ok(Exit::Ok);
    }
    if list.is_empty() {
        println!("No CRM apps are set; connections are made with tokens. Set one with: custodian crm app set hubspot --client-id ID --secret-stdin");
    }
    for app in list {
        let secret = if app.has_secret { "its secret in the keychain" } else { "no secret" };
        println!("{}  client id {}, {secret}", app.crm.label(), app.client_id);
        println!("    signs in at {}; register this redirect URL with the app: {}", app.auth_url, app.redirect_uri);
    }
    Ok(Exit::Ok)
}

pub fn crm_fields(as_json: bool, schema: &crate::crm::schema::Schema) -> Result<Exit, console::Error> {
    if as_json {
        json(schema);
        return Ok(Exit::Ok);
    }
    for f in &schema.fields {
        let required = if f.required { ", required" } else { "" };
        let choices = if f.options.is_empty() { String::new() } else { format!(": {}", f.options.join(" | ")) };
        println!("{}  {} ({:?}{required}){choices}", f.name, f.label, f.kind);
    }
    Ok(Exit::Ok)
}

/// A push's counts in words.
fn counted(n: &crate::crm::push_log::Counts) -> String {
    format!(
        "{} created, {} updated, {} unchanged, {} withheld, {} not mapped, {} failed",
        n.created, n.updated, n.unchanged, n.withheld, n.not_mapped, n.failed
    )
}

pub fn pushed(as_json: bool, report: &console::PushReport) -> Result<Exit, console::Error> {
    if as_json {
        json(report);
    } else {
        for p in &report.pushes {
            let n = &p.counts;
            println!(
                "{} of client {} ({}): {}",
                p.crm.label(),
                p.client.as_deref().unwrap_or("(removed)"),
                p.connection_id,
                counted(n).replace(" withheld", " withheld (restricted, objected or erased)")
            );
            for f in &p.failures {
                let lead =
                    f.meta_id.as_deref().map(|m| format!("lead {m}")).unwrap_or_else(|| format!("lead #{}", f.lead_id));
                eprintln!("  failed: {lead} (form {}): {}", f.form_id, f.message);
            }
            if n.failed as usize > p.failures.len() {
                eprintln!(
                    "  ... and {} more failures: custodian crm log --status failed",
                    n.failed as usize - p.failures.len()
                );
            }
            if let Some(why) = &p.stopped {
                eprintln!("error: the push to {} stopped before the end: {why}", p.crm.label());
            }
        }
    }
    Ok(if report.failed() { Exit::Failed } else { Exit::Ok })
}

/// An automatic push after an import or sync, in a line per connection on standard error.
pub fn pushed_after(report: &console::PushReport) {
    for p in &report.pushes {
        let n = &p.counts;
        eprintln!("Pushed to {} automatically: {}", p.crm.label(), counted(n));
        if let Some(why) = &p.stopped {
            eprintln!("warning: the push to {} stopped before the end: {why}", p.crm.label());
        }
        if n.failed > 0 {
            eprintln!("  the failures are listed by: custodian crm log --status failed");
        }
    }
}

pub fn push_log(as_json: bool, log: &console::PushLog) -> Result<Exit, console::Error> {
    if as_json {
        json(log);
        return Ok(Exit::Ok);
    }
    if log.pushes.is_empty() {
        println!("Nothing has been pushed yet. Push with: custodian crm push");
        return Ok(Exit::Ok);
    }
    println!("Pushes, newest first:");
    for p in &log.pushes {
        let n = &p.counts;
        let end = match (&p.finished_at, &p.stopped) {
            (_, Some(why)) => format!("stopped: {why}"),
            (Some(at), None) => format!("finished {at}"),
            (None, None) => "did not finish".into(),
        };
        println!(
            "  #{} {} {} of client {}: {}; {end}",
            p.id,
            p.started_at,
            p.crm,
            p.client.as_deref().unwrap_or("(removed)"),
            counted(n)
        );
    }
    if !log.results.is_empty() {
        println!("Leads:");
    }
    for r in &log.results {
        let message = r.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
        println!("  push #{} lead #{} {} {}{message}", r.push_id, r.lead_id, r.crm, r.status);
    }
    Ok(Exit::Ok)
}

pub fn datasets(as_json: bool, datasets: &[crate::capi::events::Dataset]) -> Result<Exit, console::Error> {
    if as_json {
        json(&datasets);
        return Ok(Exit::Ok);
    }
    if datasets.is_empty() {
        println!("No client has a dataset yet. Set one with: custodian capi set --client NAME --dataset ID");
    }
    for d in datasets {
        let test = d.test_event_code.as_deref().map(|c| format!(" (test events, code {c})")).unwrap_or_default();
        println!("{}: dataset {}{test}, set {}", d.client, d.dataset_id, d.set_at);
    }
    Ok(Exit::Ok)
}

pub fn capi_imported(as_json: bool, report: &console::CapiImport) -> Result<Exit, console::Error> {
    if as_json {
        json(report);
    } else {
        println!(
            "Queued {} conversion events for {} ({} already queued, {} that cannot be sent).",
            report.queued, report.client, report.already_queued, report.invalid
        );
        for p in &report.problems {
            eprintln!("  not sendable: {}: {}", p.source, p.reason);
        }
        if report.invalid as usize > report.problems.len() {
            eprintln!("  ... and {} more: custodian capi preview", report.invalid as usize - report.problems.len());
        }
    }
    Ok(Exit::Ok)
}

pub fn capi_preview(as_json: bool, preview: &console::CapiPreview) -> Result<Exit, console::Error> {
    if as_json {
        json(preview);
        return Ok(Exit::Ok);
    }
    println!(
        "{} events would be sent; {} would not ({} withheld: restricted or objected).",
        preview.sendable,
        preview.unsendable_count + preview.withheld,
        preview.withheld
    );
    if preview.stages_read > 0 || !preview.stages_stopped.is_empty() {
        stage_reading(preview.stages_read, preview.stage_events, "among them", preview.stages_unreadable);
    }
    for stopped in &preview.stages_stopped {
        eprintln!("warning: {}'s CRM stages could not all be read: {}", stopped.source, stopped.reason);
    }
    for e in &preview.events {
        let dataset = e.dataset_id.as_deref().unwrap_or("no dataset set");
        println!("  {} → {dataset}: {}", e.client, e.payload);
    }
    for p in &preview.unsendable {
        println!("  not sent: {}: {}", p.source, p.reason);
    }
    for client in &preview.no_dataset {
        eprintln!(
            "warning: {client} has no dataset; set one with: custodian capi set --client \"{client}\" --dataset ID"
        );
    }
    Ok(Exit::Ok)
}

/// What reading the CRM stages found, as `capi send` and `capi preview` say it.
fn stage_reading(read: u64, events: u64, events_are: &str, unreadable: u64) {
    println!(
        "  {read} CRM records read for their stage, {events} stage events {events_are}{}",
        if unreadable > 0 {
            format!(", {unreadable} records the CRM would not give passed over")
        } else {
            String::new()
        }
    );
}

pub fn capi_sent(as_json: bool, report: &console::CapiSendReport) -> Result<Exit, console::Error> {
    if as_json {
        json(report);
    } else {
        for c in &report.clients {
            println!(
                "{} → dataset {}: {} sent in {} batches, {} invalid, {} not yet due, {} withheld",
                c.client,
                c.dataset_id.as_deref().unwrap_or("-"),
                c.sent,
                c.batches,
                c.invalid,
                c.not_yet,
                c.withheld
            );
            if c.stages_read > 0 || c.stages_stopped.is_some() {
                stage_reading(c.stages_read, c.stage_events, "queued", c.stages_unreadable);
            }
            if let Some(why) = &c.stages_stopped {
                eprintln!("error: reading {}'s CRM stages stopped before the end: {why}", c.client);
            }
            if let Some(why) = &c.stopped {
                eprintln!("error: sending {}'s events stopped before the end: {why}", c.client);
            }
        }
    }
    Ok(if report.failed() { Exit::Failed } else { Exit::Ok })
}

pub fn stage_rules(as_json: bool, rules: &[console::StageRule]) -> Result<Exit, console::Error> {
    if as_json {
        json(&rules);
        return Ok(Exit::Ok);
    }
    if rules.is_empty() {
        println!(
            "No CRM stages are sent. Choose some with: custodian capi stages --client NAME --crm CRM --send STAGE,..."
        );
    }
    for r in rules {
        println!(
            "{}: {} ({}) field {}: {} sent as conversion events, set {}",
            r.client,
            r.crm.label(),
            r.connection_id,
            r.field,
            r.stages.join(", "),
            r.set_at
        );
    }
    Ok(Exit::Ok)
}

pub fn capi_log(as_json: bool, log: &[crate::capi::events::Logged]) -> Result<Exit, console::Error> {
    if as_json {
        json(&log);
        return Ok(Exit::Ok);
    }
    if log.is_empty() {
        println!("No conversion event has been sent yet. Send with: custodian capi send");
    }
    for e in log {
        let keys: Vec<String> =
            e.keys.iter().map(|(k, v)| format!("{k}={}…", v.chars().take(12).collect::<String>())).collect();
        println!(
            "{} {} {} ({}) → {}: {} received, fbtrace_id {}; {}",
            e.sent_at,
            e.client,
            e.event_name,
            e.event_id,
            e.dataset_id,
            e.events_received,
            e.fbtrace_id.as_deref().unwrap_or("-"),
            keys.join(" ")
        );
    }
    Ok(Exit::Ok)
}

pub fn pixels(as_json: bool, pixels: &[crate::meta::pixels::Pixel]) -> Result<Exit, console::Error> {
    if as_json {
        json(&pixels);
        return Ok(Exit::Ok);
    }
    if pixels.is_empty() {
        println!("No pixel was found in the businesses the Meta connections reach.");
    }
    for p in pixels {
        let fired = p.last_fired_time.as_deref().unwrap_or("never");
        let client = p.client.as_deref().map(|c| format!(", client {c}")).unwrap_or_default();
        println!(
            "{} {} ({} pixel of business {}{client}), last fired {fired}",
            p.id, p.name, p.relation, p.business_id
        );
        if p.grants.is_empty() {
            println!("  shared with no other business or ad account");
        }
        for g in &p.grants {
            let tasks = if g.tasks.is_empty() { String::new() } else { format!(" may {}", g.tasks.join(", ")) };
            let how = if g.by_custodian { "granted by Custodian" } else { "found already there" };
            println!("  {} {}{tasks}: since {} ({how})", g.kind.replace('_', " "), g.id, g.granted_at);
        }
    }
    Ok(Exit::Ok)
}

pub fn pixel_change(as_json: bool, change: &console::PixelChange) -> Result<Exit, console::Error> {
    if as_json {
        json(change);
    } else {
        let tasks = if change.tasks.is_empty() { String::new() } else { format!(" ({})", change.tasks.join(", ")) };
        let done = if change.operation == "share" { "Shared" } else { "Revoked" };
        println!("{done}: pixel {} and {}{tasks}.", change.pixel_id, change.target.replace('_', " "));
    }
    Ok(Exit::Ok)
}

pub fn pixel_bulk(as_json: bool, bulk: &console::PixelBulk) -> Result<Exit, console::Error> {
    if as_json {
        json(bulk);
    } else {
        for r in &bulk.rows {
            let tasks = if r.tasks.is_empty() { "-".to_owned() } else { r.tasks.join(",") };
            let message = r.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
            println!(
                "line {}: pixel {} business {} {tasks}: {} {}{message}",
                r.line, r.pixel_id, r.business, r.change, r.outcome
            );
        }
        if bulk.dry_run {
            println!("A dry run: nothing was changed.");
        }
    }
    Ok(if bulk.failed() { Exit::Failed } else { Exit::Ok })
}

pub fn pixel_log(as_json: bool, log: &[crate::meta::pixels::Operation]) -> Result<Exit, console::Error> {
    if as_json {
        json(&log);
        return Ok(Exit::Ok);
    }
    if log.is_empty() {
        println!("No operation on pixels yet.");
    }
    for o in log {
        println!(
            "{} {} {} {} {}{}: {} {}",
            o.at,
            o.actor,
            o.operation,
            o.pixel_id.as_deref().unwrap_or("-"),
            o.target.as_deref().unwrap_or(""),
            o.tasks.as_deref().map(|t| format!(" ({t})")).unwrap_or_default(),
            o.outcome,
            o.answer.as_deref().unwrap_or("")
        );
    }
    Ok(Exit::Ok)
}

pub fn chat_imported(as_json: bool, r: &console::ChatImport) -> Result<Exit, console::Error> {
    let exit = if r.stopped.is_some() { Exit::Failed } else { Exit::Ok };
    if as_json {
        json(r);
        return Ok(exit);
    }
    let what = match r.kind {
        console::ChatFileKind::WhatsappExport => "WhatsApp export",
        console::ChatFileKind::WebhookArchive => "webhook archive",
    };
    let verb = if r.cancelled { "Import cancelled" } else { "Imported" };
    println!("{verb}: {} ({what}) into {}", r.file_name, r.client);
    println!("  new messages      {}", r.messages);
    println!("  new threads       {}", r.threads);
    println!("  already held      {}", r.already_held);
    if r.erased > 0 {
        println!("  erased people     {} (messages of people whose data was erased; not imported)", r.erased);
    }
    if r.consent > 0 {
        println!("  consent answers   {} (STOP or START messages, now in the consent register)", r.consent);
    }
    println!("  bad lines         {}", r.rejected);
    for bad in &r.rejections {
        println!("    line {}: {}", bad.line, bad.reason);
    }
    if r.rejected > r.rejections.len() as u64 {
        println!("    … and {} more", r.rejected - r.rejections.len() as u64);
    }
    if let Some(why) = &r.stopped {
        eprintln!("error: reading stopped before the end of the file: {why}. What was read before is stored; import the file again once it is whole.");
    }
    Ok(exit)
}

pub fn chat_synced(as_json: bool, r: &console::ChatSyncReport) -> Result<Exit, console::Error> {
    let exit = if r.failed() || r.cancelled { Exit::Failed } else { Exit::Ok };
    if as_json {
        json(r);
        return Ok(exit);
    }
    if r.pages.is_empty() {
        println!("No Page is assigned to a client: assign one with `custodian meta assign PAGE_ID --client NAME`.");
        return Ok(exit);
    }
    for p in &r.pages {
        println!(
            "{} ({}) {}: {} threads read, {} new messages in {} new threads ({} already held{})",
            p.page,
            p.client.as_deref().unwrap_or("no client"),
            p.channel.as_str(),
            p.threads_read,
            p.messages,
            p.threads,
            p.already_held,
            if p.erased > 0 { format!(", {} of erased people not stored", p.erased) } else { String::new() }
        );
        if p.consent > 0 {
            println!("  {} STOP or START messages recorded in the consent register", p.consent);
        }
        if p.unreadable > 0 {
            println!("  {} items Meta listed could not be read", p.unreadable);
        }
        if let Some(problem) = &p.problem {
            eprintln!("  stopped: {problem}. What was stored stays; the next sync reads on from there.");
        }
    }
    if r.cancelled {
        eprintln!("Cancelled; what was stored stays.");
    }
    Ok(exit)
}

pub fn chat_threads(
    as_json: bool,
    list: &[crate::chat::threads::ThreadSummary],
    window: console::Window,
) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
        return Ok(Exit::Ok);
    }
    if list.is_empty() && window.offset > 0 {
        println!("No more conversations after the first {}.", window.offset);
        return Ok(Exit::Ok);
    }
    if list.is_empty() {
        println!("No conversations. Import a WhatsApp export or webhook archive with: custodian chat import FILE --client NAME");
        return Ok(Exit::Ok);
    }
    for t in list {
        println!(
            "{:>6}  {:<9}  {:<24}  {:>5} messages  last {}  {}",
            t.id,
            t.channel.as_str(),
            t.title,
            t.messages,
            t.last_at,
            t.client
        );
    }
    if list.len() as i64 == window.limit {
        println!("More may follow: --offset {}", window.offset.saturating_add(window.limit));
    }
    Ok(Exit::Ok)
}

pub fn chat_thread(
    as_json: bool,
    t: &crate::chat::threads::Thread,
    window: console::Window,
) -> Result<Exit, console::Error> {
    if as_json {
        json(t);
        return Ok(Exit::Ok);
    }
    let s = &t.summary;
    println!("Thread {} on {} with {} ({}), {}", s.id, s.channel.as_str(), s.title, s.client, s.source);
    for p in &t.participants {
        println!("  participant: {}{}", p.id, p.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default());
    }
    for m in &t.messages {
        let who = match (&m.author, m.from_business) {
            (_, true) => "business",
            (Some(author), false) => author.as_str(),
            (None, false) => "WhatsApp",
        };
        let damaged = if m.damaged { " [damaged in the file]" } else { "" };
        let kind = if m.kind == "text" || m.kind == "system" { String::new() } else { format!("[{}] ", m.kind) };
        println!("{} {who}: {kind}{}{damaged}", m.sent_at, m.body.replace('\n', "\n    "));
    }
    let shown_to = window.offset.saturating_add(t.messages.len() as i64);
    if t.messages.is_empty() && window.offset > 0 {
        println!("The thread has {} messages: none after the first {}.", s.messages, window.offset);
    } else if window.offset > 0 || shown_to < s.messages {
        println!("Messages {}–{shown_to} of {}.", window.offset.saturating_add(1).min(shown_to), s.messages);
    }
    if shown_to < s.messages {
        println!("More follow: --offset {shown_to}");
    }
    Ok(Exit::Ok)
}
