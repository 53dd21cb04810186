//! The Console's Meta Pages and lead forms: read from Meta through the connections, assigned to
//! clients, chosen for sync. Page tokens go to the keychain only.

use serde::Serialize;
use ts_rs::TS;

use super::{Console, Error};
use crate::meta::app;
use crate::meta::connections::{self, TOKEN_PURPOSE};
use crate::meta::pages::{self, PAGE_TOKEN_PURPOSE};
use crate::meta::GraphError;
use crate::vault::{Sensitive, Vault};

#[derive(Debug, Clone, Serialize, TS)]
pub struct MetaPage {
    pub id: String,
    pub name: String,
    pub category: Option<String>,
    pub client: Option<String>,
    pub connection_id: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct MetaForm {
    pub id: String,
    pub page_id: String,
    pub page: String,
    pub client: Option<String>,
    pub name: String,
    /// ACTIVE, ARCHIVED …, as Meta says.
    pub status: Option<String>,
    #[ts(type = "number | null")]
    pub leads_count: Option<i64>,
    pub sync: bool,
    pub last_synced_at: Option<String>,
}

/// The Pages a refresh from Meta found, and what it could not read (a connection and why).
#[derive(Debug, Clone, Serialize, TS)]
pub struct RefreshedPages {
    pub items: Vec<MetaPage>,
    pub problems: Vec<String>,
}

/// The lead forms a refresh from Meta found, and what it could not read (a Page and why).
#[derive(Debug, Clone, Serialize, TS)]
pub struct RefreshedForms {
    pub items: Vec<MetaForm>,
    pub problems: Vec<String>,
}

impl Console {
    /// The Pages known, without asking Meta.
    pub async fn meta_pages(&self) -> Result<Vec<MetaPage>, Error> {
        Ok(pages::pages(self.store.pool())
            .await?
            .into_iter()
            .map(|p| MetaPage {
                id: p.id,
                name: p.name,
                category: p.category,
                client: p.client,
                connection_id: p.connection_id,
            })
            .collect())
    }

    /// Asks Meta which Pages each connection reaches (`/me/accounts`, every page of it; a Page token
    /// is its own Page) and keeps each Page's token in the keychain. A connection Meta no longer
    /// accepts is marked "log in again" and the others go on.
    pub async fn refresh_meta_pages(&self) -> Result<RefreshedPages, Error> {
        let settings = app::get(self.store.pool()).await?;
        let graph = self.graph(&settings).await?;
        let vault = Vault::new(&self.workspace_id);
        let mut problems = Vec::new();
        let mut seen = 0;
        for connection in connections::list(self.store.pool()).await? {
            if connection.invalid_reason.is_some() {
                continue;
            }
            let Some(token) = vault.get(TOKEN_PURPOSE, &connection.id).await? else {
                problems
                    .push(format!("Connection {}'s token is not in the keychain; connect it again.", connection.id));
                continue;
            };
            let mut found: Vec<Reached> = Vec::new();
            let read = if connection.token_type == "PAGE" {
                graph.get("me", &[("fields", "id,name,category")], &token).await.map(|page| {
                    found.push((text(&page, "id"), text(&page, "name"), opt(&page, "category"), Some(token.clone())));
                })
            } else {
                let query = [("fields", "id,name,category,access_token"), ("limit", "100")];
                graph
                    .each_page("me/accounts", &query, &token, |items| {
                        for page in items {
                            let token = opt(&page, "access_token").map(Sensitive::new);
                            found.push((text(&page, "id"), text(&page, "name"), opt(&page, "category"), token));
                        }
                        true
                    })
                    .await
                    .map(|_| ())
            };
            if let Err(e) = read {
                problems.push(self.note_failure(&connection.id, e).await?);
                continue;
            }
            let at = self.stamp();
            let mut tx = self.store.write().await?;
            for (id, name, category, page_token) in &found {
                if id.is_empty() {
                    continue;
                }
                pages::upsert_page(&mut tx, id, name, category.as_deref(), &connection.id, &at).await?;
                if let Some(page_token) = page_token {
                    vault.set(PAGE_TOKEN_PURPOSE, id, page_token.clone()).await?;
                }
            }
            connections::touch(&mut tx, &connection.id, &at).await?;
            seen += found.len();
            let object = format!("connection:{} reaches {} Pages", connection.id, found.len());
            self.settle(tx, "meta.pages", &object, Ok(())).await?;
        }
        tracing::info!(pages = seen, "Pages read from Meta");
        Ok(RefreshedPages { items: self.meta_pages().await?, problems })
    }

