use tauri::State;

use super::Workspace;
use crate::audit::{AuditEntry, Verification};
use crate::clients::{Client, Holdings};
use crate::console::{ApiError, Overview, Removal};

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
