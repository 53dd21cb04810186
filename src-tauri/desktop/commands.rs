use std::path::PathBuf;
use std::sync::atomic::Ordering;

use tauri::ipc::Channel;
use tauri::State;

use super::{busy, RunningImport, Workspace};
use crate::app_lock::LockStatus;
use crate::audit::{AuditEntry, Verification};
use crate::breaches::notice::Notice;
use crate::breaches::{Audience, Breach, DetailsChange};
use crate::chat::threads::{Thread, ThreadSummary};
use crate::clients::holdings::Elsewhere;
use crate::clients::{Client, Holdings};
use crate::console::{ApiError, ErasePreview, Erased, Export, ImportRecord, Overview, Rectified, Removal, RequestForm};
use crate::console::{BreachForm, HoldForm, PurgeReport, PurgeSchedule};
use crate::console::{ChatImport, ChatSyncReport, ChatWith, ConsentChange, ConsentOf, Window};
use crate::console::{CrmApp, CrmAppForm, SignIn};
use crate::console::{CrmConnection, CrmForm, CrmPreview, KeptMapping, PushLog, PushProgress, PushReport};
use crate::console::{Disconnected, LoggedIn, MetaApp, MetaAppForm, MetaConnection};
use crate::console::{MetaForm, MetaPage, RefreshedForms, RefreshedPages, SyncProgress, SyncReport};
use crate::console::{PixelBulk, PixelChange, PixelGrantee};
use crate::crm::mapping::Mapping;
use crate::crm::schema::Schema;
use crate::crm::Crm;
use crate::leads::{Filter, ImportSummary, LeadDetail, LeadPage, Order, PageRequest, Progress};
use crate::meta::pixels::{Operation, Pixel};
use crate::personal_data::DataKind;
use crate::requests::discovery::Discovery;
use crate::requests::package::Package;
use crate::requests::remote::RemoteStep;
use crate::requests::{Identifier, Outcome, Request, RequestStatus};
use crate::retention::holds::Hold;
use crate::retention::Review;
use crate::vault::Sensitive;

type Result<T> = std::result::Result<T, ApiError>;

#[tauri::command]
pub async fn overview(ws: State<'_, Workspace>) -> Result<Overview> {
    Ok(ws.console()?.overview().await?)
}

#[tauri::command]
pub async fn list_clients(ws: State<'_, Workspace>) -> Result<Vec<Client>> {
    Ok(ws.console()?.list_clients().await?)
}

#[tauri::command]
pub async fn add_client(ws: State<'_, Workspace>, name: String, country: Option<String>) -> Result<Client> {
    Ok(ws.console()?.add_client(&name, country.as_deref()).await?)
}

#[tauri::command]
pub async fn rename_client(ws: State<'_, Workspace>, old: String, new: String) -> Result<Client> {
    Ok(ws.console()?.rename_client(&old, &new).await?)
}

#[tauri::command]
pub async fn client_holdings(ws: State<'_, Workspace>, name: String) -> Result<Holdings> {
    Ok(ws.console()?.client_holdings(&name).await?)
}

#[tauri::command]
pub async fn remove_client(
    ws: State<'_, Workspace>,
    name: String,
    confirmed: bool,
    elsewhere: Option<Elsewhere>,
) -> Result<Removal> {
    Ok(ws.console()?.remove_client(&name, confirmed, elsewhere).await?)
}

#[tauri::command]
pub async fn audit_list(ws: State<'_, Workspace>, limit: i64, before: Option<i64>) -> Result<Vec<AuditEntry>> {
    Ok(ws.console()?.audit_list(limit, before).await?)
}

#[tauri::command]
pub async fn audit_verify(ws: State<'_, Workspace>) -> Result<Verification> {
    Ok(ws.console()?.audit_verify().await?)
}

