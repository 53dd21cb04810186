use std::process::ExitCode;

use clap::Parser;
use custodian::cli::{self, Cli, Command};

/// mimalloc, like SQLite's allocations (see `store`): an import's leads are made on the parser
/// thread and freed on the writer's, which glibc's allocator handles slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    private_files();
    let cli = Cli::parse();
    let dir = cli.dir();
    match cli.command {
        None | Some(Command::App) => {
            custodian::log_file::init(&dir);
            custodian::desktop::run(&dir)
        }
        // doctor only looks, bench works in a throwaway directory, and deleting a workspace removes the
        // directory: none may create the data directory a log would need.
        Some(command @ (Command::Doctor | Command::Bench(_) | Command::Workspace(_))) => {
            cli::run(&dir, command, cli.json)
        }
        Some(command) => {
            custodian::log_file::init(&dir);
            quiet_when_the_reader_goes();
            cli::run(&dir, command, cli.json)
        }
    }
}

/// Everything this process creates (the database and its journal, logs, exports) is readable by
/// its owner only, whatever the user's umask.
fn private_files() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Like other command-line tools, the CLI ends quietly when the program reading its output goes
/// away (`custodian leads list | head`), instead of panicking on the broken pipe. What it wrote to
/// the workspace was committed before it printed.
fn quiet_when_the_reader_goes() {
    #[cfg(unix)]
    // SAFETY: restores the default action for SIGPIPE, which Rust's runtime sets to ignore.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
