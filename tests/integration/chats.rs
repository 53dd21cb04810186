//! Conversations held as personal data: imported from WhatsApp's exports and webhook archives once,
//! found by a request by phone, exported, erased without a trace of their words, and purged a year
//! after their last message unless a hold keeps them.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use custodian::console::{ChatWith, Console, HoldForm, RequestForm, Window};
use custodian::personal_data::DataKind;
use custodian::requests::{IdKind, Identifier, Outcome, RequestKind};

use crate::requests::unzip;
use crate::support::{stdout, Workspace, TEST_NOW};

pub fn no_cancel() -> AtomicBool {
    AtomicBool::new(false)
}

fn phone(number: &str) -> Vec<Identifier> {
    vec![Identifier { kind: IdKind::Phone, value: number.into() }]
}

pub fn write(ws: &Workspace, name: &str, text: &str) -> PathBuf {
    let dir = ws.path().with_extension("files");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A webhook payload of one message from `wa_id` (named `name`) to the business number 15550001,
/// at `at` (seconds since 1970).
pub fn payload(id: &str, wa_id: &str, name: &str, at: i64, text: &str) -> String {
    serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001", "phone_number_id": "15550001"},
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": id, "timestamp": at.to_string(), "type": "text", "text": {"body": text}}]}}]}]})
    .to_string()
}

/// 2026-11-20 and 2026-11-21 in seconds.
pub const NOV_20: i64 = 1_795_132_800;
const NOV_21: i64 = NOV_20 + 86_400;

/// Ann (447911123456) writes twice, Bo (4915112345678) once; one line is not JSON.
fn archive(ws: &Workspace) -> PathBuf {
    let lines = [
        payload("wamid.A1", "447911123456", "Ann Lee", NOV_20, "Hello, about the zebracorn sofa"),
        "{not json".to_owned(),
        payload("wamid.B1", "4915112345678", "Bo", NOV_20 + 60, "Guten Tag"),
        payload("wamid.A2", "447911123456", "Ann Lee", NOV_21, "Is it still available?"),
    ];
    write(ws, "hooks.jsonl", &(lines.join("\n") + "\n"))
}

pub async fn acme(ws: &Workspace) -> Console {
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    console
}

#[tokio::test]
async fn a_webhook_archive_and_an_export_are_stored_once_and_importing_them_again_adds_nothing() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let file = archive(&ws);
    let first = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((first.threads, first.messages, first.already_held, first.rejected), (2, 3, 0, 1), "{first:?}");
    assert_eq!(first.rejections[0].line, 2);
    let again = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((again.threads, again.messages, again.already_held), (0, 0, 3), "{again:?}");

    let export = write(
        &ws,
        "WhatsApp Chat with Cem.txt",
        "20/11/2026, 09:15 - Messages and calls are end-to-end encrypted.\n\
         20/11/2026, 09:15 - Cem: Hi\n20/11/2026, 09:15 - Cem: Hi\n\
         20/11/2026, 09:16 - Acme Shoes: Hello Cem,\nhow can we help?\n",
    );
    let with = ChatWith {
        phone: Some("+90 532 123 45 67".into()),
        business_name: Some("Acme Shoes".into()),
        utc_offset_minutes: 180,
        ..ChatWith::default()
    };
    let cem = console.chat_import("Acme", &export, &with, &no_cancel()).await.unwrap();
    assert_eq!((cem.threads, cem.messages), (1, 4), "the same words twice in a minute are two messages: {cem:?}");
    let cem_again = console.chat_import("Acme", &export, &with, &no_cancel()).await.unwrap();
    assert_eq!((cem_again.messages, cem_again.already_held), (0, 4));

    let threads = console.chat_list(Some("Acme"), None, Window::ALL).await.unwrap();
    assert_eq!(threads.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Ann Lee", "Cem", "Bo"]);
    let shown = console.chat_show(threads[1].id, Window::ALL).await.unwrap();
    assert_eq!(shown.messages.len(), 4);
    assert_eq!(shown.messages[0].kind, "system");
    assert_eq!(shown.messages[0].sent_at, "2026-11-20T06:15:00Z", "the phone's local time placed at UTC+3");
    assert!(shown.messages[3].from_business);
    assert_eq!(shown.messages[3].body, "Hello Cem,\nhow can we help?");
    let found = console.chat_list(None, Some("ZEBRACORN"), Window::ALL).await.unwrap();
    assert_eq!(found.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Ann Lee"]);
    assert!(console.chat_list(None, Some("unicorn"), Window::ALL).await.unwrap().is_empty());
    let holdings = console.client_holdings("Acme").await.unwrap();
    let held = holdings.held.iter().find(|h| h.kind == DataKind::Conversations).expect("conversations are held");
    assert_eq!(held.count, 3);
}

/// FTS5's own check of the conversations' search index against the messages it reads its text
/// from: what a removal took out of one must be out of the other.
async fn search_index_is_sound(console: &Console) {
    sqlx::query("INSERT INTO chat_words (chat_words, rank) VALUES ('integrity-check', 1)")
        .execute(console.store().pool())
        .await
        .expect("the search index agrees with the messages");
}

#[tokio::test]
async fn a_request_by_phone_finds_exports_and_erases_a_persons_whatsapp_threads_leaving_no_trace_of_their_words() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let file = archive(&ws);
    console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();

    // Asked by the number as the person writes it, nationally: the client's country places it.
    let access = console.new_request(RequestForm::new(RequestKind::Access, phone("07911 123456"))).await.unwrap();
    let found = console.find_for_request(access.id, false).await.unwrap();
    let threads = found.groups.iter().find(|g| g.kind == DataKind::Conversations).expect("her thread is found");
    assert_eq!(threads.records.len(), 1);
    let fields = format!("{:?}", threads.records[0].fields);
    assert!(fields.contains("zebracorn sofa") && fields.contains("still available"), "{fields}");
    assert!(!fields.contains("Guten Tag"), "nobody else's messages: {fields}");
    assert!(found.offered.iter().any(|i| i.kind == IdKind::WaId && i.value == "447911123456"), "{:?}", found.offered);
    let out = ws.path().with_extension("exports");
    std::fs::create_dir_all(&out).unwrap();
    console.export_request(access.id, &out.join("ann.zip"), false).await.unwrap();
    let data = unzip(&out.join("ann.zip")).into_iter().find(|(n, _)| n == "data.json").unwrap().1;
    assert!(String::from_utf8(data).unwrap().contains("zebracorn sofa"));

    // The access request is closed before the erasure, as it would be, so no hold of its own
    // keeps her thread.
    console.close_request(access.id, Outcome::Completed, Some("exported")).await.unwrap();
    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, phone("+447911123456"))).await.unwrap();
    console.find_for_request(erasure.id, false).await.unwrap();
    console.erase_request(erasure.id, true, false).await.unwrap();
    assert!(console.chat_list(None, Some("zebracorn"), Window::ALL).await.unwrap().is_empty());
    let left = console.chat_list(None, None, Window::ALL).await.unwrap();
    assert_eq!(left.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Bo"]);
    search_index_is_sound(&console).await;

    // Importing the archive again does not bring her back.
    let again = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((again.messages, again.erased, again.already_held), (0, 2, 1), "{again:?}");
    drop(console);
    let key = ws.key().await;
    let traces = crate::support::traces(ws.path(), key.expose(), &["zebracorn", "still available", "447911123456"]);
    let traces: Vec<_> = traces.into_iter().filter(|t| !t.contains("hooks.jsonl")).collect();
    assert!(traces.is_empty(), "no trace of her messages: {traces:?}");
}

