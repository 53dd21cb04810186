//! The Console's CRM connections and field mappings. A token is checked by reading the CRM's
//! schema with it before it is kept, kept only in the keychain, and never returned, logged or
//! audited. A mapping is checked against the CRM's live schema and the form's answers before it is
//! kept, every problem listed at once; each one kept is a new version.

use serde::Serialize;
use ts_rs::TS;

use super::{Console, Error};
use crate::crm::client::{CrmClient, CrmError};
use crate::crm::connections::{self, APP_SECRET_PURPOSE, REFRESH_PURPOSE, TOKEN_PURPOSE};
use crate::crm::mapping::{self, Mapping, STANDARD_KEYS};
use crate::crm::schema::Schema;
use crate::crm::Crm;
use crate::leads::mappable::Mappable;
use crate::leads::parse::META_COLUMNS;
use crate::leads::query::LeadDetail;
use crate::leads::Filter;
use crate::vault::{Sensitive, Vault};

/// A CRM connection as `crm status` and the Connections screen show it; never its token.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CrmConnection {
    pub id: String,
    pub crm: Crm,
    pub client: Option<String>,
    pub base_url: String,
    pub created_at: String,
    pub last_ok_at: Option<String>,
    /// Why the CRM no longer accepts the token, when it does not.
    pub invalid_reason: Option<String>,
    /// Whether the client's new leads are pushed to it after each import and sync.
    pub auto_push: bool,
    /// Made by signing in through the browser (OAuth): its access token is renewed when it runs out.
    pub oauth: bool,
}

/// A form whose leads a client holds, for the mapping editor.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CrmForm {
    pub form_id: String,
    pub form_name: String,
    #[ts(type = "number")]
    pub leads: i64,
}

/// What the mapping editor's live preview shows for one lead: the exact body, or every reason it
/// cannot be sent.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CrmPreview {
    /// The lead previewed: its id here, and its Meta lead id.
    #[ts(type = "number | null")]
    pub lead_id: Option<i64>,
    pub meta_id: Option<String>,
    #[ts(type = "unknown")]
    pub body: Option<serde_json::Value>,
    pub problems: Vec<String>,
}

/// A form's mapping for a CRM connection, as kept.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KeptMapping {
    #[ts(type = "number")]
    pub version: i64,
    pub saved_at: String,
    pub mapping: Mapping,
}

/// What a connection signed in through the browser keeps besides its access token.
pub(super) struct SignedIn<'a> {
    pub oauth: connections::OAuth<'a>,
    pub refresh: Option<Sensitive<String>>,
    /// The app's client secret, copied for this connection's renewals.
    pub app_secret: Option<Sensitive<String>>,
}

impl From<CrmError> for Error {
    fn from(e: CrmError) -> Self {
        Error::Crm(e)
    }
}

impl Console {
    /// Connects a client's CRM with a token (a HubSpot private-app token, a Pipedrive API token, a
    /// Salesforce access token with its org's instance URL). The CRM is asked for its schema with
    /// the token first; one it refuses is not kept.
    pub async fn connect_crm(
        &self,
        crm: Crm,
        client: &str,
        token: Sensitive<String>,
        base_url: Option<&str>,
    ) -> Result<CrmConnection, Error> {
        let token = Sensitive::new(token.expose().trim().to_owned());
        if token.expose().is_empty() || token.expose().chars().any(char::is_whitespace) {
            return Err(Error::Invalid(format!("A {} token is one word of letters, digits and dashes.", crm.label())));
        }
        let client = self.client(client).await?;
        let Some(base) = base_url.map(str::to_owned).or_else(|| CrmClient::default_base(crm).map(str::to_owned)) else {
            return Err(Error::Invalid(format!(
                "{} is reached at each org's own address: give its instance URL (https://yourorg.my.salesforce.com).",
                crm.label()
            )));
        };
        let base = base.trim().trim_end_matches('/').to_owned();
        self.keep_crm_connection(crm, &client.id, &base, token, None).await
    }

