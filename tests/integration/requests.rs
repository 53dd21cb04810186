//! Data-subject requests: intake, legal deadlines, moving forward, closing — each audited under
//! the person's keyed hash and never their identifiers.

use chrono::Duration;
use custodian::console::{Code, Console, RequestForm};
use custodian::requests::{IdKind, Identifier, RequestStatus, RequestUrgency};
use custodian::requests::{Outcome, RequestKind};

use crate::support::{stderr, stdout, Workspace, TEST_NOW};

fn email(value: &str) -> Identifier {
    Identifier { kind: IdKind::Email, value: value.into() }
}

fn form(kind: RequestKind, identifiers: Vec<Identifier>) -> RequestForm {
    RequestForm::new(kind, identifiers)
}

fn days_ago(days: i64) -> String {
    (TEST_NOW.date_naive() - Duration::days(days)).to_string()
}

async fn audit_actions(console: &Console) -> Vec<(String, String, Option<String>)> {
    let entries = console.audit_list(100, None).await.unwrap();
    entries.into_iter().rev().map(|e| (e.action, e.outcome, e.subject)).collect()
}

#[tokio::test]
async fn a_request_gets_its_legal_deadline_from_the_regime_and_the_day_it_arrived() {
    let ws = Workspace::new();
    let console = ws.open().await;
    let at = |regime: &str, received: &str| RequestForm {
        regime: Some(regime.into()),
        received_on: Some(received.into()),
        ..form(RequestKind::Access, vec![email("ann@example.com")])
    };
    let gdpr = console.new_request(at("gdpr", "2026-01-31")).await.unwrap();
    assert_eq!((gdpr.due_on.as_str(), gdpr.status), ("2026-02-28", RequestStatus::Received));
    let ccpa = console.new_request(at("ccpa", "2026-11-20")).await.unwrap();
    assert_eq!(ccpa.due_on, "2027-01-04");
    assert_eq!(ccpa.confirm_receipt_by.as_deref(), Some("2026-12-04"));
    let custom = console.new_request(at("days:10", "2026-03-01")).await.unwrap();
    assert_eq!(custom.due_on, "2026-03-11");

    // Green, amber in the last seven days, red once overdue.
    let on_track = console.new_request(at("days:30", &days_ago(0))).await.unwrap();
    let due_soon = console.new_request(at("days:30", &days_ago(25))).await.unwrap();
    let overdue = console.new_request(at("days:30", &days_ago(32))).await.unwrap();
    assert_eq!((on_track.urgency, on_track.days_left), (RequestUrgency::OnTrack, 30));
    assert_eq!((due_soon.urgency, due_soon.days_left), (RequestUrgency::DueSoon, 5));
    assert_eq!((overdue.urgency, overdue.days_left), (RequestUrgency::Overdue, -2));

    let listed: Vec<i64> = console.list_requests().await.unwrap().iter().map(|r| r.id).collect();
    let mut by_due = vec![(gdpr.due_on, gdpr.id), (ccpa.due_on, ccpa.id), (custom.due_on, custom.id)];
    by_due.extend([(on_track.due_on, on_track.id), (due_soon.due_on, due_soon.id), (overdue.due_on, overdue.id)]);
    by_due.sort();
    assert_eq!(listed, by_due.into_iter().map(|(_, id)| id).collect::<Vec<_>>(), "soonest due first");
}