#[tokio::test]
async fn conversations_are_purged_a_year_after_their_last_message_unless_a_hold_keeps_them() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let file = archive(&ws);
    console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    let hold =
        HoldForm { client: None, identifiers: phone("+49 151 12345678"), reason: "complaint".into(), until: None };
    console.add_hold(hold).await.unwrap();

    let count = |r: &custodian::console::PurgeReport| {
        r.purged.iter().filter(|p| p.kind == DataKind::Conversations).map(|p| p.count).sum::<i64>()
    };
    // Ann's last message is on 21 November 2026, Bo's on the 20th: a year later both are due.
    let before = custodian::clock::from_unix(NOV_20 + 365 * 86_400 - 60).unwrap();
    assert_eq!(count(&console.purge_preview(before).await.unwrap()), 0);
    let after = custodian::clock::from_unix(NOV_21 + 366 * 86_400).unwrap();
    assert!(after > *TEST_NOW);
    assert_eq!(count(&console.purge_preview(after).await.unwrap()), 1, "Bo is held");
    ws.clock.set(after);
    assert_eq!(count(&console.purge(after).await.unwrap()), 1);
    let left = console.chat_list(None, None, Window::ALL).await.unwrap();
    assert_eq!(left.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Bo"]);
    search_index_is_sound(&console).await;
    drop(console);
    let key = ws.key().await;
    let traces = crate::support::traces(ws.path(), key.expose(), &["zebracorn", "still available"]);
    let traces: Vec<_> = traces.into_iter().filter(|t| !t.contains("hooks.jsonl")).collect();
    assert!(traces.is_empty(), "no trace of the purged thread: {traces:?}");
}

