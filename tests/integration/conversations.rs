//! A Page's Messenger and Instagram conversations read from the Graph simulator: newest first,
//! every page once, only what is newer than the last read, each platform apart, and throttling
//! waited out on the way.

use std::time::Duration;

use custodian::meta::conversations::{self, Conversation, Message, Platform};
use custodian::meta::{Graph, Pacing};
use custodian::vault::Sensitive;
use serde_json::{json, Value};

use crate::graph_sim::{Fault, GraphSim, VERSION};

const PAGE: &str = "9001";
const PAGE_TOKEN: &str = "EAAGpagetokenconversations0123456789abc";

fn graph(sim: &GraphSim) -> Graph {
    let pacing = Pacing {
        transient_retries: 3,
        first_backoff: Duration::from_millis(2),
        longest_wait: Duration::from_millis(500),
        timeout: Duration::from_secs(10),
    };
    Graph::new(&sim.url, VERSION, pacing).unwrap()
}

fn thread(id: &str, updated: &str, person: &str) -> Value {
    json!({"id": id, "updated_time": updated, "participants": {"data": [
        {"id": person, "name": format!("Person {person}")}, {"id": PAGE, "name": "Acme Shoes"}]}})
}

fn said(id: &str, at: &str, from: &str, text: &str) -> Value {
    json!({"id": id, "created_time": at, "from": {"id": from, "name": "someone"},
        "to": {"data": [{"id": PAGE, "name": "Acme Shoes"}]}, "message": text})
}

/// Three Messenger threads updated on 1, 2 and 3 December, one Instagram thread, pages of two.
fn sim() -> GraphSim {
    let sim = GraphSim::start();
    sim.page(PAGE, "Acme Shoes", PAGE_TOKEN);
    sim.page_size(2);
    for (n, day) in [(1, "01"), (2, "02"), (3, "03")] {
        let messages = (0..5)
            .map(|m| {
                said(&format!("m_{n}_{m}"), &format!("2026-12-{day}T10:0{m}:00+0000"), "psid-1", &format!("hi {m}"))
            })
            .collect();
        sim.conversation(
            PAGE,
            "messenger",
            thread(&format!("t_{n}"), &format!("2026-12-{day}T10:04:00+0000"), &format!("psid-{n}")),
            messages,
        );
    }
    sim.instagram_account(PAGE, "17841400000000001", "acmeshoes");
    sim.conversation(PAGE, "instagram", thread("t_ig", "2026-12-02T12:00:00+0000", "igsid-7"), vec![]);
    sim
}

async fn threads(sim: &GraphSim, platform: Platform, since: Option<i64>) -> Vec<Conversation> {
    let mut all = Vec::new();
    let token = Sensitive::new(PAGE_TOKEN.to_owned());
    conversations::updated_since(&graph(sim), PAGE, platform, since, &token, |page| {
        assert_eq!(page.unreadable, 0);
        all.extend(page.items);
        true
    })
    .await
    .unwrap();
    all
}

#[tokio::test]
async fn a_pages_threads_are_read_newest_first_each_once_and_only_those_newer_than_the_last_read() {
    let sim = sim();
    let all = threads(&sim, Platform::Messenger, None).await;
    assert_eq!(all.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["t_3", "t_2", "t_1"]);
    assert_eq!(all[0].participants[0].id, "psid-3");
    let instagram = threads(&sim, Platform::Instagram, None).await;
    assert_eq!(instagram.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["t_ig"]);

    // From the 2nd's update on: the 3rd's thread and the 2nd's again (another may have come in
    // that second), and the listing stops at the first older one, not reading the rest.
    sim.conversation(PAGE, "messenger", thread("t_0", "2026-11-30T10:00:00+0000", "psid-0"), vec![]);
    let calls = sim.calls().len();
    let newer = threads(&sim, Platform::Messenger, Some(all[1].updated)).await;
    assert_eq!(newer.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["t_3", "t_2"]);
    assert_eq!(sim.calls().len() - calls, 2, "two pages of the three");
}

#[tokio::test]
async fn a_threads_messages_are_paged_through_throttling_and_read_from_the_last_one_seen() {
    let sim = sim();
    let before = sim.calls().len();
    sim.fault_at(before + 2, Fault::Throttle { code: 4, regain: None });
    let token = Sensitive::new(PAGE_TOKEN.to_owned());
    let read = |since: Option<i64>| {
        let (graph, token) = (graph(&sim), token.clone());
        async move {
            let mut all: Vec<Message> = Vec::new();
            conversations::messages_since(&graph, "t_2", since, &token, |page| {
                all.extend(page.items);
                true
            })
            .await
            .unwrap();
            all
        }
    };
    let all = read(None).await;
    assert_eq!(sim.calls().len() - before, 4, "three pages of two, the second throttled once");
    assert_eq!(all.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m_2_4", "m_2_3", "m_2_2", "m_2_1", "m_2_0"]);
    assert_eq!(
        (all[0].from.id.as_str(), all[0].text.as_deref(), all[0].to[0].id.as_str()),
        ("psid-1", Some("hi 4"), PAGE)
    );
    let newer = read(Some(all[2].created)).await;
    assert_eq!(newer.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m_2_4", "m_2_3", "m_2_2"]);
}
