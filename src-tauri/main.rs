use std::process::ExitCode;

use clap::Parser;
use custodian::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dir = cli.dir();
    match cli.command {
        None | Some(Command::App) => {
            custodian::log_file::init(&dir);
            custodian::desktop::run(&dir)
        }
        // doctor only looks: it must not create the data directory a log would need.
        Some(command @ Command::Doctor { .. }) => cli::run(&dir, command),
        Some(command) => {
            custodian::log_file::init(&dir);
            cli::run(&dir, command)
        }
    }
}