#[tauri::command]
pub async fn import_file(
    app: tauri::AppHandle,
    ws: State<'_, Workspace>,
    running: State<'_, RunningImport>,
    path: PathBuf,
    client: String,
    on_progress: Channel<Progress>,
) -> Result<ImportSummary> {
    let console = ws.console()?;
    let cancel = running.start()?;
    let report = move |p: Progress| {
        let _ = on_progress.send(p);
    };
    let result = console.import_file(&path, &client, &report, cancel).await;
    running.finish();
    let summary = result?;
    if summary.imported + summary.updated > 0 {
        super::push_after(&app, vec![summary.client.clone()]);
    }
    Ok(summary)
}

#[tauri::command]
pub async fn list_imports(ws: State<'_, Workspace>) -> Result<Vec<ImportRecord>> {
    Ok(ws.console()?.imports().await?)
}

#[tauri::command]
pub async fn import_again(
    app: tauri::AppHandle,
    ws: State<'_, Workspace>,
    running: State<'_, RunningImport>,
    id: String,
    on_progress: Channel<Progress>,
) -> Result<ImportSummary> {
    let (path, client) = ws.console()?.import_source(&id).await?;
    import_file(app, ws, running, path, client, on_progress).await
}

#[tauri::command]
pub async fn add_request_identifiers(
    ws: State<'_, Workspace>,
    id: i64,
    identifiers: Vec<Identifier>,
) -> Result<Request> {
    Ok(ws.console()?.add_request_identifiers(id, &identifiers).await?)
}

#[tauri::command]
pub async fn cancel_import(running: State<'_, RunningImport>) -> Result<bool> {
    let slot = running.0.lock().map_err(|_| busy())?;
    Ok(slot.as_ref().map(|c| c.store(true, Ordering::Relaxed)).is_some())
}

#[tauri::command]
pub async fn leads_page(ws: State<'_, Workspace>, filter: Filter, order: Order, page: PageRequest) -> Result<LeadPage> {
    Ok(ws.console()?.leads_page(&filter, &order, &page).await?)
}

#[tauri::command]
pub async fn leads_count(ws: State<'_, Workspace>, filter: Filter) -> Result<i64> {
    Ok(ws.console()?.leads_count(&filter).await?)
}

#[tauri::command]
pub async fn lead_detail(ws: State<'_, Workspace>, id: i64) -> Result<LeadDetail> {
    Ok(ws.console()?.lead_detail(id).await?)
}

#[tauri::command]
pub async fn export_leads(
    ws: State<'_, Workspace>,
    filter: Filter,
    path: PathBuf,
    replace: Option<bool>,
) -> Result<Export> {
    Ok(ws.console()?.export_leads(&filter, &path, replace.unwrap_or(false)).await?)
}

#[tauri::command]
pub async fn list_requests(ws: State<'_, Workspace>) -> Result<Vec<Request>> {
    Ok(ws.console()?.list_requests().await?)
}

#[tauri::command]
pub async fn new_request(ws: State<'_, Workspace>, form: RequestForm) -> Result<Request> {
    Ok(ws.console()?.new_request(form).await?)
}

#[tauri::command]
pub async fn find_for_request(ws: State<'_, Workspace>, id: i64, widen: bool) -> Result<Discovery> {
    Ok(ws.console()?.find_for_request(id, widen).await?)
}

#[tauri::command]
pub async fn advance_request(
    ws: State<'_, Workspace>,
    id: i64,
    to: RequestStatus,
    note: Option<String>,
) -> Result<Request> {
    Ok(ws.console()?.advance_request(id, to, note.as_deref()).await?)
}

#[tauri::command]
pub async fn erase_preview(ws: State<'_, Workspace>, id: i64) -> Result<ErasePreview> {
    Ok(ws.console()?.erase_preview(id).await?)
}

#[tauri::command]
pub async fn extend_request(ws: State<'_, Workspace>, id: i64, reason: String) -> Result<Request> {
    Ok(ws.console()?.extend_request(id, &reason).await?)
}

#[tauri::command]
pub async fn close_request(
    ws: State<'_, Workspace>,
    id: i64,
    outcome: Outcome,
    reason: Option<String>,
) -> Result<Request> {
    Ok(ws.console()?.close_request(id, outcome, reason.as_deref()).await?)
}