#[tokio::test]
async fn the_cli_imports_lists_searches_and_shows_threads() {
    let ws = Workspace::new();
    acme(&ws).await.close().await;
    let file = archive(&ws);
    let imported = ws.cli(&["chat", "import", "--client", "Acme", file.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", crate::support::stderr(&imported));
    assert!(stdout(&imported).contains("new messages      3"), "{}", stdout(&imported));
    assert!(stdout(&imported).contains("line 2: not JSON"), "{}", stdout(&imported));

    let listed = ws.cli(&["chat", "list", "--search", "sofa", "--json"]);
    let threads: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(threads.as_array().unwrap().len(), 1);
    assert_eq!(threads[0]["title"], "Ann Lee");
    let id = threads[0]["id"].as_i64().unwrap().to_string();
    let shown = ws.cli(&["chat", "show", &id]);
    assert!(stdout(&shown).contains("Ann Lee: Hello, about the zebracorn sofa"), "{}", stdout(&shown));

    // Both read a page at a time, and say where the next begins.
    let first = stdout(&ws.cli(&["chat", "list", "--limit", "1"]));
    assert!(first.contains("Ann Lee") && !first.contains("Bo"), "{first}");
    assert!(first.contains("More may follow: --offset 1"), "{first}");
    let second = stdout(&ws.cli(&["chat", "list", "--limit", "1", "--offset", "1"]));
    assert!(second.contains("Bo") && !second.contains("Ann Lee"), "{second}");
    let past = stdout(&ws.cli(&["chat", "list", "--offset", "2"]));
    assert!(past.contains("No more conversations after the first 2"), "{past}");
    let one = stdout(&ws.cli(&["chat", "show", &id, "--limit", "1"]));
    assert!(one.contains("zebracorn") && !one.contains("still available"), "{one}");
    assert!(one.contains("Messages 1–1 of 2.") && one.contains("More follow: --offset 1"), "{one}");
    let rest = stdout(&ws.cli(&["chat", "show", &id, "--offset", "1"]));
    assert!(rest.contains("still available") && !rest.contains("zebracorn"), "{rest}");
    assert!(rest.contains("Messages 2–2 of 2.") && !rest.contains("More follow"), "{rest}");
    // An offset past any end shows nothing and says so; a page of none is refused.
    let far = ws.cli(&["chat", "show", &id, "--offset", "18446744073709551615"]);
    assert!(far.status.success(), "{}", crate::support::stderr(&far));
    assert!(
        stdout(&far).contains("The thread has 2 messages: none after the first 9223372036854775807."),
        "{}",
        stdout(&far)
    );
    let none = ws.cli(&["chat", "list", "--limit", "0"]);
    assert!(!none.status.success() && crate::support::stderr(&none).contains("--limit"), "{}", stdout(&none));
    let missing = ws.cli(&["chat", "show", "999"]);
    assert!(!missing.status.success());
    assert!(crate::support::stderr(&missing).contains("No conversation has id 999"));
    let bad_offset = ws.cli(&["chat", "import", "--client", "Acme", file.to_str().unwrap(), "--utc-offset", "3"]);
    assert!(crate::support::stderr(&bad_offset).contains("±HH:MM"), "{}", crate::support::stderr(&bad_offset));
}

#[tokio::test]
async fn a_request_by_a_leads_email_reaches_the_persons_whatsapp_thread_through_the_leads_phone() {
    let ws = Workspace::new();
    // Ann Lee's lead holds her email and +447911123456, the number she writes from on WhatsApp.
    let console = crate::crm_push::holding_leads(&ws, &[]).await;
    let file = archive(&ws);
    console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    let email = vec![Identifier { kind: IdKind::Email, value: "ann.lee@example.com".into() }];

    let rectification = console.new_request(RequestForm::new(RequestKind::Rectification, email.clone())).await.unwrap();
    let found = console.find_for_request(rectification.id, true).await.unwrap();
    let kinds: Vec<DataKind> = found.groups.iter().map(|g| g.kind).collect();
    assert!(kinds.contains(&DataKind::Leads) && kinds.contains(&DataKind::Conversations), "{kinds:?}");
    let fixed = console.rectify_request(rectification.id, "full_name", "Ann Leigh").await.unwrap();
    assert_eq!(fixed.changed.iter().map(|c| c.kind).collect::<Vec<_>>(), [DataKind::Leads]);
    assert!(fixed.not_corrected.iter().any(|why| why.contains("a message is a record of what was said")));
    let shown = console.chat_list(None, Some("zebracorn"), Window::ALL).await.unwrap();
    assert_eq!(shown[0].title, "Ann Lee", "the thread is as it was said");
    // A correction asked only of what cannot be corrected says why.
    let wa = vec![Identifier { kind: IdKind::WaId, value: "4915112345678".into() }];
    let bo = console.new_request(RequestForm::new(RequestKind::Rectification, wa)).await.unwrap();
    console.find_for_request(bo.id, false).await.unwrap();
    let refused = console.rectify_request(bo.id, "author", "Bob").await.unwrap_err();
    assert!(refused.to_string().contains("Conversations are not corrected"), "{refused}");

    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, email)).await.unwrap();
    console.find_for_request(erasure.id, true).await.unwrap();
    let erased = console.erase_request(erasure.id, true, false).await.unwrap();
    let deleted: Vec<DataKind> = erased.receipt.deleted.iter().map(|d| d.kind).collect();
    assert!(deleted.contains(&DataKind::Leads) && deleted.contains(&DataKind::Conversations), "{deleted:?}");
    assert_eq!(erased.receipt.beyond_reach.len(), 1);
    assert!(erased.receipt.beyond_reach[0].contains("https://www.facebook.com/help/contact/507739850846588"));
    assert!(console.chat_list(None, Some("zebracorn"), Window::ALL).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_erasure_by_a_leads_email_not_widened_takes_the_thread_that_only_the_leads_phone_finds() {
    let ws = Workspace::new();
    // Ann Lee's lead holds her email and +447911123456, the number she writes from on WhatsApp.
    let console = crate::crm_push::holding_leads(&ws, &[]).await;
    console.chat_import("Acme", &archive(&ws), &ChatWith::default(), &no_cancel()).await.unwrap();
    let email = vec![Identifier { kind: IdKind::Email, value: "ann.lee@example.com".into() }];
    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, email)).await.unwrap();
    let found = console.find_for_request(erasure.id, false).await.unwrap();
    assert!(!found.groups.iter().any(|g| g.kind == DataKind::Conversations), "the email alone names no thread");

    let preview = console.erase_preview(erasure.id).await.unwrap();
    assert!(preview.deletes.iter().any(|d| d.kind == DataKind::Conversations), "{preview:?}");
    let erased = console.erase_request(erasure.id, true, false).await.unwrap();
    let deleted: Vec<DataKind> = erased.receipt.deleted.iter().map(|d| d.kind).collect();
    assert!(deleted.contains(&DataKind::Conversations), "{deleted:?}");
    assert!(console.chat_list(None, Some("zebracorn"), Window::ALL).await.unwrap().is_empty());
    let left: Vec<String> =
        console.chat_list(None, None, Window::ALL).await.unwrap().into_iter().map(|t| t.title).collect();
    assert_eq!(left, ["Bo"], "nobody else's thread goes");
}