#[tokio::test]
async fn a_request_moves_only_forward_and_every_change_is_audited_under_the_persons_hash() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    let r = console
        .new_request(RequestForm {
            client: Some("acme".into()),
            identifiers: vec![
                Identifier { kind: IdKind::Phone, value: "07911 123456".into() },
                email("Ann@Example.com"),
            ],
            ..form(RequestKind::Erasure, vec![])
        })
        .await
        .unwrap();
    assert_eq!(r.client.as_deref(), Some("Acme"));

    let r = console.advance_request(r.id, RequestStatus::Verifying, Some("asked for the postcode")).await.unwrap();
    assert_eq!(r.status, RequestStatus::Verifying);
    let back = console.advance_request(r.id, RequestStatus::Received, None).await.unwrap_err();
    assert_eq!(back.code(), Code::Conflict, "{back}");
    let r = console.advance_request(r.id, RequestStatus::InProgress, Some("postcode matches")).await.unwrap();
    assert_eq!(r.verification_notes, "asked for the postcode\npostcode matches");
    // An erasure is completed only by erasing; it can be denied with its reason.
    assert!(console.close_request(r.id, Outcome::Completed, None).await.is_err());
    let closed = console.close_request(r.id, Outcome::Denied, Some("identity not verified")).await.unwrap();
    assert_eq!((closed.status, closed.urgency), (RequestStatus::Denied, RequestUrgency::Closed));
    assert!(closed.closed_at.is_some());
    let again = console.advance_request(r.id, RequestStatus::InProgress, None).await.unwrap_err();
    assert_eq!(again.code(), Code::Conflict);

    // The phone, national, was read with the client's country: the person's hash is the one the
    // identity index gives that number in any spelling.
    let hash = console.hasher().identify(custodian::identity::IdKind::Phone, "+447911123456", None).unwrap();
    let audit = audit_actions(&console).await;
    let about: Vec<(&str, &str)> = audit
        .iter()
        .filter(|(action, _, _)| action.starts_with("request."))
        .map(|(action, outcome, subject)| {
            assert_eq!(subject.as_deref(), Some(hex::encode(hash).as_str()), "{action}");
            (action.as_str(), outcome.as_str())
        })
        .collect();
    assert_eq!(
        about,
        [
            ("request.new", "ok"),
            ("request.status", "ok"),
            ("request.status", "refused: conflict"),
            ("request.status", "ok"),
            ("request.close", "refused: invalid_input"),
            ("request.close", "ok"),
            ("request.status", "refused: conflict"),
        ]
    );
    let entries = console.audit_list(100, None).await.unwrap();
    let text = serde_json::to_string(&entries).unwrap();
    // Whole numbers, which hex hashes and ids cannot spell by chance as they can "7911".
    let phone = ["07911 123456", "07911123456", "447911123456"].iter().any(|p| text.contains(p));
    assert!(!phone && !text.to_lowercase().contains("ann@example.com"), "no identifiers in the trail");
    assert!(console.audit_verify().await.unwrap().intact);
}

#[tokio::test]
async fn bad_intake_is_refused_clearly_and_records_nothing() {
    let ws = Workspace::new();
    let console = ws.open().await;
    let tomorrow_but_one = (TEST_NOW.date_naive() + Duration::days(2)).to_string();
    let cases = [
        (form(RequestKind::Access, vec![]), "at least one identifier"),
        (form(RequestKind::Access, vec![email("   ")]), "at least one identifier"),
        (form(RequestKind::Access, vec![email("not-an-email")]), "email given is not usable"),
        (form(RequestKind::Access, vec![Identifier { kind: IdKind::Phone, value: "79".into() }]), "country code"),
        (form(RequestKind::Access, vec![Identifier { kind: IdKind::LeadId, value: "l:12ab".into() }]), "digits only"),
        (RequestForm { regime: Some("hipaa".into()), ..form(RequestKind::Access, vec![email("a@b.com")]) }, "days:N"),
        (
            RequestForm { regime: Some("days:0".into()), ..form(RequestKind::Access, vec![email("a@b.com")]) },
            "from 1 to 366",
        ),
        (
            RequestForm { received_on: Some("22/11/2026".into()), ..form(RequestKind::Access, vec![email("a@b.com")]) },
            "YYYY-MM-DD",
        ),
        (
            RequestForm { received_on: Some(tomorrow_but_one), ..form(RequestKind::Access, vec![email("a@b.com")]) },
            "after today",
        ),
        (
            RequestForm { client: Some("Nobody".into()), ..form(RequestKind::Access, vec![email("a@b.com")]) },
            "No client",
        ),
    ];
    for (form, says) in cases {
        let e = console.new_request(form.clone()).await.unwrap_err();
        assert!(matches!(e.code(), Code::InvalidInput | Code::NotFound), "{form:?}: {e}");
        assert!(e.to_string().contains(says), "{form:?}: {e}");
    }
    assert!(console.list_requests().await.unwrap().is_empty());
    let refused =
        audit_actions(&console).await.into_iter().filter(|(a, o, _)| a == "request.new" && o.starts_with("refused"));
    assert_eq!(refused.count(), 10, "each refusal is in the audit trail");
}

