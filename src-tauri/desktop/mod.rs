//! The desktop app: the only module that knows about Tauri. Commands are thin: take the state,
//! call the Console, let `?` turn its error into the `{code, message}` the UI switches on.

mod commands;
mod login_window;

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tauri::Manager;

use crate::console::{ApiError, Console, PURGE_EVERY};

/// The opened workspace, or why it could not be opened. A failure is not fatal to the window:
/// every command returns it, and the UI shows it with what to do.
pub struct Workspace(Result<Console, ApiError>);

/// The cancel switch of the import running in the window, if any.
#[derive(Default)]
pub struct RunningImport(Mutex<Option<Arc<AtomicBool>>>);

impl Workspace {
    fn console(&self) -> Result<&Console, ApiError> {
        self.0.as_ref().map_err(Clone::clone)
    }
}

impl RunningImport {
    /// Claims the window's one import slot; its cancel switch comes back.
    fn start(&self) -> Result<Arc<AtomicBool>, ApiError> {
        let mut slot = self.0.lock().map_err(|_| busy())?;
        if slot.is_some() {
            return Err(busy());
        }
        let cancel = Arc::new(AtomicBool::new(false));
        *slot = Some(Arc::clone(&cancel));
        Ok(cancel)
    }

    /// Asks the running import or sync, if any, to stop.
    fn cancel(&self) {
        if let Ok(slot) = self.0.lock() {
            if let Some(cancel) = slot.as_ref() {
                cancel.store(true, Ordering::Relaxed);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.0.lock() {
            slot.take();
        }
    }
}

/// After an import or sync brought these clients new leads: pushes them, in the background, to
/// the clients' CRM connections set to push automatically. What it did is in the push log.
pub(crate) fn push_after(app: &tauri::AppHandle, clients: Vec<String>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let workspace = app.state::<Workspace>();
        let Ok(console) = workspace.console() else { return };
        for client in clients {
            match console.push_after_new_leads(&client).await {
                Ok(Some(report)) => {
                    let failed = report.failed();
                    tracing::info!(pushes = report.pushes.len(), failed, "automatic push finished");
                    // Nothing of a push's report goes to a locked window.
                    if !console.gate().is_locked() {
                        let _ = tauri::Emitter::emit(&app, "custodian://pushed", report);
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(code = ApiError::from(e).code.as_str(), "automatic push did not run"),
            }
        }
    });
}

/// Locks the window when the desktop locks its screen, where the desktop says so.
fn follow_screen_lock(app: tauri::AppHandle) {
    let watching = crate::app_lock::screen::watch(move || {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            if let Ok(console) = app.state::<Workspace>().console() {
                // Locked and told first; the audit entry may wait on the database.
                if console.gate().lock() {
                    let _ = tauri::Emitter::emit(&app, "custodian://locked", ());
                    console.record_lock("screen locked").await;
                }
            }
        });
    });
    if let Err(e) = watching {
        tracing::info!(error = %e, "the desktop does not say when its screen locks: idle minutes and Ctrl+L lock the window");
    }
}

/// The gate of the app lock, before any command runs (whatever its arguments): while the window
/// is locked, every command but what the lock screen needs is refused here, in the backend.
fn refused_while_locked(invoke: &tauri::ipc::Invoke) -> Option<ApiError> {
    use crate::app_lock::gate::Pass;
    let webview = invoke.message.webview_ref();
    let workspace = webview.state::<Workspace>();
    let console = workspace.console().ok()?;
    match console.gate().admits(invoke.message.command(), console.now()) {
        Pass::Through => None,
        Pass::Locked { just_locked } => {
            if just_locked {
                let app = webview.app_handle().clone();
                tauri::async_runtime::spawn(async move {
                    if let Ok(console) = app.state::<Workspace>().console() {
                        console.record_lock("idle").await;
                    }
                });
            }
            let _ = tauri::Emitter::emit(webview.app_handle(), "custodian://locked", ());
            Some(ApiError {
                code: crate::console::Code::Locked,
                message: "The app is locked. Unlock it with its passphrase to go on.".into(),
            })
        }
    }
}

fn busy() -> ApiError {
    ApiError {
        code: crate::console::Code::Conflict,
        message: "An import, sync or push is already running; wait for it or cancel it first.".into(),
    }
}

