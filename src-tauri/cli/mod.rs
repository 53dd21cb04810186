//! The command line: parse, call the Console, print. Each subcommand is a few lines.

mod args;
mod dispatch;
mod print;

pub use args::*;
pub use dispatch::run;
