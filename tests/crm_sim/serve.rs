//! The CRM simulator of the integration tests as a process of its own, for `make bench`: HubSpot's,
//! Salesforce's and Pipedrive's APIs behind one token. Prints one line, `URL TOKEN`, and serves
//! until it is killed.

#[path = "../integration/crm_sim.rs"]
#[allow(dead_code)]
mod crm_sim;

const TOKEN: &str = "pat-na1-simulated0123456789abcdef0123";

fn main() {
    let sim = crm_sim::CrmSim::start(TOKEN);
    println!("{} {TOKEN}", sim.url);
    loop {
        std::thread::park();
    }
}
