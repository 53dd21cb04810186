//! The breach register: each breach recorded with its 72 hours to tell the supervisory authority,
//! where it stands as they run out, who was told when and why late, on the audit trail, and kept
//! once closed.

use custodian::breaches::deadline::Standing;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use custodian::breaches::{Audience, DetailsChange};
use custodian::console::{BreachForm, Code, Console, RequestForm};
use custodian::personal_data::DataKind;
use custodian::requests::{IdKind, Identifier, RequestKind};

use crate::support::{at, stdout, Workspace};

async fn acme(ws: &Workspace) -> Console {
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    console
}

fn leaked(aware_at: &str) -> BreachForm {
    BreachForm {
        aware_at: aware_at.into(),
        summary: "A lead export was emailed to the wrong client".into(),
        clients: vec!["Acme".into()],
        kinds: vec![DataKind::Leads],
        since: Some("2026-11-01".into()),
        until: Some("2026-11-15".into()),
        identifiers: None,
    }
}

#[tokio::test]
async fn a_breach_counts_its_72_hours_from_awareness_and_stands_near_then_passed_until_the_authority_is_told() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-11-20T12:00:00Z"));
    let console = acme(&ws).await;
    let breach = console.add_breach(leaked("2026-11-20T10:30+01:00")).await.unwrap();
    assert_eq!(breach.aware_at, "2026-11-20T10:30:00+01:00", "shown as given");
    assert_eq!(breach.deadline, "2026-11-23T09:30:00Z");
    assert_eq!((breach.standing, breach.minutes_left), (Standing::Running, 69 * 60 + 30));
    assert_eq!(
        (breach.clients.as_slice(), breach.kinds.as_slice()),
        (&["Acme".to_owned()][..], &[DataKind::Leads][..])
    );

    ws.clock.set(at("2026-11-22T10:00:00Z"));
    assert_eq!(console.show_breach(breach.id).await.unwrap().standing, Standing::Near);
    // At the deadline itself it can still be told in time; a second later it is passed.
    ws.clock.set(at("2026-11-23T09:30:00Z"));
    assert_eq!(console.show_breach(breach.id).await.unwrap().standing, Standing::Near);
    ws.clock.set(at("2026-11-23T09:30:01Z"));
    assert_eq!(console.show_breach(breach.id).await.unwrap().standing, Standing::Passed);

    // Told after the 72 hours: the reason for the delay is required, and kept. Nobody is told
    // later than now.
    let early = console.breach_told(breach.id, Audience::Authority, "2026-11-23T09:31:00Z", None).await.unwrap_err();
    assert!(early.to_string().contains("after now"), "{early}");
    ws.clock.set(at("2026-11-23T10:00:00Z"));
    let refused = console.breach_told(breach.id, Audience::Authority, "2026-11-23T09:31:00Z", None).await.unwrap_err();
    assert_eq!(refused.code(), Code::InvalidInput, "{refused}");
    assert!(refused.to_string().contains("Art. 33(1)"), "{refused}");
    assert!(console.show_breach(breach.id).await.unwrap().authority_on.is_none(), "nothing was recorded");
    let told = console
        .breach_told(
            breach.id,
            Audience::Authority,
            "2026-11-23T09:31:00Z",
            Some("The export's recipient told us late"),
        )
        .await
        .unwrap();
    assert_eq!((told.standing, told.authority_late), (Standing::NotifiedLate, true));
    assert_eq!(told.late_reason.as_deref(), Some("The export's recipient told us late"));
    // The first date given stays.
    let again = console.breach_told(breach.id, Audience::Authority, "2026-11-23", None).await.unwrap_err();
    assert_eq!(again.code(), Code::Conflict);
}

