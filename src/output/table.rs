//! MaestroNG's live table: one row per container (number, instance, service, ship,
//! container, status). On a terminal each row is rewritten in place as its task
//! moves; piped, every change is a new line; with `--json`, one event per line.

use crate::engine::{Phase, Reporter, Row, Update};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;

/// The width of the instance, service and ship columns (wider for longer names).
const MIN_COLUMN: usize = 20;
const MAX_COLUMN: usize = 40;
const IMAGE_COLUMN: usize = 25;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// In place, coloured (a terminal).
    Live { color: bool },
    /// A line per change (a pipe or a file).
    Lines,
    /// JSON events.
    Json,
}

struct RowState {
    row: Row,
    phase: Phase,
    image: String,
    detail: String,
}

struct Table {
    rows: Vec<RowState>,
    index: HashMap<String, usize>,
    widths: [usize; 3],
    /// Lines printed since the table's first row (live mode).
    printed: usize,
    /// `status -F` lines, shown under the table at the end.
    details: Vec<(String, Vec<String>)>,
}

/// A `Reporter` that prints the table on stdout.
pub struct TableReporter {
    style: Style,
    table: Mutex<Table>,
}

impl TableReporter {
    pub fn new(style: Style) -> TableReporter {
        TableReporter {
            style,
            table: Mutex::new(Table {
                rows: Vec::new(),
                index: HashMap::new(),
                widths: [MIN_COLUMN; 3],
                printed: 0,
                details: Vec::new(),
            }),
        }
    }

    fn write(text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    }
}

fn fit(text: &str, width: usize) -> String {
    let cut: String = text.chars().take(width).collect();
    format!("{cut:<width$}")
}

impl Table {
    fn header(&self) -> String {
        let [i, s, h] = self.widths;
        format!(
            "{:>3}  {} {} {} {} {}",
            "#",
            fit("INSTANCE", i),
            fit("SERVICE", s),
            fit("SHIP", h),
            fit("CONTAINER", IMAGE_COLUMN),
            "STATUS"
        )
    }

    fn line(&self, at: usize, color: bool) -> String {
        let r = &self.rows[at];
        let [i, s, h] = self.widths;
        let paint = |code: &str, text: String| {
            if color && !code.is_empty() {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text
            }
        };
        let tone = match r.phase {
            Phase::Done => "32",
            Phase::Unchanged => "36",
            Phase::Failed | Phase::Aborted => "31",
            Phase::Waiting | Phase::Working => "",
        };
        let line = format!(
            "{:>3}. {} {} {} {} {}",
            r.row.number,
            paint("1", fit(&r.row.container, i)),
            fit(&r.row.service, s),
            fit(&r.row.ship, h),
            fit(&r.image, IMAGE_COLUMN),
            paint(
                tone,
                r.detail.lines().next().unwrap_or_default().to_string()
            )
        );
        line.trim_end().to_string()
    }
}

impl Reporter for TableReporter {
    fn begin(&self, action: &str, rows: &[Row]) {
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        for (n, f) in [
            |r: &Row| r.container.chars().count(),
            |r: &Row| r.service.chars().count(),
            |r: &Row| r.ship.chars().count(),
        ]
        .iter()
        .enumerate()
        {
            let longest = rows.iter().map(f).max().unwrap_or(0);
            t.widths[n] = longest.clamp(MIN_COLUMN, MAX_COLUMN);
        }
        t.rows = rows
            .iter()
            .map(|r| RowState {
                row: r.clone(),
                phase: Phase::Waiting,
                image: String::new(),
                detail: String::new(),
            })
            .collect();
        t.index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.container.clone(), i))
            .collect();
        match self.style {
            Style::Json => {
                let event =
                    serde_json::json!({"event": "play", "action": action, "containers": rows});
                Self::write(&format!("{event}\n"));
            }
            Style::Lines => Self::write(&format!("{}\n", t.header())),
            Style::Live { color } => {
                let mut text = format!("{}\n", t.header());
                for at in 0..t.rows.len() {
                    text.push_str(&t.line(at, color));
                    text.push('\n');
                }
                t.printed = t.rows.len();
                Self::write(&text);
            }
        }
    }

    fn update(&self, update: Update) {
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let Some(&at) = t.index.get(&update.container) else {
            return;
        };
        let r = &mut t.rows[at];
        let image = update.image.clone().unwrap_or_else(|| r.image.clone());
        if r.phase == update.phase && r.image == image && r.detail == update.detail {
            return;
        }
        r.phase = update.phase;
        r.image = image;
        r.detail = update.detail.clone();
        match self.style {
            Style::Json => {
                let row = &t.rows[at].row;
                let mut event = serde_json::json!({
                    "event": "update",
                    "container": row.container,
                    "service": row.service,
                    "ship": row.ship,
                    "phase": update.phase,
                    "detail": update.detail,
                });
                if !t.rows[at].image.is_empty() {
                    event["image"] = t.rows[at].image.clone().into();
                }
                Self::write(&format!("{event}\n"));
            }
            Style::Lines => {
                if !update.detail.is_empty() {
                    Self::write(&format!("{}\n", t.line(at, false)));
                }
            }
            Style::Live { color } => {
                let up = t.printed - at;
                Self::write(&format!(
                    "\x1b[{up}A\r{}\x1b[K\x1b[{up}B\r",
                    t.line(at, color)
                ));
            }
        }
    }

    fn details(&self, container: &str, lines: &[String]) {
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        match self.style {
            Style::Json => {
                let event =
                    serde_json::json!({"event": "details", "container": container, "lines": lines});
                Self::write(&format!("{event}\n"));
            }
            // Shown under the table once it is final (see `end`).
            _ => t.details.push((container.to_string(), lines.to_vec())),
        }
    }

    fn end(&self) {
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if self.style == Style::Json || t.details.is_empty() {
            return;
        }
        let mut details = std::mem::take(&mut t.details);
        details.sort_by_key(|(c, _)| t.index.get(c).copied());
        let mut text = String::new();
        for (container, lines) in details {
            let number = t.index.get(&container).map_or(0, |&i| t.rows[i].row.number);
            text.push_str(&format!("{number:>3}. {container}\n"));
            for line in lines {
                text.push_str(&line);
                text.push('\n');
            }
        }
        Self::write(&text);
    }
}