    /// Keeps a connection once the CRM has answered with its token: the tokens in the keychain,
    /// the rest on record, audited.
    pub(super) async fn keep_crm_connection(
        &self,
        crm: Crm,
        client_id: &str,
        base: &str,
        token: Sensitive<String>,
        oauth: Option<SignedIn<'_>>,
    ) -> Result<CrmConnection, Error> {
        let (oauth, refresh, app_secret) = match oauth {
            Some(SignedIn { oauth, refresh, app_secret }) => (Some(oauth), refresh, app_secret),
            None => (None, None, None),
        };
        let check = CrmClient::new(crm, base, token.clone(), self.crm_pacing())?;
        let check = if oauth.is_some() { check.oauth() } else { check };
        check.schema().await?;
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.store.write().await?;
        let how = if oauth.is_some() { "signed in through the browser" } else { "with a token" };
        connections::insert(&mut tx, &id, crm, client_id, base, oauth, &self.stamp()).await?;
        // The keychain first: a connection on record always has its tokens. Should keeping them
        // or the commit fail, every entry is taken back.
        let vault = Vault::new(&self.workspace_id);
        let kept = async {
            vault.set(TOKEN_PURPOSE, &id, token).await?;
            if let Some(refresh) = refresh {
                vault.set(REFRESH_PURPOSE, &id, refresh).await?;
            }
            if let Some(secret) = app_secret {
                vault.set(APP_SECRET_PURPOSE, &id, secret).await?;
            }
            let object = format!("crm:{id} {} of client:{client_id}, {how}", crm.label());
            self.settle(tx, "crm.connect", &object, Ok(())).await
        }
        .await;
        if let Err(e) = kept {
            for purpose in [TOKEN_PURPOSE, REFRESH_PURPOSE, APP_SECRET_PURPOSE] {
                let _ = vault.delete(purpose, &id).await;
            }
            return Err(e);
        }
        self.crm_connection(&id, None).await
    }

    pub async fn crm_connections(&self) -> Result<Vec<CrmConnection>, Error> {
        Ok(connections::list(self.store.pool())
            .await?
            .into_iter()
            .filter_map(|r| {
                Some(CrmConnection {
                    crm: Crm::parse(&r.crm)?,
                    id: r.id,
                    client: r.client,
                    base_url: r.base_url,
                    created_at: r.created_at,
                    last_ok_at: r.last_ok_at,
                    invalid_reason: r.invalid_reason,
                    auto_push: r.auto_push,
                    oauth: r.token_url.is_some(),
                })
            })
            .collect())
    }

    /// A connection by its id, or by its CRM's name when `client` makes that unambiguous.
    pub async fn crm_connection(&self, which: &str, client: Option<&str>) -> Result<CrmConnection, Error> {
        let which = which.trim();
        let client = self.client_if(client).await?.map(|c| c.name);
        let all = self.crm_connections().await?;
        let matching: Vec<&CrmConnection> = all
            .iter()
            .filter(|c| c.id == which || (Crm::parse(which) == Some(c.crm) && (client.is_none() || c.client == client)))
            .collect();
        match matching.as_slice() {
            [one] => Ok((*one).clone()),
            [] => {
                Err(Error::Invalid(format!("No CRM connection is '{which}'; the list of CRM connections shows them.")))
            }
            _ => Err(Error::Invalid(format!(
                "Several CRM connections are {which}: name one by its id, or the client whose it is."
            ))),
        }
    }

    /// Disconnects: the token leaves the keychain and the connection and its mappings go. Without
    /// `confirmed` nothing changes and the refusal says what would happen.
    pub async fn disconnect_crm(&self, which: &str, client: Option<&str>, confirmed: bool) -> Result<String, Error> {
        let connection = self.crm_connection(which, client).await?;
        if !confirmed {
            return Err(Error::ConfirmationRequired(format!(
                "Disconnecting removes the {} token of connection {} from the keychain, with its field mappings; \
                 records already in the CRM stay there.",
                connection.crm.label(),
                connection.id
            )));
        }
        let vault = Vault::new(&self.workspace_id);
        vault.delete(TOKEN_PURPOSE, &connection.id).await?;
        vault.delete(REFRESH_PURPOSE, &connection.id).await?;
        vault.delete(APP_SECRET_PURPOSE, &connection.id).await?;
        let mut tx = self.store.write().await?;
        connections::delete(&mut tx, &connection.id).await?;
        let object = format!("crm:{} {}", connection.id, connection.crm.label());
        self.settle(tx, "crm.disconnect", &object, Ok(connection.id.clone())).await
    }