#[tokio::test]
async fn closing_and_extending_follow_the_law() {
    let ws = Workspace::new();
    let console = ws.open().await;
    let gdpr = console.new_request(form(RequestKind::Access, vec![email("a@b.com")])).await.unwrap();
    let e = console.extend_request(gdpr.id, " ").await.unwrap_err();
    assert!(e.to_string().contains("needs its reason"), "{e}");
    let extended = console.extend_request(gdpr.id, "numerous requests").await.unwrap();
    assert!(extended.extended && extended.due_on > gdpr.due_on);
    assert_eq!(extended.extension_reason.as_deref(), Some("numerous requests"));
    let twice = console.extend_request(gdpr.id, "still numerous").await.unwrap_err();
    assert!(twice.to_string().contains("already been extended"), "{twice}");

    let late = console
        .new_request(RequestForm {
            received_on: Some(days_ago(40)),
            ..form(RequestKind::Access, vec![email("c@d.com")])
        })
        .await
        .unwrap();
    let e = console.extend_request(late.id, "complex").await.unwrap_err();
    assert!(e.to_string().contains("has passed"), "{e}");

    let custom = console
        .new_request(RequestForm {
            regime: Some("days:20".into()),
            ..form(RequestKind::Access, vec![email("e@f.com")])
        })
        .await
        .unwrap();
    assert!(console.extend_request(custom.id, "why not").await.unwrap_err().to_string().contains("cannot be extended"));

    let e = console.close_request(custom.id, Outcome::Denied, None).await.unwrap_err();
    assert!(e.to_string().contains("needs the reason"), "{e}");
    let denied = console.close_request(custom.id, Outcome::Denied, Some("identity not verified")).await.unwrap();
    assert_eq!(denied.outcome_reason.as_deref(), Some("identity not verified"));
    assert_eq!(console.close_request(custom.id, Outcome::Completed, None).await.unwrap_err().code(), Code::Conflict);
    assert_eq!(console.request(999).await.unwrap_err().code(), Code::NotFound);
}

#[tokio::test]
async fn removing_the_client_keeps_the_request() {
    let ws = Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let r = console
        .new_request(RequestForm { client: Some("Acme".into()), ..form(RequestKind::Access, vec![email("a@b.com")]) })
        .await
        .unwrap();
    console.remove_client("Acme", true, None).await.unwrap();
    let r = console.request(r.id).await.unwrap();
    assert_eq!((r.client_id, r.client), (None, None));
}

#[test]
fn the_cli_records_lists_shows_and_closes_requests() {
    let ws = Workspace::new();
    let new = ws.cli(&[
        "request",
        "new",
        "--kind",
        "erasure",
        "--email",
        "ann@example.com",
        "--email",
        "ann.work@example.com",
        "--regime",
        "ccpa",
        "--received",
        "2026-11-20",
        "--json",
    ]);
    assert!(new.status.success(), "{}", stderr(&new));
    let r: serde_json::Value = serde_json::from_slice(&new.stdout).unwrap();
    assert_eq!(r["due_on"], "2027-01-04");
    assert_eq!(r["identifiers"].as_array().unwrap().len(), 2);
    let id = r["id"].as_i64().unwrap().to_string();

    let list = ws.cli(&["request", "list"]);
    assert!(stdout(&list).contains("erasure\treceived\tccpa\tdue 2027-01-04"), "{}", stdout(&list));
    let show = ws.cli(&["request", "show", &id]);
    assert!(stdout(&show).contains("ann.work@example.com"), "{}", stdout(&show));

    let refused = ws.cli(&["request", "close", &id, "--outcome", "denied", "--json"]);
    assert_eq!(refused.status.code(), Some(1));
    let e: serde_json::Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(e["code"], "invalid_input");
    let closed = ws.cli(&["request", "close", &id, "--outcome", "denied", "--reason", "not verified"]);
    assert!(stdout(&closed).contains("denied"), "{}", stdout(&closed));
    let none = ws.cli(&["request", "show", "12345"]);
    assert!(stderr(&none).contains("No request has number 12345"), "{}", stderr(&none));
}

