//! The consent register: opt-ins and opt-outs read from WhatsApp "STOP" and "START" messages and
//! from lead forms' consent questions, recorded by an admin with a reason, and set by an
//! objection; each with its proof, found and erased by requests, exported per client, and
//! checked before a conversion event is sent.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use custodian::consent::{ConsentChannel, ConsentSource};
use custodian::console::{ChatWith, ConsentChange, ConsentOf, Console, RequestForm};
use custodian::personal_data::DataKind;
use custodian::requests::{IdKind, Identifier, Outcome, RequestKind};

use crate::chats::{acme, no_cancel, payload, write, NOV_20};
use crate::support::{stderr, stdout, Workspace, TEST_NOW};

fn id(kind: IdKind, value: &str) -> Vec<Identifier> {
    vec![Identifier { kind, value: value.into() }]
}

/// Ann (447911123456) says hello, then STOP, then Start a day later; Bo asks in a sentence.
fn archive(ws: &Workspace) -> PathBuf {
    let lines = [
        payload("wamid.A1", "447911123456", "Ann Lee", NOV_20, "Hello, about the sofa"),
        payload("wamid.A2", "447911123456", "Ann Lee", NOV_20 + 600, "STOP"),
        payload("wamid.B1", "4915112345678", "Bo", NOV_20 + 700, "please stop sending offers"),
        payload("wamid.A3", "447911123456", "Ann Lee", NOV_20 + 86_400, " Start "),
    ];
    write(ws, "hooks.jsonl", &(lines.join("\n") + "\n"))
}

/// The answer on `channel` for `client` (`None`: every client), if any.
fn state(of: &ConsentOf, client: Option<&str>, channel: ConsentChannel) -> Option<bool> {
    of.states.iter().find(|s| s.client.as_deref() == client && s.channel == channel).map(|s| s.opted_in)
}

#[tokio::test]
async fn a_whatsapp_stop_and_start_are_recorded_with_the_message_as_proof_and_importing_again_adds_nothing() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let file = archive(&ws);
    let first = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!(first.consent, 2, "STOP and Start; Bo's sentence is speech: {first:?}");

    let ann = console.consent_show(&id(IdKind::Phone, "+44 7911 123456")).await.unwrap();
    assert_eq!(ann.entries.len(), 2, "{ann:?}");
    assert!(ann.entries.iter().all(|e| e.source == ConsentSource::Message && e.client.as_deref() == Some("Acme")));
    assert!(!ann.entries[0].opted_in && ann.entries[0].proof.contains("\"STOP\""), "{:?}", ann.entries[0]);
    assert_eq!(ann.entries[0].said_at, "2026-11-20T00:10:00Z");
    assert_eq!(state(&ann, Some("Acme"), ConsentChannel::WhatsappMarketing), Some(true), "Start came last");
    assert_eq!(state(&ann, Some("Acme"), ConsentChannel::EmailMarketing), None);
    // Her WhatsApp id finds the same entries.
    let by_wa_id = console.consent_show(&id(IdKind::WaId, "447911123456")).await.unwrap();
    assert_eq!(by_wa_id.entries.len(), 2);
    assert!(console.consent_show(&id(IdKind::WaId, "4915112345678")).await.unwrap().entries.is_empty());

    let again = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!(again.consent, 0, "{again:?}");
    assert_eq!(console.consent_show(&id(IdKind::WaId, "447911123456")).await.unwrap().entries.len(), 2);

    // In an export, the person's STOP counts; the business's own words do not.
    let export = write(
        &ws,
        "WhatsApp Chat with Cem.txt",
        "20/11/2026, 09:15 - Acme Shoes: Reply STOP to stop these offers\n\
         20/11/2026, 09:15 - Acme Shoes: STOP\n20/11/2026, 09:16 - Cem: stop\n",
    );
    let with = ChatWith {
        phone: Some("+90 532 123 45 67".into()),
        business_name: Some("Acme Shoes".into()),
        ..ChatWith::default()
    };
    let cem = console.chat_import("Acme", &export, &with, &no_cancel()).await.unwrap();
    assert_eq!(cem.consent, 1, "{cem:?}");
    let cem = console.consent_show(&id(IdKind::Phone, "+905321234567")).await.unwrap();
    assert_eq!(state(&cem, Some("Acme"), ConsentChannel::WhatsappMarketing), Some(false));
    assert!(cem.entries[0].proof.contains("WhatsApp export"), "{}", cem.entries[0].proof);
}

