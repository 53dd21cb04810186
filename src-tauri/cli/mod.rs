//! The command line: parse, call the Console, print. Each subcommand is a few lines.

mod print;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::console::{self, ApiError, Console};
use print::{fail, json, Exit};

#[derive(Debug, Parser)]
#[command(
    name = "custodian",
    version,
    about = "A privacy console for agencies that run Meta Lead Ads for their clients.",
    long_about = "A privacy console for agencies that run Meta Lead Ads for their clients.\n\n\
                  Run without a command to open the desktop app. Exit codes: 0 success, 1 the operation \
                  failed (the message says why), 2 the command line was wrong, 3 the audit trail is broken."
)]
pub struct Cli {
    /// The workspace's data directory [default: the OS app-data directory]
    #[arg(long, global = true, env = "CUSTODIAN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop app (the default when no command is given)
    App,
    /// Add, list, rename and remove clients (the advertisers you work for)
    #[command(subcommand)]
    Client(ClientCommand),
    /// Read and verify the audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check the keychain, the database and the audit trail, and say what to fix
    Doctor {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client
    Add {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// List the clients, by name
    List {
        #[arg(long)]
        json: bool,
    },
    /// Rename a client
    Rename {
        old: String,
        new: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a client and every record it holds
    Remove {
        name: String,
        /// Confirm the removal; without it nothing is removed and Custodian says what would be
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; exit 0 when intact, 3 with the first broken entry otherwise
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// List entries, newest first
    List {
        /// How many entries
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// Start below this entry number (for paging)
        #[arg(long)]
        before: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

impl Cli {
    pub fn dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(console::workspace::default_dir)
    }
}

/// Runs a command that is not the desktop app.
pub fn run(dir: &Path, command: Command) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return fail(
                false,
                &ApiError {
                    code: console::Code::Internal,
                    message: format!("cannot start: {e}"),
                },
            )
        }
    };
    runtime.block_on(async {
        let exit = match command {
            Command::App => unreachable!("the desktop app is started by main"),
            Command::Doctor { json: as_json } => doctor(dir, as_json).await,
            command => with_console(dir, command).await,
        };
        exit.code()
    })
}

async fn doctor(dir: &Path, as_json: bool) -> Exit {
    let report = console::doctor(dir).await;
    if as_json {
        json(&report);
    } else {
        print::report(&report);
    }
    if report.ok {
        Exit::Ok
    } else {
        Exit::Failed
    }
}

async fn with_console(dir: &Path, command: Command) -> Exit {
    let as_json = wants_json(&command);
    let console = match Console::open(dir).await {
        Ok(c) => c,
        Err(e) => return Exit::from_error(as_json, e.into()),
    };
    let exit = match dispatch(&console, command).await {
        Ok(exit) => exit,
        Err(e) => Exit::from_error(as_json, e.into()),
    };
    console.close().await;
    exit
}

async fn dispatch(c: &Console, command: Command) -> Result<Exit, console::Error> {
    match command {
        Command::Client(ClientCommand::Add { name, json: j }) => {
            print::client(j, "Added", &c.add_client(&name).await?)
        }
        Command::Client(ClientCommand::List { json: j }) => {
            print::clients(j, &c.list_clients().await?)
        }
        Command::Client(ClientCommand::Rename { old, new, json: j }) => {
            print::client(j, "Renamed to", &c.rename_client(&old, &new).await?)
        }
        Command::Client(ClientCommand::Remove { name, yes, json: j }) => {
            print::removal(j, &c.remove_client(&name, yes).await?)
        }
        Command::Audit(AuditCommand::Verify { json: j }) => {
            Ok(print::verification(j, &c.audit_verify().await?))
        }
        Command::Audit(AuditCommand::List {
            limit,
            before,
            json: j,
        }) => print::entries(j, &c.audit_list(limit, before).await?),
        Command::App | Command::Doctor { .. } => unreachable!("handled before a console is opened"),
    }
}

fn wants_json(command: &Command) -> bool {
    match command {
        Command::Client(
            ClientCommand::Add { json, .. }
            | ClientCommand::List { json }
            | ClientCommand::Rename { json, .. }
            | ClientCommand::Remove { json, .. },
        )
        | Command::Audit(AuditCommand::Verify { json } | AuditCommand::List { json, .. })
        | Command::Doctor { json } => *json,
        Command::App => false,
    }
}