/// Acme holds the fixture leads; Beta holds another lead of Ann's, under her phone and another email.
async fn two_clients_with_ann(ws: &Workspace) -> Console {
    use crate::fixtures::{self, encode, rows, text, Encoding, HEADER};
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    console.add_client("Beta", Some("GB")).await.unwrap();
    let acme = fixtures::write(ws.path(), "leads.csv", &encode(&text(HEADER, &rows(), ',', "\n"), Encoding::Utf8));
    let mut beta_rows = rows();
    beta_rows.truncate(1);
    beta_rows[0][0] = "l:2001".into();
    beta_rows[0][14] = "ann.personal@example.net".into();
    beta_rows[0][15] = "p:07911 123456".into();
    let beta = fixtures::write(ws.path(), "beta.csv", &encode(&text(HEADER, &beta_rows, ',', "\n"), Encoding::Utf8));
    for (path, client) in [(acme, "Acme"), (beta, "Beta")] {
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        console.import_file(&path, client, &|_| {}, cancel).await.unwrap();
    }
    console
}

#[tokio::test]
async fn find_lists_every_record_about_the_person_and_widening_follows_the_identifiers_on_them() {
    let ws = Workspace::new();
    let console = two_clients_with_ann(&ws).await;
    let r = console.new_request(form(RequestKind::Access, vec![email("ANN.LEE@example.com ")])).await.unwrap();

    let found = console.find_for_request(r.id, false).await.unwrap();
    assert_eq!(found.groups.len(), 1, "{found:?}");
    let acme = &found.groups[0];
    assert_eq!((acme.kind.as_str(), acme.client.as_deref(), acme.records.len()), ("leads", Some("Acme"), 1));
    let lead = &acme.records[0];
    assert!(lead.source.starts_with("leads.csv, line 2, imported "), "{}", lead.source);
    let field = |name: &str| lead.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    assert_eq!(field("full_name"), Some("Ann Lee"));
    assert_eq!(field("what_is_your_budget?"), Some("under_1000"));
    assert_eq!(field("id"), Some("1001"));
    // The phone is also offered as the digits other records may hold it by.
    let offered: Vec<(IdKind, &str)> = found.offered.iter().map(|i| (i.kind, i.value.as_str())).collect();
    assert_eq!(
        offered,
        [
            (IdKind::Phone, "+447911123456"),
            (IdKind::PhoneDigits, "+447911123456"),
            (IdKind::PhoneDigits, "+447911123456"),
            (IdKind::LeadId, "1001")
        ]
    );

    let widened = console.find_for_request(r.id, true).await.unwrap();
    let clients: Vec<Option<&str>> = widened.groups.iter().map(|g| g.client.as_deref()).collect();
    assert_eq!(clients, [Some("Acme"), Some("Beta")], "Beta's lead shares only Ann's phone");
    assert!(widened.offered.is_empty());
    let searched: Vec<&str> = widened.searched.iter().map(|i| i.value.as_str()).collect();
    // The phone three ways: E.164, and its digits as written and as written nationally.
    assert_eq!(
        searched,
        [
            "ANN.LEE@example.com",
            "+447911123456",
            "+447911123456",
            "+447911123456",
            "1001",
            "ann.personal@example.net",
            "2001"
        ]
    );
    assert_eq!(console.request(r.id).await.unwrap().identifiers.len(), 7, "the request keeps what widening added");

    let audit = serde_json::to_string(&console.audit_list(100, None).await.unwrap()).unwrap();
    assert!(audit.contains("found 1 leads") && audit.contains("found 2 leads; 6 identifiers added"), "{audit}");
    let phone = ["07911 123456", "07911123456", "447911123456"].iter().any(|p| audit.contains(p));
    assert!(!audit.contains("ann.") && !phone, "no identifiers in the trail");
}

#[tokio::test]
async fn a_person_with_no_data_is_found_to_have_none() {
    let ws = Workspace::new();
    let console = two_clients_with_ann(&ws).await;
    let r = console.new_request(form(RequestKind::Access, vec![email("nobody@example.com")])).await.unwrap();
    let found = console.find_for_request(r.id, true).await.unwrap();
    assert!(found.groups.is_empty() && found.offered.is_empty());
    assert_eq!(found.describe(), "nothing");
    assert_eq!(console.find_for_request(4242, false).await.unwrap_err().code(), Code::NotFound);
}