#[tauri::command]
pub async fn export_request(
    ws: State<'_, Workspace>,
    id: i64,
    path: PathBuf,
    replace: Option<bool>,
) -> Result<Package> {
    Ok(ws.console()?.export_request(id, &path, replace.unwrap_or(false)).await?)
}

#[tauri::command]
pub async fn erase_request(
    ws: State<'_, Workspace>,
    id: i64,
    confirmed: bool,
    nothing_held: Option<bool>,
) -> Result<Erased> {
    Ok(ws.console()?.erase_request(id, confirmed, nothing_held.unwrap_or(false)).await?)
}

/// The steps an erasure recorded at remote services (deleting leads at Meta), with their answers.
#[tauri::command]
pub async fn remote_steps(ws: State<'_, Workspace>, id: i64) -> Result<Vec<RemoteStep>> {
    Ok(ws.console()?.remote_steps(id).await?)
}

/// Takes again the remote steps not yet done.
#[tauri::command]
pub async fn retry_remote(ws: State<'_, Workspace>, id: i64) -> Result<Vec<RemoteStep>> {
    Ok(ws.console()?.retry_remote(id).await?)
}

#[tauri::command]
pub async fn restrict_request(ws: State<'_, Workspace>, id: i64) -> Result<Request> {
    Ok(ws.console()?.restrict_request(id).await?)
}

#[tauri::command]
pub async fn rectify_request(ws: State<'_, Workspace>, id: i64, field: String, value: String) -> Result<Rectified> {
    Ok(ws.console()?.rectify_request(id, &field, &value).await?)
}

#[tauri::command]
pub async fn request_from_signed_request(ws: State<'_, Workspace>, signed: String) -> Result<Request> {
    Ok(ws.console()?.request_from_signed_request(&signed).await?)
}

#[tauri::command]
pub async fn processing_info(ws: State<'_, Workspace>) -> Result<Vec<(String, String)>> {
    Ok(ws.console()?.processing_info().await?)
}

#[tauri::command]
pub async fn set_processing_info(ws: State<'_, Workspace>, key: String, text: String) -> Result<Vec<(String, String)>> {
    Ok(ws.console()?.set_processing_info(&key, &text).await?)
}

#[tauri::command]
pub async fn retention_review(ws: State<'_, Workspace>, client: Option<String>) -> Result<Vec<Review>> {
    let console = ws.console()?;
    Ok(console.retention_review(client.as_deref(), console.now()).await?)
}

#[tauri::command]
pub async fn set_retention(
    ws: State<'_, Workspace>,
    kind: DataKind,
    days: i64,
    client: Option<String>,
    reason: String,
) -> Result<Vec<Review>> {
    Ok(ws.console()?.set_retention(kind, days, client.as_deref(), &reason).await?)
}

#[tauri::command]
pub async fn list_holds(ws: State<'_, Workspace>) -> Result<Vec<Hold>> {
    Ok(ws.console()?.list_holds().await?)
}

#[tauri::command]
pub async fn add_hold(ws: State<'_, Workspace>, form: HoldForm) -> Result<Hold> {
    Ok(ws.console()?.add_hold(form).await?)
}

#[tauri::command]
pub async fn remove_hold(ws: State<'_, Workspace>, id: i64) -> Result<()> {
    Ok(ws.console()?.remove_hold(id).await?)
}

#[tauri::command]
pub async fn purge_retention(ws: State<'_, Workspace>, dry_run: bool) -> Result<PurgeReport> {
    let console = ws.console()?;
    let now = console.now();
    Ok(if dry_run { console.purge_preview(now).await? } else { console.purge(now).await? })
}

#[tauri::command]
pub async fn purge_schedule(ws: State<'_, Workspace>) -> Result<PurgeSchedule> {
    let console = ws.console()?;
    Ok(console.purge_schedule(console.now()).await?)
}

#[tauri::command]
pub async fn meta_app(ws: State<'_, Workspace>) -> Result<MetaApp> {
    Ok(ws.console()?.meta_app().await?)
}