#[tokio::test]
async fn the_deadline_is_72_elapsed_hours_whatever_zone_awareness_is_given_in_and_across_daylight_saving() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-03-28T12:00:00Z"));
    let console = acme(&ws).await;
    // Berlin moves its clocks forward on 29 March 2026: the deadline is 11:00 on the wall there.
    let berlin = console.add_breach(leaked("2026-03-28T10:00+01:00")).await.unwrap();
    let new_york = console.add_breach(leaked("2026-03-28T05:00-04:00")).await.unwrap();
    assert_eq!(berlin.deadline, "2026-03-31T09:00:00Z");
    assert_eq!(new_york.deadline, berlin.deadline, "the same moment, given in another zone");
    // A day before the deadline's is in time; the deadline's own day needs the hour; the day
    // after is late.
    ws.clock.set(at("2026-04-02T12:00:00Z"));
    let on_time = console.breach_told(berlin.id, Audience::Authority, "2026-03-30", None).await.unwrap();
    assert_eq!((on_time.standing, on_time.authority_on.as_deref()), (Standing::Notified, Some("2026-03-30")));
    let which_hour = console.breach_told(new_york.id, Audience::Authority, "2026-03-31", None).await.unwrap_err();
    assert!(which_hour.to_string().contains("depends on the hour"), "{which_hour}");
    let late = console.breach_told(new_york.id, Audience::Authority, "2026-04-01", None).await.unwrap_err();
    assert!(late.to_string().contains("after the 72 hours"), "{late}");
    // 11:00 on the wall in Berlin, after the clocks went forward, is the last minute in time.
    let in_time = console.breach_told(new_york.id, Audience::Authority, "2026-03-31T11:00+02:00", None).await.unwrap();
    assert_eq!((in_time.authority_on.as_deref(), in_time.authority_late), (Some("2026-03-31T09:00:00Z"), false));
}

#[tokio::test]
async fn a_breach_is_refused_with_why_for_a_time_without_its_offset_a_later_time_an_unknown_client_or_half_a_window() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    for (form, says) in [
        (leaked("2026-11-20 10:30"), "offset from UTC"),
        (leaked("2026-11-24T10:30Z"), "after now"),
        (leaked("226-11-20T10:30Z"), "offset from UTC"),
        (BreachForm { clients: vec!["Globex".into()], ..leaked("2026-11-20T10:30Z") }, "Globex"),
        (BreachForm { until: None, ..leaked("2026-11-20T10:30Z") }, "first and its last day"),
        (BreachForm { since: Some("2026-11-16".into()), ..leaked("2026-11-20T10:30Z") }, "before its first"),
        (BreachForm { summary: " ".into(), ..leaked("2026-11-20T10:30Z") }, "summary"),
    ] {
        let refused = console.add_breach(form).await.unwrap_err();
        assert!(refused.to_string().contains(says), "{refused}");
    }
    assert!(console.list_breaches().await.unwrap().is_empty(), "nothing was recorded");
    // Each refusal is on the audit trail, and the trail holds.
    let entries = console.audit_list(100, None).await.unwrap();
    assert_eq!(entries.iter().filter(|e| e.action == "breach.new").count(), 7);
    assert!(console.audit_verify().await.unwrap().broken.is_none());
}