#[tokio::test]
async fn the_cli_finds_and_offers_to_widen() {
    let ws = Workspace::new();
    drop(two_clients_with_ann(&ws).await);
    let new = ws.cli(&["request", "new", "--kind", "access", "--phone", "+44 7911 123456", "--json"]);
    let id = serde_json::from_slice::<serde_json::Value>(&new.stdout).unwrap()["id"].as_i64().unwrap().to_string();
    let find = ws.cli(&["request", "find", &id]);
    let out = stdout(&find);
    assert!(out.contains("1 leads of client 'Acme'") && out.contains("1 leads of client 'Beta'"), "{out}");
    assert!(out.contains("Add --widen"), "{out}");
    let json = ws.cli(&["request", "find", &id, "--widen", "--json"]);
    let d: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(d["offered"].as_array().unwrap().len(), 0);
    assert_eq!(d["groups"][0]["records"][0]["fields"][0], serde_json::json!(["id", "1001"]));
}

#[tokio::test]
async fn a_restriction_flags_the_person_under_every_identifier_found_for_the_one_check_sends_make() {
    use custodian::identity::IdKind;
    use custodian::requests::restriction::is_restricted;
    let ws = Workspace::new();
    let console = two_clients_with_ann(&ws).await;
    let access = console.new_request(form(RequestKind::Access, vec![email("ann.lee@example.com")])).await.unwrap();
    assert_eq!(console.restrict_request(access.id).await.unwrap_err().code(), Code::InvalidInput);

    let r = console.new_request(form(RequestKind::Objection, vec![email("ann.lee@example.com")])).await.unwrap();
    let mut conn = console.store().pool().acquire().await.unwrap();
    let phone = console.hasher().identify(IdKind::Phone, "+44 7911 123456", None).unwrap();
    let bob = console.hasher().identify(IdKind::Email, "bob@example.net", None).unwrap();
    assert!(!is_restricted(&mut conn, &[phone]).await.unwrap());
    drop(conn);

    let done = console.restrict_request(r.id).await.unwrap();
    assert_eq!(done.status, RequestStatus::Completed);
    assert!(done.outcome_reason.unwrap().starts_with("restricted"));
    let mut conn = console.store().pool().acquire().await.unwrap();
    assert!(is_restricted(&mut conn, &[bob, phone]).await.unwrap(), "the phone on her lead is flagged too");
    assert!(!is_restricted(&mut conn, &[bob]).await.unwrap(), "nobody else is");
    drop(conn);
    assert_eq!(console.restrict_request(r.id).await.unwrap_err().code(), Code::Conflict, "already closed");
}