#[tauri::command]
pub async fn set_meta_app(ws: State<'_, Workspace>, form: MetaAppForm) -> Result<MetaApp> {
    Ok(ws.console()?.set_meta_app(form).await?)
}

/// The secret comes from what the person typed; it goes to the keychain and never comes back.
#[tauri::command]
pub async fn set_meta_app_secret(ws: State<'_, Workspace>, secret: String) -> Result<MetaApp> {
    let console = ws.console()?;
    console.set_meta_app_secret(Sensitive::new(secret)).await?;
    Ok(console.meta_app().await?)
}

#[tauri::command]
pub async fn remove_meta_app_secret(ws: State<'_, Workspace>) -> Result<MetaApp> {
    let console = ws.console()?;
    console.remove_meta_app_secret().await?;
    Ok(console.meta_app().await?)
}

/// The token comes from what the person pasted; it goes to the keychain and never comes back.
#[tauri::command]
pub async fn connect_meta(ws: State<'_, Workspace>, token: String, client: Option<String>) -> Result<MetaConnection> {
    Ok(ws.console()?.connect_meta(Sensitive::new(token), client.as_deref()).await?)
}

/// Facebook Login: the dialog in a window of its own, its redirect caught there, the token kept in
/// the keychain. Closing the window cancels.
#[tauri::command]
pub async fn meta_login(app: tauri::AppHandle, ws: State<'_, Workspace>, client: Option<String>) -> Result<LoggedIn> {
    let console = ws.console()?;
    let dialog = console.begin_meta_login(client.as_deref()).await?;
    match super::login_window::catch_redirect(&app, &dialog.url).await? {
        Some(redirect) => Ok(console.finish_meta_login(&redirect).await?),
        None => {
            console.abandon_meta_login(&dialog.url);
            Err(ApiError {
                code: crate::console::Code::Cancelled,
                message: "The login window was closed before Facebook answered; nothing was connected.".into(),
            })
        }
    }
}

#[tauri::command]
pub async fn meta_connections(ws: State<'_, Workspace>) -> Result<Vec<MetaConnection>> {
    Ok(ws.console()?.meta_connections().await?)
}

#[tauri::command]
pub async fn disconnect_meta(ws: State<'_, Workspace>, id: String, confirmed: bool) -> Result<Disconnected> {
    Ok(ws.console()?.disconnect_meta(&id, confirmed).await?)
}

#[tauri::command]
pub async fn meta_pages(ws: State<'_, Workspace>) -> Result<Vec<MetaPage>> {
    Ok(ws.console()?.meta_pages().await?)
}

#[tauri::command]
pub async fn refresh_meta_pages(ws: State<'_, Workspace>) -> Result<RefreshedPages> {
    Ok(ws.console()?.refresh_meta_pages().await?)
}

#[tauri::command]
pub async fn assign_meta_page(ws: State<'_, Workspace>, page_id: String, client: Option<String>) -> Result<MetaPage> {
    Ok(ws.console()?.assign_meta_page(&page_id, client.as_deref()).await?)
}

#[tauri::command]
pub async fn meta_forms(ws: State<'_, Workspace>, page_id: Option<String>) -> Result<Vec<MetaForm>> {
    Ok(ws.console()?.meta_forms(page_id.as_deref()).await?)
}

#[tauri::command]
pub async fn refresh_meta_forms(ws: State<'_, Workspace>, page_id: Option<String>) -> Result<RefreshedForms> {
    Ok(ws.console()?.refresh_meta_forms(page_id.as_deref()).await?)
}

#[tauri::command]
pub async fn set_meta_form_sync(ws: State<'_, Workspace>, form_id: String, sync: bool) -> Result<MetaForm> {
    Ok(ws.console()?.set_meta_form_sync(&form_id, sync).await?)
}

