//! maestro: orchestrates Docker containers over many hosts from a MaestroNG environment
//! file. `run` is the whole program: parse the command line, dispatch, print the error
//! once, and map it to an exit code (0 ok, 1 failure, 2 invalid input).

pub mod checks;
pub mod cli;
pub mod commands;
pub mod config;
pub mod docker;
pub mod engine;
pub mod env;
/// The guest functions (`maestro guest`), from the `maestro-guest` crate in `src/guest/`,
/// which also builds the static binary of that name.
pub use maestro_guest as guest;
pub mod model;
pub mod output;
pub mod planner;
pub mod plugin;
pub mod providers;
pub mod registry;
pub mod version;

use clap::Parser;
use std::ffi::OsString;

/// Why a command did not succeed, and the exit code that says so.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Bad input: a wrong file, flag or name (exit 2).
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// Something that was asked for could not be done (exit 1).
    pub fn failed(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

impl From<config::LoadError> for Failure {
    fn from(e: config::LoadError) -> Failure {
        Failure::invalid(e.to_string())
    }
}

impl From<planner::PlanError> for Failure {
    fn from(e: planner::PlanError) -> Failure {
        Failure::invalid(e.to_string())
    }
}

/// Runs maestro with these arguments and returns the process exit code.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let printer = output::Printer::with(cli.color, cli.json, cli.progress, cli.verbose);
    let code = match commands::dispatch(&cli, &printer) {
        Ok(()) => 0,
        Err(failure) => {
            if !failure.message.is_empty() {
                printer.error(&failure.message, failure.code);
            }
            failure.code
        }
    };
    // Output that could not be written (a full disk) is a failure of a command whose
    // output is the product; a closed pipe is not.
    match output::write_failure() {
        Some(message) if code == 0 => {
            printer.error(message, 1);
            1
        }
        _ => code,
    }
}
