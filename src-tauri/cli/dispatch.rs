//! Running a parsed command: open the workspace, call the Console, print what it answers.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::clock::Moment;

use super::args::*;
use super::print::{self, json, Exit};
use crate::chat::whatsapp_export::DateOrder;
use crate::console::{self, ApiError, Console, HoldForm, RequestForm, Window};
use crate::leads::{parse::parse_time, Filter};
use crate::requests::IdKind;

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
                Command::Bench(BenchCommand::Chat { messages }) => {
                    bench_report(as_json, crate::bench::chat::run(messages).await)
                }
                Command::Bench(BenchCommand::Requests { rows }) => {
                    bench_report(as_json, crate::bench::requests::run(rows).await)
                }
                Command::Bench(BenchCommand::Retention { rows }) => {
                    bench_report(as_json, crate::bench::retention::run(rows).await)
                }
                Command::Bench(BenchCommand::Sync { graph_url, app_id, token_stdin }) => {
                    let report = match read_stdin(token_stdin) {
                        Ok(t) if !t.is_empty() => {
                            crate::bench::sync::run(&graph_url, &app_id, crate::vault::Sensitive::new(t)).await
                        }
                        _ => Err(console::Error::Invalid(
                            "The bench connects with a token: give it on standard input with --token-stdin.".into(),
                        )),
                    };
                    bench_report(as_json, report)
                }
                Command::Bench(BenchCommand::Capi { graph_url, app_id, dataset, token_stdin, rows }) => {
                    let report = match read_stdin(token_stdin) {
                        Ok(t) if !t.is_empty() => {
                            let target = crate::bench::capi::Target {
                                graph_url: &graph_url,
                                app_id: &app_id,
                                dataset: &dataset,
                            };
                            crate::bench::capi::run(target, crate::vault::Sensitive::new(t), rows).await
                        }
                        _ => Err(console::Error::Invalid(
                            "The bench connects with a token: give it on standard input with --token-stdin.".into(),
                        )),
                    };
                    bench_report(as_json, report)
                }
                Command::Bench(BenchCommand::Push { crm_url, token_stdin, rows }) => {
                    let report = match read_stdin(token_stdin) {
                        Ok(t) if !t.is_empty() => {
                            crate::bench::push::run(&crm_url, crate::vault::Sensitive::new(t), rows).await
                        }
                        _ => Err(console::Error::Invalid(
                            "The bench connects with a token: give it on standard input with --token-stdin.".into(),
                        )),
                    };
                    bench_report(as_json, report)
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
    // Opening would make a workspace where there is none, only to delete it.
    if matches!(command, Command::Workspace(WorkspaceCommand::Delete { .. })) {
        match console::workspace::read_id(dir) {
            Ok(Some(_)) => {}
            Ok(None) => {
                let message = format!("There is no workspace in {}: nothing was deleted.", dir.display());
                return Exit::from_error(as_json, ApiError { code: console::Code::NotFound, message });
            }
            Err(e) => return Exit::from_error(as_json, e.into()),
        }
    }
    let clock = match crate::clock::from_env() {
        Ok(clock) => clock,
        Err(message) => return Exit::from_error(as_json, ApiError { code: console::Code::InvalidInput, message }),
    };
    let console = match Console::open(dir, clock).await {
        Ok(c) => c,
        Err(e) => {
            let hint = hint(&e, false);
            return Exit::from_error_with(as_json, e.into(), hint);
        }
    };
    if let Err(e) = reindex_if_pending(&console).await {
        console.close().await;
        return Exit::from_error(as_json, e.into());
    }
    if !console.interrupted_imports().is_empty() {
        let records = console.imports().await.unwrap_or_default();
        for id in console.interrupted_imports() {
            // A sync has no file to read again: it is completed by syncing again.
            let synced = records.iter().any(|r| &r.id == id && r.path.as_deref().is_none_or(str::is_empty));
            if synced {
                eprintln!("note: sync {id} was interrupted before it finished; complete it with: custodian meta sync");
            } else {
                eprintln!(
                    "note: import {id} was interrupted before it finished; complete it with: custodian import --again {id}"
                );
            }
        }
    }
    let erasing = matches!(command, Command::Request(RequestCommand::Erase { .. }));
    let exit = match dispatch(&console, command, as_json).await {
        Ok(exit) => exit,
        Err(e) => {
            let hint = hint(&e, erasing);
            Exit::from_error_with(as_json, e.into(), hint)
        }
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
        Command::Client(ClientCommand::Remove { name, yes, crm_records }) => {
            print::removal(j, &c.remove_client(&name, yes, crm_records).await?)
        }
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
                (Some(e), _, _) => (IdKind::Email, e),
                (_, Some(p), _) => (IdKind::Phone, p),
                (_, _, Some(l)) => (IdKind::LeadId, l),
                _ => return Err(console::Error::Invalid("Give one of --email, --phone or --lead-id.".into())),
            };
            print::leads(j, &c.find_leads(kind, &value, country.as_deref()).await?.leads)
        }
        Command::Request(command) => request(c, command, j).await,
        Command::Retention(RetentionCommand::Show { client, now }) => {
            print::retention(j, &c.retention_review(client.as_deref(), as_of(c, now)?).await?)
        }
        Command::Retention(RetentionCommand::Purge { dry_run, now }) => {
            let now = as_of(c, now)?;
            print::purge(j, &if dry_run { c.purge_preview(now).await? } else { c.purge(now).await? })
        }
        Command::Retention(RetentionCommand::Set { kind, days, client, reason }) => {
            print::retention(j, &c.set_retention(kind, days, client.as_deref(), &reason).await?)
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
        Command::Breach(command) => breach(c, j, command).await,
        Command::Workspace(WorkspaceCommand::Delete { yes }) => {
            let deleted = c.delete_workspace(yes).await?;
            if j {
                print::json(&deleted);
            } else {
                println!(
                    "Deleted the workspace: {} and its {} keychain entries.",
                    deleted.data_dir, deleted.keychain_entries
                );
            }
            Ok(Exit::Ok)
        }
        Command::Lock(LockCommand::Clear) => {
            let status = c.forget_lock_passphrase().await?;
            if j {
                print::json(&status);
            } else {
                println!("The app lock's passphrase is removed: the window no longer locks. Set a new one in the app.");
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
        Command::Meta(MetaCommand::App {
            app_id,
            secret_stdin,
            remove_secret,
            graph_version,
            graph_url,
            sync_every,
        }) => {
            if secret_stdin {
                c.set_meta_app_secret(crate::vault::Sensitive::new(read_stdin(true)?)).await?;
            }
            if remove_secret {
                c.remove_meta_app_secret().await?;
            }
            let form = console::MetaAppForm { app_id, graph_version, graph_url, sync_minutes: sync_every };
            let changed = form.app_id.is_some()
                || form.graph_version.is_some()
                || form.graph_url.is_some()
                || form.sync_minutes.is_some();
            print::meta_app(j, &if changed { c.set_meta_app(form).await? } else { c.meta_app().await? })
        }
        Command::Meta(MetaCommand::Connect { client, .. }) => {
            let token = crate::vault::Sensitive::new(read_stdin(true)?);
            print::meta_connections(j, &[c.connect_meta(token, client.as_deref()).await?])
        }
        Command::Meta(MetaCommand::Sync { client, form }) => sync(c, client, form, j).await,
        Command::Meta(MetaCommand::Status) => print::meta_connections(j, &c.meta_connections().await?),
        Command::Meta(MetaCommand::Pages) => print::meta_pages(j, &c.refresh_meta_pages().await?),
        Command::Meta(MetaCommand::Assign { page_id, client }) => print::meta_pages(
            j,
            &console::RefreshedPages {
                items: vec![c.assign_meta_page(&page_id, Some(&client)).await?],
                problems: vec![],
            },
        ),
        Command::Meta(MetaCommand::Forms { choice: None, page }) => {
            print::meta_forms(j, &c.refresh_meta_forms(page.as_deref()).await?)
        }
        Command::Meta(MetaCommand::Forms { choice: Some(choice), .. }) => {
            let (form_id, sync) = match choice {
                FormsCommand::Enable { form_id } => (form_id, true),
                FormsCommand::Disable { form_id } => (form_id, false),
            };
            let form = c.set_meta_form_sync(&form_id, sync).await?;
            print::meta_forms(j, &console::RefreshedForms { items: vec![form], problems: vec![] })
        }
        Command::Meta(MetaCommand::Disconnect { id, yes }) => {
            print::disconnected(j, &c.disconnect_meta(&id, yes).await?)
        }
        Command::Crm(command) => crm(c, command, j).await,
        Command::Capi(command) => capi(c, command, j).await,
        Command::Chat(command) => chat(c, command, j).await,
        Command::Consent(command) => consent(c, command, j).await,
        Command::Pixel(command) => pixel(c, command, j).await,
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
        RequestCommand::RetryRemote { id } => print::remote_steps(j, id, &c.retry_remote(id).await?),
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
            print::request(j, "Updated", &c.advance_request(id, status, note.as_deref()).await?)
        }
        RequestCommand::Extend { id, reason } => print::request(j, "Extended", &c.extend_request(id, &reason).await?),
        RequestCommand::Close { id, outcome, reason } => {
            print::request(j, "Closed", &c.close_request(id, outcome, reason.as_deref()).await?)
        }
    }
}

