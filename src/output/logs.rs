//! `maestro logs`, shown: each line of a container's output on stdout (its stderr on
//! stderr), prefixed with a coloured `container | ` when several containers are
//! shown; made inert on a terminal, passed as written to a pipe or a file (the bytes
//! are the product there); one `output` event per line with `--json`.

use super::json::{event, write_line};
use super::text::{fit, inert, width};
use serde_json::json;
use std::io::Write;

/// One line a container wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputLine {
    pub container: String,
    pub line: crate::docker::LogLine,
}

/// Prints container output lines.
pub struct LogPrinter {
    /// The containers shown, for the prefix's width and colour (none for one).
    names: Vec<String>,
    timestamps: bool,
    json: bool,
    color: bool,
    /// Is stdout (and stderr) a terminal: make the text inert.
    terminal: bool,
}

/// The prefix colours, one per container in turn (as Docker Compose does).
const COLOURS: [&str; 6] = ["36", "33", "32", "35", "34", "31"];

impl LogPrinter {
    pub fn new(names: Vec<String>, timestamps: bool, printer: &super::Printer) -> LogPrinter {
        LogPrinter {
            names,
            timestamps,
            json: printer.json,
            color: printer.colors_out(),
            terminal: printer.terminal_out(),
        }
    }

    /// The text of `line` as shown (prefix, time, escaped on a terminal).
    pub fn render(&self, shown: &OutputLine) -> String {
        let line = &shown.line;
        let text = if self.terminal {
            inert(&line.text)
        } else {
            line.text.as_str().into()
        };
        let time = match (&line.time, self.timestamps) {
            (Some(t), true) => format!("{t} "),
            _ => String::new(),
        };
        if self.names.len() < 2 {
            return format!("{time}{text}");
        }
        let pad = self.names.iter().map(|n| width(n)).max().unwrap_or(0);
        let index = self
            .names
            .iter()
            .position(|n| *n == shown.container)
            .unwrap_or(0);
        let name = fit(&inert(&shown.container), pad);
        let prefix = if self.color {
            format!("\x1b[{}m{name} |\x1b[0m", COLOURS[index % COLOURS.len()])
        } else {
            format!("{name} |")
        };
        format!("{prefix} {time}{text}")
    }

    /// Prints `line`; false when stdout is closed (`maestro logs x | head`).
    pub fn print(&self, shown: &OutputLine) -> bool {
        let line = &shown.line;
        if self.json {
            let value = event(
                "output",
                json!({
                    "container": shown.container,
                    "stream": if line.stderr { "stderr" } else { "stdout" },
                    "time": line.time,
                    "line": line.text,
                }),
            );
            return write_line(&mut std::io::stdout().lock(), &value);
        }
        let mut text = self.render(shown);
        text.push('\n');
        if line.stderr {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            true
        } else {
            let mut out = std::io::stdout().lock();
            super::written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printer(names: &[&str], terminal: bool) -> LogPrinter {
        LogPrinter {
            names: names.iter().map(|n| n.to_string()).collect(),
            timestamps: false,
            json: false,
            color: false,
            terminal,
        }
    }

    fn line(container: &str, text: &str) -> OutputLine {
        OutputLine {
            container: container.into(),
            line: crate::docker::LogLine {
                stderr: false,
                time: Some("2026-12-01T10:00:00.000000001Z".into()),
                text: text.into(),
            },
        }
    }

    #[test]
    fn one_container_is_shown_as_written() {
        let p = printer(&["web-1"], false);
        assert_eq!(
            p.render(&line("web-1", "hello \x1b[31mred")),
            "hello \x1b[31mred"
        );
    }

    #[test]
    fn several_are_prefixed_and_inert_on_a_terminal() {
        let p = printer(&["web-1", "db-10"], true);
        assert_eq!(p.render(&line("web-1", "up\x1b[2J")), "web-1 | up\\x1b[2J");
        assert_eq!(p.render(&line("db-10", "ready")), "db-10 | ready");
        let mut stamped = printer(&["web-1", "db-10"], true);
        stamped.timestamps = true;
        assert_eq!(
            stamped.render(&line("web-1", "x")),
            "web-1 | 2026-12-01T10:00:00.000000001Z x"
        );
    }
}