/// Long work like an import: one at a time, reported through the channel, stopped by `cancel_import`.
#[tauri::command]
pub async fn sync_meta(
    app: tauri::AppHandle,
    ws: State<'_, Workspace>,
    running: State<'_, RunningImport>,
    client: Option<String>,
    form: Option<String>,
    on_progress: Channel<SyncProgress>,
) -> Result<SyncReport> {
    let console = ws.console()?;
    let cancel = running.start()?;
    let report = move |p: SyncProgress| {
        let _ = on_progress.send(p);
    };
    let result = console.sync_meta(client.as_deref(), form.as_deref(), &report, cancel).await;
    running.finish();
    let synced = result?;
    super::push_after(&app, synced.clients_with_new_leads());
    Ok(synced)
}

#[tauri::command]
pub async fn crm_connections(ws: State<'_, Workspace>) -> Result<Vec<CrmConnection>> {
    Ok(ws.console()?.crm_connections().await?)
}

/// The token comes in once, goes to the keychain, and is never sent back.
#[tauri::command]
pub async fn connect_crm(
    ws: State<'_, Workspace>,
    crm: Crm,
    client: String,
    token: String,
    base_url: Option<String>,
) -> Result<CrmConnection> {
    let base_url = base_url.filter(|u| !u.trim().is_empty());
    Ok(ws.console()?.connect_crm(crm, &client, Sensitive::new(token), base_url.as_deref()).await?)
}

/// Signs in through the system browser; the address goes to the screen through the channel, in
/// case no browser opens. One at a time like an import, stopped by `cancel_import`.
#[tauri::command]
pub async fn connect_crm_in_browser(
    ws: State<'_, Workspace>,
    running: State<'_, RunningImport>,
    crm: Crm,
    client: String,
    base_url: Option<String>,
    on_address: Channel<SignIn>,
) -> Result<CrmConnection> {
    let console = ws.console()?;
    let base_url = base_url.filter(|u| !u.trim().is_empty());
    let cancel = running.start()?;
    let open = move |sign_in: &SignIn| {
        crate::system_browser::open(&sign_in.address);
        let _ = on_address.send(sign_in.clone());
    };
    let result = console.connect_crm_in_browser(crm, &client, base_url.as_deref(), &open, cancel).await;
    running.finish();
    Ok(result?)
}

#[tauri::command]
pub async fn crm_apps(ws: State<'_, Workspace>) -> Result<Vec<CrmApp>> {
    Ok(ws.console()?.crm_apps().await?)
}

/// The secret, when given, goes to the keychain and never comes back.
#[tauri::command]
pub async fn set_crm_app(ws: State<'_, Workspace>, form: CrmAppForm, secret: Option<String>) -> Result<CrmApp> {
    let secret = secret.filter(|s| !s.trim().is_empty()).map(Sensitive::new);
    Ok(ws.console()?.set_crm_app(form, secret).await?)
}

#[tauri::command]
pub async fn remove_crm_app(ws: State<'_, Workspace>, crm: Crm) -> Result<()> {
    Ok(ws.console()?.remove_crm_app(crm).await?)
}

#[tauri::command]
pub async fn disconnect_crm(ws: State<'_, Workspace>, id: String, confirmed: bool) -> Result<String> {
    Ok(ws.console()?.disconnect_crm(&id, None, confirmed).await?)
}

#[tauri::command]
pub async fn crm_fields(ws: State<'_, Workspace>, id: String) -> Result<Schema> {
    Ok(ws.console()?.crm_fields(&id, None).await?)
}

#[tauri::command]
pub async fn crm_forms(ws: State<'_, Workspace>, client: String) -> Result<Vec<CrmForm>> {
    Ok(ws.console()?.crm_forms(&client).await?)
}

#[tauri::command]
pub async fn crm_form_keys(ws: State<'_, Workspace>, client: String, form: String) -> Result<Vec<String>> {
    Ok(ws.console()?.crm_form_keys(&client, &form).await?)
}

#[tauri::command]
pub async fn crm_map_show(
    ws: State<'_, Workspace>,
    client: String,
    form: String,
    connection: String,
) -> Result<Option<KeptMapping>> {
    Ok(ws.console()?.crm_map_show(&client, &form, &connection).await?)
}