/// Acme's Page p1 on Meta, with a Messenger thread of three messages from psid-41 and an
/// Instagram thread of one from igsid-7, listed a thread and two messages a page.
async fn acme_with_page_threads(ws: &Workspace, sim: &crate::graph_sim::GraphSim) -> Console {
    use serde_json::json;
    const TOKEN: &str = "EAAGsystemuserchats0123456789abcdefABCDEF";
    sim.page("p1", "Acme Shoes", "EAAGpagetokenchats1acme");
    sim.page_size(2);
    let said = |id: &str, at: &str, from: (&str, &str), text: &str| {
        json!({"id": id, "created_time": at, "from": {"id": from.0, "name": from.1},
            "to": {"data": [{"id": "p1", "name": "Acme Shoes"}]}, "message": text})
    };
    let ann = ("psid-41", "Ann Lee");
    let shop = ("p1", "Acme Shoes");
    sim.conversation(
        "p1",
        "messenger",
        json!({"id": "t_ann", "updated_time": "2026-11-20T10:02:00+0000", "participants": {"data": [
            {"id": "psid-41", "name": "Ann Lee"}, {"id": "p1", "name": "Acme Shoes"}]}}),
        vec![
            said("m_1", "2026-11-20T10:00:00+0000", ann, "Do you ship the quokka boots?"),
            said("m_2", "2026-11-20T10:01:00+0000", shop, "We do, to the UK"),
            said("m_3", "2026-11-20T10:02:00+0000", ann, "Lovely"),
        ],
    );
    // On Instagram the business is the Page's Instagram account, named by its username.
    sim.instagram_account("p1", "17841400000000041", "acmeshoes");
    let on_instagram = |id: &str, at: &str, from: (&str, &str), text: &str| json!({"id": id, "created_time": at, "from": {"id": from.0, "username": from.1}, "message": text});
    sim.conversation(
        "p1",
        "instagram",
        json!({"id": "t_ig", "updated_time": "2026-11-21T09:05:00+0000", "participants": {"data": [
            {"id": "igsid-7", "username": "bo.ig"}, {"id": "17841400000000041", "username": "acmeshoes"}]}}),
        vec![
            on_instagram("m_ig", "2026-11-21T09:00:00+0000", ("igsid-7", "bo.ig"), "price?"),
            on_instagram("m_ig2", "2026-11-21T09:05:00+0000", ("17841400000000041", "acmeshoes"), "£40"),
        ],
    );
    let console = crate::support::acme_on_meta(ws, sim, TOKEN).await;
    console.refresh_meta_pages().await.unwrap();
    console.assign_meta_page("p1", Some("Acme")).await.unwrap();
    console
}

