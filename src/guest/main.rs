//! `maestro-guest <function> [args…]`: the guest functions of `maestro guest`, as a small
//! statically linked binary to copy into any image. Same arguments, same output, same
//! exit codes (0, 1 when the environment lacks what was asked for, 2 on bad arguments).

use clap::Parser;
use maestro_guest::Guest;
use maestro_guest::cli::{GuestFunction, evaluate};
use std::io::Write;
use std::process::ExitCode;

/// MaestroNG's guest functions, reading this process's environment
#[derive(Parser)]
#[command(name = "maestro-guest", version)]
struct Arguments {
    #[command(subcommand)]
    function: GuestFunction,
}

fn main() -> ExitCode {
    let arguments = Arguments::parse();
    match evaluate(&arguments.function, &Guest::from_process()) {
        Ok(value) => match writeln!(std::io::stdout().lock(), "{value}") {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(1),
        },
        Err(error) => {
            eprintln!("error: {}", inert(&error.to_string()));
            ExitCode::from(1)
        }
    }
}

/// Control characters (from the environment, which a message may quote) escaped, so
/// that the message cannot drive the terminal.
fn inert(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