async fn breach(c: &Console, j: bool, command: BreachCommand) -> Result<Exit, console::Error> {
    use crate::breaches::Audience;
    match command {
        BreachCommand::New { aware_at, summary, clients, kinds, since, until, identifiers } => {
            let form = console::BreachForm { aware_at, summary, clients, kinds, since, until, identifiers };
            print::breach(j, &c.add_breach(form).await?)
        }
        BreachCommand::List => print::breaches(j, &c.list_breaches().await?),
        BreachCommand::Show { id } => print::breach(j, &c.show_breach(id).await?),
        BreachCommand::Assess { id, identifiers } => {
            print::breach(j, &c.assess_breach(id, identifiers.as_deref()).await?)
        }
        BreachCommand::Edit { id, systems, consequences, measures, contact } => {
            let change = crate::breaches::DetailsChange {
                systems: (!systems.is_empty()).then_some(systems),
                consequences,
                measures,
                contact,
            };
            print::breach(j, &c.edit_breach(id, change).await?)
        }
        BreachCommand::Notice { id, authority, subjects: _, out, replace } => {
            let audience = if authority { Audience::Authority } else { Audience::Subjects };
            let notice = c.write_breach_notice(id, audience, &out, replace).await?;
            print::breach_notice(j, &out, &notice)
        }
        BreachCommand::Notified { id, authority, subjects: _, on, late_reason } => {
            let audience = if authority { Audience::Authority } else { Audience::Subjects };
            print::breach(j, &c.breach_told(id, audience, &on, late_reason.as_deref()).await?)
        }
        BreachCommand::Close { id, reason } => print::breach(j, &c.close_breach(id, &reason).await?),
    }
}

