//! What the CLI prints. `--json` output is the DTOs as serialised for the UI: stable field names,
//! documented in the README. Errors go to stderr, as `{code, message}` with `--json`.

use std::process::ExitCode;

use serde::Serialize;

use crate::audit::{AuditEntry, Verification};
use crate::clients::Client;
use crate::console::{self, ApiError, Removal, Report, Status};

pub enum Exit {
    Ok,
    Failed,
    AuditBroken,
}

impl Exit {
    pub fn code(self) -> ExitCode {
        match self {
            Exit::Ok => ExitCode::SUCCESS,
            Exit::Failed => ExitCode::from(1),
            Exit::AuditBroken => ExitCode::from(3),
        }
    }

    pub fn from_error(as_json: bool, e: ApiError) -> Exit {
        print_error(as_json, &e);
        Exit::Failed
    }
}

pub fn fail(as_json: bool, e: &ApiError) -> ExitCode {
    print_error(as_json, e);
    Exit::Failed.code()
}

fn print_error(as_json: bool, e: &ApiError) {
    if as_json {
        eprintln!("{}", serde_json::to_string(e).expect("an error serialises"));
    } else {
        eprintln!("error: {}", e.message);
    }
}

pub fn json<T: Serialize>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("DTOs serialise")
    );
}

pub fn client(as_json: bool, verb: &str, c: &Client) -> Result<Exit, console::Error> {
    if as_json {
        json(c);
    } else {
        println!("{verb} client '{}'", c.name);
    }
    Ok(Exit::Ok)
}

pub fn clients(as_json: bool, list: &[Client]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
    } else if list.is_empty() {
        println!("No clients yet. Add one with: custodian client add NAME");
    } else {
        for c in list {
            println!("{}\t{}\t{}", c.name, c.created_at, c.id);
        }
    }
    Ok(Exit::Ok)
}

pub fn removal(as_json: bool, r: &Removal) -> Result<Exit, console::Error> {
    if as_json {
        json(r);
    } else if r.removed.is_empty() {
        println!("Removed client '{}' (it held no data)", r.client.name);
    } else {
        let parts: Vec<String> = r
            .removed
            .iter()
            .map(|h| format!("{} {}", h.count, h.label))
            .collect();
        println!(
            "Removed client '{}' with {}",
            r.client.name,
            parts.join(", ")
        );
    }
    Ok(Exit::Ok)
}

pub fn verification(as_json: bool, v: &Verification) -> Exit {
    if as_json {
        json(v);
    } else if let Some(b) = &v.broken {
        eprintln!("Audit trail BROKEN at entry #{}: {}", b.seq, b.reason);
        eprintln!("{} entries before it verified.", v.entries);
    } else {
        println!("Audit trail intact: {} entries, head {}", v.entries, v.head);
    }
    if v.intact {
        Exit::Ok
    } else {
        Exit::AuditBroken
    }
}

pub fn entries(as_json: bool, list: &[AuditEntry]) -> Result<Exit, console::Error> {
    if as_json {
        json(&list);
    } else if list.is_empty() {
        println!("The audit trail is empty.");
    } else {
        for e in list {
            println!(
                "#{}\t{}\t{}\t{}\t{}\t{}",
                e.seq, e.at, e.actor, e.action, e.outcome, e.object
            );
        }
    }
    Ok(Exit::Ok)
}

pub fn report(r: &Report) {
    for c in &r.checks {
        let mark = match c.status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        };
        println!("{mark}  {}: {}", c.name, c.detail);
        if let Some(fix) = &c.fix {
            if c.status != Status::Ok {
                println!("      fix: {fix}");
            }
        }
    }
    println!(
        "{}",
        if r.ok {
            "Everything Custodian needs is in place."
        } else {
            "Some checks failed: see the fixes above."
        }
    );
}