pub fn run(dir: &Path) -> ExitCode {
    // Listening starts before anything else: a stop asked for while the window is still being made
    // waits for it, rather than ending the process on the spot.
    let stop = tauri::async_runtime::block_on(async { StopSignals::listen() });
    let opened = match crate::clock::from_env() {
        Ok(clock) => tauri::async_runtime::block_on(Console::open(dir, clock)).map_err(ApiError::from),
        Err(message) => Err(ApiError { code: crate::console::Code::InvalidInput, message }),
    };
    if let Err(e) = &opened {
        tracing::error!(code = e.code.as_str(), "workspace could not be opened");
    }
    // Before the window shows anything: with a passphrase set, it opens locked; and locked too
    // when whether one is set cannot be read.
    if let Ok(console) = &opened {
        if let Err(e) = tauri::async_runtime::block_on(console.start_lock()) {
            tracing::warn!(
                code = ApiError::from(e).code.as_str(),
                "the app lock could not be read; the window starts locked"
            );
        }
    }
    let handler: Box<dyn Fn(tauri::ipc::Invoke) -> bool + Send + Sync> = Box::new(tauri::generate_handler![
        commands::overview,
        commands::list_clients,
        commands::add_client,
        commands::rename_client,
        commands::client_holdings,
        commands::remove_client,
        commands::audit_list,
        commands::audit_verify,
        commands::import_file,
        commands::cancel_import,
        commands::list_imports,
        commands::import_again,
        commands::add_request_identifiers,
        commands::leads_page,
        commands::leads_count,
        commands::lead_detail,
        commands::export_leads,
        commands::list_requests,
        commands::new_request,
        commands::find_for_request,
        commands::advance_request,
        commands::extend_request,
        commands::close_request,
        commands::export_request,
        commands::erase_request,
        commands::erase_preview,
        commands::restrict_request,
        commands::remote_steps,
        commands::retry_remote,
        commands::rectify_request,
        commands::request_from_signed_request,
        commands::processing_info,
        commands::set_processing_info,
        commands::retention_review,
        commands::set_retention,
        commands::list_holds,
        commands::add_hold,
        commands::remove_hold,
        commands::purge_retention,
        commands::purge_schedule,
        commands::list_breaches,
        commands::show_breach,
        commands::add_breach,
        commands::assess_breach,
        commands::edit_breach,
        commands::breach_notice,
        commands::write_breach_notice,
        commands::breach_told,
        commands::close_breach,
        commands::meta_app,
        commands::set_meta_app,
        commands::set_meta_app_secret,
        commands::remove_meta_app_secret,
        commands::connect_meta,
        commands::meta_login,
        commands::meta_connections,
        commands::disconnect_meta,
        commands::meta_pages,
        commands::refresh_meta_pages,
        commands::assign_meta_page,
        commands::meta_forms,
        commands::refresh_meta_forms,
        commands::set_meta_form_sync,
        commands::sync_meta,
        commands::crm_connections,
        commands::connect_crm,
        commands::connect_crm_in_browser,
        commands::crm_apps,
        commands::set_crm_app,
        commands::remove_crm_app,
        commands::disconnect_crm,
        commands::crm_fields,
        commands::crm_forms,
        commands::crm_form_keys,
        commands::crm_map_show,
        commands::crm_map_suggest,
        commands::crm_map_set,
        commands::crm_map_export,
        commands::crm_map_import,
        commands::crm_preview_draft,
        commands::crm_push,
        commands::crm_log,
        commands::pixels_kept,
        commands::pixel_list,
        commands::pixel_access,
        commands::pixel_share,
        commands::pixel_share_account,
        commands::pixel_revoke,
        commands::pixel_create,
        commands::pixel_bulk,
        commands::pixel_log,
        commands::set_crm_auto_push,
        commands::chat_list,
        commands::chat_show,
        commands::chat_import,
        commands::chat_sync,
        commands::consent_show,
        commands::consent_set,
        commands::consent_export,
        commands::lock_status,
        commands::unlock,
        commands::lock_now,
        commands::lock_activity,
        commands::set_lock_passphrase,
        commands::clear_lock_passphrase,
        commands::set_lock_idle,
    ]);
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(Workspace(opened))
        .manage(RunningImport::default())
        .setup(|app| {
            tauri::async_runtime::spawn(exit_on_signal(app.handle().clone(), stop));
            let handle = app.handle().clone();
            let syncing = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                index_again(&handle).await;
                scheduled_purges(handle).await;
            });
            tauri::async_runtime::spawn(scheduled_syncs(syncing));
            follow_screen_lock(app.handle().clone());
            Ok(())
        })
        .invoke_handler(move |invoke| {
            if let Some(refused) = refused_while_locked(&invoke) {
                invoke.resolver.reject(refused);
                return true;
            }
            handler(invoke)
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(|handle, event| {
                // Closing checkpoints the WAL, so no old page images of erased or purged data
                // stay beside the database after the app has gone.
                if let tauri::RunEvent::Exit = event {
                    // A running import or sync stops after the batch or page in flight, so that
                    // closing does not wait for the rest of it.
                    handle.state::<RunningImport>().cancel();
                    if let Ok(console) = handle.state::<Workspace>().console() {
                        tauri::async_runtime::block_on(console.close());
                    }
                }
            });
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "error: the desktop app could not start: {e}. Is a display available? `custodian doctor` checks."
            );
            ExitCode::from(1)
        }
    }
}