/// What to type next after a refusal, where the command line has a command or flag for it: the
/// Console's messages say what to do in its own words. Read from the error itself, so that a client
/// missing from a request's form points at the clients; an erasure refused for a request's kind
/// points at recording an erasure request.
fn hint(e: &console::Error, erasing: bool) -> Option<&'static str> {
    use crate::breaches::BreachError;
    use crate::chat::file::ChatFileError;
    use crate::clients::ClientError;
    use crate::requests::RequestError;
    use crate::retention::holds::HoldError;
    match e {
        console::Error::ConfirmationRequired(_) => Some("Run it again with --yes to go ahead."),
        console::Error::ChoiceRequired(_) => {
            Some("Run it again with --yes and --crm-records leave, or --crm-records delete.")
        }
        console::Error::SecretMissing(_) => Some("Set it with: custodian meta app --secret-stdin"),
        console::Error::Client(ClientError::NotFound(_)) => {
            Some("`custodian client list` shows the clients there are.")
        }
        console::Error::Request(RequestError::NotFound(_)) => {
            Some("`custodian request list` shows the requests there are.")
        }
        console::Error::Hold(HoldError::NotFound(_)) => Some("`custodian hold list` shows the holds there are."),
        console::Error::Breach(BreachError::NotFound(_)) => {
            Some("`custodian breach list` shows the breaches recorded.")
        }
        console::Error::Breach(BreachError::LateWithoutReason { .. }) => Some("Give it with --late-reason TEXT."),
        console::Error::Lock(crate::app_lock::LockError::HashUnreadable) => Some("`custodian lock clear` removes it."),
        console::Error::Breach(BreachError::File(crate::export_file::ExportFileError::Exists(_))) => {
            Some("Give --replace to write over it.")
        }
        console::Error::Hold(HoldError::Nothing | HoldError::Both) => {
            Some("A hold takes --client NAME, or the person's identifiers (--email, --phone, --lead-id …).")
        }
        console::Error::Invalid(_) if erasing => {
            Some("An erasure request is recorded with: custodian request new --kind erasure")
        }
        console::Error::DataDir { .. } => Some("Choose another with --data-dir."),
        console::Error::ChatFile(ChatFileError::DateOrderUnknown { .. }) => {
            Some("Give it with --date-order day-first or --date-order month-first.")
        }
        console::Error::ChatFile(ChatFileError::DateOrderRefused { .. }) => {
            Some("Leave --date-order out, or give the other order.")
        }
        _ => None,
    }
}