/// Acme's lead export with two consent questions: Ann agrees to WhatsApp and declines the
/// newsletter; Bo's answers say neither.
fn leads_with_consent(ws: &Workspace) -> PathBuf {
    let header = "id,created_time,form_id,form_name,platform,full_name,email,phone_number,\
                  i_agree_to_receive_offers_on_whatsapp?,email_newsletter_opt_in,lead_status";
    let rows = [
        "l:2001,2026-11-02T10:00:00+00:00,f:77,Sofa offer,fb,Ann Lee,ann.lee@example.com,p:+447911123456,Yes,No,CREATED",
        "l:2002,2026-11-03T10:00:00+00:00,f:77,Sofa offer,fb,Bo Berg,bo@example.com,p:+4915112345678,,maybe,CREATED",
    ];
    write(ws, "leads.csv", &format!("{header}\n{}\n", rows.join("\n")))
}

async fn import_leads(console: &Console, file: &std::path::Path) {
    console.import_file(file, "Acme", &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
}

#[tokio::test]
async fn a_lead_forms_consent_answers_are_recorded_with_the_form_and_question_and_found_by_a_request() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let file = leads_with_consent(&ws);
    import_leads(&console, &file).await;
    import_leads(&console, &file).await;

    let ann = console.consent_show(&id(IdKind::Email, "Ann.Lee@example.com")).await.unwrap();
    assert_eq!(ann.entries.len(), 2, "one entry per question, however often the file is imported: {ann:?}");
    assert_eq!(state(&ann, Some("Acme"), ConsentChannel::WhatsappMarketing), Some(true));
    assert_eq!(state(&ann, Some("Acme"), ConsentChannel::EmailMarketing), Some(false));
    let whatsapp = ann.entries.iter().find(|e| e.channel == ConsentChannel::WhatsappMarketing).unwrap();
    assert_eq!(whatsapp.source, ConsentSource::LeadForm);
    assert_eq!(whatsapp.said_at, "2026-11-02T10:00:00Z", "when the form was sent");
    for part in ["Sofa offer", "i_agree_to_receive_offers_on_whatsapp?", "\"Yes\"", "2001"] {
        assert!(whatsapp.proof.contains(part), "{part} in {}", whatsapp.proof);
    }
    // The lead's phone finds the entries too: it is the number WhatsApp reaches her on.
    let by_phone = console.consent_show(&id(IdKind::Phone, "+447911123456")).await.unwrap();
    assert_eq!(by_phone.entries.len(), 2);
    let bo = console.consent_show(&id(IdKind::Email, "bo@example.com")).await.unwrap();
    assert!(bo.entries.is_empty(), "an answer that says neither is not taken: {bo:?}");

    let access = console
        .new_request(RequestForm::new(RequestKind::Access, id(IdKind::Email, "ann.lee@example.com")))
        .await
        .unwrap();
    let found = console.find_for_request(access.id, false).await.unwrap();
    let consent = found.groups.iter().find(|g| g.kind == DataKind::Consent).expect("her consent is found");
    assert_eq!(consent.records.len(), 2);
    assert!(format!("{:?}", consent.records).contains("Sofa offer"));
    console.close_request(access.id, Outcome::Completed, Some("sent")).await.unwrap();

    let rectification = console
        .new_request(RequestForm::new(RequestKind::Rectification, id(IdKind::Email, "ann.lee@example.com")))
        .await
        .unwrap();
    console.find_for_request(rectification.id, false).await.unwrap();
    let fixed = console.rectify_request(rectification.id, "full_name", "Ann Leigh").await.unwrap();
    assert!(fixed.not_corrected.iter().any(|why| why.contains("Consent records are not corrected")), "{fixed:?}");
}

#[tokio::test]
async fn an_objection_opts_the_person_out_of_every_channel_for_every_client() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    console.add_client("Birch", None).await.unwrap();
    import_leads(&console, &leads_with_consent(&ws)).await;
    let birch = ConsentChange {
        client: Some("Birch".into()),
        channel: ConsentChannel::MessengerMarketing,
        opted_in: true,
        reason: "ticked the box at the Birch stand".into(),
    };
    console.consent_set(&id(IdKind::Email, "ann.lee@example.com"), &birch).await.unwrap();

    let objection = console
        .new_request(RequestForm::new(RequestKind::Objection, id(IdKind::Email, "ann.lee@example.com")))
        .await
        .unwrap();
    console.restrict_request(objection.id).await.unwrap();
    let ann = console.consent_show(&id(IdKind::Phone, "+447911123456")).await.unwrap();
    for client in [Some("Acme"), Some("Birch"), None] {
        for channel in ConsentChannel::ALL {
            assert_eq!(state(&ann, client, channel), Some(false), "{client:?} {channel:?}: {:?}", ann.states);
        }
    }
    let objected: Vec<_> = ann.entries.iter().filter(|e| e.source == ConsentSource::Objection).collect();
    assert_eq!(objected.len(), 3);
    assert!(objected.iter().all(|e| e.request_id == Some(objection.id) && e.client.is_none()));
    // Her phone came from her lead: the objection reaches the number WhatsApp knows her by.
    assert!(objected[0].identifiers.iter().any(|i| i.kind == IdKind::Phone), "{:?}", objected[0].identifiers);
}

