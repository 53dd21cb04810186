use std::process::ExitCode;

use clap::Parser;
use custodian::cli::{self, Cli, Command};

/// mimalloc, like SQLite's allocations (see `store`): an import's leads are made on the parser
/// thread and freed on the writer's, which glibc's allocator handles slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dir = cli.dir();
    match cli.command {
        None | Some(Command::App) => {
            custodian::log_file::init(&dir);
            custodian::desktop::run(&dir)
        }
        // doctor only looks and bench works in a throwaway directory: neither may create the data
        // directory a log would need.
        Some(command @ (Command::Doctor | Command::Bench(_))) => cli::run(&dir, command, cli.json),
        Some(command) => {
            custodian::log_file::init(&dir);
            cli::run(&dir, command, cli.json)
        }
    }
}