#[tokio::test]
async fn a_closed_breach_stays_in_the_register_unchanged_and_the_cli_records_lists_and_shows_it() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    drop(console);
    let made = ws.cli(&[
        "--json",
        "breach",
        "new",
        "--aware-at",
        "2026-11-22T08:00Z",
        "--summary",
        "A laptop with a lead export was stolen",
        "--client",
        "Acme",
        "--kind",
        "leads",
        "--kind",
        "conversations",
    ]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let made: serde_json::Value = serde_json::from_str(&stdout(&made)).unwrap();
    assert_eq!(made["deadline"], "2026-11-25T08:00:00Z");
    assert_eq!(made["standing"], "running");
    assert_eq!(made["kinds"], serde_json::json!(["leads", "conversations"]));
    let id = made["id"].as_i64().unwrap().to_string();

    let late = ws.cli(&["breach", "notified", &id, "--subjects", "--on", "2026-11-23"]);
    assert!(late.status.success(), "{}", String::from_utf8_lossy(&late.stderr));
    let unexplained = ws.cli(&["breach", "close", &id, "--reason", " "]);
    assert!(!unexplained.status.success(), "a breach is closed with its reason");
    let closed =
        ws.cli(&["breach", "close", &id, "--reason", "The laptop's disk was encrypted: unlikely to result in a risk"]);
    assert!(closed.status.success(), "{}", String::from_utf8_lossy(&closed.stderr));
    assert!(stdout(&closed).contains("closed without telling the authority"), "{}", stdout(&closed));
    assert!(stdout(&closed).contains("disk was encrypted"), "{}", stdout(&closed));
    let refused = ws.cli(&["breach", "notified", &id, "--authority", "--on", "2026-11-23"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("is closed"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let listed = stdout(&ws.cli(&["breach", "list"]));
    assert!(
        listed.contains(&format!("breach {id}")) && listed.contains("stolen") && listed.contains("closed"),
        "{listed}"
    );
    let shown = stdout(&ws.cli(&["breach", "show", &id]));
    assert!(shown.contains("people told      2026-11-23"), "{shown}");
    let missing = ws.cli(&["breach", "show", "99"]);
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("breach list"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}

#[tokio::test]
async fn a_breach_keeps_the_clients_it_concerned_once_removed_and_refuses_a_reason_for_a_delay_there_was_not() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let breach = console.add_breach(leaked("2026-11-22T08:00Z")).await.unwrap();
    console.remove_client("Acme", true, None).await.unwrap();
    console.add_client("Acme", Some("GB")).await.unwrap();
    let kept = console.show_breach(breach.id).await.unwrap();
    assert_eq!(kept.clients, ["Acme"], "the record outlives the client");
    let refused =
        console.breach_told(breach.id, Audience::Authority, "2026-11-22", Some("no delay")).await.unwrap_err();
    assert!(refused.to_string().contains("no delay to give a reason for"), "{refused}");
}

fn write(ws: &Workspace, name: &str, text: &str) -> std::path::PathBuf {
    let dir = ws.path().with_extension("files");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Acme's leads: Ann twice (her email alone in October, then with her phone in November), Bo and
/// Cy in November, Di in December. Globex has Ann's phone on a lead of its own.
async fn two_clients_with_leads(ws: &Workspace) -> Console {
    let console = acme(ws).await;
    console.add_client("Globex", Some("GB")).await.unwrap();
    let header = "id,created_time,form_id,form_name,full_name,email,phone_number";
    let acme = [
        "l:1,2026-10-20T10:00:00+00:00,f:1,Offer,Ann Lee,ann@example.com,",
        "l:2,2026-11-02T10:00:00+00:00,f:1,Offer,Ann Lee,ann@example.com,p:+447911123456",
        "l:3,2026-11-03T10:00:00+00:00,f:1,Offer,Bo Berg,bo@example.com,p:+447911000002",
        "l:4,2026-11-14T23:00:00+00:00,f:1,Offer,Cy Carr,cy@example.com,",
        "l:5,2026-12-01T10:00:00+00:00,f:1,Offer,Di Dunn,di@example.com,",
    ];
    let globex = ["l:9,2026-11-05T10:00:00+00:00,f:2,Quote,Ann L,,p:+447911123456"];
    for (client, rows) in [("Acme", &acme[..]), ("Globex", &globex[..])] {
        let file = write(ws, &format!("{client}.csv"), &format!("{header}\n{}\n", rows.join("\n")));
        console.import_file(&file, client, &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    }
    console
}

fn counted(b: &custodian::breaches::Breach, kind: DataKind) -> Option<i64> {
    b.counted.as_ref()?.kinds.iter().find(|k| k.kind == kind).map(|k| k.records)
}

#[tokio::test]
async fn a_breach_counts_the_people_and_records_of_its_clients_kinds_and_window_each_person_once() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-12-02T12:00:00Z"));
    let console = two_clients_with_leads(&ws).await;

    // Acme's leads from 1 to 15 November: Ann's second lead, Bo's, and Cy's from the last evening.
    let window = console.add_breach(leaked("2026-12-02T09:00Z")).await.unwrap();
    assert_eq!((window.people, window.records), (Some(3), Some(3)));
    assert_eq!(counted(&window, DataKind::Leads), Some(3));

    // Every client and every kind: Ann's three leads across both clients are one person (her email
    // joins October to November, her phone joins Acme to Globex).
    let everything =
        BreachForm { clients: vec![], kinds: vec![], since: None, until: None, ..leaked("2026-12-02T09:00Z") };
    let all = console.add_breach(everything).await.unwrap();
    assert_eq!((all.people, all.records), (Some(4), Some(6)), "{:?}", all.counted);
    let counted_kinds = &all.counted.as_ref().unwrap().kinds;
    assert!(counted_kinds.iter().any(|k| k.kind == DataKind::Conversations && k.records == 0));
    assert!(counted_kinds.iter().all(|k| k.kind != DataKind::AuditEntries), "the audit trail is not a client's people");

    // A kind a breach here cannot count is said to be not counted, never counted as none.
    let crm = BreachForm { kinds: vec![DataKind::CrmRecords], ..leaked("2026-12-02T09:00Z") };
    let crm = console.add_breach(crm).await.unwrap();
    let not_counted = &crm.counted.as_ref().unwrap().not_counted;
    assert_eq!(not_counted.iter().map(|k| k.kind).collect::<Vec<_>>(), [DataKind::CrmRecords]);

    // A recount sees what is held now: Di's lead is removed with an erasure; the window's count
    // is unchanged, the workspace's loses her.
    let di = vec![Identifier { kind: IdKind::Email, value: "di@example.com".into() }];
    let request = console.new_request(RequestForm::new(RequestKind::Erasure, di)).await.unwrap();
    console.erase_request(request.id, true, false).await.unwrap();
    let again = console.assess_breach(all.id, None).await.unwrap();
    assert_eq!((again.people, again.records), (Some(3), Some(5)));
    assert_eq!(console.assess_breach(window.id, None).await.unwrap().people, Some(3));
    let trail = console.audit_list(20, None).await.unwrap();
    assert!(trail.iter().any(|e| e.action == "breach.assess" && e.object.contains("3 people, 5 records")));
}

#[tokio::test]
async fn a_leaked_file_adds_its_people_joined_to_those_held_and_a_recount_keeps_them() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-12-02T12:00:00Z"));
    let console = two_clients_with_leads(&ws).await;
    // The leak names Ann by her phone written nationally, Bo by email, and a stranger; one line is
    // no identifier at all.
    let list = write(&ws, "leak.txt", "07911 123456\nBO@example.com\neve@example.org\nsee attached\n");
    let form = BreachForm { identifiers: Some(list.clone()), ..leaked("2026-12-02T09:00Z") };
    let breach = console.add_breach(form).await.unwrap();
    let leak = breach.counted.as_ref().unwrap();
    assert_eq!((leak.leaked_rows, leak.leaked_unreadable, leak.leaked_beyond), (3, 1, 1));
    // Ann, Bo and Cy from the window; Eve from the leak only. Ann's and Bo's rows are their leads,
    // counted once; Eve's is a record beyond them.
    assert_eq!((breach.people, breach.records), (Some(4), Some(4)));
    let recount = console.assess_breach(breach.id, None).await.unwrap();
    assert_eq!((recount.people, recount.records), (Some(4), Some(4)), "the leak's people stay without the file");

    // A lead export that leaked, as a table.
    let table = write(
        &ws,
        "leak.csv",
        "id,created_time,form_id,full_name,email,phone_number\nl:7,2026-11-01T00:00:00Z,f:1,Fay,fay@example.org,\n",
    );
    let replaced = console.assess_breach(breach.id, Some(&table)).await.unwrap();
    assert_eq!((replaced.people, replaced.records), (Some(4), Some(4)), "Fay replaces the list's three");

    // A file naming no one counts nothing and changes nothing.
    let nothing = write(&ws, "nothing.txt", "see attached\nnothing here\n");
    let refused = console.assess_breach(breach.id, Some(&nothing)).await.unwrap_err();
    assert_eq!(refused.code(), Code::FileUnreadable, "{refused}");
    assert_eq!(console.show_breach(breach.id).await.unwrap().people, Some(4));
    let missing = console.assess_breach(breach.id, Some(&ws.path().join("gone.csv"))).await.unwrap_err();
    assert_eq!(missing.code(), Code::FileUnreadable, "{missing}");
    // Several columns, none named for identifiers: ids and days are not taken for phone numbers.
    let unnamed = write(&ws, "unnamed.csv", "form,day\n1234567890,2026-11-01\n1234567890,2026-11-02\n");
    let refused = console.assess_breach(breach.id, Some(&unnamed)).await.unwrap_err();
    assert_eq!(refused.code(), Code::FileUnreadable, "{refused}");
}

#[tokio::test]
async fn the_members_of_a_group_chat_are_counted_apart_and_erasing_one_leaves_the_other_listed() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-12-02T12:00:00Z"));
    let console = acme(&ws).await;
    let group = write(
        &ws,
        "WhatsApp Chat with Shoe club.txt",
        "20/11/2026, 09:15 - +44 7911 123456: Anyone tried the quokka boots?\n\
         20/11/2026, 09:16 - +49 151 12345678: Yes, lovely\n",
    );
    let with = custodian::console::ChatWith::default();
    console.chat_import("Acme", &group, &with, &AtomicBool::new(false)).await.unwrap();
    let form =
        BreachForm { kinds: vec![DataKind::Conversations], since: None, until: None, ..leaked("2026-12-02T09:00Z") };
    let breach = console.add_breach(form).await.unwrap();
    assert_eq!(counted(&breach, DataKind::Conversations), Some(1));
    let people = breach.people.unwrap();
    assert!(people >= 2, "two members are two people at least: {people}");

    let ann = vec![Identifier { kind: IdKind::Phone, value: "+44 7911 123456".into() }];
    let erase = console.new_request(RequestForm::new(RequestKind::Erasure, ann)).await.unwrap();
    console.erase_request(erase.id, true, false).await.unwrap();
    let bo = vec![Identifier { kind: IdKind::Phone, value: "+49 151 12345678".into() }];
    let access = console.new_request(RequestForm::new(RequestKind::Access, bo)).await.unwrap();
    let found = console.find_for_request(access.id, false).await.unwrap();
    assert!(
        found.groups.iter().any(|g| g.kind == DataKind::BreachLists && !g.records.is_empty()),
        "the other member is still on the list: {:?}",
        found.groups
    );
}

#[tokio::test]
async fn a_leaked_file_read_again_does_not_bring_back_someone_erased_and_a_removed_client_stops_recounts() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-12-02T12:00:00Z"));
    let console = two_clients_with_leads(&ws).await;
    let list = write(&ws, "leak.txt", "eve@example.org\nzed@example.org\n");
    let form = BreachForm { identifiers: Some(list.clone()), ..leaked("2026-12-02T09:00Z") };
    let breach = console.add_breach(form).await.unwrap();
    assert_eq!(breach.people, Some(5));

    let eve = vec![Identifier { kind: IdKind::Email, value: "eve@example.org".into() }];
    let erase = console.new_request(RequestForm::new(RequestKind::Erasure, eve)).await.unwrap();
    console.erase_request(erase.id, true, false).await.unwrap();
    let again = console.assess_breach(breach.id, Some(&list)).await.unwrap();
    let counted = again.counted.as_ref().unwrap();
    assert_eq!((counted.leaked_rows, counted.leaked_erased), (1, 1));
    assert_eq!(again.people, Some(4), "Ann, Bo, Cy and Zed: Eve's erasure stands");

    // Acme removed: a recount would leave its people out, so it is refused and the counts stay.
    console.remove_client("Acme", true, None).await.unwrap();
    let refused = console.assess_breach(breach.id, None).await.unwrap_err();
    assert_eq!(refused.code(), Code::Conflict, "{refused}");
    assert_eq!(console.show_breach(breach.id).await.unwrap().people, Some(4));
}

#[tokio::test]
async fn erasing_a_person_takes_them_from_every_breach_list_and_a_recount_does_not_bring_them_back() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-12-02T12:00:00Z"));
    let console = two_clients_with_leads(&ws).await;
    // Eve is only on the leaked list: nothing else here names her.
    let list = write(&ws, "leak.txt", "eve@example.org\n+44 7911 123456\n");
    let form = BreachForm { identifiers: Some(list), ..leaked("2026-12-02T09:00Z") };
    let breach = console.add_breach(form).await.unwrap();
    assert_eq!(breach.people, Some(4));

    // An access request finds the breach that lists her, by her hash.
    let eve = vec![Identifier { kind: IdKind::Email, value: "eve@example.org".into() }];
    let access = console.new_request(RequestForm::new(RequestKind::Access, eve.clone())).await.unwrap();
    let found = console.find_for_request(access.id, false).await.unwrap();
    let listed: Vec<_> = found.groups.iter().filter(|g| g.kind == DataKind::BreachLists).collect();
    assert_eq!(listed.len(), 1, "{:?}", found.groups);
    assert_eq!(listed[0].records[0].fields[0], ("breach".to_owned(), breach.id.to_string()));
    console.close_request(access.id, custodian::requests::Outcome::Completed, None).await.unwrap();

    // Her erasure takes her from the list; the breach's stated count stays.
    let erase = console.new_request(RequestForm::new(RequestKind::Erasure, eve)).await.unwrap();
    let erased = console.erase_request(erase.id, true, false).await.unwrap();
    assert!(erased.receipt.deleted.iter().any(|d| d.kind == DataKind::BreachLists && d.count == 1));
    assert_eq!(console.show_breach(breach.id).await.unwrap().people, Some(4));
    // Ann's erasure, found by email, takes every hash of hers, the phone the list named her by too.
    let ann = vec![Identifier { kind: IdKind::Email, value: "ann@example.com".into() }];
    let erase = console.new_request(RequestForm::new(RequestKind::Erasure, ann)).await.unwrap();
    console.erase_request(erase.id, true, false).await.unwrap();

    let recount = console.assess_breach(breach.id, None).await.unwrap();
    assert_eq!(recount.people, Some(2), "Bo and Cy: neither Eve nor Ann comes back");
    let again = vec![Identifier { kind: IdKind::Phone, value: "+447911123456".into() }];
    let check = console.new_request(RequestForm::new(RequestKind::Access, again)).await.unwrap();
    let found = console.find_for_request(check.id, false).await.unwrap();
    assert!(found.groups.iter().all(|g| g.records.is_empty() || g.kind != DataKind::BreachLists), "{:?}", found.groups);
}

