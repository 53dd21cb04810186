//! Reading leads back: the review query (filters, full-text search, sorting, paging), one lead in
//! full, and finding leads by a person's identifier through the identity index.

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqliteExecutor, SqlitePool};
use ts_rs::TS;

use super::runs;
use crate::identity::IdentityHash;

/// What to show. Every field narrows the set; empty means everything.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(default)]
pub struct Filter {
    /// Client id.
    pub client_id: Option<String>,
    /// Form id or name.
    pub form: Option<String>,
    /// Campaign id or name.
    pub campaign: Option<String>,
    /// `fb` or `ig`.
    pub platform: Option<String>,
    pub organic: Option<bool>,
    /// Created at or after, seconds since the epoch.
    #[ts(type = "number | null")]
    pub since: Option<i64>,
    /// Created before, seconds since the epoch.
    #[ts(type = "number | null")]
    pub until: Option<i64>,
    /// Words to find in any answer (prefixes match: "ann lee" finds "Annabel Leeds").
    pub search: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    #[default]
    Created,
    Name,
    Email,
    Phone,
    Form,
    Campaign,
    Platform,
    Status,
}

impl SortBy {
    fn column(self) -> &'static str {
        match self {
            SortBy::Created => "l.created_unix",
            SortBy::Name => "l.full_name",
            SortBy::Email => "l.email",
            SortBy::Phone => "l.phone",
            SortBy::Form => "l.form_name",
            SortBy::Campaign => "l.campaign_name",
            SortBy::Platform => "l.platform",
            SortBy::Status => "l.lead_status",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(default)]
pub struct Order {
    pub by: SortBy,
    /// Newest / Z first.
    pub descending: bool,
}

/// Where a page starts: after a row (keyset, for scrolling on) or at an offset (for jumping).
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(default)]
pub struct PageRequest {
    pub limit: u32,
    #[ts(type = "number")]
    pub offset: u64,
    /// The `cursor` of the last row of the previous page.
    pub after: Option<Cursor>,
}

/// A row's position in its order: its sort value and id.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, TS)]
pub struct Cursor {
    pub value: String,
    #[ts(type = "number")]
    pub id: i64,
}

/// One line of the review table.
#[derive(Debug, Clone, Serialize, TS, sqlx::FromRow)]
pub struct LeadRow {
    #[ts(type = "number")]
    pub id: i64,
    pub client: String,
    pub meta_id: Option<String>,
    pub created_time: String,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub form_id: String,
    pub form_name: String,
    pub campaign_id: String,
    pub campaign_name: String,
    pub platform: String,
    pub is_organic: Option<bool>,
    pub is_test: bool,
    pub lead_status: String,
    /// The value this row sorts by in the page's order: with `id`, where the next page starts.
    pub sort_value: String,
}