#[tokio::test]
async fn an_admins_entry_needs_a_reason_an_opt_in_names_its_client_and_an_erased_person_is_refused() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let person = id(IdKind::Email, "dee@example.com");
    let change = |client: Option<&str>, opted_in: bool, reason: &str| ConsentChange {
        client: client.map(str::to_owned),
        channel: ConsentChannel::EmailMarketing,
        opted_in,
        reason: reason.into(),
    };
    let no_client = console.consent_set(&person, &change(None, true, "signed up at the fair")).await.unwrap_err();
    assert!(no_client.to_string().contains("name the client"), "{no_client}");
    let no_reason = console.consent_set(&person, &change(Some("Acme"), true, "  ")).await.unwrap_err();
    assert!(no_reason.to_string().contains("how the person gave their answer"), "{no_reason}");
    assert!(console.consent_show(&person).await.unwrap().entries.is_empty(), "a refusal records nothing");

    let set = console.consent_set(&person, &change(Some("Acme"), true, "signed up at the fair")).await.unwrap();
    assert_eq!(state(&set, Some("Acme"), ConsentChannel::EmailMarketing), Some(true));
    assert!(set.entries[0].proof.contains("signed up at the fair"));
    ws.clock.set(*TEST_NOW + chrono::Duration::hours(1));
    let out = console.consent_set(&person, &change(None, false, "asked by phone")).await.unwrap();
    assert_eq!(state(&out, Some("Acme"), ConsentChannel::EmailMarketing), Some(false), "an opt-out for every client");

    let erasure = console.new_request(RequestForm::new(RequestKind::Erasure, person.clone())).await.unwrap();
    let found = console.find_for_request(erasure.id, false).await.unwrap();
    assert_eq!(found.groups.iter().filter(|g| g.kind == DataKind::Consent).map(|g| g.records.len()).sum::<usize>(), 2);
    let erased = console.erase_request(erasure.id, true, false).await.unwrap();
    assert!(erased.receipt.deleted.iter().any(|d| d.kind == DataKind::Consent && d.count == 2), "{:?}", erased.receipt);
    assert!(console.consent_show(&person).await.unwrap().entries.is_empty());
    let refused = console.consent_set(&person, &change(Some("Acme"), true, "again")).await.unwrap_err();
    assert!(refused.to_string().contains("erased"), "{refused}");
    drop(console);
    let key = ws.key().await;
    let traces = crate::support::traces(ws.path(), key.expose(), &["dee@example.com", "signed up at the fair"]);
    assert!(traces.is_empty(), "no trace of her consent: {traces:?}");
}

#[tokio::test]
async fn an_erased_persons_stop_goes_with_them_and_importing_the_archive_again_does_not_bring_it_back() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    let file = archive(&ws);
    console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    let erasure =
        console.new_request(RequestForm::new(RequestKind::Erasure, id(IdKind::Phone, "+447911123456"))).await.unwrap();
    console.find_for_request(erasure.id, false).await.unwrap();
    let erased = console.erase_request(erasure.id, true, false).await.unwrap();
    let deleted: Vec<DataKind> = erased.receipt.deleted.iter().map(|d| d.kind).collect();
    assert!(deleted.contains(&DataKind::Consent) && deleted.contains(&DataKind::Conversations), "{deleted:?}");

    let again = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((again.consent, again.erased), (0, 3), "{again:?}");
    assert!(console.consent_show(&id(IdKind::WaId, "447911123456")).await.unwrap().entries.is_empty());
    drop(console);
    let key = ws.key().await;
    let traces = crate::support::traces(ws.path(), key.expose(), &["447911123456", "Ann Lee"]);
    let traces: Vec<_> = traces.into_iter().filter(|t| !t.contains("hooks.jsonl")).collect();
    assert!(traces.is_empty(), "no trace of her or her STOP: {traces:?}");
}

