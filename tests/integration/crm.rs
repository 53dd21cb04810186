//! The CRM client against the local CRM simulators: each CRM's schema is read with its own kind of
//! credential, rate limits are waited out or handed back, failures retried a bounded number of
//! times, an expired token is said to be one, and no error ever names the token. A suggested
//! mapping from a live schema reads back and checks out, but for what nothing matched.

use std::time::Duration;

use custodian::crm::client::{CrmClient, CrmError, Pacing};
use custodian::crm::mapping;
use custodian::crm::Crm;
use custodian::vault::Sensitive;

use crate::crm_sim::{CrmSim, Fault};

const TOKEN: &str = "pat-na1-0123456789abcdef0123456789abcdef";

fn quick() -> Pacing {
    Pacing {
        transient_retries: 2,
        first_backoff: Duration::from_millis(2),
        longest_wait: Duration::from_secs(3),
        timeout: Duration::from_secs(10),
    }
}

fn client(crm: Crm, sim: &CrmSim, token: &str) -> CrmClient {
    CrmClient::new(crm, &sim.url, Sensitive::new(token.to_owned()), quick()).unwrap()
}

#[tokio::test]
async fn each_crms_schema_is_read_with_its_own_kind_of_credential() {
    let sim = CrmSim::start(TOKEN);
    let hubspot = client(Crm::HubSpot, &sim, TOKEN).schema().await.unwrap();
    assert!(hubspot.field("hs_object_id").is_none(), "read-only properties are not offered");
    assert_eq!(hubspot.field("hs_lead_status").unwrap().options, ["NEW", "OPEN"]);
    let salesforce = client(Crm::Salesforce, &sim, TOKEN).schema().await.unwrap();
    let required: Vec<&str> = salesforce.fields.iter().filter(|f| f.required).map(|f| f.name.as_str()).collect();
    assert_eq!(required, ["LastName", "Company"]);
    let pipedrive = client(Crm::Pipedrive, &sim, TOKEN).schema().await.unwrap();
    assert_eq!(pipedrive.field("5f1c9a0d3b2e4f6a8c7d9e0f1a2b3c4d5e6f7a8b").unwrap().options, ["Low", "High"]);
    let calls = sim.calls();
    assert_eq!(calls[1].1, "/services/data/v62.0/sobjects/Lead/describe");
    assert!(calls.iter().all(|(_, _, credential)| credential == TOKEN), "{calls:?}");
}

#[tokio::test]
async fn rate_limits_are_waited_out_or_handed_back_and_failures_retried_a_bounded_number_of_times() {
    let sim = CrmSim::start(TOKEN);
    sim.fault(Fault::TooMany(1));
    sim.fault(Fault::Unavailable);
    let started = std::time::Instant::now();
    assert!(client(Crm::HubSpot, &sim, TOKEN).schema().await.is_ok());
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was honoured");
    assert_eq!(sim.calls().len(), 3);

    sim.fault(Fault::RequestLimit);
    assert!(client(Crm::Salesforce, &sim, TOKEN).schema().await.is_ok(), "Salesforce's limit is waited out too");

    sim.fault(Fault::TooMany(60));
    let e = client(Crm::HubSpot, &sim, TOKEN).schema().await.unwrap_err();
    assert_eq!(e, CrmError::Throttled { crm: "HubSpot", retry_after: Duration::from_secs(60) });
    assert!(e.to_string().contains("try again in 60 seconds"), "{e}");

    for _ in 0..3 {
        sim.fault(Fault::Unavailable);
    }
    let e = client(Crm::Pipedrive, &sim, TOKEN).schema().await.unwrap_err();
    assert!(matches!(e, CrmError::Unavailable { attempts: 3, .. }), "{e:?}");
}

#[tokio::test]
async fn a_token_the_crm_no_longer_accepts_is_said_to_be_one_and_no_error_names_it() {
    let sim = CrmSim::start(TOKEN);
    let wrong = "pat-na1-ffffffffffffffffffffffffffffffff";
    for crm in [Crm::HubSpot, Crm::Salesforce, Crm::Pipedrive] {
        let e = client(crm, &sim, wrong).schema().await.unwrap_err();
        assert!(matches!(e, CrmError::Unauthorized { .. }), "{e:?}");
        assert!(!e.to_string().contains(wrong) && !format!("{e:?}").contains(wrong), "{e}");
    }
    sim.fault(Fault::Expired);
    let e = client(Crm::Salesforce, &sim, TOKEN).schema().await.unwrap_err();
    assert!(e.to_string().contains("INVALID_SESSION_ID"), "{e}");
    assert!(matches!(
        CrmClient::new(Crm::HubSpot, "ftp://x", Sensitive::new(TOKEN.into()), quick()),
        Err(CrmError::BadUrl(_))
    ));
}

