//! The only module that prints. Text for people goes to stdout (results) and stderr
//! (warnings, errors), coloured only on a terminal (or with `--color always`); JSON
//! for scripts goes to stdout, one event per line. Everything from outside is made
//! inert (`text::inert`) before it is shown. A closed pipe (`maestro dump | head`)
//! ends the output quietly; any other failure to write stdout (a full disk) is kept by
//! [`written`] and turns the exit code into 1 ([`write_failure`]).

pub mod audit;
pub mod deptree;
pub mod json;
pub mod logs;
pub mod play;
pub mod plugins;
pub mod text;
pub mod validation;
pub mod version;

use crate::cli::{ColorChoice, ProgressChoice};
use crate::config::Diagnostic;
use crate::engine::{Outcome, Reporter};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, OnceLock};

static WRITE_FAILURE: OnceLock<String> = OnceLock::new();

/// Whether a write to stdout went through; a failure other than a closed pipe is kept
/// for [`write_failure`]. Every stdout write of this module passes through here.
pub fn written(result: std::io::Result<()>) -> bool {
    match result {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => false,
        Err(e) => {
            let _ = WRITE_FAILURE.set(format!("cannot write to standard output: {e}"));
            false
        }
    }
}

/// The first failure to write stdout, if any: the command's output is incomplete.
pub fn write_failure() -> Option<&'static str> {
    WRITE_FAILURE.get().map(String::as_str)
}

/// Where and how to print.
#[derive(Clone, Copy, Debug)]
pub struct Printer {
    color_err: bool,
    /// Is stdout a terminal (the live table rewrites rows in place)?
    live_out: bool,
    color_out: bool,
    pub json: bool,
    progress: ProgressChoice,
    /// `--verbose`: check attempts and plugin log lines under the table.
    pub verbose: bool,
}

impl Printer {
    pub fn new(choice: ColorChoice, json: bool) -> Printer {
        Printer::with(choice, json, ProgressChoice::Auto, false)
    }

    pub fn with(
        choice: ColorChoice,
        json: bool,
        progress: ProgressChoice,
        verbose: bool,
    ) -> Printer {
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
            progress,
            verbose,
        }
    }

    /// The renderer of a play: JSON events, the live table on a terminal, or plain
    /// lines (final states in row order; every change with `--progress plain`).
    /// `ships` names each container's ship for the report.
    pub fn play_reporter(&self, ships: HashMap<String, String>) -> Arc<dyn Reporter> {
        let out = std::io::stdout();
        if self.json {
            return Arc::new(play::JsonReporter::new(out, ships));
        }
        let live = match self.progress {
            ProgressChoice::Auto => self.live_out,
            ProgressChoice::Tty => true,
            ProgressChoice::Final | ProgressChoice::Plain => false,
        };
        if live {
            let size: play::TerminalSize = Box::new(|| {
                terminal_size::terminal_size()
                    .map_or((80, 24), |(w, h)| (w.0 as usize, h.0 as usize))
            });
            Arc::new(play::LiveReporter::new(
                out,
                size,
                self.color_out,
                self.verbose,
            ))
        } else {
            Arc::new(play::PlainReporter::new(
                out,
                self.progress == ProgressChoice::Plain,
                self.color_out,
                self.verbose,
            ))
        }
    }

    /// How a play ended, after its table: failures (each with its cause, and the
    /// container's last output indented under it), what was not run, the
    /// interruption; notes. With `--json` the reporter's `result` event says it all.
    pub fn outcome(&self, outcome: &Outcome, ships: &HashMap<String, String>) {
        if self.json {
            return;
        }
        for note in &outcome.notes {
            self.note(note);
        }
        for (container, owner) in &outcome.left_alone {
            self.note(&play::left_alone_note(container, owner.as_deref()));
        }
        let label = self.paint("1;31", "error:");
        for (is_error, line) in play::report_text(outcome, ships) {
            if is_error {
                eprintln!("{label} {line}");
            } else {
                eprintln!("{line}");
            }
        }
    }

    /// Are colours used on stdout?
    pub fn colors_out(&self) -> bool {
        self.color_out
    }

    /// Is stdout a terminal?
    pub fn terminal_out(&self) -> bool {
        self.live_out
    }

    /// Writes a result to stdout. A closed pipe (`maestro dump | head`) is not an error:
    /// what could not be written is dropped.
    pub fn out(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        written(
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush()),
        );
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

    /// A warning about the file (it quotes the file: made inert).
    pub fn warning(&self, diagnostic: &Diagnostic) {
        let label = self.paint("33", "warning:");
        eprintln!("{label} {}", text::inert(&diagnostic.to_string()));
    }

    /// A note for the person running the command (stderr), made inert.
    pub fn note(&self, note: &str) {
        eprintln!("{} {}", self.paint("36", "note:"), text::inert(note));
    }

    /// An error that ends the command, possibly several lines (each problem on its
    /// own line); with `--json`, also an `error` event on stdout.
    pub fn error(&self, message: &str, code: u8) {
        if self.json {
            let event = json::event(
                "error",
                serde_json::json!({"message": message, "exit_code": code}),
            );
            json::write_line(&mut std::io::stdout(), &event);
        }
        // Causes quote daemons, registries, plugins and files: each line made inert.
        let label = self.paint("1;31", "error:");
        for line in message.lines() {
            eprintln!("{label} {}", text::inert(line));
        }
    }
}