#[tokio::test]
async fn a_sync_stores_each_pages_threads_once_reads_only_what_is_new_and_a_failure_moves_no_mark() {
    use crate::graph_sim::{Fault, GraphSim};
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    let console = acme_with_page_threads(&ws, &sim).await;

    // Meta refuses the first listing (Messenger): Instagram is read all the same.
    sim.fault_at(sim.calls().len() + 1, Fault::Permission);
    let first = console.chat_sync(None, &no_cancel()).await.unwrap();
    let by = |r: &custodian::console::ChatSyncReport, channel: &str| {
        r.pages.iter().find(|p| p.channel.as_str() == channel).cloned().unwrap()
    };
    assert!(by(&first, "messenger").problem.is_some(), "{first:?}");
    assert_eq!(by(&first, "instagram").messages, 2);
    assert!(first.failed());

    let second = console.chat_sync(Some("Acme"), &no_cancel()).await.unwrap();
    assert!(!second.failed(), "{second:?}");
    let messenger = by(&second, "messenger");
    assert_eq!((messenger.threads, messenger.messages), (1, 3));
    assert_eq!(by(&second, "instagram").messages, 0, "nothing twice");
    let threads = console.chat_list(Some("Acme"), None, Window::ALL).await.unwrap();
    let ann = threads.iter().find(|t| t.title == "Ann Lee").unwrap();
    let shown = console.chat_show(ann.id, Window::ALL).await.unwrap();
    let said: Vec<(bool, &str)> = shown.messages.iter().map(|m| (m.from_business, m.body.as_str())).collect();
    assert_eq!(said, [(false, "Do you ship the quokka boots?"), (true, "We do, to the UK"), (false, "Lovely")]);
    let bo = threads.iter().find(|t| t.channel.as_str() == "instagram").unwrap();
    assert_eq!(bo.title, "bo.ig", "the business's account is not whom the thread is with");
    let shown = console.chat_show(bo.id, Window::ALL).await.unwrap();
    let ids: Vec<&str> = shown.participants.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["igsid-7"]);
    let said: Vec<(bool, &str)> = shown.messages.iter().map(|m| (m.from_business, m.body.as_str())).collect();
    assert_eq!(said, [(false, "price?"), (true, "£40")]);

    // A new message: only it is read, and only the thread it is in.
    let calls = sim.calls().len();
    sim.conversation(
        "p1",
        "messenger",
        serde_json::json!({"id": "t_ann", "updated_time": "2026-11-22T08:00:00+0000", "participants": {"data": [
            {"id": "psid-41", "name": "Ann Lee"}, {"id": "p1", "name": "Acme Shoes"}]}}),
        vec![
            serde_json::json!({"id": "m_4", "created_time": "2026-11-22T08:00:00+0000",
                "from": {"id": "psid-41", "name": "Ann Lee"}, "message": "Ordered!"}),
            serde_json::json!({"id": "m_3", "created_time": "2026-11-20T10:02:00+0000",
                "from": {"id": "psid-41", "name": "Ann Lee"}, "message": "Lovely"}),
        ],
    );
    let third = console.chat_sync(None, &no_cancel()).await.unwrap();
    assert_eq!((by(&third, "messenger").messages, by(&third, "messenger").already_held), (1, 1), "{third:?}");
    let asked = &sim.calls()[calls..];
    assert!(
        asked.len() <= 5,
        "the Page's Instagram account, a listing per platform and one thread's messages: {asked:?}"
    );

    // A request by the Page-scoped id finds the thread, and its erasure removes it.
    let psid = vec![Identifier { kind: IdKind::Psid, value: "psid-41".into() }];
    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, psid)).await.unwrap();
    let found = console.find_for_request(erasure.id, false).await.unwrap();
    assert!(found.groups.iter().any(|g| g.kind == DataKind::Conversations));
    console.erase_request(erasure.id, true, false).await.unwrap();
    assert!(console.chat_list(None, Some("quokka"), Window::ALL).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_page_with_no_instagram_account_has_its_messenger_threads_read_and_no_instagram_listing_asked_for() {
    use crate::graph_sim::GraphSim;
    use serde_json::json;
    let (ws, sim) = (Workspace::new(), GraphSim::start());
    sim.page("p2", "Acme Outlet", "EAAGpagetokenchats2outlet");
    sim.conversation(
        "p2",
        "messenger",
        json!({"id": "t_cy", "updated_time": "2026-11-20T10:00:00+0000", "participants": {"data": [
            {"id": "psid-51", "name": "Cy Ng"}, {"id": "p2", "name": "Acme Outlet"}]}}),
        vec![json!({"id": "m_cy", "created_time": "2026-11-20T10:00:00+0000",
            "from": {"id": "psid-51", "name": "Cy Ng"}, "message": "Open on Sunday?"})],
    );
    let console = crate::support::acme_on_meta(&ws, &sim, "EAAGsystemuserchats0123456789abcdefABCDEF").await;
    console.refresh_meta_pages().await.unwrap();
    console.assign_meta_page("p2", Some("Acme")).await.unwrap();

    let report = console.chat_sync(None, &no_cancel()).await.unwrap();
    assert!(!report.failed(), "{report:?}");
    let read: Vec<(&str, u64)> = report.pages.iter().map(|p| (p.channel.as_str(), p.messages)).collect();
    assert_eq!(read, [("messenger", 1)]);
    let asked = sim.calls();
    assert!(asked.iter().any(|c| c.path.ends_with("/p2") && c.query["fields"].contains("instagram_business_account")));
    assert!(!asked.iter().any(|c| c.query.get("platform").is_some_and(|p| p == "instagram")), "{asked:?}");
}

#[tokio::test]
async fn erasing_one_member_of_a_group_chat_neither_reaches_nor_suppresses_the_others() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let group = write(
        &ws,
        "WhatsApp Chat with Shoe club.txt",
        "20/11/2026, 09:15 - +44 7911 123456: Anyone tried the quokka boots?\n\
         20/11/2026, 09:16 - +49 151 12345678: Yes, lovely\n",
    );
    console.chat_import("Acme", &group, &ChatWith::default(), &no_cancel()).await.unwrap();
    let bo = console.chat_import("Acme", &archive(&ws), &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!(bo.threads, 2);

    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, phone("+44 7911 123456"))).await.unwrap();
    let found = console.find_for_request(erasure.id, true).await.unwrap();
    assert!(
        !found.offered.iter().chain(&found.searched).any(|i| i.value.contains("151")),
        "the other member is not searched for: {:?} {:?}",
        found.offered,
        found.searched
    );
    console.erase_request(erasure.id, true, false).await.unwrap();
    let suppressed = console.suppressions().await.unwrap().len();
    // The person's phone, as E.164 and its national digits, and the WhatsApp id her number is:
    // nothing of the other member.
    let again = console.chat_import("Acme", &archive(&ws), &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!(again.erased, 2, "Ann's two messages stay erased: {again:?}");
    let left = console.chat_list(None, None, Window::ALL).await.unwrap();
    assert_eq!(left.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Bo"], "Bo's own thread stays");
    let bo_request =
        console.new_request(RequestForm::new(RequestKind::Access, phone("+49 151 12345678"))).await.unwrap();
    let bo_found = console.find_for_request(bo_request.id, false).await.unwrap();
    assert!(bo_found.groups.iter().any(|g| g.kind == DataKind::Conversations));
    assert!(suppressed > 0);
}

#[tokio::test]
async fn an_export_re_imported_after_its_person_was_erased_stores_nothing_not_even_what_comes_before_them() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    console.chat_import("Acme", &archive(&ws), &ChatWith::default(), &no_cancel()).await.unwrap();
    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, phone("+447911123456"))).await.unwrap();
    console.find_for_request(erasure.id, false).await.unwrap();
    console.erase_request(erasure.id, true, false).await.unwrap();

    // Named by her number, with WhatsApp's own line before her first message.
    let export = write(
        &ws,
        "WhatsApp Chat with +44 7911 123456.txt",
        "20/11/2026, 09:15 - Messages and calls are end-to-end encrypted.\n\
         20/11/2026, 09:15 - +44 7911 123456: the wombat question again\n",
    );
    let imported = console.chat_import("Acme", &export, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((imported.messages, imported.threads, imported.erased), (0, 0, 2), "{imported:?}");
    assert_eq!(
        console.chat_list(None, None, Window::ALL).await.unwrap().iter().map(|t| t.title.as_str()).collect::<Vec<_>>(),
        ["Bo"]
    );
    search_index_is_sound(&console).await;
    drop(console);
    let key = ws.key().await;
    let traces = crate::support::traces(ws.path(), key.expose(), &["wombat", "7911 123456", "calls are end-to-end"]);
    let traces: Vec<_> = traces.into_iter().filter(|t| !t.contains(".files/")).collect();
    assert!(traces.is_empty(), "{traces:?}");
}

#[tokio::test]
async fn an_export_named_by_phone_or_whatsapp_id_is_one_thread_and_a_later_user_id_finds_it_too() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let export = write(&ws, "WhatsApp Chat with Ann Lee.txt", "20/11/2026, 09:15 - Ann Lee: Hi\n");
    let by_phone = ChatWith { phone: Some("+44 7911 123456".into()), ..ChatWith::default() };
    let by_wa_id = ChatWith { wa_id: Some("447911123456".into()), ..ChatWith::default() };
    console.chat_import("Acme", &export, &by_phone, &no_cancel()).await.unwrap();
    let again = console.chat_import("Acme", &export, &by_wa_id, &no_cancel()).await.unwrap();
    assert_eq!((again.threads, again.messages, again.already_held), (0, 0, 1), "{again:?}");
    // A WhatsApp id written as a number is the same id.
    let written = vec![Identifier { kind: IdKind::WaId, value: "+44 7911 123456".into() }];
    let request = console.new_request(RequestForm::new(RequestKind::Access, written)).await.unwrap();
    let found = console.find_for_request(request.id, false).await.unwrap();
    assert!(found.groups.iter().any(|g| g.kind == DataKind::Conversations), "{found:?}");

    // A person first seen by WhatsApp id, later also by their business-scoped user id.
    let first = payload("wamid.C1", "4915100000001", "Cy", NOV_20, "first");
    let later: serde_json::Value =
        serde_json::from_str(&payload("wamid.C2", "4915100000001", "Cy", NOV_21, "later")).unwrap();
    let mut later = later;
    later["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"] = "US.777".into();
    let file = write(&ws, "cy.jsonl", &format!("{first}\n{later}\n"));
    console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    let by_user_id = vec![Identifier { kind: IdKind::WaId, value: "US.777".into() }];
    let request = console.new_request(RequestForm::new(RequestKind::Access, by_user_id)).await.unwrap();
    let found = console.find_for_request(request.id, false).await.unwrap();
    let threads = found.groups.iter().find(|g| g.kind == DataKind::Conversations).expect("found by the user id");
    assert_eq!(threads.records.len(), 1);
    assert!(format!("{:?}", threads.records[0].fields).contains("first"));
}