#[tauri::command]
pub async fn crm_map_suggest(
    ws: State<'_, Workspace>,
    client: String,
    form: String,
    connection: String,
) -> Result<Mapping> {
    Ok(ws.console()?.crm_map_suggest(&client, &form, &connection).await?)
}

#[tauri::command]
pub async fn crm_map_set(
    ws: State<'_, Workspace>,
    client: String,
    form: String,
    connection: String,
    mapping: Mapping,
) -> Result<KeptMapping> {
    let json =
        serde_json::to_string(&mapping).map_err(|e| ApiError::from(crate::console::Error::Invalid(e.to_string())))?;
    Ok(ws.console()?.crm_map_set(&client, &form, &connection, &json).await?)
}

/// Writes the newest kept mapping as the JSON that `crm map set` and `crm_map_import` read.
#[tauri::command]
pub async fn crm_map_export(
    ws: State<'_, Workspace>,
    client: String,
    form: String,
    connection: String,
    path: PathBuf,
) -> Result<i64> {
    Ok(ws.console()?.crm_map_export(&client, &form, &connection, &path).await?)
}

#[tauri::command]
pub async fn crm_map_import(
    ws: State<'_, Workspace>,
    client: String,
    form: String,
    connection: String,
    path: PathBuf,
) -> Result<KeptMapping> {
    Ok(ws.console()?.crm_map_import(&client, &form, &connection, &path).await?)
}

#[tauri::command]
pub async fn crm_preview_draft(
    ws: State<'_, Workspace>,
    client: String,
    form: String,
    connection: String,
    mapping: Mapping,
    lead_id: Option<i64>,
) -> Result<CrmPreview> {
    let json =
        serde_json::to_string(&mapping).map_err(|e| ApiError::from(crate::console::Error::Invalid(e.to_string())))?;
    Ok(ws.console()?.crm_preview_draft(&client, &form, &connection, &json, lead_id).await?)
}

/// Long work like an import: one at a time, reported through the channel, stopped by `cancel_import`.
#[tauri::command]
pub async fn crm_push(
    ws: State<'_, Workspace>,
    running: State<'_, RunningImport>,
    client: Option<String>,
    connection: Option<String>,
    on_progress: Channel<PushProgress>,
) -> Result<PushReport> {
    let console = ws.console()?;
    let cancel = running.start()?;
    let report = move |p: PushProgress| {
        let _ = on_progress.send(p);
    };
    let result = console.crm_push(client.as_deref(), connection.as_deref(), &report, cancel).await;
    running.finish();
    Ok(result?)
}

#[tauri::command]
pub async fn crm_log(
    ws: State<'_, Workspace>,
    client: Option<String>,
    crm: Option<Crm>,
    status: Option<String>,
    limit: u32,
) -> Result<PushLog> {
    Ok(ws.console()?.crm_log(client.as_deref(), crm, status.as_deref(), limit).await?)
}

#[tauri::command]
pub async fn set_crm_auto_push(ws: State<'_, Workspace>, id: String, on: bool) -> Result<CrmConnection> {
    Ok(ws.console()?.set_crm_auto_push(&id, None, on).await?)
}

/// The pixels kept from the last listing, without asking Meta.
#[tauri::command]
pub async fn pixels_kept(ws: State<'_, Workspace>, client: Option<String>) -> Result<Vec<Pixel>> {
    Ok(ws.console()?.pixels_kept(client.as_deref()).await?)
}

/// Reads the businesses' pixels and who can reach each from Meta.
#[tauri::command]
pub async fn pixel_list(ws: State<'_, Workspace>, client: Option<String>) -> Result<Vec<Pixel>> {
    Ok(ws.console()?.pixel_list(client.as_deref()).await?)
}

#[tauri::command]
pub async fn pixel_access(ws: State<'_, Workspace>, pixel: String) -> Result<Pixel> {
    Ok(ws.console()?.pixel_access(&pixel).await?)
}

