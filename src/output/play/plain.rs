//! The table for a pipe or a file: the header, then one line per container once its
//! state is final, in row order (a row waits for the rows above it), so `maestro
//! status | grep` sees the same lines in the same order every time. With
//! `--progress plain`, a line per change instead, as it happens. Never cut to a width;
//! `--verbose` lines go to stderr.

use super::{Board, Layout, header, row_line, verbose_line};
use crate::engine::{Event, Reporter};
use std::io::Write;
use std::sync::Mutex;

struct Sheet<W> {
    out: W,
    board: Board,
}

/// Renders a play as plain lines.
pub struct PlainReporter<W: Write + Send> {
    sheet: Mutex<Sheet<W>>,
    /// A line per change, not only the final ones.
    every_change: bool,
    color: bool,
    verbose: bool,
}

impl<W: Write + Send> PlainReporter<W> {
    pub fn new(out: W, every_change: bool, color: bool, verbose: bool) -> PlainReporter<W> {
        PlainReporter {
            sheet: Mutex::new(Sheet {
                out,
                board: Board::default(),
            }),
            every_change,
            color,
            verbose,
        }
    }

    /// The writer, once the play is over (tests read what was written).
    pub fn into_inner(self) -> W {
        self.sheet
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .out
    }
}

impl<W: Write + Send> Sheet<W> {
    fn write(&mut self, lines: &[String]) {
        if lines.is_empty() {
            return;
        }
        let mut text = lines.join("\n");
        text.push('\n');
        crate::output::written(
            self.out
                .write_all(text.as_bytes())
                .and_then(|()| self.out.flush()),
        );
    }

    /// The rows that became final, in row order.
    fn finals(&mut self, color: bool) -> Vec<String> {
        let layout = Layout::fit(self.board.widths, None);
        let Some(action) = self.board.action else {
            return Vec::new();
        };
        let range = self.board.newly_final();
        range
            .map(|at| row_line(action, &self.board.lines[at], &layout, color))
            .collect()
    }
}

impl<W: Write + Send> Reporter for PlainReporter<W> {
    fn report(&self, event: Event) {
        if let Some(line) = verbose_line(&event).filter(|_| self.verbose) {
            eprintln!("{line}");
        }
        let mut sheet = self.sheet.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            Event::Begin { action, rows } => {
                sheet.board.begin(action, &rows);
                let head = header(&Layout::fit(sheet.board.widths, None));
                sheet.write(&[head]);
            }
            Event::Update(update) => {
                let Some(at) = sheet.board.apply(update) else {
                    return;
                };
                let lines = if self.every_change {
                    let layout = Layout::fit(sheet.board.widths, None);
                    let action = sheet.board.action.expect("begun");
                    vec![row_line(
                        action,
                        &sheet.board.lines[at],
                        &layout,
                        self.color,
                    )]
                } else {
                    sheet.finals(self.color)
                };
                sheet.write(&lines);
            }
            Event::PluginLog(_) => {}
            Event::Interrupted { signal } => eprintln!("{}", super::interrupted_line(signal)),
            Event::Ports {
                container,
                image,
                image_id,
                ports,
            } => sheet.board.ports.push((container, image, image_id, ports)),
            Event::End(_) => {
                let mut lines = if self.every_change {
                    Vec::new()
                } else {
                    sheet.finals(self.color)
                };
                lines.extend(sheet.board.take_port_lines());
                sheet.write(&lines);
            }
        }
    }
}
