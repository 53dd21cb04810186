//! The Graph API simulator of the integration tests as a process of its own, for what runs the real
//! app or the release binary against it: the end-to-end tests and `make bench`. It serves a Page
//! with one lead form holding `--leads N` leads (newest first, in pages of `--page-size`), a
//! system-user token, Facebook Login for the app, a dataset for conversion events and the
//! pixels of business 500100, then prints one line, `URL TOKEN APP_ID
//! APP_SECRET DATASET`, and serves until it is killed.

#[path = "../integration/graph_sim.rs"]
#[allow(dead_code)]
mod graph_sim;

use serde_json::json;

const TOKEN: &str = "EAAGsimulatedsystemusertoken0123456789abcdef";
const APP_ID: &str = "1234";
const APP_SECRET: &str = "simulatedappsecret0123456789";
/// A dataset (pixel) that takes conversion events.
const DATASET: &str = "880000000000001";
const LEAD_ADS: [&str; 4] = ["leads_retrieval", "pages_show_list", "pages_read_engagement", "pages_manage_metadata"];

fn arg(name: &str, default: i64) -> i64 {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{name} takes a number")),
        None => default,
    }
}

fn main() {
    let leads = arg("--leads", 3);
    let page_size = arg("--page-size", 100);
    // Lead n was created 7n seconds before this moment (2026-11-18T09:46:40Z unless --newest).
    let newest = arg("--newest", 1_795_000_000);
    let sim = graph_sim::GraphSim::start();
    sim.now(newest);
    sim.page_size(page_size as usize);
    sim.token(
        TOKEN,
        graph_sim::Token {
            app_id: APP_ID.into(),
            kind: "SYSTEM_USER",
            scopes: LEAD_ADS.to_vec(),
            expires_at: 0,
            invalid: None,
        },
    );
    sim.login(graph_sim::Login {
        app_id: APP_ID.into(),
        app_secret: APP_SECRET.into(),
        scopes: LEAD_ADS.to_vec(),
        declines: false,
    });
    sim.page("p1", "Acme Shoes", "EAAGsimulatedpagetoken1acme0123456789");
    sim.forms("p1", vec![json!({"id": "f1", "name": "Test drive", "status": "ACTIVE", "leads_count": leads})]);
    sim.leads(
        "f1",
        (0..leads)
            .map(|n| {
                let created = chrono::DateTime::from_timestamp(newest - n * 7, 0).expect("a time in range");
                json!({"id": format!("{}", 700_000_000 + n), "created_time": created.format("%Y-%m-%dT%H:%M:%S+0000").to_string(),
                "ad_id": "1", "ad_name": "Spring video", "form_id": "f1", "is_organic": false,
                "platform": if n % 3 == 0 { "ig" } else { "fb" },
                "field_data": [
                    {"name": "full_name", "values": [format!("Person {n}")]},
                    {"name": "email", "values": [format!("person{n}@example.com")]},
                    {"name": "phone_number", "values": [format!("+4479110{:05}", n % 100_000)]},
                    {"name": "what_is_your_budget?", "values": ["1k–5k"]},
                ]})
            })
            .collect(),
    );
    sim.dataset(DATASET);
    // The agency's business with a pixel of its own (shared with a partner to analyse) and a
    // client's pixel shared with it, and an ad account with no pixel yet.
    sim.business("500100", "Agency");
    sim.pixel("111", "Agency site", "500100", &[("700100", &["ANALYZE"])]);
    sim.pixel("222", "Acme shop", "600100", &[("500100", &["ANALYZE", "UPLOAD"])]);
    sim.ad_account("act_900", "800100");
    println!("{} {TOKEN} {APP_ID} {APP_SECRET} {DATASET}", sim.url);
    loop {
        std::thread::park();
    }
}
