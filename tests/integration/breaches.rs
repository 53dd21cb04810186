//! The breach register: each breach recorded with its 72 hours to tell the supervisory authority,
//! where it stands as they run out, who was told when and why late, on the audit trail, and kept
//! once closed.

use custodian::breaches::deadline::Standing;
use custodian::breaches::Audience;
use custodian::console::{BreachForm, Code, Console};
use custodian::personal_data::DataKind;

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