    /// Assigns a Page (and so its forms' leads) to a client, or to none.
    pub async fn assign_meta_page(&self, page_id: &str, client: Option<&str>) -> Result<MetaPage, Error> {
        let client = self.client_if(client).await?;
        let mut tx = self.store.write().await?;
        let found = pages::assign(&mut tx, page_id.trim(), client.as_ref().map(|c| c.id.as_str())).await?;
        let object = format!(
            "page:{} to {}",
            page_id.trim(),
            client.as_ref().map_or("no client".to_owned(), |c| format!("client:{} \"{}\"", c.id, c.name))
        );
        let result = if found { Ok(()) } else { Err(no_such("Page", page_id)) };
        self.settle(tx, "meta.assign", &object, result).await?;
        self.meta_pages().await?.into_iter().find(|p| p.id == page_id.trim()).ok_or_else(|| no_such("Page", page_id))
    }

    /// The lead forms known, of one Page or all, without asking Meta.
    pub async fn meta_forms(&self, page_id: Option<&str>) -> Result<Vec<MetaForm>, Error> {
        Ok(pages::forms(self.store.pool(), page_id.map(str::trim))
            .await?
            .into_iter()
            .map(|f| MetaForm {
                id: f.id,
                page_id: f.page_id,
                page: f.page,
                client: f.client,
                name: f.name,
                status: f.status,
                leads_count: f.leads_count,
                sync: f.sync,
                last_synced_at: f.last_synced_at,
            })
            .collect())
    }

    /// Asks Meta for the lead forms of one Page or every Page (Instagram forms are among a Page's
    /// forms), with each Page's own token.
    pub async fn refresh_meta_forms(&self, page_id: Option<&str>) -> Result<RefreshedForms, Error> {
        let settings = app::get(self.store.pool()).await?;
        let graph = self.graph(&settings).await?;
        let vault = Vault::new(&self.workspace_id);
        let mut problems = Vec::new();
        let known = self.meta_pages().await?;
        if let Some(id) = page_id {
            if !known.iter().any(|p| p.id == id.trim()) {
                return Err(no_such("Page", id));
            }
        }
        for page in known.iter().filter(|p| page_id.is_none_or(|id| p.id == id.trim())) {
            let Some(token) = vault.get(PAGE_TOKEN_PURPOSE, &page.id).await? else {
                problems.push(format!("Page {}'s token is not in the keychain; refresh the Pages.", page.name));
                continue;
            };
            let mut found = Vec::new();
            let query = [("fields", "id,name,status,leads_count"), ("limit", "100")];
            let read = graph
                .each_page(&format!("{}/leadgen_forms", page.id), &query, &token, |items| {
                    found.extend(items);
                    true
                })
                .await;
            if let Err(e) = read {
                problems.push(format!("Page {}: {e}", page.name));
                continue;
            }
            let at = self.stamp();
            let mut tx = self.store.write().await?;
            for form in &found {
                let (id, name) = (text(form, "id"), text(form, "name"));
                if id.is_empty() {
                    continue;
                }
                let count = form.get("leads_count").and_then(serde_json::Value::as_i64);
                pages::upsert_form(&mut tx, &id, &page.id, &name, opt(form, "status").as_deref(), count, &at).await?;
            }
            let object = format!("page:{} has {} lead forms", page.id, found.len());
            self.settle(tx, "meta.forms", &object, Ok(())).await?;
        }
        Ok(RefreshedForms { items: self.meta_forms(page_id).await?, problems })
    }

    /// Chooses whether a form's leads are synced.
    pub async fn set_meta_form_sync(&self, form_id: &str, sync: bool) -> Result<MetaForm, Error> {
        let mut tx = self.store.write().await?;
        let found = pages::set_sync(&mut tx, form_id.trim(), sync).await?;
        let object = format!("form:{} sync {}", form_id.trim(), if sync { "on" } else { "off" });
        let result = if found { Ok(()) } else { Err(no_such("lead form", form_id)) };
        self.settle(tx, "meta.form", &object, result).await?;
        self.meta_forms(None)
            .await?
            .into_iter()
            .find(|f| f.id == form_id.trim())
            .ok_or_else(|| no_such("lead form", form_id))
    }

    /// A connection's failed call, in words; a token Meta no longer accepts marks it "log in again".
    async fn note_failure(&self, connection_id: &str, e: GraphError) -> Result<String, Error> {
        if let GraphError::InvalidToken { reason, .. } = &e {
            let mut tx = self.store.write().await?;
            connections::mark_invalid(&mut tx, connection_id, reason).await?;
            let object = format!("connection:{connection_id} needs a new login: {reason}");
            self.settle(tx, "meta.health", &object, Ok(())).await?;
        }
        Ok(format!("Connection {connection_id}: {e}"))
    }
}

/// A Page as `/me/accounts` lists it: id, name, category, and its own token when given.
type Reached = (String, String, Option<String>, Option<Sensitive<String>>);

fn no_such(what: &str, id: &str) -> Error {
    Error::Invalid(format!("No {what} has id {}; refresh the list from Meta to see them.", id.trim()))
}

fn text(v: &serde_json::Value, key: &str) -> String {
    opt(v, key).unwrap_or_default()
}

fn opt(v: &serde_json::Value, key: &str) -> Option<String> {
    v.get(key).and_then(serde_json::Value::as_str).map(str::to_owned)
}
