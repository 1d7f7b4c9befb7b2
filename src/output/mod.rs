//! The only module that prints. Text for people goes to stdout (results) and stderr
//! (warnings, errors), coloured only on a terminal; JSON for scripts goes to stdout.
//! A closed pipe (`maestro dump | head`) ends the output quietly.

pub mod table;

use crate::cli::ColorChoice;
use crate::config::Diagnostic;
use std::io::{IsTerminal, Write};

/// Where and how to print.
#[derive(Clone, Copy, Debug)]
pub struct Printer {
    color_err: bool,
    /// Is stdout a terminal (the live table rewrites rows in place)?
    live_out: bool,
    color_out: bool,
    pub json: bool,
}

impl Printer {
    pub fn new(choice: ColorChoice, json: bool) -> Printer {
        let colors = |terminal: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        };
        let live_out = std::io::stdout().is_terminal();
        Printer {
            color_err: colors(std::io::stderr().is_terminal()),
            live_out,
            color_out: colors(live_out),
            json,
        }
    }

    /// How a play's table is shown: JSON events, rows rewritten in place on a
    /// terminal, or a line per change.
    pub fn table_style(&self) -> table::Style {
        if self.json {
            table::Style::Json
        } else if self.live_out {
            table::Style::Live {
                color: self.color_out,
            }
        } else {
            table::Style::Lines
        }
    }

    /// Writes a result to stdout. A closed pipe (`maestro dump | head`) is not an error:
    /// what could not be written is dropped.
    pub fn out(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush());
    }

    /// Writes a JSON value as one line on stdout.
    pub fn json_line(&self, value: &serde_json::Value) {
        self.out(&format!("{value}\n"))
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color_err {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn warning(&self, diagnostic: &Diagnostic) {
        eprintln!("{} {diagnostic}", self.paint("33", "warning:"));
    }

    /// A note for the person running the command (stderr).
    pub fn note(&self, text: &str) {
        eprintln!("{} {text}", self.paint("36", "note:"));
    }

    /// An error message, possibly several lines (each problem on its own line).
    pub fn error(&self, message: &str) {
        let label = self.paint("1;31", "error:");
        for line in message.lines() {
            eprintln!("{label} {line}");
        }
    }
}
