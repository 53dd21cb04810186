use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::State;

use super::{RunningImport, Workspace};
use crate::audit::{AuditEntry, Verification};
use crate::clients::{Client, Holdings};
use crate::console::{ApiError, Code, Export, Overview, Removal};
use crate::leads::{Filter, ImportSummary, LeadDetail, LeadPage, Order, PageRequest, Progress};

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
pub async fn remove_client(ws: State<'_, Workspace>, name: String, confirmed: bool) -> Result<Removal> {
    Ok(ws.console()?.remove_client(&name, confirmed).await?)
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
    ws: State<'_, Workspace>,
    running: State<'_, RunningImport>,
    path: PathBuf,
    client: String,
    on_progress: Channel<Progress>,
) -> Result<ImportSummary> {
    let console = ws.console()?;
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut slot = running.0.lock().map_err(|_| busy())?;
        if slot.is_some() {
            return Err(busy());
        }
        *slot = Some(Arc::clone(&cancel));
    }
    let report = move |p: Progress| {
        let _ = on_progress.send(p);
    };
    let result = console.import_file(&path, &client, &report, cancel).await;
    running.0.lock().map_err(|_| busy())?.take();
    Ok(result?)
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
pub async fn export_leads(ws: State<'_, Workspace>, filter: Filter, path: PathBuf) -> Result<Export> {
    Ok(ws.console()?.export_leads(&filter, &path).await?)
}

fn busy() -> ApiError {
    ApiError { code: Code::Conflict, message: "An import is already running; wait for it or cancel it first.".into() }
}