impl LeadRow {
    pub fn cursor(&self) -> Cursor {
        Cursor { value: self.sort_value.clone(), id: self.id }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct LeadPage {
    pub rows: Vec<LeadRow>,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
}

/// One lead in full: every field, every answer, and where it came from.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LeadDetail {
    #[ts(type = "number")]
    pub id: i64,
    pub client: String,
    pub meta_id: Option<String>,
    pub created_time: String,
    pub ad_id: String,
    pub ad_name: String,
    pub adset_id: String,
    pub adset_name: String,
    pub campaign_id: String,
    pub campaign_name: String,
    pub form_id: String,
    pub form_name: String,
    pub is_organic: Option<bool>,
    pub platform: String,
    pub lead_status: String,
    pub is_test: bool,
    /// `[question, answer]` pairs in the file's order.
    pub answers: Vec<(String, String)>,
    pub source_file: String,
    #[ts(type = "number")]
    pub source_line: i64,
    pub imported_at: String,
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: i64,
    client: String,
    meta_id: Option<String>,
    created_time: String,
    ad_id: String,
    ad_name: String,
    adset_id: String,
    adset_name: String,
    campaign_id: String,
    campaign_name: String,
    form_id: String,
    form_name: String,
    is_organic: Option<bool>,
    platform: String,
    lead_status: String,
    is_test: bool,
    answer_keys: String,
    answers: String,
    source_file: String,
    source_line: i64,
    imported_at: String,
}

impl From<DetailRow> for LeadDetail {
    fn from(r: DetailRow) -> Self {
        Self {
            answers: {
                let keys: Vec<String> = serde_json::from_str(&r.answer_keys).unwrap_or_default();
                let values: Vec<String> = serde_json::from_str(&r.answers).unwrap_or_default();
                keys.into_iter().zip(values).collect()
            },
            id: r.id,
            client: r.client,
            meta_id: r.meta_id,
            created_time: r.created_time,
            ad_id: r.ad_id,
            ad_name: r.ad_name,
            adset_id: r.adset_id,
            adset_name: r.adset_name,
            campaign_id: r.campaign_id,
            campaign_name: r.campaign_name,
            form_id: r.form_id,
            form_name: r.form_name,
            is_organic: r.is_organic,
            platform: r.platform,
            lead_status: r.lead_status,
            is_test: r.is_test,
            source_file: r.source_file,
            source_line: r.source_line,
            imported_at: r.imported_at,
        }
    }
}

/// A lead in full, with its client, its answer keys and the import it came from.
const DETAIL_SELECT: &str = "SELECT l.id, c.name AS client, l.meta_id, l.created_time, l.ad_id, l.ad_name, \
     l.adset_id, l.adset_name, l.campaign_id, l.campaign_name, l.form_id, l.form_name, l.is_organic, l.platform, \
     l.lead_status, l.is_test, coalesce(k.keys, '[]') AS answer_keys, l.answers, \
     coalesce(i.file_name, '') AS source_file, l.source_line, coalesce(i.started_at, '') AS imported_at \
     FROM leads AS l JOIN clients AS c ON c.num = l.client_num LEFT JOIN answer_keys AS k ON k.id = l.answer_keys \
     LEFT JOIN imports AS i ON i.id = l.import_id";

/// Turns what a person typed into an FTS5 query: every word must match as a prefix. Quoting each
/// word keeps FTS5's own syntax (AND, NEAR, column filters) out of reach of the input.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '+' && c != '_' && c != '-')
        .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The search parts a filter reads: none without a search. Called inside the read transaction the
/// query then runs in, so that a purge dropping a part in between cannot make the query name a
/// table that is gone: both see one snapshot.
async fn parts_for(conn: &mut SqliteConnection, f: &Filter) -> Result<Vec<i64>, sqlx::Error> {
    if f.search.as_deref().and_then(fts_query).is_none() {
        return Ok(Vec::new());
    }
    super::words::parts(conn).await
}

fn push_filter(q: &mut QueryBuilder<'_, Sqlite>, f: &Filter, parts: &[i64]) {
    q.push(" WHERE 1 = 1");
    if let Some(client) = &f.client_id {
        q.push(" AND l.client_num = (SELECT num FROM clients WHERE id = ").push_bind(client.clone()).push(")");
    }
    if let Some(form) = f.form.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND (l.form_id = ")
            .push_bind(form.to_owned())
            .push(" OR l.form_name = ")
            .push_bind(form.to_owned())
            .push(")");
    }
    if let Some(c) = f.campaign.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND (l.campaign_id = ")
            .push_bind(c.to_owned())
            .push(" OR l.campaign_name = ")
            .push_bind(c.to_owned())
            .push(")");
    }
    if let Some(p) = f.platform.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND l.platform = ").push_bind(p.to_ascii_lowercase());
    }
    if let Some(o) = f.organic {
        q.push(" AND l.is_organic = ").push_bind(o);
    }
    if let Some(s) = f.since {
        q.push(" AND l.created_unix >= ").push_bind(s);
    }
    if let Some(u) = f.until {
        q.push(" AND l.created_unix < ").push_bind(u);
    }
    if let Some(m) = f.search.as_deref().and_then(fts_query) {
        q.push(" AND l.id IN ");
        super::words::push_match(q, parts, &m);
    }
}

/// One page of the review table.
pub async fn page(pool: &SqlitePool, f: &Filter, order: &Order, page: &PageRequest) -> Result<LeadPage, sqlx::Error> {
    let col = order.by.column();
    let limit = page.limit.clamp(1, 1_000);
    let mut q = QueryBuilder::new(format!(
        "SELECT l.id, c.name AS client, l.meta_id, l.created_time, l.full_name, l.email, l.phone, l.form_id,
            l.form_name, l.campaign_id, l.campaign_name, l.platform, l.is_organic, l.is_test, l.lead_status,
            CAST({col} AS TEXT) AS sort_value
         FROM leads AS l JOIN clients AS c ON c.num = l.client_num"
    ));
    let mut snapshot = pool.begin().await?;
    push_filter(&mut q, f, &parts_for(&mut snapshot, f).await?);
    let (cmp, dir) = if order.descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some(after) = &page.after {
        // Sort values compare as stored: the creation time as a number, the rest as text.
        q.push(format!(" AND ({col}, l.id) {cmp} ("));
        if order.by == SortBy::Created {
            q.push("CAST(").push_bind(after.value.clone()).push(" AS INTEGER)");
        } else {
            q.push_bind(after.value.clone());
        }
        q.push(", ").push_bind(after.id).push(")");
    }
    q.push(format!(" ORDER BY {col} {dir}, l.id {dir} LIMIT ")).push_bind(i64::from(limit) + 1);
    if page.after.is_none() && page.offset > 0 {
        q.push(" OFFSET ").push_bind(page.offset as i64);
    }
    let mut rows: Vec<LeadRow> = q.build_query_as().fetch_all(&mut *snapshot).await?;
    snapshot.commit().await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(LeadRow::cursor)
    } else {
        None
    };
    Ok(LeadPage { rows, next })
}