#[tokio::test]
async fn a_suggested_mapping_from_a_live_schema_reads_back_and_checks_out_but_for_what_nothing_matched() {
    let sim = CrmSim::start(TOKEN);
    let schema = client(Crm::Salesforce, &sim, TOKEN).schema().await.unwrap();
    let keys: Vec<String> = ["full_name", "email", "phone_number", "what_is_your_budget?"].map(str::to_owned).to_vec();
    let suggested = mapping::suggest(&schema, "f1", &keys);
    assert_eq!(suggested.unmet, ["Company"]);
    let read: mapping::Mapping = serde_json::from_str(&serde_json::to_string(&suggested).unwrap()).unwrap();
    let problems: Vec<String> = mapping::check(&read, &schema, &keys).iter().map(ToString::to_string).collect();
    assert_eq!(problems, ["Company: Salesforce needs it to create a record"]);
    let lead = [("full_name", "Ann Lee"), ("email", "ANN@example.com"), ("phone_number", "+44 7911 123456")]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let sent = mapping::apply(&read, &schema, &lead, None).unwrap();
    let expected = serde_json::json!({"Email": "ann@example.com", "Phone": "+447911123456", "FirstName": "Ann", "LastName": "Lee"});
    assert_eq!(serde_json::Value::Object(sent), expected);
}

#[tokio::test]
async fn connecting_a_crm_checks_its_token_first_and_keeps_it_only_in_the_keychain() {
    use custodian::console::Code;
    let sim = CrmSim::start(TOKEN);
    let ws = crate::support::Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", None).await.unwrap();
    let wrong = Sensitive::new("pat-na1-ffffffffffffffffffffffffffffffff".to_owned());
    let refused = console.connect_crm(Crm::HubSpot, "acme", wrong, Some(&sim.url)).await.unwrap_err();
    assert_eq!(refused.code(), Code::TokenInvalid, "{refused}");
    assert!(console.crm_connections().await.unwrap().is_empty(), "a refused token is not kept");

    let connection =
        console.connect_crm(Crm::HubSpot, "acme", Sensitive::new(TOKEN.into()), Some(&sim.url)).await.unwrap();
    assert_eq!((connection.crm, connection.client.as_deref()), (Crm::HubSpot, Some("Acme")));
    let vault = custodian::vault::Vault::new(console.workspace_id());
    assert_eq!(vault.get("crm-token", &connection.id).await.unwrap().unwrap().expose(), TOKEN);
    assert_eq!(console.crm_connection("hubspot", Some("Acme")).await.unwrap().id, connection.id);
    let fields = console.crm_fields("hubspot", Some("Acme")).await.unwrap();
    assert!(fields.field("email").is_some());
    let salesforce =
        console.connect_crm(Crm::Salesforce, "Acme", Sensitive::new(TOKEN.into()), None).await.unwrap_err();
    assert!(salesforce.to_string().contains("instance URL"), "{salesforce}");

    let unconfirmed = console.disconnect_crm(&connection.id, None, false).await.unwrap_err();
    assert_eq!(unconfirmed.code(), Code::ConfirmationRequired);
    console.disconnect_crm(&connection.id, None, true).await.unwrap();
    assert!(vault.get("crm-token", &connection.id).await.unwrap().is_none(), "the token left the keychain");
    let audit = serde_json::to_string(&console.audit_list(100, None).await.unwrap()).unwrap();
    assert!(audit.contains("crm.connect") && audit.contains("crm.disconnect") && !audit.contains(TOKEN), "{audit}");
    let key = *ws.key().await.expose();
    console.close().await;
    assert_eq!(crate::support::traces(ws.path(), &key, &[TOKEN]), Vec::<String>::new());
}