#[tokio::test]
async fn the_hour_a_clock_goes_back_keeps_both_its_messages_and_importing_again_adds_neither() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    // The UK's clocks went back at 02:00 on 25 October 2026: 01:30 came twice, an hour apart.
    let export = write(
        &ws,
        "WhatsApp Chat with Ann Lee.txt",
        "25/10/2026, 01:30 - Ann Lee: ok
25/10/2026, 01:45 - Acme Shoes: Shall we call?
25/10/2026, 01:05 - Acme Shoes: Calling now
25/10/2026, 01:30 - Ann Lee: ok
",
    );
    let with = ChatWith { business_name: Some("Acme Shoes".into()), ..ChatWith::default() };
    let first = console.chat_import("Acme", &export, &with, &no_cancel()).await.unwrap();
    assert_eq!((first.messages, first.already_held), (4, 0), "{first:?}");
    let again = console.chat_import("Acme", &export, &with, &no_cancel()).await.unwrap();
    assert_eq!((again.messages, again.already_held), (0, 4), "{again:?}");
}

#[tokio::test]
async fn a_cancelled_import_stores_nothing_more_and_importing_again_completes_it() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let file = archive(&ws);
    let cancelled = console.chat_import("Acme", &file, &ChatWith::default(), &AtomicBool::new(true)).await.unwrap();
    assert!(cancelled.cancelled, "{cancelled:?}");
    assert_eq!(cancelled.messages, 0);
    let again = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((again.messages, again.threads, again.cancelled), (3, 2, false), "{again:?}");
}

#[tokio::test]
async fn an_import_of_more_people_than_it_keeps_in_mind_stores_each_thread_once_with_every_id_and_its_span() {
    use custodian::chat::threads::ThreadCache;
    let ws = Workspace::new();
    let console = acme(&ws).await;
    // Everyone writes twice by WhatsApp id, then everyone again, with a business-scoped user id,
    // about something a day earlier: by the second round the first people have been forgotten by
    // the import (what it knew of them written first) and are read back.
    let people = ThreadCache::HELD as i64 + 300;
    let wa_id = |n: i64| format!("4479{n:08}");
    let mut lines = String::new();
    for n in 0..people {
        for (round, at, text) in [("a", NOV_21 + n, "first"), ("b", NOV_21 + n + 1_000, "second")] {
            lines += &payload(&format!("wamid.{round}{n}"), &wa_id(n), &format!("P{n}"), at, text);
            lines.push('\n');
        }
    }
    for n in 0..people {
        let mut later: serde_json::Value =
            serde_json::from_str(&payload(&format!("wamid.c{n}"), &wa_id(n), &format!("P{n}"), NOV_20 + n, "earlier"))
                .unwrap();
        later["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"] = format!("US.{n}").into();
        lines += &later.to_string();
        lines.push('\n');
    }
    let file = write(&ws, "many.jsonl", &lines);
    let first = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    let total = people as u64;
    assert_eq!((first.threads, first.messages, first.already_held), (total, 3 * total, 0), "{first:?}");
    let again = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((again.threads, again.messages, again.already_held), (0, 0, 3 * total), "{again:?}");

    // The first person and the last before the import began forgetting, each read back, are
    // found by the id they gave only later, in one thread spanning all three of their messages.
    for n in [0, ThreadCache::HELD - 1] {
        let by_user_id = vec![Identifier { kind: IdKind::WaId, value: format!("US.{n}") }];
        let request = console.new_request(RequestForm::new(RequestKind::Access, by_user_id)).await.unwrap();
        let found = console.find_for_request(request.id, false).await.unwrap();
        let threads = found.groups.iter().find(|g| g.kind == DataKind::Conversations).expect("found by the user id");
        assert_eq!(threads.records.len(), 1);
        let shown = console.chat_show(threads.records[0].id.parse().unwrap(), Window::ALL).await.unwrap();
        let bodies: Vec<&str> = shown.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["earlier", "first", "second"], "person {n}");
        assert_eq!(
            (shown.summary.first_at.as_str(), shown.summary.last_at.as_str(), shown.summary.messages),
            (shown.messages[0].sent_at.as_str(), shown.messages[2].sent_at.as_str(), 3),
            "person {n}"
        );
    }
}

/// A payload of one message from a person WhatsApp names only by their business-scoped user id.
fn payload_by_user_id(id: &str, user_id: &str, at: i64, text: &str) -> String {
    serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001", "phone_number_id": "15550001"},
            "contacts": [{"profile": {"name": "Dee"}, "user_id": user_id}],
            "messages": [{"from_user_id": user_id, "id": id, "timestamp": at.to_string(), "type": "text", "text": {"body": text}}]}}]}]})
    .to_string()
}

