//! Pixel sharing between businesses: the pixels each connected business owns or was given by a
//! client, who can reach each (partner businesses with their tasks, and ad accounts), sharing,
//! revoking and making pixels, one at a time or from a CSV with a dry run, and the log of every
//! operation. Each operation is on the audit trail with Meta's answer.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::{Console, Error};
use crate::meta::app;
use crate::meta::connections::{self, TOKEN_PURPOSE};
use crate::meta::graph::{Graph, GraphError};
use crate::meta::inspect::Targets;
use crate::meta::pixels::{self, Grantee, Operation, Pixel};
use crate::vault::{Sensitive, Vault};

/// Rows a bulk file may hold: far beyond any agency's pixels.
const BULK_ROWS: usize = 10_000;

/// Whom a revocation is of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PixelGrantee {
    Business(String),
    AdAccount(String),
}

/// What an operation on a pixel did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PixelChange {
    pub pixel_id: String,
    pub operation: String,
    pub target: String,
    pub tasks: Vec<String>,
    /// Who could reach the pixel before, as Meta said just then.
    pub before: Vec<Grantee>,
}

/// One row of a bulk file and what became of it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BulkRow {
    #[ts(type = "number")]
    pub line: u64,
    pub pixel_id: String,
    pub business: String,
    pub tasks: Vec<String>,
    /// share, revoke, none (already so) or invalid.
    pub change: String,
    /// would (a dry run), done, refused, or none.
    pub outcome: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PixelBulk {
    pub dry_run: bool,
    pub rows: Vec<BulkRow>,
}

impl PixelBulk {
    pub fn failed(&self) -> bool {
        self.rows.iter().any(|r| r.outcome == "refused" || r.change == "invalid")
    }
}

/// A connection's token and what it may reach.
struct Reach {
    connection_id: String,
    client_id: Option<String>,
    token: Sensitive<String>,
    targets: Vec<Targets>,
}

impl Console {
    /// The usable Meta connections (of `client_id` when given), each with its token.
    async fn reaches(&self, client: Option<&str>) -> Result<Vec<Reach>, Error> {
        let client_id = self.client_if(client).await?;
        let vault = Vault::new(&self.workspace_id);
        let mut reaches = Vec::new();
        let pool = self.store.pool();
        for row in connections::list(pool).await?.into_iter().filter(|r| r.invalid_reason.is_none()) {
            if client_id.as_ref().is_some_and(|c| row.client.as_deref() != Some(c.name.as_str())) {
                continue;
            }
            let Some(token) = vault.get(TOKEN_PURPOSE, &row.id).await? else { continue };
            let owner = self.client_if(row.client.as_deref()).await?.map(|c| c.id);
            let targets: Vec<Targets> = serde_json::from_str(&row.granted_targets).unwrap_or_default();
            reaches.push(Reach { connection_id: row.id, client_id: owner, token, targets });
        }
        if reaches.is_empty() {
            return Err(Error::Invalid(match client {
                Some(name) => {
                    format!("Client {name} has no Meta connection: connect a system-user token of its business.")
                }
                None => "No Meta connection reaches any business: connect a system-user token first.".into(),
            }));
        }
        Ok(reaches)
    }

    async fn pixel_graph(&self) -> Result<Graph, Error> {
        let settings = app::get(self.store.pool()).await?;
        self.graph(&settings).await
    }

    /// Reads from Meta the pixels of every business the connections reach (of `client`'s
    /// connections when given): their own and their clients' shared with them, and who can reach
    /// each; keeps them, and returns them.
    pub async fn pixel_list(&self, client: Option<&str>) -> Result<Vec<Pixel>, Error> {
        let graph = self.pixel_graph().await?;
        let mut listed_ids: Vec<String> = Vec::new();
        for reach in self.reaches(client).await? {
            listed_ids.extend(self.list_reach(&graph, &reach, None).await?);
        }
        let client_id = self.client_if(client).await?.map(|c| c.id);
        let kept = pixels::list(self.store.pool(), client_id.as_deref()).await?;
        Ok(kept.into_iter().filter(|p| listed_ids.contains(&p.id)).collect())
    }