    /// Pushes the client's new leads to this connection after each import and sync, or stops it.
    pub async fn set_crm_auto_push(&self, which: &str, client: Option<&str>, on: bool) -> Result<CrmConnection, Error> {
        let connection = self.crm_connection(which, client).await?;
        let mut tx = self.store.write().await?;
        connections::set_auto_push(&mut tx, &connection.id, on).await?;
        let object = format!("crm:{} {}", connection.id, if on { "on" } else { "off" });
        self.settle(tx, "crm.auto_push", &object, Ok(())).await?;
        self.crm_connection(&connection.id, None).await
    }

    /// The CRM's fields, read live with the connection's token.
    pub async fn crm_fields(&self, which: &str, client: Option<&str>) -> Result<Schema, Error> {
        let connection = self.crm_connection(which, client).await?;
        self.schema_of(&connection).await
    }

    pub(super) async fn schema_of(&self, connection: &CrmConnection) -> Result<Schema, Error> {
        let client = self.crm_client(connection).await?;
        self.read_schema(connection, &client).await
    }

    /// A client for the connection's CRM, its token from the keychain.
    pub(super) async fn crm_client(&self, connection: &CrmConnection) -> Result<CrmClient, Error> {
        let Some(token) = Vault::new(&self.workspace_id).get(TOKEN_PURPOSE, &connection.id).await? else {
            return Err(Error::SecretMissing(format!(
                "Connection {}'s token is not in the keychain; connect the CRM again.",
                connection.id
            )));
        };
        let Some(row) = connections::one(self.store.pool(), &connection.id).await? else {
            return Err(Error::Invalid(format!("CRM connection {} was disconnected.", connection.id)));
        };
        Ok(connections::client_with(&row, connection.crm, token, &self.workspace_id, self.crm_pacing())?)
    }

    /// The CRM's fields, read with `client`; the connection notes that the CRM answered, or that
    /// it no longer accepts the token.
    pub(super) async fn read_schema(&self, connection: &CrmConnection, client: &CrmClient) -> Result<Schema, Error> {
        match client.schema().await {
            Ok(schema) => {
                connections::touch(self.store.pool(), &connection.id, &self.stamp()).await?;
                Ok(schema)
            }
            Err(e) => {
                if let CrmError::Unauthorized { reason, .. } = &e {
                    connections::mark_invalid(self.store.pool(), &connection.id, reason).await?;
                }
                Err(e.into())
            }
        }
    }