#[tokio::test]
async fn a_person_named_by_user_id_in_one_archive_and_by_wa_id_beside_it_in_a_later_one_is_one_thread_erased_whole() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let first =
        write(&ws, "early.jsonl", &(payload_by_user_id("wamid.D1", "US.4242", NOV_20, "quokka early words") + "\n"));
    let mut both: serde_json::Value =
        serde_json::from_str(&payload("wamid.D2", "447700900123", "Dee", NOV_21, "quokka later words")).unwrap();
    both["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"] = "US.4242".into();
    let later = write(&ws, "later.jsonl", &format!("{both}\n"));
    console.chat_import("Acme", &first, &ChatWith::default(), &no_cancel()).await.unwrap();
    let second = console.chat_import("Acme", &later, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((second.threads, second.messages), (0, 1), "the later archive finds her thread: {second:?}");
    let threads = console.chat_list(None, None, Window::ALL).await.unwrap();
    assert_eq!(threads.iter().map(|t| t.messages).collect::<Vec<_>>(), [2]);

    // Her phone number, which the first archive never gave, now finds what it said too; erasing by
    // it leaves nothing of either.
    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, phone("+44 7700 900123"))).await.unwrap();
    let found = console.find_for_request(erasure.id, false).await.unwrap();
    let held = found.groups.iter().find(|g| g.kind == DataKind::Conversations).expect("her thread");
    assert!(format!("{:?}", held.records).contains("quokka early words"));
    console.erase_request(erasure.id, true, false).await.unwrap();
    assert!(console.chat_list(None, None, Window::ALL).await.unwrap().is_empty());
    search_index_is_sound(&console).await;
    // Neither archive brings her back, whichever id it names her by.
    for file in [&first, &later] {
        let again = console.chat_import("Acme", file, &ChatWith::default(), &no_cancel()).await.unwrap();
        assert_eq!((again.messages, again.threads), (0, 0), "{again:?}");
    }
}

#[tokio::test]
async fn a_person_named_by_number_and_user_id_and_later_by_user_id_alone_is_one_thread() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let mut both: serde_json::Value =
        serde_json::from_str(&payload("wamid.E1", "447700900124", "Eve", NOV_20, "first words")).unwrap();
    both["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"] = "US.5151".into();
    let early = write(&ws, "early.jsonl", &format!("{both}\n"));
    // The later archive names her by user id alone, twice over, in a file of other people.
    let later = [
        payload_by_user_id("wamid.E2", "US.5151", NOV_21, "later words"),
        payload("wamid.F1", "4915100000002", "Fay", NOV_21, "someone else"),
        payload_by_user_id("wamid.E3", "US.5151", NOV_21 + 60, "more words"),
    ];
    let later = write(&ws, "later.jsonl", &(later.join("\n") + "\n"));
    console.chat_import("Acme", &early, &ChatWith::default(), &no_cancel()).await.unwrap();
    let second = console.chat_import("Acme", &later, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((second.threads, second.messages), (1, 3), "only Fay's thread is new: {second:?}");
    let threads = console.chat_list(None, None, Window::ALL).await.unwrap();
    let mut counts: Vec<(String, i64)> = threads.iter().map(|t| (t.title.clone(), t.messages)).collect();
    counts.sort();
    assert_eq!(counts, [("Eve".to_owned(), 3), ("Fay".to_owned(), 1)]);
    let again = console.chat_import("Acme", &later, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((again.threads, again.messages, again.already_held), (0, 0, 3), "{again:?}");

    // Named by user id alone and then by number alone in one archive, and then by her number
    // beside an erased person's user id: every name is the one thread, which goes with the
    // erased person, and nothing of hers is stored after.
    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, phone("+44 7700 900999"))).await.unwrap();
    console.erase_request(erasure.id, true, true).await.unwrap();
    let mut linked: serde_json::Value =
        serde_json::from_str(&payload("wamid.E6", "447700900999", "Eve", NOV_21 + 300, "linking words")).unwrap();
    linked["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"] = "US.5151".into();
    let mixed = [
        payload_by_user_id("wamid.E4", "US.5151", NOV_21 + 120, "by user id"),
        payload("wamid.E5", "447700900124", "Eve", NOV_21 + 180, "by number"),
        linked.to_string(),
        payload("wamid.E7", "447700900124", "Eve", NOV_21 + 360, "after the link"),
    ];
    let mixed = write(&ws, "mixed.jsonl", &(mixed.join("\n") + "\n"));
    let third = console.chat_import("Acme", &mixed, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!(third.threads, 0, "{third:?}");
    let titles: Vec<String> =
        console.chat_list(None, None, Window::ALL).await.unwrap().into_iter().map(|t| t.title).collect();
    assert_eq!(titles, ["Fay"], "her thread went with the erased number it was linked to");
    let orphans: i64 =
        sqlx::query_scalar("SELECT count(*) FROM chat_messages WHERE thread_id NOT IN (SELECT id FROM chat_threads)")
            .fetch_one(console.store().pool())
            .await
            .unwrap();
    assert_eq!(orphans, 0, "no message was stored in the thread that went");
    search_index_is_sound(&console).await;
}

const UNSETTLED: &str = "02/03/2026, 9:00 AM - Ann Lee: Hello, about the order\n\
                         05/03/2026, 10:00 AM - Ann Lee: Any news?\n";