#[tauri::command]
pub async fn pixel_share(
    ws: State<'_, Workspace>,
    pixel: String,
    business: String,
    tasks: Vec<String>,
    confirmed: bool,
) -> Result<PixelChange> {
    Ok(ws.console()?.pixel_share(&pixel, &business, &tasks.join(","), confirmed).await?)
}

#[tauri::command]
pub async fn pixel_share_account(
    ws: State<'_, Workspace>,
    pixel: String,
    account: String,
    business: String,
) -> Result<PixelChange> {
    Ok(ws.console()?.pixel_share_account(&pixel, &account, &business).await?)
}

/// `kind` is `business` or `ad_account`.
#[tauri::command]
pub async fn pixel_revoke(
    ws: State<'_, Workspace>,
    pixel: String,
    kind: String,
    id: String,
    confirmed: bool,
) -> Result<PixelChange> {
    let whom = if kind == "ad_account" { PixelGrantee::AdAccount(id) } else { PixelGrantee::Business(id) };
    Ok(ws.console()?.pixel_revoke(&pixel, whom, confirmed).await?)
}

#[tauri::command]
pub async fn pixel_create(
    ws: State<'_, Workspace>,
    account: String,
    name: String,
    client: Option<String>,
) -> Result<String> {
    Ok(ws.console()?.pixel_create(&account, &name, client.as_deref()).await?)
}

#[tauri::command]
pub async fn pixel_bulk(ws: State<'_, Workspace>, path: String, dry_run: bool) -> Result<PixelBulk> {
    Ok(ws.console()?.pixel_bulk(std::path::Path::new(&path), dry_run).await?)
}

#[tauri::command]
pub async fn pixel_log(ws: State<'_, Workspace>, pixel: Option<String>, limit: u32) -> Result<Vec<Operation>> {
    Ok(ws.console()?.pixel_log(pixel.as_deref(), limit).await?)
}

/// The threads of `client` (every client's without one), latest first; with `search`, those with a
/// message holding every word of it.
#[tauri::command]
pub async fn chat_list(
    ws: State<'_, Workspace>,
    client: Option<String>,
    search: Option<String>,
    limit: u32,
    offset: u64,
) -> Result<Vec<ThreadSummary>> {
    Ok(ws.console()?.chat_list(client.as_deref(), search.as_deref(), Window::new(limit, offset)).await?)
}

/// A thread with `limit` of its messages from the `offset`th, oldest first.
#[tauri::command]
pub async fn chat_show(ws: State<'_, Workspace>, thread: i64, limit: u32, offset: u64) -> Result<Thread> {
    Ok(ws.console()?.chat_show(thread, Window::new(limit, offset)).await?)
}

/// Long work like an import: one at a time, stopped by `cancel_import`.
#[tauri::command]
pub async fn chat_import(
    ws: State<'_, Workspace>,
    running: State<'_, RunningImport>,
    client: String,
    path: PathBuf,
    with: ChatWith,
) -> Result<ChatImport> {
    let console = ws.console()?;
    let cancel = running.start()?;
    let result = console.chat_import(&client, &path, &with, &cancel).await;
    running.finish();
    Ok(result?)
}

/// Long work like an import: one at a time, stopped by `cancel_import`.
#[tauri::command]
pub async fn chat_sync(
    ws: State<'_, Workspace>,
    running: State<'_, RunningImport>,
    client: Option<String>,
) -> Result<ChatSyncReport> {
    let console = ws.console()?;
    let cancel = running.start()?;
    let result = console.chat_sync(client.as_deref(), &cancel).await;
    running.finish();
    Ok(result?)
}

/// A person's consent register, found by the identifiers given.
#[tauri::command]
pub async fn consent_show(ws: State<'_, Workspace>, identifiers: Vec<Identifier>) -> Result<ConsentOf> {
    Ok(ws.console()?.consent_show(&identifiers).await?)
}

#[tauri::command]
pub async fn consent_set(
    ws: State<'_, Workspace>,
    identifiers: Vec<Identifier>,
    change: ConsentChange,
) -> Result<ConsentOf> {
    Ok(ws.console()?.consent_set(&identifiers, &change).await?)
}