    /// What the leads of `form` of `client` carry: Meta's columns and every question the form's
    /// leads held here answered; before any is held, the standard answers, so that a mapping can be
    /// made before the first lead arrives.
    async fn form_keys(&self, client_id: &str, form: &str) -> Result<Vec<String>, Error> {
        let filter = Filter { client_id: Some(client_id.to_owned()), form: Some(form.to_owned()), ..Filter::default() };
        let answered = crate::leads::query::answer_keys(self.store.pool(), &filter).await?;
        let mut keys: Vec<String> = META_COLUMNS.iter().map(|k| (*k).to_owned()).collect();
        if answered.is_empty() {
            keys.extend(STANDARD_KEYS.iter().map(|k| (*k).to_owned()));
        }
        for key in answered {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// A first mapping of `form`'s leads to the CRM, from its live schema.
    pub async fn crm_map_suggest(&self, client: &str, form: &str, which: &str) -> Result<Mapping, Error> {
        let owner = self.client(client).await?;
        let connection = self.crm_connection(which, Some(client)).await?;
        let schema = self.schema_of(&connection).await?;
        let keys = self.form_keys(&owner.id, form).await?;
        Ok(mapping::suggest(&schema, form.trim(), &keys))
    }

    /// Keeps `json` as the newest mapping of `form`'s leads to the CRM, once it reads as a mapping
    /// for that form and CRM and checks out against the CRM's live schema; otherwise every problem
    /// is listed and nothing is kept.
    pub async fn crm_map_set(&self, client: &str, form: &str, which: &str, json: &str) -> Result<KeptMapping, Error> {
        let owner = self.client(client).await?;
        let connection = self.crm_connection(which, Some(client)).await?;
        let read: Mapping = serde_json::from_str(json)
            .map_err(|e| Error::Invalid(format!("The mapping is not one Custodian reads: {e}.")))?;
        let form = form.trim();
        if read.form != form || read.crm != connection.crm {
            return Err(Error::Invalid(format!(
                "The mapping is for form {} and {}, not form {form} and {}.",
                read.form,
                read.crm.label(),
                connection.crm.label()
            )));
        }
        let schema = self.schema_of(&connection).await?;
        let keys = self.form_keys(&owner.id, form).await?;
        let problems = mapping::check(&read, &schema, &keys);
        let tx = self.store.write().await?;
        let object = format!("crm:{} form {form}", connection.id);
        if !problems.is_empty() {
            let listed: Vec<String> = problems.iter().map(|p| format!("- {p}")).collect();
            let e = Error::Invalid(format!("The mapping was not kept:\n{}", listed.join("\n")));
            return self.settle(tx, "crm.map", &object, Err(e)).await;
        }
        let kept = Mapping { unmet: Vec::new(), ..read };
        let text = serde_json::to_string(&kept).expect("a mapping serialises");
        let mut tx = tx;
        let fields = serde_json::to_string(&schema).expect("a schema serialises");
        let version = connections::save_mapping(&mut tx, &connection.id, form, &text, &fields, &self.stamp()).await?;
        let object = format!("{object} version {version}");
        self.settle(tx, "crm.map", &object, Ok(())).await?;
        self.crm_map_show(client, form, which)
            .await?
            .ok_or(Error::Conflict("The mapping went while it was kept.".into()))
    }

    /// Writes the newest kept mapping of `form` to `path` as the JSON `crm_map_import` and
    /// `crm map set` read; returns its version.
    pub async fn crm_map_export(
        &self,
        client: &str,
        form: &str,
        which: &str,
        path: &std::path::Path,
    ) -> Result<i64, Error> {
        let Some(kept) = self.crm_map_show(client, form, which).await? else {
            return Err(Error::Invalid(format!("No mapping is kept for form {} to this CRM yet.", form.trim())));
        };
        let text = serde_json::to_string_pretty(&kept.mapping).expect("a mapping serialises");
        std::fs::write(path, text + "\n")
            .map_err(|e| Error::Invalid(format!("The mapping could not be written to {}: {e}.", path.display())))?;
        Ok(kept.version)
    }

    /// Keeps the mapping in the JSON file at `path`, as `crm_map_set` keeps one.
    pub async fn crm_map_import(
        &self,
        client: &str,
        form: &str,
        which: &str,
        path: &std::path::Path,
    ) -> Result<KeptMapping, Error> {
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::Invalid(format!("The file {} cannot be read: {e}.", path.display())))?;
        // A mapping is a few kilobytes; a large file is not one.
        if meta.len() > 1024 * 1024 {
            return Err(Error::Invalid(format!("{} is too large to be a mapping.", path.display())));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Invalid(format!("The file {} cannot be read as text: {e}.", path.display())))?;
        self.crm_map_set(client, form, which, &text).await
    }

    /// The newest mapping of `form`'s leads to the CRM, if one was kept.
    pub async fn crm_map_show(&self, client: &str, form: &str, which: &str) -> Result<Option<KeptMapping>, Error> {
        let connection = self.crm_connection(which, Some(client)).await?;
        let Some((version, text, saved_at)) =
            connections::mapping(self.store.pool(), &connection.id, form.trim()).await?
        else {
            return Ok(None);
        };
        let mapping = serde_json::from_str(&text)
            .map_err(|e| Error::Conflict(format!("Mapping version {version} cannot be read: {e}")))?;
        Ok(Some(KeptMapping { version, saved_at, mapping }))
    }
}

impl Console {
    /// Exactly what would be sent to the CRM for the lead whose Meta lead id is `meta_id`, by its
    /// form's newest mapping: the body, or every reason it cannot be sent.
    pub async fn crm_preview(
        &self,
        meta_id: &str,
        which: &str,
        client: Option<&str>,
    ) -> Result<serde_json::Value, Error> {
        let connection = self.crm_connection(which, client).await?;
        let Some(owner) = connection.client.clone() else {
            return Err(Error::Invalid("This CRM connection's client was removed; disconnect it.".into()));
        };
        let meta_id = meta_id.trim().strip_prefix("l:").unwrap_or(meta_id.trim());
        let hash = self.hasher.hash(crate::identity::IdKind::LeadId, meta_id);
        let mut lead = None;
        for id in crate::leads::query::by_identity(self.store.pool(), &hash).await? {
            if let Some(found) = crate::leads::query::detail(self.store.pool(), id).await? {
                if found.client == owner {
                    lead = Some(found);
                }
            }
        }
        let Some(lead) = lead else {
            return Err(Error::Invalid(format!("Client {owner} holds no lead with Meta lead id {meta_id}.")));
        };
        let Some(kept) = self.crm_map_show(&owner, &lead.form_id, &connection.id).await? else {
            return Err(Error::Invalid(format!(
                "Form {} has no mapping to this CRM yet: its leads are not sent until it has one.",
                lead.form_id
            )));
        };
        let schema = self.schema_of(&connection).await?;
        let country = self.client(&owner).await?.country;
        body_for(connection.crm, &kept.mapping, &schema, &lead, country.as_deref()).map_err(|problems| {
            let listed: Vec<String> = problems.iter().map(|p| format!("- {p}")).collect();
            Error::Invalid(format!("This lead cannot be sent as mapped:\n{}", listed.join("\n")))
        })
    }