/// The Console's `now`, or the day or time given instead.
fn as_of(c: &Console, given: Option<String>) -> Result<Moment, console::Error> {
    match given {
        Some(t) => crate::clock::from_unix(date_bound(&t, false)?)
            .ok_or_else(|| console::Error::Invalid(format!("'{t}' is out of range"))),
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
async fn sync(c: &Console, client: Option<String>, form: Option<String>, j: bool) -> Result<Exit, console::Error> {
    let cancel = Arc::new(AtomicBool::new(false));
    let on_ctrl_c = Arc::clone(&cancel);
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping after the page in flight; what is stored stays.");
            on_ctrl_c.store(true, Ordering::Relaxed);
        }
    });
    let show = std::io::stderr().is_terminal();
    let progress = move |p: console::SyncProgress| {
        if show {
            eprint!("\r{}: {} pages, {} leads ", p.form, p.pages, p.leads);
        }
    };
    let report = c.sync_meta(client.as_deref(), form.as_deref(), &progress, cancel).await;
    watcher.abort();
    if show {
        eprintln!();
    }
    let report = report?;
    let exit = print::synced(j, &report)?;
    for client in report.clients_with_new_leads() {
        push_after(c, &client, j).await;
    }
    Ok(exit)
}

/// Pushes with progress on a terminal, and Ctrl+C to stop after the batch in flight.
/// `crm connect` without a token: signs in through the system browser, showing the address should
/// none open. Ctrl+C stops the wait.
async fn sign_in(
    c: &Console,
    crm: crate::crm::Crm,
    client: &str,
    address: Option<&str>,
    j: bool,
) -> Result<Exit, console::Error> {
    let cancel = Arc::new(AtomicBool::new(false));
    let on_ctrl_c = Arc::clone(&cancel);
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.store(true, Ordering::Relaxed);
        }
    });
    let started = |s: &console::SignIn| {
        if crate::system_browser::open(&s.address) {
            eprintln!("Sign in to {} in your browser. If it did not open, open this address:", s.crm.label());
        } else {
            eprintln!("Open this address in your browser to sign in to {}:", s.crm.label());
        }
        eprintln!("  {}", s.address);
        eprintln!("Waiting for {} to send the browser back (Ctrl+C to stop)…", s.crm.label());
    };
    let connected = c.connect_crm_in_browser(crm, client, address, &started, cancel).await;
    watcher.abort();
    print::crm_connections(j, &[connected?])
}

async fn push(c: &Console, client: Option<String>, crm: Option<String>, j: bool) -> Result<Exit, console::Error> {
    let cancel = Arc::new(AtomicBool::new(false));
    let on_ctrl_c = Arc::clone(&cancel);
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping after the batch in flight; what was sent is on record.");
            on_ctrl_c.store(true, Ordering::Relaxed);
        }
    });
    let show = std::io::stderr().is_terminal();
    let progress = move |p: console::PushProgress| {
        if show {
            eprint!("\r{}: {} of {} leads ", p.connection_id, p.done, p.total);
        }
    };
    let report = c.crm_push(client.as_deref(), crm.as_deref(), &progress, cancel).await;
    watcher.abort();
    if show {
        eprintln!();
    }
    print::pushed(j, &report?)
}

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
    let summary = summary?;
    let exit = print::import(j, &summary)?;
    if summary.imported + summary.updated > 0 {
        push_after(c, &summary.client, j).await;
    }
    Ok(exit)
}