pub async fn count(pool: &SqlitePool, f: &Filter) -> Result<i64, sqlx::Error> {
    let mut q = QueryBuilder::new("SELECT count(*) FROM leads AS l");
    let mut snapshot = pool.begin().await?;
    push_filter(&mut q, f, &parts_for(&mut snapshot, f).await?);
    let count = q.build_query_scalar().fetch_one(&mut *snapshot).await?;
    snapshot.commit().await?;
    Ok(count)
}

pub async fn detail<'e>(db: impl SqliteExecutor<'e>, id: i64) -> Result<Option<LeadDetail>, sqlx::Error> {
    let row: Option<DetailRow> =
        sqlx::query_as(&format!("{DETAIL_SELECT} WHERE l.id = ?1")).bind(id).fetch_optional(db).await?;
    Ok(row.map(Into::into))
}

/// Full leads for the CLI's `leads list`, in review order.
pub async fn details(pool: &SqlitePool, f: &Filter, limit: u32, offset: u64) -> Result<Vec<LeadDetail>, sqlx::Error> {
    let mut q = QueryBuilder::new(DETAIL_SELECT);
    let mut snapshot = pool.begin().await?;
    push_filter(&mut q, f, &parts_for(&mut snapshot, f).await?);
    q.push(" ORDER BY l.created_unix DESC, l.id DESC LIMIT ")
        .push_bind(i64::from(limit))
        .push(" OFFSET ")
        .push_bind(offset as i64);
    let rows: Vec<DetailRow> = q.build_query_as().fetch_all(&mut *snapshot).await?;
    snapshot.commit().await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Meta's `is_organic` as its export writes it.
pub(super) fn organic_text(organic: Option<bool>) -> &'static str {
    match organic {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

impl LeadDetail {
    /// Meta's own fields, in the order of `META_COLUMNS`.
    pub fn meta_values(&self) -> [&str; 13] {
        [
            self.meta_id.as_deref().unwrap_or_default(),
            &self.created_time,
            &self.ad_id,
            &self.ad_name,
            &self.adset_id,
            &self.adset_name,
            &self.campaign_id,
            &self.campaign_name,
            &self.form_id,
            &self.form_name,
            organic_text(self.is_organic),
            &self.platform,
            &self.lead_status,
        ]
    }
}

/// Every lead whose identifiers include `hash`: in the index, or in a run not yet folded into it.
pub async fn by_identity<'e>(db: impl SqliteExecutor<'e>, hash: &IdentityHash) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query_as(runs::LOOKUP).bind(&hash[..]).fetch_all(db).await?;
    Ok(runs::looked_up(hash, rows))
}