#[tokio::test]
async fn the_cli_shows_sets_and_exports_the_register_with_each_entrys_proof() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    console.chat_import("Acme", &archive(&ws), &ChatWith::default(), &no_cancel()).await.unwrap();
    console.close().await;

    let shown = ws.cli(&["consent", "show", "--wa-id", "447911123456"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(stdout(&shown).contains("whatsapp_marketing") && stdout(&shown).contains("opted in"), "{}", stdout(&shown));
    assert!(stdout(&shown).contains("\"STOP\""), "{}", stdout(&shown));

    let no_client = ws.cli(&[
        "consent",
        "set",
        "--email",
        "eve@example.com",
        "--channel",
        "email_marketing",
        "--opt-in",
        "--reason",
        "fair",
    ]);
    assert!(!no_client.status.success());
    assert!(stderr(&no_client).contains("name the client"), "{}", stderr(&no_client));
    let both = ws.cli(&[
        "consent",
        "set",
        "--email",
        "eve@example.com",
        "--channel",
        "email_marketing",
        "--opt-in",
        "--opt-out",
        "--reason",
        "fair",
    ]);
    assert!(!both.status.success());
    let set = ws.cli(&[
        "consent",
        "set",
        "--email",
        "eve@example.com",
        "--phone",
        "+447700900123",
        "--channel",
        "email_marketing",
        "--opt-in",
        "--client",
        "Acme",
        "--reason",
        "signed up at the fair",
        "--json",
    ]);
    assert!(set.status.success(), "{}", stderr(&set));
    let json: serde_json::Value = serde_json::from_str(&stdout(&set)).unwrap();
    assert_eq!(json["states"][0]["channel"], "email_marketing");
    assert_eq!(json["states"][0]["opted_in"], true);

    let out = ws.path().join("acme-consent.csv");
    let exported = ws.cli(&["consent", "export", "--client", "Acme", "--out", out.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(stdout(&exported).contains("Exported 3 consent entries"), "{}", stdout(&exported));
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("said_at,channel,answer,current,client,email,phone,wa_id"), "{}", lines[0]);
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1].contains("opt_out,no,Acme") && lines[1].contains("447911123456"), "superseded by Start: {csv}");
    assert!(lines[2].contains("opt_in,yes,Acme"), "{csv}");
    assert!(lines[3].contains("eve@example.com,'+447700900123") && lines[3].contains("signed up at the fair"), "{csv}");
    let again = ws.cli(&["consent", "export", "--client", "Acme", "--out", out.to_str().unwrap()]);
    assert!(!again.status.success(), "an existing file is not replaced without --force");
}

#[tokio::test]
async fn an_answer_given_by_one_identifier_reaches_the_others_the_person_is_known_by() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    // Ann declined the newsletter on the lead form, which named her email and phone.
    import_leads(&console, &leads_with_consent(&ws)).await;
    let change = ConsentChange {
        client: Some("Acme".into()),
        channel: ConsentChannel::EmailMarketing,
        opted_in: true,
        reason: "asked for the newsletter by email".into(),
    };
    ws.clock.set(*TEST_NOW + chrono::Duration::hours(1));
    let now = console.consent_set(&id(IdKind::Email, "ann.lee@example.com"), &change).await.unwrap();
    let last = now.entries.last().unwrap();
    assert!(last.identifiers.iter().any(|i| i.kind == IdKind::Phone), "{:?}", last.identifiers);
    // By her phone alone, as a conversion event may name her, her answer is the new one.
    let by_phone = console.consent_show(&id(IdKind::Phone, "+447911123456")).await.unwrap();
    assert_eq!(state(&by_phone, Some("Acme"), ConsentChannel::EmailMarketing), Some(true));
    let out = ws.path().join("acme.csv");
    console.consent_export("Acme", &out, false).await.unwrap();
    let csv = std::fs::read_to_string(&out).unwrap();
    let newsletter: Vec<&str> = csv.lines().filter(|l| l.contains("email_marketing")).collect();
    assert_eq!(newsletter.len(), 2, "{csv}");
    assert!(newsletter[0].contains(",opt_out,no,") && newsletter[1].contains(",opt_in,yes,"), "{csv}");
}

