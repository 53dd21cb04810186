//! `make bench`'s sync benchmark: leads synced from a local Graph API simulator running in a process
//! of its own, so that the CPU time measured here is Custodian's alone. Reports, for 10,000 and
//! 100,000 leads over pages of 100: the calls made (pages, and nothing wasted), the time, the CPU
//! time per lead, and the peak memory.

#[path = "../integration/graph_sim.rs"]
#[allow(dead_code)]
mod graph_sim;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use custodian::bench::{peak_memory, Scratch};
use custodian::clock::SystemClock;
use custodian::console::{Console, MetaAppForm};
use custodian::vault::Sensitive;
use serde_json::json;

const TOKEN: &str = "EAAGbenchsystemusertoken0123456789abcdef";
const PAGE_SIZE: usize = 100;

/// Run as the simulator: serve `leads` leads on form f1 and print the address.
fn simulate(leads: usize) -> ! {
    let sim = graph_sim::GraphSim::start();
    sim.page_size(PAGE_SIZE);
    let scopes = vec!["leads_retrieval", "pages_show_list", "pages_read_engagement", "pages_manage_metadata"];
    sim.token(
        TOKEN,
        graph_sim::Token { app_id: "1234".into(), kind: "SYSTEM_USER", scopes, expires_at: 0, invalid: None },
    );
    sim.page("p1", "Bench Shoes", "EAAGbenchpagetoken1");
    sim.forms("p1", vec![json!({"id": "f1", "name": "Bench form", "status": "ACTIVE", "leads_count": leads})]);
    let newest = 1_795_000_000_i64;
    sim.leads(
        "f1",
        (0..leads as i64)
            .map(|n| {
                let created = custodian::clock::from_unix(newest - n * 7).unwrap().format("%Y-%m-%dT%H:%M:%S+0000");
                json!({"id": format!("{}", 700_000_000 + n), "created_time": created.to_string(), "ad_id": "ag:1",
                "form_id": "f1", "is_organic": false, "platform": if n % 3 == 0 { "ig" } else { "fb" },
                "field_data": [
                    {"name": "full_name", "values": [format!("Person {n}")]},
                    {"name": "email", "values": [format!("person{n}@example.com")]},
                    {"name": "phone_number", "values": [format!("+4479110{:05}", n % 100_000)]},
                    {"name": "what_is_your_budget?", "values": ["1k–5k"]},
                ]})
            })
            .collect(),
    );
    println!("{}", sim.url);
    loop {
        std::thread::park();
    }
}

/// CPU time this process has used, user and system, in seconds.
fn cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// How many calls the simulator has answered.
async fn calls(url: &str) -> u64 {
    let answer = reqwest::get(format!("{url}/_simulator/calls")).await.expect("the simulator answers");
    let counted: serde_json::Value = answer.json().await.expect("a count");
    counted["calls"].as_u64().unwrap_or(0)
}

async fn bench(leads: usize) {
    let mut simulator = Command::new(std::env::current_exe().unwrap())
        .env("CUSTODIAN_BENCH_SIMULATE", leads.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the simulator");
    let mut url = String::new();
    BufReader::new(simulator.stdout.take().unwrap()).read_line(&mut url).unwrap();
    let url = url.trim().to_owned();

    let scratch = Scratch::new("sync").unwrap();
    let console = Console::open(&scratch.workspace(), Arc::new(SystemClock)).await.unwrap();
    console.add_client("Bench", Some("GB")).await.unwrap();
    let form = MetaAppForm { app_id: Some("1234".into()), graph_url: Some(url.clone()), ..MetaAppForm::default() };
    console.set_meta_app(form).await.unwrap();
    let connection = console.connect_meta(Sensitive::new(TOKEN.into()), None).await.unwrap();
    console.refresh_meta_pages().await.unwrap();
    console.assign_meta_page("p1", Some("Bench")).await.unwrap();
    console.refresh_meta_forms(None).await.unwrap();
    console.set_meta_form_sync("f1", true).await.unwrap();

    // Peak memory from here: the setup and an earlier run do not count.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let calls_before = calls(&url).await;
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let report = console.sync_meta(None, None, &|_| {}, Arc::new(AtomicBool::new(false))).await.unwrap();
    let elapsed = started.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    let made = calls(&url).await - calls_before;
    let synced = &report.forms[0];
    assert_eq!(synced.new as usize, leads, "{report:?}");
    println!("leads                          {leads}");
    println!("pages of {PAGE_SIZE}                   {}", synced.pages);
    println!(
        "calls to the Graph API         {made} (pages: {}; none wasted: {})",
        synced.pages,
        made == u64::from(synced.pages)
    );
    println!(
        "sync                           {:.2} s, {:.0} leads/s",
        elapsed.as_secs_f64(),
        leads as f64 / elapsed.as_secs_f64()
    );
    println!(
        "CPU time in Custodian          {:.1} µs a lead (the simulator runs in its own process)",
        cpu * 1e6 / leads as f64
    );
    println!("peak memory                    {} MiB", peak_memory().unwrap_or(0) >> 20);
    console.disconnect_meta(&connection.id, true).await.unwrap();
    console.close().await;
    let _ = simulator.kill();
    let _ = simulator.wait();
}

fn main() {
    if let Ok(leads) = std::env::var("CUSTODIAN_BENCH_SIMULATE") {
        simulate(leads.parse().expect("a number of leads"));
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for leads in [10_000, 100_000] {
        runtime.block_on(bench(leads));
        println!();
    }
}
