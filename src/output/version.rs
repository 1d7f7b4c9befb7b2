//! What `maestro version` and `maestro man` print: the build's identity as a line or a
//! JSON object, and the manual page generated from the command line's own definition.

use crate::version::{COMMIT, LONG, VERSION, WASMTIME, WIT};
use clap::CommandFactory;

/// `maestro 0.1.0 (commit …, wasmtime …, WIT maestro:plugin@…)`, as `--version` prints it.
pub fn text() -> String {
    format!("maestro {LONG}\n")
}

/// `{"schema": 1, "event": "version", "version", "commit", "wasmtime", "wit"}`.
pub fn json() -> serde_json::Value {
    super::json::event(
        "version",
        serde_json::json!({
            "version": VERSION,
            "commit": COMMIT,
            "wasmtime": WASMTIME,
            "wit": WIT,
        }),
    )
}

/// The manual page (roff) of maestro, or of one of its commands (`maestro-start(1)`,
/// which the main page lists); None for a command that does not exist. Made from the
/// definition the argument parser uses, so it cannot fall behind the commands and flags.
pub fn manual(command: Option<&str>) -> Option<String> {
    let main = crate::cli::Cli::command();
    let page = match command {
        None => main,
        Some(name) => {
            let sub = main.find_subcommand(name)?.clone();
            let full = format!("maestro-{}", sub.get_name());
            sub.name(full)
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page).render(&mut roff).ok()?;
    Some(String::from_utf8_lossy(&roff).into_owned())
}