/// Pushes a client's new leads to its CRM connections set to push automatically, and says how it
/// went (on standard error, so that `--json` output stays one document). What it does is in the
/// push log either way; its failure does not make the import or sync fail.
async fn push_after(c: &Console, client: &str, j: bool) {
    match c.push_after_new_leads(client).await {
        Ok(Some(report)) if !j => print::pushed_after(&report),
        Ok(_) => {}
        Err(e) => eprintln!("warning: the automatic push to {client}'s CRMs did not run: {e}"),
    }
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

async fn capi(c: &Console, command: CapiCommand, j: bool) -> Result<Exit, console::Error> {
    match command {
        CapiCommand::Set { client, dataset, test_code } => {
            print::datasets(j, &[c.capi_set(&client, &dataset, test_code.as_deref()).await?])
        }
        CapiCommand::Datasets => print::datasets(j, &c.capi_datasets().await?),
        CapiCommand::Import { client, file } => {
            let cancel = Arc::new(AtomicBool::new(false));
            let watcher = stop_on_ctrl_c(&cancel, "Stopping after the rows in hand; what is queued stays.");
            let report = c.capi_import(&client, &file, &cancel).await;
            watcher.abort();
            print::capi_imported(j, &report?)
        }
        CapiCommand::Preview { client } => print::capi_preview(j, &c.capi_preview(client.as_deref()).await?),
        CapiCommand::Send { client } => {
            let cancel = Arc::new(AtomicBool::new(false));
            let watcher = stop_on_ctrl_c(&cancel, "Stopping after the batch in flight; what was sent is on record.");
            let report = c.capi_send(client.as_deref(), &cancel).await;
            watcher.abort();
            print::capi_sent(j, &report?)
        }
        CapiCommand::Stages { client, crm, field, send, off } => match (client, crm) {
            (Some(client), Some(crm)) if off => {
                c.capi_stages_off(&client, &crm).await?;
                print::stage_rules(j, &c.capi_stage_rules(Some(&client)).await?)
            }
            (Some(client), Some(crm)) if !send.is_empty() => {
                print::stage_rules(j, &[c.capi_stages_set(&client, &crm, field.as_deref(), &send).await?])
            }
            (client, None) if send.is_empty() && !off && field.is_none() => {
                print::stage_rules(j, &c.capi_stage_rules(client.as_deref()).await?)
            }
            (Some(_), Some(_)) => Err(console::Error::Invalid(
                "Name the stages to send with --send, or stop sending them with --off.".into(),
            )),
            _ => Err(console::Error::Invalid(
                "Setting stages takes a client, a CRM and the stages to send (or --off to stop them).".into(),
            )),
        },
        CapiCommand::Log { client, limit } => print::capi_log(j, &c.capi_log(client.as_deref(), limit).await?),
    }
}

async fn pixel(c: &Console, command: PixelCommand, j: bool) -> Result<Exit, console::Error> {
    match command {
        PixelCommand::List { client } => print::pixels(j, &c.pixel_list(client.as_deref()).await?),
        PixelCommand::Access { pixel } => print::pixels(j, &[c.pixel_access(&pixel).await?]),
        PixelCommand::Share { pixel, business, tasks: Some(tasks), ad_account: None, yes } => {
            print::pixel_change(j, &c.pixel_share(&pixel, &business, &tasks, yes).await?)
        }
        PixelCommand::Share { pixel, business, ad_account: Some(account), .. } => {
            print::pixel_change(j, &c.pixel_share_account(&pixel, &account, &business).await?)
        }
        PixelCommand::Share { .. } => unreachable!("clap requires --tasks or --ad-account"),
        PixelCommand::Revoke { pixel, business, ad_account, yes } => {
            let whom = match (business, ad_account) {
                (_, Some(account)) => console::PixelGrantee::AdAccount(account),
                (Some(business), None) => console::PixelGrantee::Business(business),
                (None, None) => unreachable!("clap requires --business or --ad-account"),
            };
            print::pixel_change(j, &c.pixel_revoke(&pixel, whom, yes).await?)
        }
        PixelCommand::Create { ad_account, name, client } => {
            let id = c.pixel_create(&ad_account, &name, client.as_deref()).await?;
            if j {
                json(&serde_json::json!({ "id": id }));
            } else {
                println!("Made pixel {id} on {ad_account}.");
            }
            Ok(Exit::Ok)
        }
        PixelCommand::Bulk { file, dry_run } => print::pixel_bulk(j, &c.pixel_bulk(&file, dry_run).await?),
        PixelCommand::Log { pixel, limit } => print::pixel_log(j, &c.pixel_log(pixel.as_deref(), limit).await?),
    }
}

/// Sets `cancel` on Ctrl+C, saying `what` happens next.
fn stop_on_ctrl_c(cancel: &Arc<AtomicBool>, what: &'static str) -> tokio::task::JoinHandle<()> {
    let on_ctrl_c = Arc::clone(cancel);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\n{what}");
            on_ctrl_c.store(true, Ordering::Relaxed);
        }
    })
}