#[test]
fn the_cli_suggests_a_mapping_that_set_reads_refuses_one_that_misses_a_required_field_and_keeps_versions() {
    use crate::support::{stderr, stdout};
    let sim = CrmSim::start(TOKEN);
    let ws = crate::support::Workspace::new();
    assert!(ws.cli(&["client", "add", "Acme"]).status.success());
    let browser = ws.cli(&["crm", "connect", "salesforce", "--client", "Acme", "--instance-url", &sim.url]);
    assert_eq!(browser.status.code(), Some(1));
    assert!(stderr(&browser).contains("needs the agency's Salesforce app"), "{}", stderr(&browser));
    let connected = ws.cli_with_input(
        &["crm", "connect", "salesforce", "--client", "Acme", "--token-stdin", "--instance-url", &sim.url],
        &format!("{TOKEN}\n"),
    );
    assert!(connected.status.success(), "{}", stderr(&connected));
    assert!(!stdout(&connected).contains(TOKEN) && !stderr(&connected).contains(TOKEN));
    let fields = stdout(&ws.cli(&["crm", "fields", "--crm", "salesforce", "--client", "Acme"]));
    assert!(fields.contains("LastName  Last Name (Text, required)"), "{fields}");

    let map = ["--client", "Acme", "--form", "f1", "--crm", "salesforce"];
    let suggested = ws.cli(&[&["crm", "map", "suggest"][..], &map].concat());
    assert!(suggested.status.success(), "{}", stderr(&suggested));
    let mut mapping: serde_json::Value = serde_json::from_str(&stdout(&suggested)).unwrap();
    assert!(mapping["fields"].as_array().unwrap().iter().any(|r| r["to"] == "LastName" && r["from"] == "last_name"));
    // Without the company the form does not ask for, Salesforce cannot create the Lead.
    mapping["fields"].as_array_mut().unwrap().retain(|r| r["to"] != "Company");
    let file = ws.path().join("m.json");
    std::fs::write(&file, mapping.to_string()).unwrap();
    let set = |file: &std::path::Path| {
        ws.cli(&[&["crm", "map", "set"][..], &map, &["--file", file.to_str().unwrap()]].concat())
    };
    let refused = set(&file);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("Company: Salesforce needs it to create a record"), "{}", stderr(&refused));
    assert!(stdout(&ws.cli(&[&["crm", "map", "show"][..], &map].concat())).is_empty(), "nothing was kept");

    mapping["fields"].as_array_mut().unwrap().push(serde_json::json!({"to": "Company", "constant": "Acme Shoes"}));
    std::fs::write(&file, mapping.to_string()).unwrap();
    for version in ["Kept version 1", "Kept version 2"] {
        let kept = set(&file);
        assert!(stdout(&kept).contains(version), "{}{}", stdout(&kept), stderr(&kept));
    }
    let shown: serde_json::Value =
        serde_json::from_str(&stdout(&ws.cli(&[&["crm", "map", "show"][..], &map, &["--json"]].concat()))).unwrap();
    assert_eq!(shown["version"], 2);
    assert_eq!(shown["mapping"]["fields"].as_array().unwrap().last().unwrap()["constant"], "Acme Shoes");
    assert!(stdout(&ws.cli(&["crm", "status"])).contains("Salesforce of client Acme, ok"));
}

#[tokio::test]
async fn a_preview_is_exactly_the_body_the_crm_gets_for_a_lead_by_its_forms_mapping() {
    use crate::fixtures;
    let sim = CrmSim::start(TOKEN);
    let ws = crate::support::Workspace::new();
    let console = ws.open().await;
    console.add_client("Acme", Some("GB")).await.unwrap();
    let text = fixtures::text(fixtures::HEADER, &fixtures::rows(), ',', "\r\n");
    let file = fixtures::write(ws.path(), "leads.csv", text.as_bytes());
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    console.import_file(&file, "Acme", &|_| {}, cancel).await.unwrap();
    let salesforce =
        console.connect_crm(Crm::Salesforce, "Acme", Sensitive::new(TOKEN.into()), Some(&sim.url)).await.unwrap();
    let unmapped = console.crm_preview("l:1002", "salesforce", Some("Acme")).await.unwrap_err();
    assert!(unmapped.to_string().contains("has no mapping"), "{unmapped}");

    let lead = console.list_leads(&custodian::leads::Filter::default(), 10, 0).await.unwrap().remove(0);
    let form = lead.form_id.clone();
    // A question this form's leads never answered is refused; the one they did is taken.
    let with = |extra: &str| {
        format!(
            r#"{{"crm": "salesforce", "form": "{form}", "fields": [
            {{"to": "FirstName", "from": "full_name", "transform": "first_name"}},
            {{"to": "LastName", "from": "full_name", "transform": "last_name"}},
            {{"to": "Company", "constant": "Acme Shoes"}},
            {{"to": "Email", "from": "email", "transform": "email"}},
            {{"to": "Phone", "from": "phone_number", "transform": "e164"}},
            {{"to": "Status", "from": "{extra}", "map": {{"under_1000": "Open - Not Contacted"}}}}]}}"#
        )
    };
    let refused = console.crm_map_set("Acme", &form, "salesforce", &with("favourite_colour?")).await.unwrap_err();
    assert!(refused.to_string().contains("no answer 'favourite_colour?'"), "{refused}");
    console.crm_map_set("Acme", &form, &salesforce.id, &with("what_is_your_budget?")).await.unwrap();

    let body = console.crm_preview("l:1002", "salesforce", Some("Acme")).await;
    // Lead 1002's budget is not in the map: the preview says so rather than send it without.
    let e = body.unwrap_err();
    assert!(e.to_string().contains("has no value in the map"), "{e}");
    let body = console.crm_preview("1001", &salesforce.id, None).await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"FirstName": "Ann", "LastName": "Lee", "Company": "Acme Shoes",
            "Email": "ann.lee@example.com", "Phone": "+447911123456", "Status": "Open - Not Contacted"})
    );
    let elsewhere = console.crm_preview("9999", "salesforce", Some("Acme")).await.unwrap_err();
    assert!(elsewhere.to_string().contains("holds no lead with Meta lead id 9999"), "{elsewhere}");
}