    /// Lists and keeps the pixels `reach` reaches (only `only`, when given), each with who can
    /// reach it; their ids.
    async fn list_reach(&self, graph: &Graph, reach: &Reach, only: Option<&str>) -> Result<Vec<String>, Error> {
        // A token granted business_management for given businesses names them; otherwise Meta is
        // asked which businesses it reaches.
        let named: Vec<String> = reach
            .targets
            .iter()
            .filter(|t| t.scope == "business_management")
            .flat_map(|t| t.target_ids.clone())
            .collect();
        let businesses = if named.is_empty() { pixels::businesses(graph, &reach.token).await? } else { named };
        let mut listed_ids = Vec::new();
        for business in businesses {
            let found = pixels::of_business(graph, &business, &reach.token).await?;
            for (pixel, relation) in found.into_iter().filter(|(p, _)| only.is_none_or(|id| p.id == id)) {
                let grantees = pixels::grantees(graph, &pixel.id, &reach.token).await?;
                let mut tx = self.store.write().await?;
                let at = self.stamp();
                let connection = (reach.connection_id.as_str(), reach.client_id.as_deref());
                pixels::keep(&mut tx, &pixel, relation, &business, connection, &grantees, &at).await?;
                let answer = format!("{} can reach it", reach_of(&grantees));
                self.note_pixel(&mut tx, Some(&pixel.id), "list", Some(&business), None, Ok(&answer)).await?;
                let object = format!("pixel:{} listed for business {business}: {answer}", pixel.id);
                self.settle(tx, "pixel.list", &object, Ok(())).await?;
                listed_ids.push(pixel.id);
            }
        }
        Ok(listed_ids)
    }

    /// The pixels kept from the last listing, without asking Meta.
    pub async fn pixels_kept(&self, client: Option<&str>) -> Result<Vec<Pixel>, Error> {
        let client_id = self.client_if(client).await?.map(|c| c.id);
        Ok(pixels::list(self.store.pool(), client_id.as_deref()).await?)
    }

    /// A pixel kept here, and the token that reaches it.
    async fn known_pixel(&self, pixel: &str) -> Result<(Pixel, Sensitive<String>), Error> {
        let mut conn = self.store.pool().acquire().await?;
        let Some(kept) = pixels::find(&mut conn, pixel).await? else {
            return Err(Error::Invalid(format!(
                "Pixel {} is not among the pixels listed from Meta; list the businesses' pixels first.",
                pixel.trim()
            )));
        };
        drop(conn);
        let token = Vault::new(&self.workspace_id).get(TOKEN_PURPOSE, &kept.connection_id).await?.ok_or_else(|| {
            Error::SecretMissing(format!(
                "The token of Meta connection {} is no longer in the keychain; connect the business again.",
                kept.connection_id
            ))
        })?;
        Ok((kept, token))
    }

    /// Who can reach a pixel, read from Meta now, with when each was granted (by Custodian, or
    /// found there).
    pub async fn pixel_access(&self, pixel: &str) -> Result<Pixel, Error> {
        let (kept, token) = self.known_pixel(pixel).await?;
        let graph = self.pixel_graph().await?;
        let grantees = pixels::grantees(&graph, &kept.id, &token).await?;
        let mut tx = self.store.write().await?;
        pixels::seen(&mut tx, &kept.id, &grantees, &self.stamp()).await?;
        let answer = reach_of(&grantees);
        self.note_pixel(&mut tx, Some(&kept.id), "list", None, None, Ok(&answer)).await?;
        let found = pixels::find(&mut tx, &kept.id).await?.expect("kept above");
        let object = format!("pixel:{} access read: {answer}", kept.id);
        self.settle(tx, "pixel.access", &object, Ok(found)).await
    }

    /// Shares a pixel with a partner business, with these tasks (ANALYZE, UPLOAD, ADVERTISE).
    /// Without `confirmed`, says what would change and changes nothing.
    pub async fn pixel_share(
        &self,
        pixel: &str,
        business: &str,
        tasks: &str,
        confirmed: bool,
    ) -> Result<PixelChange, Error> {
        let business = pixels::object_id(business)
            .ok_or_else(|| Error::Invalid(format!("'{}' is not a business id: it is a number.", business.trim())))?;
        let tasks = pixels::tasks(tasks).map_err(Error::Invalid)?;
        if tasks.is_empty() {
            return Err(Error::Invalid("Give the tasks to share: ANALYZE, UPLOAD, ADVERTISE or several.".into()));
        }
        let (kept, token) = self.known_pixel(pixel).await?;
        let graph = self.pixel_graph().await?;
        let before = pixels::grantees(&graph, &kept.id, &token).await?;
        let grantee = Grantee { kind: "business".into(), id: business.clone(), tasks: tasks.clone() };
        if !confirmed {
            let now = before.iter().find(|g| g.kind == "business" && g.id == business);
            return Err(Error::ConfirmationRequired(format!(
                "Business {business} would be able to {} on pixel {} ({}); it now {}. Confirm to share.",
                tasks.join(", "),
                kept.id,
                kept.name,
                now.map_or("has no access".to_owned(), |g| format!("may {}", g.tasks.join(", ")))
            )));
        }
        let done = pixels::share_with_business(&graph, &kept.id, &business, &tasks, &token).await;
        self.record_change(&kept, "share", &grantee, before, done).await
    }