async fn crm(c: &Console, command: CrmCommand, j: bool) -> Result<Exit, console::Error> {
    match command {
        CrmCommand::Connect { crm, client, token_stdin, base_url, instance_url } => {
            let address = instance_url.or(base_url);
            if !token_stdin {
                return sign_in(c, crm, &client, address.as_deref(), j).await;
            }
            let token = crate::vault::Sensitive::new(read_stdin(true)?);
            print::crm_connections(j, &[c.connect_crm(crm, &client, token, address.as_deref()).await?])
        }
        CrmCommand::App(CrmAppCommand::Set { crm, client_id, secret_stdin, auth_url, port }) => {
            let secret = if secret_stdin { Some(crate::vault::Sensitive::new(read_stdin(true)?)) } else { None };
            let form = console::CrmAppForm { crm, client_id, auth_url, redirect_port: port };
            print::crm_apps(j, &[c.set_crm_app(form, secret).await?])
        }
        CrmCommand::App(CrmAppCommand::Show) => print::crm_apps(j, &c.crm_apps().await?),
        CrmCommand::App(CrmAppCommand::Remove { crm }) => {
            c.remove_crm_app(crm).await?;
            if j {
                json(&serde_json::json!({ "removed": crm }));
            } else {
                println!("Forgot the {} app; its secret left the keychain.", crm.label());
            }
            Ok(Exit::Ok)
        }
        CrmCommand::Status => print::crm_connections(j, &c.crm_connections().await?),
        CrmCommand::Preview { lead_id, crm, client } => {
            // The body as sent, with or without --json.
            json(&c.crm_preview(&lead_id, &crm, client.as_deref()).await?);
            Ok(Exit::Ok)
        }
        CrmCommand::Disconnect { connection, client, yes } => {
            let id = c.disconnect_crm(&connection, client.as_deref(), yes).await?;
            if j {
                json(&serde_json::json!({ "disconnected": id }));
            } else {
                println!("Disconnected CRM connection {id}; its token left the keychain.");
            }
            Ok(Exit::Ok)
        }
        CrmCommand::Push { client, crm } => push(c, client, crm, j).await,
        CrmCommand::AutoPush { connection, client, on, off: _ } => {
            let connection = c.set_crm_auto_push(&connection, client.as_deref(), on).await?;
            print::crm_connections(j, &[connection])
        }
        CrmCommand::Log { client, crm, status, limit } => {
            print::push_log(j, &c.crm_log(client.as_deref(), crm, status.as_deref(), limit).await?)
        }
        CrmCommand::Fields { crm, client } => print::crm_fields(j, &c.crm_fields(&crm, client.as_deref()).await?),
        CrmCommand::Map(CrmMapCommand::Suggest(MapTarget { client, form, crm })) => {
            // The same JSON with or without --json: it is what `crm map set` reads.
            json(&c.crm_map_suggest(&client, &form, &crm).await?);
            Ok(Exit::Ok)
        }
        CrmCommand::Map(CrmMapCommand::Set { target: MapTarget { client, form, crm }, file }) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| console::Error::Invalid(format!("cannot read {}: {e}", file.display())))?;
            let kept = c.crm_map_set(&client, &form, &crm, &text).await?;
            if j {
                json(&kept);
            } else {
                println!(
                    "Kept version {} of form {}'s mapping to {}.",
                    kept.version,
                    kept.mapping.form,
                    kept.mapping.crm.label()
                );
            }
            Ok(Exit::Ok)
        }
        CrmCommand::Map(CrmMapCommand::Show(MapTarget { client, form, crm })) => {
            match c.crm_map_show(&client, &form, &crm).await? {
                Some(kept) if j => {
                    json(&kept);
                    Ok(Exit::Ok)
                }
                Some(kept) => {
                    println!("Version {}, kept {}:", kept.version, kept.saved_at);
                    json(&kept.mapping);
                    Ok(Exit::Ok)
                }
                None => Err(console::Error::Invalid(format!(
                    "No mapping is kept for form {} to this CRM; suggest one with crm map suggest.",
                    form.trim()
                ))),
            }
        }
    }
}