pub fn unzip(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

#[tokio::test]
async fn an_access_export_holds_the_data_as_json_and_formula_safe_csv_a_summary_and_a_manifest() {
    use sha2::{Digest, Sha256};
    let ws = Workspace::new();
    let console = two_clients_with_ann(&ws).await;
    console.set_processing_info("purposes", "Test-drive offers <b>only</b>").await.unwrap();
    let bad = console.set_processing_info("mood", "happy").await.unwrap_err();
    assert!(bad.to_string().contains("the settings are controller, purposes"), "{bad}");
    let out = ws.path().with_extension("exports");
    std::fs::create_dir_all(&out).unwrap();

    let zoe = console.new_request(form(RequestKind::Access, vec![email("zoe@example.org")])).await.unwrap();
    let package = console.export_request(zoe.id, &out.join("zoe.zip"), false).await.unwrap();
    assert_eq!(package.records, 1);
    let files = unzip(&out.join("zoe.zip"));
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["data.json", "leads.csv", "summary.html", "manifest.json"]);
    let manifest: Vec<serde_json::Value> = serde_json::from_slice(&files[3].1).unwrap();
    for ((name, bytes), listed) in files.iter().zip(&manifest) {
        assert_eq!(listed["name"], name.as_str());
        assert_eq!(listed["sha256"], hex::encode(Sha256::digest(bytes)), "{name}");
    }
    let data: serde_json::Value = serde_json::from_slice(&files[0].1).unwrap();
    let fields = &data["holdings"][0]["records"][0]["fields"];
    assert!(fields.as_array().unwrap().contains(&serde_json::json!(["full_name", "Zoë Ørsted-Łukasz"])));
    let csv = String::from_utf8(files[1].1.clone()).unwrap();
    assert!(csv.contains("\"'=1+1 \"\"quoted\"\", with comma\tand tab\""), "the formula is neutralised: {csv}");
    let html = String::from_utf8(files[2].1.clone()).unwrap();
    assert!(html.contains("Test-drive offers &lt;b&gt;only&lt;/b&gt;"), "{html}");
    assert!(html.contains("=1+1 &quot;quoted&quot;"));
    assert!(html.contains("We hold 1 leads about you"));

    let nobody = console.new_request(form(RequestKind::Portability, vec![email("nobody@example.com")])).await.unwrap();
    console.export_request(nobody.id, &out.join("nobody.zip"), false).await.unwrap();
    let files = unzip(&out.join("nobody.zip"));
    assert_eq!(files.len(), 3, "no CSV when nothing is held");
    assert!(String::from_utf8_lossy(&files[1].1).contains("We hold no personal data about you"));

    let wrong = console.export_request(zoe.id, &out.join("zoe.csv"), false).await.unwrap_err();
    assert_eq!(wrong.code(), Code::InvalidInput);
    assert!(!out.join("zoe.csv").exists());
    let erasure = console.new_request(form(RequestKind::Erasure, vec![email("zoe@example.org")])).await.unwrap();
    assert_eq!(
        console.export_request(erasure.id, &out.join("x.zip"), false).await.unwrap_err().code(),
        Code::InvalidInput
    );
    std::fs::remove_dir_all(&out).unwrap();
}

/// A signed_request as Meta's data-deletion callback posts it.
fn signed_request(secret: &str, payload: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let payload = URL_SAFE_NO_PAD.encode(payload);
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    format!("{}.{payload}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

#[test]
fn a_verified_deletion_callback_opens_an_erasure_request_and_a_forged_one_is_refused() {
    let ws = Workspace::new();
    assert!(ws.cli(&["client", "list"]).status.success(), "the workspace exists");
    let payload = r#"{"user_id":"987654321012345","algorithm":"HMAC-SHA256","issued_at":1790000000}"#;
    let genuine = signed_request("app-secret-1", payload);

    let before = ws.cli(&["request", "from-signed-request", "--value", &genuine]);
    assert_eq!(before.status.code(), Some(1));
    assert!(stderr(&before).contains("custodian meta app --secret-stdin"), "{}", stderr(&before));

    let set = ws.cli_with_input(&["meta", "app-secret", "--stdin"], "app-secret-1\n");
    assert!(set.status.success(), "{}", stderr(&set));
    let forged = ws.cli_with_input(&["request", "from-signed-request", "--stdin"], &signed_request("guess", payload));
    assert_eq!(forged.status.code(), Some(1));
    assert!(stderr(&forged).contains("does not match the Meta app secret"), "{}", stderr(&forged));
    let junk = ws.cli(&["request", "from-signed-request", "--value", "not-a-signed-request", "--json"]);
    let e: serde_json::Value = serde_json::from_slice(&junk.stderr).unwrap();
    assert_eq!(e["code"], "invalid_input");

    let opened = ws.cli_with_input(&["request", "from-signed-request", "--stdin", "--json"], &genuine);
    assert!(opened.status.success(), "{}", stderr(&opened));
    let r: serde_json::Value = serde_json::from_slice(&opened.stdout).unwrap();
    assert_eq!(r["kind"], "erasure");
    assert_eq!(r["identifiers"], serde_json::json!([{"kind": "app_user_id", "value": "987654321012345"}]));
    assert!(r["verification_notes"].as_str().unwrap().contains("signature verified"));
    let audit = stdout(&ws.cli(&["audit", "list"]));
    assert!(audit.contains("meta.app_secret") && !audit.contains("app-secret-1"), "the secret never reaches the trail");
}