    /// Shares a pixel with an ad account (`act_…`), as `business` asks.
    pub async fn pixel_share_account(&self, pixel: &str, account: &str, business: &str) -> Result<PixelChange, Error> {
        let account = pixels::ad_account(account).ok_or_else(|| {
            Error::Invalid(format!(
                "'{}' is not an ad account: write it as Meta does, act_ and its number.",
                account.trim()
            ))
        })?;
        let business = pixels::object_id(business)
            .ok_or_else(|| Error::Invalid(format!("'{}' is not a business id: it is a number.", business.trim())))?;
        let (kept, token) = self.known_pixel(pixel).await?;
        let graph = self.pixel_graph().await?;
        let before = pixels::grantees(&graph, &kept.id, &token).await?;
        let grantee = Grantee { kind: "ad_account".into(), id: account.clone(), tasks: Vec::new() };
        let done = pixels::share_with_account(&graph, &kept.id, &account, &business, &token).await;
        self.record_change(&kept, "share", &grantee, before, done).await
    }

    /// Revokes a business's or an ad account's access to a pixel. Without `confirmed`, says what
    /// would change and changes nothing.
    pub async fn pixel_revoke(&self, pixel: &str, whom: PixelGrantee, confirmed: bool) -> Result<PixelChange, Error> {
        let grantee = match whom {
            PixelGrantee::Business(b) => Grantee {
                kind: "business".into(),
                id: pixels::object_id(&b)
                    .ok_or_else(|| Error::Invalid(format!("'{}' is not a business id: it is a number.", b.trim())))?,
                tasks: Vec::new(),
            },
            PixelGrantee::AdAccount(a) => Grantee {
                kind: "ad_account".into(),
                id: pixels::ad_account(&a).ok_or_else(|| {
                    Error::Invalid(format!(
                        "'{}' is not an ad account: write it as Meta does, act_ and its number.",
                        a.trim()
                    ))
                })?,
                tasks: Vec::new(),
            },
        };
        let (kept, token) = self.known_pixel(pixel).await?;
        let graph = self.pixel_graph().await?;
        let before = pixels::grantees(&graph, &kept.id, &token).await?;
        let Some(now) = before.iter().find(|g| g.kind == grantee.kind && g.id == grantee.id) else {
            return Err(Error::Invalid(format!(
                "{} {} cannot reach pixel {}: there is nothing to revoke.",
                words(&grantee.kind),
                grantee.id,
                kept.id
            )));
        };
        if !confirmed {
            let tasks = if now.tasks.is_empty() { String::new() } else { format!(" (now {})", now.tasks.join(", ")) };
            return Err(Error::ConfirmationRequired(format!(
                "{} {}{tasks} would no longer reach pixel {} ({}). Confirm to revoke.",
                words(&grantee.kind),
                grantee.id,
                kept.id,
                kept.name
            )));
        }
        let done = pixels::revoke(&graph, &kept.id, &grantee, &token).await;
        self.record_change(&kept, "revoke", &grantee, before, done).await
    }

    /// Records what Meta said of a share or a revocation, in the pixel's log and on the audit trail.
    async fn record_change(
        &self,
        kept: &Pixel,
        operation: &str,
        grantee: &Grantee,
        before: Vec<Grantee>,
        done: Result<(), GraphError>,
    ) -> Result<PixelChange, Error> {
        let mut tx = self.store.write().await?;
        let at = self.stamp();
        let target = format!("{} {}", grantee.kind, grantee.id);
        let tasks = (!grantee.tasks.is_empty()).then(|| grantee.tasks.join(","));
        let answer = done.as_ref().map(|()| "done".to_owned()).map_err(|e| e.to_string());
        self.note_pixel(
            &mut tx,
            Some(&kept.id),
            operation,
            Some(&target),
            tasks.as_deref(),
            answer.as_deref().map_err(String::as_str),
        )
        .await?;
        if done.is_ok() {
            if operation == "share" {
                pixels::granted(&mut tx, &kept.id, grantee, &at).await?;
            } else {
                pixels::revoked(&mut tx, &kept.id, grantee).await?;
            }
        }
        let object = format!(
            "pixel:{} {operation} {target}{}: {}",
            kept.id,
            tasks.as_deref().map(|t| format!(" ({t})")).unwrap_or_default(),
            match &answer {
                Ok(a) => a.clone(),
                Err(e) => format!("refused: {e}"),
            }
        );
        let result = done
            .map(|()| PixelChange {
                pixel_id: kept.id.clone(),
                operation: operation.into(),
                target,
                tasks: grantee.tasks.clone(),
                before,
            })
            .map_err(Error::from);
        self.settle(tx, &format!("pixel.{operation}"), &object, result).await
    }