#[tokio::test]
async fn a_notice_to_the_authority_states_every_art_33_3_item_and_marks_those_still_unknown() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-12-02T12:00:00Z"));
    let console = two_clients_with_leads(&ws).await;
    let breach = console.add_breach(leaked("2026-12-02T09:00Z")).await.unwrap();
    let draft = console.breach_notice(breach.id, Audience::Authority).await.unwrap();
    assert_eq!(
        draft.missing,
        [
            "the systems concerned",
            "the name and contact details of the data protection officer or other contact point",
            "the likely consequences",
            "the measures taken or proposed"
        ]
    );
    for item in ["(a) Nature", "(b) Contact", "(c) Likely", "(d) Measures", "approximately 3", "Acme", "leads"] {
        assert!(draft.html.contains(item), "{item}");
    }

    // Filled in as it becomes known, text with markup kept as text.
    let change = DetailsChange {
        systems: Some(vec!["an export file".into(), "email".into()]),
        consequences: Some("Unwanted marketing <script>alert(1)</script>".into()),
        measures: Some("The recipient deleted the file.".into()),
        contact: Some("Dana Pro, dpo@agency.example".into()),
    };
    let edited = console.edit_breach(breach.id, change).await.unwrap();
    assert_eq!(edited.details.systems, ["an export file", "email"]);
    let out = ws.path().with_extension("notice.html");
    let written = console.write_breach_notice(breach.id, Audience::Authority, &out, false).await.unwrap();
    assert!(written.missing.is_empty(), "{:?}", written.missing);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Dana Pro") && html.contains("&lt;script&gt;") && !html.contains("<script>"));
    let again = console.write_breach_notice(breach.id, Audience::Authority, &out, false).await.unwrap_err();
    assert_eq!(again.code(), Code::FileExists);

    // The people's notice says the same in plain words, without counts or other clients' names.
    let subjects = console.breach_notice(breach.id, Audience::Subjects).await.unwrap();
    assert!(subjects.missing.is_empty());
    assert!(subjects.html.contains("What it may mean for you") && !subjects.html.contains("approximately"));

    // Past the deadline and not yet told, the authority's draft asks for the reasons for the delay.
    ws.clock.set(at("2026-12-06T12:00:00Z"));
    let late = console.breach_notice(breach.id, Audience::Authority).await.unwrap();
    assert_eq!(late.missing, ["the reasons for the delay (GDPR Art. 33(1))"]);

    // A cleared item is missing again; a closed breach's details no longer change.
    let cleared = DetailsChange { measures: Some(" ".into()), ..Default::default() };
    assert!(console.edit_breach(breach.id, cleared).await.unwrap().details.measures.is_none());
    console.close_breach(breach.id, "Told the authority by telephone; recorded there").await.unwrap();
    let closed = console.edit_breach(breach.id, DetailsChange::default()).await.unwrap_err();
    assert_eq!(closed.code(), Code::Conflict);
    let trail = console.audit_list(30, None).await.unwrap();
    let edits: Vec<&str> = trail.iter().filter(|e| e.action == "breach.edit").map(|e| e.object.as_str()).collect();
    assert!(edits.contains(&"breach:1 systems, consequences, measures, contact"), "{edits:?}");
    assert!(trail.iter().all(|e| !e.object.contains("Dana") && !e.object.contains("script")), "words stay out");
}