#[tokio::test]
async fn a_clients_register_names_people_of_an_objection_only_by_what_that_client_holds() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    console.add_client("Birch", None).await.unwrap();
    let at_birch = ConsentChange {
        client: Some("Birch".into()),
        channel: ConsentChannel::EmailMarketing,
        opted_in: true,
        reason: "signed up at Birch".into(),
    };
    console.consent_set(&id(IdKind::Email, "zed@example.com"), &at_birch).await.unwrap();
    let objection = console
        .new_request(RequestForm::new(RequestKind::Objection, id(IdKind::Email, "zed@example.com")))
        .await
        .unwrap();
    console.restrict_request(objection.id).await.unwrap();
    // Acme knows Ann by her lead; her objection names her lead at Acme too.
    import_leads(&console, &leads_with_consent(&ws)).await;
    let ann = console
        .new_request(RequestForm::new(RequestKind::Objection, id(IdKind::Email, "ann.lee@example.com")))
        .await
        .unwrap();
    console.restrict_request(ann.id).await.unwrap();

    let out = ws.path().join("acme.csv");
    let exported = console.consent_export("Acme", &out, false).await.unwrap();
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(!csv.contains("zed@example.com"), "Birch's person is not Acme's to see: {csv}");
    assert_eq!(exported.rows, 5, "Ann's two answers on the form and her objection on three channels: {csv}");
    assert!(csv.lines().filter(|l| l.contains("objection")).all(|l| l.contains("ann.lee@example.com")), "{csv}");
}

#[tokio::test]
async fn only_the_person_a_thread_is_with_opts_in_or_out_and_never_later_than_it_was_recorded() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    // No business name is given: the business's "Start" is still not Cem's. The number is
    // written nationally and placed with the client's country.
    let export = write(
        &ws,
        "WhatsApp Chat with Cem.txt",
        "20/11/2026, 09:15 - Cem: STOP\n20/11/2026, 09:16 - Acme Shoes: Start\n",
    );
    let with = ChatWith { phone: Some("07700 900123".into()), ..ChatWith::default() };
    let cem = console.chat_import("Acme", &export, &with, &no_cancel()).await.unwrap();
    assert_eq!(cem.consent, 1, "{cem:?}");
    let shown = console.consent_show(&id(IdKind::Phone, "+447700900123")).await.unwrap();
    assert_eq!(state(&shown, Some("Acme"), ConsentChannel::WhatsappMarketing), Some(false), "{shown:?}");

    // A payload dated after it was imported is taken as said when it was recorded.
    let future = TEST_NOW.timestamp() + 10 * 86_400;
    let file = write(&ws, "later.jsonl", &(payload("wamid.F1", "447700900123", "Cem", future, "START") + "\n"));
    console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    let shown = console.consent_show(&id(IdKind::Phone, "+447700900123")).await.unwrap();
    assert_eq!(shown.entries.last().unwrap().said_at, "2026-11-23T09:00:00Z");
}

#[tokio::test]
async fn a_stop_in_a_thread_that_turns_out_to_hold_an_erased_person_goes_with_the_thread() {
    let ws = Workspace::new();
    let console = acme(&ws).await;
    // Ann was erased when known only by her WhatsApp user id, under which she had opted out.
    let user_id = id(IdKind::WaId, "GB.13491208655302741918");
    let out = ConsentChange {
        client: None,
        channel: ConsentChannel::WhatsappMarketing,
        opted_in: false,
        reason: "by letter".into(),
    };
    console.consent_set(&user_id, &out).await.unwrap();
    let erasure = console
        .new_request(RequestForm::new(RequestKind::Erasure, id(IdKind::WaId, "GB.13491208655302741918")))
        .await
        .unwrap();
    console.find_for_request(erasure.id, false).await.unwrap();
    console.erase_request(erasure.id, true, false).await.unwrap();
    let with_user_id = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001", "phone_number_id": "15550001"},
            "contacts": [{"profile": {"name": "Ann Lee"}, "wa_id": "447911123456", "user_id": "GB.13491208655302741918"}],
            "messages": [{"from": "447911123456", "id": "wamid.A9", "timestamp": (NOV_20 + 900).to_string(), "type": "text",
                "text": {"body": "hello again"}}]}}]}]});
    let lines = [payload("wamid.A2", "447911123456", "Ann Lee", NOV_20 + 600, "STOP"), with_user_id.to_string()];
    let file = write(&ws, "hooks.jsonl", &(lines.join("\n") + "\n"));
    let imported = console.chat_import("Acme", &file, &ChatWith::default(), &no_cancel()).await.unwrap();
    assert_eq!((imported.threads, imported.messages), (0, 0), "{imported:?}");
    assert!(console.consent_show(&id(IdKind::WaId, "447911123456")).await.unwrap().entries.is_empty());
}
