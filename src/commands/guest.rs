//! `maestro guest <function> [args…]`: MaestroNG's guest functions for shell entrypoints.
//! Prints the value on one line (node lists comma-separated); exit 1 with the message
//! where Python would raise `MaestroEnvironmentError`. The static `maestro-guest` binary
//! evaluates the same arguments the same way (`maestro_guest::cli`).

use crate::Failure;
use crate::cli::GuestFunction;
use crate::output::Printer;
use maestro_guest::{Guest, cli::evaluate};

pub fn run(function: &GuestFunction, printer: &Printer) -> Result<(), Failure> {
    let value =
        evaluate(function, &Guest::from_process()).map_err(|e| Failure::failed(e.to_string()))?;
    printer.out(&format!("{value}\n"));
    Ok(())
}