#[tauri::command]
pub async fn consent_export(
    ws: State<'_, Workspace>,
    client: String,
    path: PathBuf,
    replace: Option<bool>,
) -> Result<Export> {
    Ok(ws.console()?.consent_export(&client, &path, replace.unwrap_or(false)).await?)
}

#[tauri::command]
pub async fn list_breaches(ws: State<'_, Workspace>) -> Result<Vec<Breach>> {
    Ok(ws.console()?.list_breaches().await?)
}

#[tauri::command]
pub async fn show_breach(ws: State<'_, Workspace>, id: i64) -> Result<Breach> {
    Ok(ws.console()?.show_breach(id).await?)
}

#[tauri::command]
pub async fn add_breach(ws: State<'_, Workspace>, form: BreachForm) -> Result<Breach> {
    Ok(ws.console()?.add_breach(form).await?)
}

#[tauri::command]
pub async fn assess_breach(ws: State<'_, Workspace>, id: i64, identifiers: Option<PathBuf>) -> Result<Breach> {
    Ok(ws.console()?.assess_breach(id, identifiers.as_deref()).await?)
}

#[tauri::command]
pub async fn edit_breach(ws: State<'_, Workspace>, id: i64, change: DetailsChange) -> Result<Breach> {
    Ok(ws.console()?.edit_breach(id, change).await?)
}

#[tauri::command]
pub async fn breach_notice(ws: State<'_, Workspace>, id: i64, audience: Audience) -> Result<Notice> {
    Ok(ws.console()?.breach_notice(id, audience).await?)
}

#[tauri::command]
pub async fn write_breach_notice(
    ws: State<'_, Workspace>,
    id: i64,
    audience: Audience,
    path: PathBuf,
    replace: Option<bool>,
) -> Result<Notice> {
    Ok(ws.console()?.write_breach_notice(id, audience, &path, replace.unwrap_or(false)).await?)
}

#[tauri::command]
pub async fn breach_told(
    ws: State<'_, Workspace>,
    id: i64,
    audience: Audience,
    on: String,
    late_reason: Option<String>,
) -> Result<Breach> {
    Ok(ws.console()?.breach_told(id, audience, &on, late_reason.as_deref()).await?)
}

#[tauri::command]
pub async fn close_breach(ws: State<'_, Workspace>, id: i64, reason: String) -> Result<Breach> {
    Ok(ws.console()?.close_breach(id, &reason).await?)
}

#[tauri::command]
pub async fn lock_status(ws: State<'_, Workspace>) -> Result<LockStatus> {
    Ok(ws.console()?.lock_status())
}

#[tauri::command]
pub async fn unlock(ws: State<'_, Workspace>, passphrase: String) -> Result<LockStatus> {
    Ok(ws.console()?.unlock(Sensitive::new(passphrase)).await?)
}

#[tauri::command]
pub async fn lock_now(ws: State<'_, Workspace>) -> Result<LockStatus> {
    Ok(ws.console()?.lock_now("on demand").await)
}

#[tauri::command]
pub async fn lock_activity(ws: State<'_, Workspace>) -> Result<()> {
    ws.console()?.lock_activity();
    Ok(())
}

#[tauri::command]
pub async fn set_lock_passphrase(
    ws: State<'_, Workspace>,
    passphrase: String,
    current: Option<String>,
) -> Result<LockStatus> {
    Ok(ws.console()?.set_lock_passphrase(Sensitive::new(passphrase), current.map(Sensitive::new)).await?)
}

#[tauri::command]
pub async fn clear_lock_passphrase(ws: State<'_, Workspace>, current: String) -> Result<LockStatus> {
    Ok(ws.console()?.clear_lock_passphrase(Sensitive::new(current)).await?)
}

#[tauri::command]
pub async fn set_lock_idle(ws: State<'_, Workspace>, minutes: u32) -> Result<LockStatus> {
    Ok(ws.console()?.set_lock_idle(minutes).await?)
}