    /// Makes a pixel on an ad account (through `client`'s connection when given). Meta allows an
    /// ad account's business one such pixel: asking for another says so.
    pub async fn pixel_create(&self, account: &str, name: &str, client: Option<&str>) -> Result<String, Error> {
        let account = pixels::ad_account(account).ok_or_else(|| {
            Error::Invalid(format!(
                "'{}' is not an ad account: write it as Meta does, act_ and its number.",
                account.trim()
            ))
        })?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::Invalid("A pixel's name is 1 to 100 characters.".into()));
        }
        let reach = self.reaches(client).await?.into_iter().next().expect("reaches has one or says why");
        let graph = self.pixel_graph().await?;
        let made = match pixels::create(&graph, &account, name, &reach.token).await {
            Err(GraphError::Refused { code: 6200, .. }) => Err(Error::Conflict(format!(
                "Meta says a pixel already exists for ad account {account} (error 6200): its business has the one \
                 pixel Meta allows it to make this way. Use that pixel, and share it where it is needed."
            ))),
            other => other.map_err(Error::from),
        };
        let mut tx = self.store.write().await?;
        let answer = made.as_ref().map(|id| format!("made pixel {id}")).map_err(ToString::to_string);
        self.note_pixel(
            &mut tx,
            made.as_ref().ok().map(String::as_str),
            "create",
            Some(&account),
            None,
            answer.as_deref().map_err(String::as_str),
        )
        .await?;
        let object = format!(
            "pixel create on {account} named {name}: {}",
            match &answer {
                Ok(a) => a.clone(),
                Err(e) => format!("refused: {e}"),
            }
        );
        let made = self.settle(tx, "pixel.create", &object, made).await?;
        // The new pixel is kept at once, with its business, as a listing would keep it. Meta may
        // not list it yet: then the next listing keeps it, and the pixel is made all the same.
        if let Err(e) = self.list_reach(&graph, &reach, Some(&made)).await {
            tracing::warn!(pixel = %made, error = %e, "the new pixel was not listed after it was made");
        }
        Ok(made)
    }

    /// Shares and revokes as a CSV says (header `pixel,business,tasks`; an empty tasks cell
    /// revokes). A dry run says what would change and changes nothing; otherwise each row is done
    /// and its result given.
    pub async fn pixel_bulk(&self, file: &Path, dry_run: bool) -> Result<PixelBulk, Error> {
        let rows = read_bulk(file)?;
        let graph = self.pixel_graph().await?;
        let mut current: HashMap<String, Vec<Grantee>> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut result = BulkRow {
                line: row.line,
                pixel_id: row.pixel.clone(),
                business: row.business.clone(),
                tasks: Vec::new(),
                change: "invalid".into(),
                outcome: "none".into(),
                message: None,
            };
            let parsed = pixels::object_id(&row.business)
                .ok_or_else(|| format!("'{}' is not a business id", row.business))
                .and_then(|b| pixels::tasks(&row.tasks).map(|t| (b, t)));
            let (business, tasks) = match parsed {
                Ok(p) => p,
                Err(why) => {
                    result.message = Some(why);
                    out.push(result);
                    continue;
                }
            };
            result.tasks = tasks.clone();
            let (kept, token) = match self.known_pixel(&row.pixel).await {
                Ok(k) => k,
                Err(e) => {
                    result.message = Some(e.to_string());
                    out.push(result);
                    continue;
                }
            };
            if !current.contains_key(&kept.id) {
                match pixels::grantees(&graph, &kept.id, &token).await {
                    Ok(g) => {
                        current.insert(kept.id.clone(), g);
                    }
                    Err(e) => {
                        result.change = "none".into();
                        result.outcome = "refused".into();
                        result.message = Some(e.to_string());
                        out.push(result);
                        continue;
                    }
                }
            }
            let now = current[&kept.id].iter().find(|g| g.kind == "business" && g.id == business).cloned();
            let same = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|t| b.contains(t));
            result.change = match (&now, tasks.is_empty()) {
                (None, true) => "none",
                (Some(_), true) => "revoke",
                (Some(g), false) if same(&g.tasks, &tasks) => "none",
                _ => "share",
            }
            .into();
            if result.change == "none" {
                result.message = Some(if tasks.is_empty() {
                    "it has no access already".into()
                } else {
                    "it has these tasks already".into()
                });
                out.push(result);
                continue;
            }
            if dry_run {
                result.outcome = "would".into();
                result.message = now.map(|g| {
                    format!("now {}", if g.tasks.is_empty() { "no tasks".into() } else { g.tasks.join(", ") })
                });
                out.push(result);
                continue;
            }
            let grantee = Grantee { kind: "business".into(), id: business.clone(), tasks: tasks.clone() };
            let before = current[&kept.id].clone();
            let done = if result.change == "revoke" {
                pixels::revoke(&graph, &kept.id, &grantee, &token).await
            } else {
                pixels::share_with_business(&graph, &kept.id, &business, &tasks, &token).await
            };
            let change = result.change.clone();
            match self.record_change(&kept, &change, &grantee, before, done).await {
                Ok(_) => {
                    result.outcome = "done".into();
                    let list = current.get_mut(&kept.id).expect("read above");
                    list.retain(|g| !(g.kind == "business" && g.id == business));
                    if change == "share" {
                        list.push(grantee);
                    }
                }
                Err(e) => {
                    result.outcome = "refused".into();
                    result.message = Some(e.to_string());
                }
            }
            out.push(result);
        }
        Ok(PixelBulk { dry_run, rows: out })
    }

    /// The log of operations on a pixel (or on every pixel), newest first.
    pub async fn pixel_log(&self, pixel: Option<&str>, limit: u32) -> Result<Vec<Operation>, Error> {
        Ok(pixels::operations(self.store.pool(), pixel.map(str::trim), i64::from(limit.clamp(1, 100_000))).await?)
    }

    async fn note_pixel(
        &self,
        conn: &mut sqlx::SqliteConnection,
        pixel: Option<&str>,
        operation: &str,
        target: Option<&str>,
        tasks: Option<&str>,
        answer: Result<&str, &str>,
    ) -> Result<(), Error> {
        let op = Operation {
            id: 0,
            pixel_id: pixel.map(str::to_owned),
            operation: operation.into(),
            target: target.map(str::to_owned),
            tasks: tasks.map(str::to_owned),
            actor: self.actor.clone(),
            at: self.stamp(),
            outcome: if answer.is_ok() { "done" } else { "refused" }.into(),
            answer: Some(match answer {
                Ok(a) | Err(a) => a.to_owned(),
            }),
        };
        Ok(pixels::note(conn, &op).await?)
    }
}

