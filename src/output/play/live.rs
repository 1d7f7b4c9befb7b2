//! The table on a terminal: a region of lines at the bottom of the screen rewritten
//! in place as rows change. Lines are fitted to the terminal's width (recomputed at
//! every redraw, so a resize is followed) and never wrap, so the cursor arithmetic
//! stays true. When the rows do not fit the screen's height, final rows at the top of
//! the table are written for good above the region (they never change again, so what
//! scrolls away is never stale) and the rest is shown with a summary line for what
//! does not fit. At the end every row is written, in order, in its final state.
//!
//! The terminal's size comes from `terminal_size` (already in the tree through clap);
//! the escape sequences are the few VT100 ones every terminal has (cursor up to column
//! one, erase line, erase below), written by hand: a crate such as indicatif draws its
//! own bars and owns the screen, where this table must interleave with plain lines.

use super::{Board, Layout, header, row_line, verbose_line};
use crate::engine::{Event, Reporter};
use crate::output::text::cut;
use std::io::Write;
use std::sync::Mutex;

/// The size of the terminal: columns and rows.
pub type TerminalSize = Box<dyn Fn() -> (usize, usize) + Send + Sync>;

struct Screen<W> {
    out: W,
    board: Board,
    /// The region's lines as last drawn (the cursor is on the line below them).
    drawn: Vec<String>,
}

/// Renders a play on a terminal.
pub struct LiveReporter<W: Write + Send> {
    screen: Mutex<Screen<W>>,
    size: TerminalSize,
    color: bool,
    verbose: bool,
}

impl<W: Write + Send> LiveReporter<W> {
    pub fn new(out: W, size: TerminalSize, color: bool, verbose: bool) -> LiveReporter<W> {
        LiveReporter {
            screen: Mutex::new(Screen {
                out,
                board: Board::default(),
                drawn: Vec::new(),
            }),
            size,
            color,
            verbose,
        }
    }

    /// The writer, once the play is over (tests read what was written).
    pub fn into_inner(self) -> W {
        self.screen
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .out
    }
}

impl<W: Write + Send> Screen<W> {
    /// Writes `permanent` lines above the region, then the region as `region`:
    /// rewriting only from its first changed line when nothing is added above.
    fn draw(&mut self, permanent: &[String], region: Vec<String>) {
        let mut text = String::new();
        let keep = if permanent.is_empty() && region.len() == self.drawn.len() {
            self.drawn
                .iter()
                .zip(&region)
                .take_while(|(a, b)| a == b)
                .count()
        } else {
            0
        };
        if keep == region.len() && permanent.is_empty() {
            return;
        }
        let up = self.drawn.len() - keep;
        if up > 0 {
            text.push_str(&format!("\x1b[{up}F"));
        }
        text.push_str("\x1b[J");
        for line in permanent.iter().chain(&region[keep..]) {
            text.push_str(line);
            // A carriage return too: a terminal in raw mode does not add it.
            text.push_str("\x1b[K\r\n");
        }
        self.drawn = region;
        crate::output::written(
            self.out
                .write_all(text.as_bytes())
                .and_then(|()| self.out.flush()),
        );
    }
}

impl<W: Write + Send> LiveReporter<W> {
    /// The columns for the terminal's width now, never using its last column: some
    /// terminals wrap as soon as it is written.
    fn layout(&self, board: &Board) -> Layout {
        let (width, _) = (self.size)();
        Layout::fit(board.widths, Some(width.saturating_sub(1).max(20)))
    }

    /// The region (and the rows to write for good first) for the current size.
    fn redraw(&self, screen: &mut Screen<W>, extra: Vec<String>, end: bool) {
        let (_, height) = (self.size)();
        let layout = self.layout(&screen.board);
        let Some(action) = screen.board.action else {
            return;
        };
        // Room for the region: the screen less the header and the cursor's line.
        let room = height.saturating_sub(2).max(2);
        let mut permanent = extra;
        let pending = screen.board.lines.len() - screen.board.shown;
        if end || pending > room {
            let range = screen.board.newly_final();
            for at in range {
                permanent.push(row_line(
                    action,
                    &screen.board.lines[at],
                    &layout,
                    self.color,
                ));
            }
        }
        let rest = &screen.board.lines[screen.board.shown..];
        let mut region = Vec::new();
        if rest.len() <= room {
            for line in rest {
                region.push(row_line(action, line, &layout, self.color));
            }
        } else {
            // Rows still working first, then the others, shown in row order.
            let mut picked: Vec<usize> = (0..rest.len())
                .filter(|&i| !rest[i].state.is_final())
                .take(room - 1)
                .collect();
            picked.extend(
                (0..rest.len())
                    .filter(|&i| rest[i].state.is_final())
                    .take(room - 1 - picked.len()),
            );
            picked.sort_unstable();
            for &i in &picked {
                region.push(row_line(action, &rest[i], &layout, self.color));
            }
            let hidden = rest.len() - picked.len();
            let done = rest.iter().filter(|l| l.state.is_final()).count();
            let summary = format!(
                "     … {hidden} more rows not shown ({done} of {} remaining rows done)",
                rest.len()
            );
            region.push(cut(&summary, layout.width()).into_owned());
        }
        screen.draw(&permanent, region);
    }
}

impl<W: Write + Send> Reporter for LiveReporter<W> {
    fn report(&self, event: Event) {
        let mut screen = self.screen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(line) = verbose_line(&event).filter(|_| self.verbose) {
            // Written for good above the table (the region is drawn again under it).
            let layout = self.layout(&screen.board);
            let line = cut(&line, layout.width()).into_owned();
            self.redraw(&mut screen, vec![line], false);
        }
        match event {
            Event::Begin { action, rows } => {
                screen.board.begin(action, &rows);
                let head = header(&self.layout(&screen.board));
                screen.draw(&[head], Vec::new());
                self.redraw(&mut screen, Vec::new(), false);
            }
            Event::Update(update) => {
                if screen.board.apply(update).is_some() {
                    self.redraw(&mut screen, Vec::new(), false);
                }
            }
            Event::PluginLog(_) => {}
            Event::Interrupted { signal } => {
                // Above the table, like a verbose line.
                let layout = self.layout(&screen.board);
                let line = cut(&super::interrupted_line(signal), layout.width()).into_owned();
                self.redraw(&mut screen, vec![line], false);
            }
            Event::Ports {
                container,
                image,
                image_id,
                ports,
            } => screen.board.ports.push((container, image, image_id, ports)),
            Event::End(_) => {
                self.redraw(&mut screen, Vec::new(), true);
                let mut text = String::new();
                for line in screen.board.take_port_lines() {
                    text.push_str(&line);
                    text.push('\n');
                }
                crate::output::written(
                    screen
                        .out
                        .write_all(text.as_bytes())
                        .and_then(|()| screen.out.flush()),
                );
            }
        }
    }
}