#[tokio::test]
async fn closed_breach_records_are_kept_five_years_unless_a_hold_on_their_client_keeps_them_longer() {
    let ws = Workspace::new();
    ws.clock.set(at("2026-12-02T12:00:00Z"));
    let console = two_clients_with_leads(&ws).await;
    let open = console.add_breach(leaked("2026-12-02T09:00Z")).await.unwrap();
    let closed = console.add_breach(leaked("2026-12-02T10:00Z")).await.unwrap();
    console.close_breach(closed.id, "No risk: the file was encrypted").await.unwrap();

    let before = at("2031-11-30T12:00:00Z");
    let report = console.purge_preview(before).await.unwrap();
    assert!(report.purged.iter().all(|k| k.kind != DataKind::BreachLists || k.count == 0), "{report:?}");
    let after = at("2031-12-04T12:00:00Z");
    let report = console.purge_preview(after).await.unwrap();
    assert!(report.purged.iter().any(|k| k.kind == DataKind::BreachLists && k.count == 1), "{report:?}");

    // A hold on Acme keeps it.
    console
        .add_hold(custodian::console::HoldForm {
            client: Some("Acme".into()),
            reason: "Claim by a lead".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let held = console.purge_preview(after).await.unwrap();
    assert!(held.purged.iter().all(|k| k.kind != DataKind::BreachLists || k.count == 0), "{held:?}");
    let hold = console.list_holds().await.unwrap().remove(0);
    console.remove_hold(hold.id).await.unwrap();
    console.purge(after).await.unwrap();
    let left: Vec<i64> = console.list_breaches().await.unwrap().iter().map(|b| b.id).collect();
    assert_eq!(left, [open.id], "the open breach is never due");
}

#[test]
fn the_command_line_assesses_edits_and_writes_notices() {
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme", "--country", "GB"]).status.success());
    let list = write(&ws, "leak.txt", "ann@example.com\nbo@example.com\n");
    let list = list.to_str().unwrap();
    let new = ws.cli(&[
        "breach",
        "new",
        "--aware-at",
        "2026-11-20T10:30Z",
        "--summary",
        "Laptop stolen",
        "--identifiers",
        list,
        "--json",
    ]);
    assert!(new.status.success(), "{}", crate::support::stderr(&new));
    let breach: serde_json::Value = serde_json::from_str(&stdout(&new)).unwrap();
    assert_eq!(breach["people"], 2);
    let edit = ws.cli(&["breach", "edit", "1", "--system", "this workspace", "--contact", "dpo@agency.example"]);
    assert!(stdout(&edit).contains("contact          dpo@agency.example"), "{}", stdout(&edit));
    let assess = ws.cli(&["breach", "assess", "1"]);
    assert!(stdout(&assess).contains("affected         2 people, 2 records"), "{}", stdout(&assess));
    let out = ws.path().with_extension("people.html");
    let notice = ws.cli(&["breach", "notice", "1", "--subjects", "--out", out.to_str().unwrap()]);
    assert!(stdout(&notice).contains("the likely consequences"), "{}", stdout(&notice));
    let again = ws.cli(&["breach", "notice", "1", "--subjects", "--out", out.to_str().unwrap()]);
    assert!(crate::support::stderr(&again).contains("--replace"), "{}", crate::support::stderr(&again));
}