async fn chat(c: &Console, command: ChatCommand, j: bool) -> Result<Exit, console::Error> {
    match command {
        ChatCommand::Sync { client } => {
            let cancel = Arc::new(AtomicBool::new(false));
            let watcher = stop_on_ctrl_c(&cancel, "Stopping after the thread in hand; what is stored stays.");
            let report = c.chat_sync(client.as_deref(), &cancel).await;
            watcher.abort();
            print::chat_synced(j, &report?)
        }
        ChatCommand::Import { client, file, phone, wa_id, name, business_name, utc_offset, date_order } => {
            let utc_offset_minutes = match utc_offset.as_deref().map(offset_minutes) {
                Some(Some(minutes)) => minutes,
                Some(None) => {
                    return Err(console::Error::Invalid(
                        "A UTC offset is written ±HH:MM, such as +01:00 or -05:00.".into(),
                    ))
                }
                None => 0,
            };
            let date_order = date_order.map(|order| match order {
                DateOrderArg::DayFirst => DateOrder::DayFirst,
                DateOrderArg::MonthFirst => DateOrder::MonthFirst,
            });
            let with = console::ChatWith { phone, wa_id, name, business_name, utc_offset_minutes, date_order };
            let cancel = Arc::new(AtomicBool::new(false));
            let watcher = stop_on_ctrl_c(&cancel, "Stopping after the messages in hand; what is stored stays.");
            let report = c.chat_import(&client, &file, &with, &cancel).await;
            watcher.abort();
            print::chat_imported(j, &report?)
        }
        ChatCommand::List { client, search, limit, offset } => {
            let window = Window::new(limit, offset);
            print::chat_threads(j, &c.chat_list(client.as_deref(), search.as_deref(), window).await?, window)
        }
        ChatCommand::Show { thread, limit, offset } => {
            let window = Window::new(limit, offset);
            print::chat_thread(j, &c.chat_show(thread, window).await?, window)
        }
    }
}

async fn consent(c: &Console, command: ConsentCommand, j: bool) -> Result<Exit, console::Error> {
    match command {
        ConsentCommand::Show { person } => print::consent(j, &c.consent_show(&person.into_identifiers()).await?),
        ConsentCommand::Set { person, channel, opt_in, opt_out: _, reason, client } => {
            let change = console::ConsentChange { client, channel, opted_in: opt_in, reason };
            print::consent(j, &c.consent_set(&person.into_identifiers(), &change).await?)
        }
        ConsentCommand::Export { client, out, force } => {
            print::consent_exported(j, &c.consent_export(&client, &out, force).await?)
        }
    }
}

/// `±HH:MM` (or `Z`) as minutes east of UTC.
fn offset_minutes(text: &str) -> Option<i32> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':')?;
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours <= 14 && minutes < 60 && hours * 60 + minutes <= 14 * 60).then_some(sign * (hours * 60 + minutes))
}