    /// The forms whose leads `client` holds, for choosing one to map.
    pub async fn crm_forms(&self, client: &str) -> Result<Vec<CrmForm>, Error> {
        let owner = self.client(client).await?;
        Ok(crate::leads::query::forms(self.store.pool(), &owner.id)
            .await?
            .into_iter()
            .map(|(form_id, form_name, leads)| CrmForm { form_id, form_name, leads })
            .collect())
    }

    /// What the leads of `form` of `client` answer, by key: the left side of a mapping.
    pub async fn crm_form_keys(&self, client: &str, form: &str) -> Result<Vec<String>, Error> {
        let owner = self.client(client).await?;
        self.form_keys(&owner.id, form.trim()).await
    }

    /// The live preview of a mapping being edited (`json`, not yet kept): the exact body the CRM
    /// would get for lead `lead_id` of the form (its newest lead when not given), or every
    /// problem with the mapping or with that lead's answers.
    pub async fn crm_preview_draft(
        &self,
        client: &str,
        form: &str,
        which: &str,
        json: &str,
        lead_id: Option<i64>,
    ) -> Result<CrmPreview, Error> {
        let owner = self.client(client).await?;
        let connection = self.crm_connection(which, Some(client)).await?;
        let draft: Mapping = serde_json::from_str(json)
            .map_err(|e| Error::Invalid(format!("The mapping is not one Custodian reads: {e}.")))?;
        let schema = self.schema_of(&connection).await?;
        let form = form.trim();
        let keys = self.form_keys(&owner.id, form).await?;
        let mut problems: Vec<String> =
            mapping::check(&draft, &schema, &keys).iter().map(ToString::to_string).collect();
        let lead = match lead_id {
            Some(id) => crate::leads::query::detail(self.store.pool(), id)
                .await?
                .filter(|l| l.client == owner.name && l.form_id == form),
            None => {
                let filter =
                    Filter { client_id: Some(owner.id.clone()), form: Some(form.to_owned()), ..Filter::default() };
                crate::leads::query::details(self.store.pool(), &filter, 1, 0).await?.into_iter().next()
            }
        };
        let Some(lead) = lead else {
            problems.push("no lead of this form is held to preview".into());
            return Ok(CrmPreview { lead_id: None, meta_id: None, body: None, problems });
        };
        let body = match body_for(connection.crm, &draft, &schema, &lead, owner.country.as_deref()) {
            Ok(body) => Some(body),
            Err(more) => {
                problems
                    .extend(more.iter().map(ToString::to_string).filter(|p| !problems.contains(p)).collect::<Vec<_>>());
                None
            }
        };
        Ok(CrmPreview { lead_id: Some(lead.id), meta_id: lead.meta_id.clone(), body, problems })
    }
}

/// The body the CRM gets for `lead` by `mapping`, or every reason it cannot be sent.
fn body_for(
    crm: Crm,
    mapping: &Mapping,
    schema: &Schema,
    lead: &LeadDetail,
    country: Option<&str>,
) -> Result<serde_json::Value, Vec<mapping::Problem>> {
    let fields = mapping::apply(mapping, schema, &Mappable::from(lead).answers(), country)?;
    crate::crm::payload::body(crm, fields).map_err(|p| vec![p])
}