#[tokio::test]
async fn an_export_whose_dates_read_either_way_is_refused_until_its_order_is_given_and_a_later_export_adds_only_what_is_new(
) {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let first = write(&ws, "WhatsApp Chat with Ann Lee.txt", UNSETTLED);
    let refused = console.chat_import("Acme", &first, &ChatWith::default(), &no_cancel()).await.unwrap_err();
    assert_eq!(refused.code(), custodian::console::Code::DateOrder, "{refused}");
    assert!(console.chat_list(None, None, Window::ALL).await.unwrap().is_empty(), "nothing was imported");

    let day_first =
        ChatWith { date_order: Some(custodian::chat::whatsapp_export::DateOrder::DayFirst), ..ChatWith::default() };
    let imported = console.chat_import("Acme", &first, &day_first, &no_cancel()).await.unwrap();
    assert_eq!(imported.messages, 2);
    let thread = &console.chat_list(None, None, Window::ALL).await.unwrap()[0];
    assert_eq!((thread.first_at.as_str(), thread.last_at.as_str()), ("2026-03-02T09:00:00Z", "2026-03-05T10:00:00Z"));

    // The later export reaches the 13th, which settles the order by itself: the two it shares
    // are the same messages.
    let later = write(
        &ws,
        "WhatsApp Chat with Ann Lee (1).txt",
        &format!("{UNSETTLED}13/03/2026, 8:05 AM - Ann Lee: Hello again\n"),
    );
    let again = console.chat_import("Acme", &later, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((again.threads, again.messages, again.already_held), (0, 1, 2), "{again:?}");

    // An order its dates refuse is refused, and says where.
    let month_first =
        ChatWith { date_order: Some(custodian::chat::whatsapp_export::DateOrder::MonthFirst), ..ChatWith::default() };
    let refused = console.chat_import("Acme", &later, &month_first, &no_cancel()).await.unwrap_err();
    assert!(refused.to_string().contains("line 3"), "{refused}");
}

#[tokio::test]
async fn the_same_chat_exported_with_its_media_as_a_second_copy_adds_nothing() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let without = write(
        &ws,
        "WhatsApp Chat with Ann Lee.txt",
        "20/11/2026, 09:15 - Ann Lee: Here is the photo\n\
         20/11/2026, 09:16 - Ann Lee: <Media omitted>\n\
         20/11/2026, 09:16 - Ann Lee: <Media omitted>\n\
         20/11/2026, 09:17 - Acme Shoes: <Media omitted>\n",
    );
    let with_media = write(
        &ws,
        "WhatsApp Chat with Ann Lee (2).txt",
        "20/11/2026, 09:15 - Ann Lee: Here is the photo\n\
         20/11/2026, 09:16 - Ann Lee: IMG-20261120-WA0001.jpg (file attached)\n\
         20/11/2026, 09:16 - Ann Lee: IMG-20261120-WA0002.jpg (file attached)\n\
         20/11/2026, 09:17 - Acme Shoes: Catalogue.pdf (file attached)\n\
         20/11/2026, 09:18 - Ann Lee: Thanks\n",
    );
    let business = ChatWith { business_name: Some("Acme Shoes".into()), ..ChatWith::default() };
    let first = console.chat_import("Acme", &without, &business, &no_cancel()).await.unwrap();
    assert_eq!((first.threads, first.messages), (1, 4), "{first:?}");
    let second = console.chat_import("Acme", &with_media, &business, &no_cancel()).await.unwrap();
    assert_eq!((second.threads, second.messages, second.already_held), (0, 1, 4), "{second:?}");
    // And the other way round: the copy with media first, then the one without.
    let other = Workspace::new();
    let console = acme(&other).await;
    console.chat_import("Acme", &with_media, &business, &no_cancel()).await.unwrap();
    let second = console.chat_import("Acme", &without, &business, &no_cancel()).await.unwrap();
    assert_eq!((second.threads, second.messages, second.already_held), (0, 0, 4), "{second:?}");
    let thread = &console.chat_list(None, None, Window::ALL).await.unwrap()[0];
    let shown = console.chat_show(thread.id, Window::ALL).await.unwrap();
    let kinds: Vec<&str> = shown.messages.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds, ["text", "media", "media", "media", "text"]);
}

#[tokio::test]
async fn an_export_imported_again_at_another_utc_offset_is_refused_and_names_the_offset_it_was_read_at() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let export = write(
        &ws,
        "WhatsApp Chat with Ann Lee.txt",
        "20/11/2026, 09:15 - Ann Lee: Hello\n20/11/2026, 09:16 - Ann Lee: About the sofa\n21/11/2026, 10:00 - Ann Lee: Thanks\n\
         21/11/2026, 11:00 - Ann Lee: ok\n21/11/2026, 12:00 - Ann Lee: ok\n",
    );
    // The same "ok" an hour apart: read an hour off, one of them is held at its own time, which
    // outvotes nothing.
    let at = |minutes| ChatWith { utc_offset_minutes: minutes, ..ChatWith::default() };
    console.chat_import("Acme", &export, &at(60), &no_cancel()).await.unwrap();
    let refused = console.chat_import("Acme", &export, &at(120), &no_cancel()).await.unwrap_err();
    assert_eq!(refused.code(), custodian::console::Code::Conflict, "{refused}");
    let says = refused.to_string();
    assert!(says.contains("UTC+01:00") && says.contains("UTC+02:00") && says.contains("1 h apart"), "{says}");
    let thread = &console.chat_list(None, None, Window::ALL).await.unwrap()[0];
    assert_eq!(thread.messages, 5, "nothing was added");
    // At the offset it was read at, it is held already; a later export from a phone that moved
    // on an hour, read at its new offset, is the same messages.
    let again = console.chat_import("Acme", &export, &at(60), &no_cancel()).await.unwrap();
    assert_eq!((again.messages, again.already_held), (0, 5), "{again:?}");
    let moved = write(
        &ws,
        "WhatsApp Chat with Ann Lee (1).txt",
        "20/11/2026, 10:15 - Ann Lee: Hello\n20/11/2026, 10:16 - Ann Lee: About the sofa\n21/11/2026, 11:00 - Ann Lee: Thanks\n\
         21/11/2026, 12:00 - Ann Lee: ok\n21/11/2026, 13:00 - Ann Lee: ok\n",
    );
    let moved = console.chat_import("Acme", &moved, &at(120), &no_cancel()).await.unwrap();
    assert_eq!((moved.threads, moved.messages, moved.already_held), (0, 0, 5), "{moved:?}");
}