/// The leads holding any of these keyed hashes, each once, in id order.
pub async fn by_identities(conn: &mut SqliteConnection, hashes: &[IdentityHash]) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::new();
    for hash in hashes {
        ids.extend(by_identity(&mut *conn, hash).await?);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The leads of a JSON list of ids (?1) still held.
const EXISTING: &str = "SELECT id FROM leads WHERE id IN (SELECT value FROM json_each(?1))";

/// One lead with the keyed hashes of its person, as it keeps them, on the SQLite handle directly.
pub fn one_with_hashes_now(
    conn: &rusqlite::Connection,
    id: i64,
) -> rusqlite::Result<Option<(LeadDetail, Vec<IdentityHash>)>> {
    let with_hashes = DETAIL_SELECT.replacen(
        " FROM leads AS l",
        &format!(", {} FROM leads AS l", super::person_hashes::listed("l.")),
        1,
    );
    let mut statement = conn.prepare_cached(&format!("{with_hashes} WHERE l.id = ?1"))?;
    let mut rows = statement.query_map([id], detail_and_hashes)?;
    rows.next().transpose()
}

/// A row of `DETAIL_SELECT` with the person's hashes after its columns: the lead, and the hashes.
fn detail_and_hashes(r: &rusqlite::Row<'_>) -> rusqlite::Result<(LeadDetail, Vec<IdentityHash>)> {
    let row = DetailRow {
        id: r.get(0)?,
        client: r.get(1)?,
        meta_id: r.get(2)?,
        created_time: r.get(3)?,
        ad_id: r.get(4)?,
        ad_name: r.get(5)?,
        adset_id: r.get(6)?,
        adset_name: r.get(7)?,
        campaign_id: r.get(8)?,
        campaign_name: r.get(9)?,
        form_id: r.get(10)?,
        form_name: r.get(11)?,
        is_organic: r.get(12)?,
        platform: r.get(13)?,
        lead_status: r.get(14)?,
        is_test: r.get(15)?,
        answer_keys: r.get(16)?,
        answers: r.get(17)?,
        source_file: r.get(18)?,
        source_line: r.get(19)?,
        imported_at: r.get(20)?,
    };
    let mut hashes = Vec::new();
    for column in 21..21 + super::person_hashes::PERSON_HASHES.len() {
        if let Some(hash) = r.get_ref(column)?.as_blob_or_null()?.and_then(|h| IdentityHash::try_from(h).ok()) {
            hashes.push(hash);
        }
    }
    Ok((row.into(), hashes))
}

/// Those of these leads still held, as a set, on the SQLite handle.
pub fn existing_now(conn: &rusqlite::Connection, ids: &[i64]) -> rusqlite::Result<std::collections::HashSet<i64>> {
    let ids = serde_json::to_string(ids).expect("ids serialise");
    let mut statement = conn.prepare_cached(EXISTING)?;
    let held = statement.query_map([ids], |r| r.get::<_, i64>(0))?;
    held.collect()
}

/// The forms whose leads a client holds: id, name (the newest lead's), and how many leads.
pub async fn forms(pool: &SqlitePool, client_id: &str) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.form_id, (SELECT n.form_name FROM leads AS n WHERE n.client_num = c.num AND n.form_id = l.form_id
                ORDER BY n.created_unix DESC LIMIT 1), count(*)
         FROM leads AS l JOIN clients AS c ON c.num = l.client_num WHERE c.id = ?1
         GROUP BY l.form_id ORDER BY 2, 1",
    )
    .bind(client_id)
    .fetch_all(pool)
    .await
}

/// The answer keys of the filtered leads, in the order they first appear in a lead.
pub async fn answer_keys(pool: &SqlitePool, f: &Filter) -> Result<Vec<String>, sqlx::Error> {
    let mut q = QueryBuilder::new("SELECT keys FROM answer_keys WHERE id IN (SELECT l.answer_keys FROM leads AS l");
    let mut snapshot = pool.begin().await?;
    push_filter(&mut q, f, &parts_for(&mut snapshot, f).await?);
    q.push(") ORDER BY id");
    let lists: Vec<String> = q.build_query_scalar().fetch_all(&mut *snapshot).await?;
    snapshot.commit().await?;
    let mut first_at: Vec<(usize, String)> = Vec::new();
    for list in &lists {
        for (at, key) in serde_json::from_str::<Vec<String>>(list).unwrap_or_default().into_iter().enumerate() {
            match first_at.iter_mut().find(|(_, k)| *k == key) {
                Some(seen) => seen.0 = seen.0.min(at),
                None => first_at.push((at, key)),
            }
        }
    }
    first_at.sort();
    Ok(first_at.into_iter().map(|(_, k)| k).collect())
}

/// Leads in id order after `after_id`, a chunk at a time, for exports of any size.
pub async fn chunk(pool: &SqlitePool, f: &Filter, after_id: i64, limit: i64) -> Result<Vec<LeadDetail>, sqlx::Error> {
    // In id order from `after_id`, whatever else the filter names: with the client's index SQLite
    // would read and sort every lead of the client for each chunk, where the ids read in order
    // make the chunks together one pass over the table.
    let mut q = QueryBuilder::new(DETAIL_SELECT.replacen("FROM leads AS l", "FROM leads AS l NOT INDEXED", 1));
    let mut snapshot = pool.begin().await?;
    push_filter(&mut q, f, &parts_for(&mut snapshot, f).await?);
    q.push(" AND l.id > ").push_bind(after_id).push(" ORDER BY l.id LIMIT ").push_bind(limit);
    let rows: Vec<DetailRow> = q.build_query_as().fetch_all(&mut *snapshot).await?;
    snapshot.commit().await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn typed_text_becomes_quoted_prefix_terms() {
        assert_eq!(fts_query("ann lee").as_deref(), Some("\"ann\"* \"lee\"*"));
        assert_eq!(fts_query("ann@x.com").as_deref(), Some("\"ann\"* \"x\"* \"com\"*"));
        assert_eq!(fts_query("NEAR(\"a\" b)").as_deref(), Some("\"NEAR\"* \"a\"* \"b\"*"));
        assert_eq!(fts_query("  ,;  "), None);
    }
}