/// "2 businesses and 1 ad account".
fn reach_of(grantees: &[Grantee]) -> String {
    let count = |kind: &str| grantees.iter().filter(|g| g.kind == kind).count();
    let (businesses, accounts) = (count("business"), count("ad_account"));
    format!(
        "{businesses} {} and {accounts} {}",
        if businesses == 1 { "business" } else { "businesses" },
        if accounts == 1 { "ad account" } else { "ad accounts" }
    )
}

fn words(kind: &str) -> &'static str {
    if kind == "business" {
        "Business"
    } else {
        "Ad account"
    }
}

/// A row of a bulk file, as written.
struct Row {
    line: u64,
    pixel: String,
    business: String,
    tasks: String,
}

fn read_bulk(file: &Path) -> Result<Vec<Row>, Error> {
    let unreadable = |e: &dyn std::fmt::Display| Error::Invalid(format!("cannot read {}: {e}", file.display()));
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_path(file).map_err(|e| unreadable(&e))?;
    let header = reader.headers().map_err(|e| unreadable(&e))?.clone();
    let at = |name: &str| header.iter().position(|h| h.trim_start_matches('\u{FEFF}').eq_ignore_ascii_case(name));
    let (Some(pixel), Some(business), Some(tasks)) = (at("pixel"), at("business"), at("tasks")) else {
        return Err(Error::Invalid("The file's header must be pixel,business,tasks.".into()));
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| unreadable(&e))?;
        if rows.len() == BULK_ROWS {
            return Err(Error::Invalid(format!("The file has more than {BULK_ROWS} rows; split it.")));
        }
        let get = |i: usize| record.get(i).unwrap_or("").to_owned();
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows.push(Row {
            line: record.position().map_or(0, |p| p.line()),
            pixel: get(pixel),
            business: get(business),
            tasks: get(tasks),
        });
    }
    Ok(rows)
}