/// The signals that ask the app to stop: the desktop session ending (logout, shutdown: SIGTERM) and
/// Ctrl+C in a terminal (SIGINT).
struct StopSignals {
    #[cfg(unix)]
    listening: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Self { listening: signal(SignalKind::terminate()).ok().zip(signal(SignalKind::interrupt()).ok()) }
        }
        #[cfg(not(unix))]
        Self {}
    }
}

/// Ends the app through its own exit when it is asked to stop, so that the workspace is closed and
/// its WAL emptied rather than the process just ending.
async fn exit_on_signal(app: tauri::AppHandle, stop: StopSignals) {
    #[cfg(unix)]
    {
        let Some((mut term, mut int)) = stop.listening else { return };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("asked to stop; closing the workspace");
        app.exit(0);
    }
    #[cfg(not(unix))]
    let _ = (app, stop);
}

/// How far indexing the leads again has come, for the window's progress bar.
#[derive(Clone, serde::Serialize)]
struct Reindexing {
    done: u64,
    total: u64,
}

/// After an upgrade that changed how identifiers are found, indexes the leads again once, telling
/// the window how far it has come (`custodian://reindex`); erasures and purges wait until it ends.
async fn index_again(app: &tauri::AppHandle) {
    let workspace = app.state::<Workspace>();
    let Ok(console) = workspace.console() else { return };
    if !console.reindex_pending().await.unwrap_or(false) {
        return;
    }
    let emitter = app.clone();
    let report = move |done: u64, total: u64| {
        let _ = tauri::Emitter::emit(&emitter, "custodian://reindex", Reindexing { done, total });
    };
    if let Err(e) = console.reindex(&report).await {
        tracing::warn!(
            code = ApiError::from(e).code.as_str(),
            "indexing the leads again failed; it resumes at the next start"
        );
    }
}

/// Syncs leads from Meta as often as the setting says while the app runs, when any form is chosen
/// for sync. A round that finds an import or a sync already running waits for the next.
async fn scheduled_syncs(app: tauri::AppHandle) {
    const IDLE: std::time::Duration = std::time::Duration::from_secs(60);
    loop {
        let workspace = app.state::<Workspace>();
        let Ok(console) = workspace.console() else { return };
        let minutes = console.meta_app().await.map(|a| a.sync_minutes).unwrap_or(0);
        if minutes == 0 {
            tokio::time::sleep(IDLE).await;
            continue;
        }
        tokio::time::sleep(std::time::Duration::from_secs(minutes as u64 * 60)).await;
        let running = app.state::<RunningImport>();
        let Ok(cancel) = running.start() else { continue };
        match console.sync_meta(None, None, &|_| {}, cancel).await {
            Ok(report) => {
                let new: u64 = report.forms.iter().map(|f| f.new).sum();
                tracing::info!(forms = report.forms.len(), new, "scheduled sync finished");
                push_after(&app, report.clients_with_new_leads());
            }
            Err(e) => tracing::warn!(code = ApiError::from(e).code.as_str(), "scheduled sync did not run"),
        }
        running.finish();
    }
}

/// Purges what is due at start-up and then every day while the app runs. A purge refused because
/// an import is still indexing, or one that failed, is tried again sooner.
async fn scheduled_purges(app: tauri::AppHandle) {
    const RETRY: std::time::Duration = std::time::Duration::from_secs(15 * 60);
    loop {
        let wait = match app.state::<Workspace>().console() {
            Err(_) => return,
            Ok(console) => match console.scheduled_purge(console.now()).await {
                Ok(report) => {
                    let purged: i64 = report.purged.iter().map(|p| p.count).sum();
                    tracing::info!(purged, "scheduled purge finished");
                    PURGE_EVERY.to_std().unwrap_or(RETRY)
                }
                Err(e) => {
                    let code = ApiError::from(e).code;
                    tracing::warn!(code = code.as_str(), "scheduled purge did not run; trying again in 15 minutes");
                    RETRY
                }
            },
        };
        tokio::time::sleep(wait).await;
    }
}
