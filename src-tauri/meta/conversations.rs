//! A Page's Messenger and Instagram conversations as the Graph API lists them
//! (../shared/reference/meta-graph-api.md): `/{page}/conversations?platform=messenger|instagram`
//! and `/{conversation}/messages`, each newest first with cursor paging, read with the Page's
//! token (`pages_messaging`, and `instagram_manage_messages` for Instagram). Both are read
//! incrementally: what is older than the last read's watermark ends the listing, since all that
//! follows is older still. What is at the watermark itself is read again, since another item may
//! have come in the same second: the ids make reading one twice harmless, and none is lost.

use serde_json::Value;

use super::graph::{Graph, GraphError};
use crate::leads::parse::parse_time;
use crate::vault::Sensitive;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Messenger,
    Instagram,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Messenger => "messenger",
            Self::Instagram => "instagram",
        }
    }
}

/// Someone in a conversation: by their Page-scoped (Messenger) or Instagram-scoped id, or the
/// Page itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: String,
    /// When its last message came, in seconds since 1970.
    pub updated: i64,
    pub participants: Vec<Participant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    /// Seconds since 1970.
    pub created: i64,
    pub from: Participant,
    pub to: Vec<Participant>,
    /// Its words; `None` for a message of only an attachment or a sticker.
    pub text: Option<String>,
}

/// Someone as the Graph API names them: Messenger by `name`, Instagram by `username`.
fn participant(v: &Value) -> Option<Participant> {
    let id = v.get("id").and_then(Value::as_str).filter(|id| !id.is_empty())?;
    let name = ["name", "username"].iter().find_map(|k| v.get(k).and_then(Value::as_str).filter(|n| !n.is_empty()));
    Some(Participant { id: id.to_owned(), name: name.map(str::to_owned) })
}

fn participants(v: Option<&Value>) -> Vec<Participant> {
    v.and_then(|p| p.get("data")).and_then(Value::as_array).into_iter().flatten().filter_map(participant).collect()
}

/// An item of an edge listed newest first.
trait Dated: Sized {
    /// The item; `None` for one without its id or a time that can be read, which the caller
    /// cannot place.
    fn read(v: &Value) -> Option<Self>;
    /// What the edge is ordered by, in seconds since 1970.
    fn time(&self) -> i64;
}

impl Dated for Conversation {
    fn read(v: &Value) -> Option<Self> {
        Some(Self {
            id: v.get("id").and_then(Value::as_str)?.to_owned(),
            updated: parse_time(v.get("updated_time").and_then(Value::as_str)?)?,
            participants: participants(v.get("participants")),
        })
    }

    fn time(&self) -> i64 {
        self.updated
    }
}

impl Dated for Message {
    fn read(v: &Value) -> Option<Self> {
        Some(Self {
            id: v.get("id").and_then(Value::as_str)?.to_owned(),
            created: parse_time(v.get("created_time").and_then(Value::as_str)?)?,
            from: participant(v.get("from")?)?,
            to: participants(v.get("to")),
            text: v.get("message").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_owned),
        })
    }

    fn time(&self) -> i64 {
        self.created
    }
}

/// What a page of a listing held: the items from the watermark on, and how many it could not read.
#[derive(Debug, Default)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub unreadable: u32,
}

/// Reads a paged edge newest first, handing each page's items from `since` on to `each` (which may
/// stop the reading by returning false), and stops at the first item older than it.
async fn newest_first<T: Dated>(
    graph: &Graph,
    (path, query): (&str, &[(&str, &str)]),
    token: &Sensitive<String>,
    since: Option<i64>,
    mut each: impl FnMut(Listed<T>) -> bool,
) -> Result<(), GraphError> {
    let mut after: Option<String> = None;
    loop {
        let (page, next) = graph.page(path, query, after.as_deref(), token).await?;
        let mut listed = Listed { items: Vec::with_capacity(page.len()), unreadable: 0 };
        let mut older = false;
        for v in &page {
            match T::read(v) {
                Some(item) if since.is_some_and(|since| item.time() < since) => {
                    older = true;
                    break;
                }
                Some(item) => listed.items.push(item),
                None => listed.unreadable += 1,
            }
        }
        if !each(listed) || older {
            return Ok(());
        }
        match next {
            Some(cursor) => after = Some(cursor),
            None => return Ok(()),
        }
    }
}

/// The Instagram professional account linked to a Page: who the business is in the Page's
/// Instagram conversations, where it is named by this account rather than by the Page. `None`
/// when the Page has none, and so no Instagram conversations to read.
pub async fn instagram_account(
    graph: &Graph,
    page_id: &str,
    token: &Sensitive<String>,
) -> Result<Option<Participant>, GraphError> {
    let page = graph.get(page_id, &[("fields", "instagram_business_account{id,username}")], token).await?;
    Ok(page.get("instagram_business_account").and_then(participant))
}

/// The Page's conversations on `platform` updated at or after `since` (all without it), newest
/// first, a page at a time.
pub async fn updated_since(
    graph: &Graph,
    page_id: &str,
    platform: Platform,
    since: Option<i64>,
    token: &Sensitive<String>,
    each: impl FnMut(Listed<Conversation>) -> bool,
) -> Result<(), GraphError> {
    let query = [("platform", platform.as_str()), ("fields", "id,updated_time,participants")];
    let path = format!("{page_id}/conversations");
    newest_first(graph, (&path, &query), token, since, each).await
}

/// A conversation's messages created at or after `since` (all without it), newest first, a page
/// at a time.
pub async fn messages_since(
    graph: &Graph,
    conversation_id: &str,
    since: Option<i64>,
    token: &Sensitive<String>,
    each: impl FnMut(Listed<Message>) -> bool,
) -> Result<(), GraphError> {
    let query = [("fields", "id,created_time,from,to,message")];
    let path = format!("{conversation_id}/messages");
    newest_first(graph, (&path, &query), token, since, each).await
}
