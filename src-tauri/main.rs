use std::process::ExitCode;

use clap::Parser;
use custodian::cli::{self, Cli, Command};

/// mimalloc, like SQLite's allocations (see `store`): an import's leads are made on the parser
/// thread and freed on the writer's, which glibc's allocator handles slowly.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_t`, the same in mimalloc 2 and 3).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Memory freed is given back to the OS after a second rather than mimalloc's 10 ms: work that
    // frees and allocates the same buffers in rounds (a push's batches, a sync's pages) otherwise
    // pays a page fault and the zeroing of each page every round.
    // SAFETY: setting an option before any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 1000) };
    private_files();
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
