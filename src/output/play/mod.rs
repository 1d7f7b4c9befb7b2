//! A play, shown: MaestroNG's table (number, instance, service, ship, container,
//! status) kept as a `Board` of rows and their latest states, and three renderers of
//! it — `live` (a terminal: rows rewritten in place, fitted to its width and height),
//! `plain` (a pipe: one line per container once it is final, in row order; or a line
//! per change) and `json` (one event per line, schema 1). `report` prints the outcome.

mod json;
mod live;
mod plain;
mod report;

pub use json::JsonReporter;
pub use live::{LiveReporter, TerminalSize};
pub use plain::PlainReporter;
pub use report::{left_alone_note, report_text, result_json};

use super::text::{bytes, fit, inert, time_ago};
use crate::engine::{AbortReason, Event, PortProbe, PortState, Row, State, Step, Update};
use crate::model::LifecycleState;
use crate::planner::Action;

/// The width of the instance, service and ship columns: MaestroNG's 20, wider for
/// longer names up to 40; narrower only when the terminal is.
const MIN_COLUMN: usize = 20;
const MAX_COLUMN: usize = 40;
const IMAGE_COLUMN: usize = 25;

/// A colour for a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Changed,
    Unchanged,
    Bad,
}

impl Tone {
    fn code(self) -> Option<&'static str> {
        match self {
            Tone::Plain => None,
            Tone::Changed => Some("32"),
            Tone::Unchanged => Some("36"),
            Tone::Bad => Some("31"),
        }
    }
}

/// One row and what is known of its container.
#[derive(Clone, Debug)]
pub struct Line {
    pub row: Row,
    pub state: State,
    pub container_id: Option<String>,
    pub image_id: Option<String>,
}

/// Every row of a play in its latest state; `shown` rows (a prefix, all final) have
/// been written for good by a renderer that writes in row order.
#[derive(Default)]
pub struct Board {
    pub action: Option<Action>,
    pub lines: Vec<Line>,
    index: std::collections::HashMap<String, usize>,
    /// Natural widths of the instance, service and ship columns.
    pub widths: [usize; 3],
    /// `status -F`: each container's image and ports, shown under the table.
    pub ports: Vec<(String, String, Option<String>, Vec<PortProbe>)>,
    pub shown: usize,
}

impl Board {
    pub fn begin(&mut self, action: Action, rows: &[Row]) {
        self.action = Some(action);
        let longest = |f: fn(&Row) -> &str| {
            rows.iter()
                .map(|r| super::text::width(f(r)))
                .max()
                .unwrap_or(0)
                .clamp(MIN_COLUMN, MAX_COLUMN)
        };
        self.widths = [
            longest(|r| &r.container),
            longest(|r| &r.service),
            longest(|r| &r.ship),
        ];
        self.lines = rows
            .iter()
            .map(|r| Line {
                row: r.clone(),
                state: State::Waiting,
                container_id: None,
                image_id: None,
            })
            .collect();
        self.index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.container.clone(), i))
            .collect();
    }

    /// Applies an update; the row's index when it changed what the row shows.
    pub fn apply(&mut self, update: crate::engine::Update) -> Option<usize> {
        let at = *self.index.get(&update.container)?;
        let line = &mut self.lines[at];
        let before = (line.state.clone(), line.container_id.clone());
        line.state = update.state;
        if update.container_id.is_some() {
            line.container_id = update.container_id;
        }
        if update.image_id.is_some() {
            line.image_id = update.image_id;
        }
        (before != (line.state.clone(), line.container_id.clone())).then_some(at)
    }

    /// `status -F`'s lines under the table, in row order (and forgets them).
    pub fn take_port_lines(&mut self) -> Vec<String> {
        let mut ports = std::mem::take(&mut self.ports);
        ports.sort_by_key(|(c, ..)| self.row_of(c).map(|l| l.row.number));
        let mut lines = Vec::new();
        for (container, image, image_id, probes) in ports {
            let number = self.row_of(&container).map_or(0, |l| l.row.number);
            lines.extend(port_lines(
                number,
                &container,
                &image,
                image_id.as_deref(),
                &probes,
            ));
        }
        lines
    }

    pub fn row_of(&self, container: &str) -> Option<&Line> {
        self.index.get(container).map(|&i| &self.lines[i])
    }

    /// The rows that have become final since `shown`, in row order (and marks them
    /// shown): what a renderer writing in row order may write now.
    pub fn newly_final(&mut self) -> std::ops::Range<usize> {
        let from = self.shown;
        while self.shown < self.lines.len() && self.lines[self.shown].state.is_final() {
            self.shown += 1;
        }
        from..self.shown
    }
}

/// Column widths for a line `total` columns wide (`None`: as wide as they like).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub columns: [usize; 4],
    /// The status column's width; `None` when unlimited.
    pub status: Option<usize>,
}

/// The narrowest a column gets before the status column gives way: the instance
/// keeps more of its name than the others.
const FLOORS: [usize; 4] = [16, 8, 8, 15];
/// The status column keeps at least this much before columns shrink below their floor.
const STATUS_MIN: usize = 24;

impl Layout {
    /// MaestroNG's widths, shrunk (widest column first, each down to its floor) to fit
    /// `total` columns; the status column takes the rest.
    pub fn fit(widths: [usize; 3], total: Option<usize>) -> Layout {
        let mut columns = [widths[0], widths[1], widths[2], IMAGE_COLUMN];
        let Some(total) = total else {
            return Layout {
                columns,
                status: None,
            };
        };
        let fixed = |c: &[usize; 4]| Layout::before_status(c);
        while fixed(&columns) + STATUS_MIN > total {
            let Some(widest) = (0..4)
                .filter(|&i| {
                    columns[i] > FLOORS[i].min(widths.get(i).copied().unwrap_or(usize::MAX))
                })
                .max_by_key(|&i| columns[i])
            else {
                break;
            };
            columns[widest] -= 1;
        }
        Layout {
            columns,
            status: Some(total.saturating_sub(fixed(&columns))),
        }
    }
}

impl Layout {
    /// The columns before the status: "  #. " and four columns each followed by a space.
    fn before_status(columns: &[usize; 4]) -> usize {
        5 + columns.iter().map(|w| w + 1).sum::<usize>()
    }

    /// The whole line's width (unlimited status: the columns before it).
    pub fn width(&self) -> usize {
        Layout::before_status(&self.columns) + self.status.unwrap_or(0)
    }
}

/// The header line.
pub fn header(layout: &Layout) -> String {
    let [i, s, h, c] = layout.columns;
    let line = format!(
        "{:>3}  {} {} {} {} STATUS",
        "#",
        fit("INSTANCE", i),
        fit("SERVICE", s),
        fit("SHIP", h),
        fit("CONTAINER", c),
    );
    line.trim_end().to_string()
}

/// One row's line; with `color`, the instance in bold and the status in its tone.
pub fn row_line(action: Action, line: &Line, layout: &Layout, color: bool) -> String {
    let [i, s, h, c] = layout.columns;
    let (status, tone) = describe(action, line);
    let status = match layout.status {
        Some(w) => super::text::cut(&status, w).into_owned(),
        None => status,
    };
    let paint = |code: Option<&str>, text: String| match code {
        Some(code) if color && !text.trim().is_empty() => format!("\x1b[{code}m{text}\x1b[0m"),
        _ => text,
    };
    let text = format!(
        "{:>3}. {} {} {} {} {}",
        line.row.number,
        paint(Some("1"), fit(&inert(&line.row.container), i)),
        fit(&inert(&line.row.service), s),
        fit(&inert(&line.row.ship), h),
        fit(&image_column(line), c),
        paint(tone.code(), status),
    );
    text.trim_end().to_string()
}

/// MaestroNG's image column: `tag:container-id` once the container is known.
fn image_column(line: &Line) -> String {
    match &line.container_id {
        Some(id) => format!("{}:{}", inert(&line.row.tag), crate::docker::short_id(id)),
        None if line.state.succeeded() => format!("{}:-", inert(&line.row.tag)),
        None => String::new(),
    }
}

fn short_id(line: &Line) -> &str {
    line.container_id
        .as_deref()
        .map_or("", crate::docker::short_id)
}

/// What a step is called in "failed to …".
pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::Connect => "connect",
        Step::Inspect => "inspect",
        Step::ClaimName => "claim the container name",
        Step::GenerateEnvironment => "generate the environment",
        Step::PreStartChecks => "pass pre-start checks",
        Step::RemoveOld => "remove the old container",
        Step::InspectImage => "inspect the image",
        Step::RegistryCredentials => "get registry credentials",
        Step::Pull => "pull",
        Step::Create => "create",
        Step::Start => "start",
        Step::RunningChecks => "pass running checks",
        Step::PreStopChecks => "pass pre-stop checks",
        Step::Stop => "stop",
        Step::Kill => "kill",
        Step::StoppedChecks => "pass stopped checks",
        Step::Remove => "remove",
        Step::RemoveUnstarted => "remove the unstarted container",
        Step::Wait => "wait",
        Step::Run => "run",
    }
}

/// A row's status text and tone, in MaestroNG's words where it has them. Untrusted
/// parts (check reasons, causes) are made inert here.
pub fn describe(action: Action, line: &Line) -> (String, Tone) {
    let working = |text: String| (text, Tone::Plain);
    match &line.state {
        State::Waiting => working("waiting...".into()),
        State::Inspecting => working(
            match action {
                Action::Start | Action::Restart => "checking service...",
                Action::Status => "checking...",
                _ => "checking container...",
            }
            .into(),
        ),
        State::Pulling { done, total } => {
            let image = inert(&line.row.short_image);
            working(if *total == 0 {
                format!("pulling image {image}...")
            } else {
                format!(
                    "pulling image {image}... {}/{} ({}%)",
                    bytes(*done),
                    bytes(*total),
                    done * 100 / total
                )
            })
        }
        State::Creating => working(format!(
            "creating container from {}...",
            inert(&line.row.short_image)
        )),
        State::Removing => working(format!("removing container {}...", short_id(line))),
        State::Starting => working(format!("starting container {}...", short_id(line))),
        State::Settling => working("waiting for service...".into()),
        State::Checking {
            lifecycle,
            check,
            attempt,
            reason,
        } => working(checking(*lifecycle, check, attempt, reason)),
        State::Stopping => working("stopping service...".into()),
        State::Killing => working("killing the service...".into()),
        State::Delaying { seconds } => working(format!("waiting {seconds}s...")),
        State::Running {
            since,
            changed,
            drifted,
        } => {
            let text = match (action, changed) {
                (_, true) => "started".to_string(),
                (Action::Restart, false) => "up to date".into(),
                (Action::Clean, false) => "skipped (running)".into(),
                (Action::Status, false) => format!("running{}", ago(*since)),
                (_, false) => format!("up{}", ago(*since)),
            };
            let text = if *drifted {
                format!("{text} (its configuration changed: `restart` applies it)")
            } else {
                text
            };
            (
                text,
                if *changed {
                    Tone::Changed
                } else {
                    Tone::Unchanged
                },
            )
        }
        State::Stopped { since, changed } => match (action, changed) {
            (Action::Kill, true) => ("killed".into(), Tone::Changed),
            (_, true) => ("stopped".into(), Tone::Changed),
            (Action::Status, false) => (format!("down{}", ago(*since)), Tone::Unchanged),
            (_, false) => ("down".into(), Tone::Unchanged),
        },
        State::Absent { changed: true } => ("removed".into(), Tone::Changed),
        State::Absent { changed: false } => (
            if action == Action::Clean {
                "absent"
            } else {
                "down"
            }
            .into(),
            Tone::Unchanged,
        ),
        State::Pulled { changed } => (
            // MaestroNG's word for a finished pull.
            if *changed { "done" } else { "present" }.into(),
            if *changed {
                Tone::Changed
            } else {
                Tone::Unchanged
            },
        ),
        State::Failed { step, cause } => (
            format!(
                "failed to {}: {}",
                step_name(*step),
                inert(cause.lines().next().unwrap_or_default())
            ),
            Tone::Bad,
        ),
        State::Aborted { reason } => (
            match reason {
                AbortReason::Dependency => "aborted: a dependency did not succeed",
                AbortReason::Halted => "aborted: the play halted on a failure",
                AbortReason::Interrupted => "aborted: interrupted",
                AbortReason::InterruptedStopping => {
                    "aborted: interrupted while stopping; the daemon finishes the stop"
                }
                AbortReason::InterruptedPulling => {
                    "aborted: interrupted while pulling; the pull was abandoned"
                }
                AbortReason::InterruptedRemoved => {
                    "aborted: interrupted before its start; the new container was removed"
                }
            }
            .into(),
            Tone::Bad,
        ),
        State::Foreign { owner: Some(owner) } => (
            format!("left alone: environment `{}`'s", inert(owner)),
            Tone::Bad,
        ),
        State::Foreign { owner: None } => ("left alone: not created by maestro".into(), Tone::Bad),
    }
}

fn checking(
    lifecycle: LifecycleState,
    check: &Option<String>,
    attempt: &Option<u32>,
    reason: &Option<String>,
) -> String {
    let label = lifecycle.as_str();
    match (check, reason) {
        (Some(check), Some(reason)) => {
            let attempt = attempt.map_or(String::new(), |a| format!(" (attempt {a})"));
            format!("{label} check {}: {}{attempt}", inert(check), inert(reason))
        }
        _ => format!("{label} checks..."),
    }
}

fn ago(since: Option<i64>) -> String {
    time_ago(since, crate::docker::unix_now())
}

/// `status -F`: a container's image and its ports, as MaestroNG prints them under
/// the table.
pub fn port_lines(
    number: usize,
    container: &str,
    image: &str,
    image_id: Option<&str>,
    ports: &[PortProbe],
) -> Vec<String> {
    let id = image_id
        .map(|i| i.trim_start_matches("sha256:"))
        .and_then(|i| i.get(..7))
        .unwrap_or("-");
    let mut lines = vec![
        format!("{number:>3}. {}", inert(container)),
        format!("      {}  ({id})", inert(image)),
    ];
    for p in ports {
        let state = match p.state {
            PortState::Up => "up",
            PortState::Down => "down",
            PortState::NotProbedUdp => "not probed (udp)",
            PortState::NotProbedRange => "not probed (range)",
        };
        lines.push(format!(
            "     >> {:>15}: {} is {state}",
            inert(&p.name),
            inert(&p.external)
        ));
    }
    lines
}

/// What `--verbose` shows of `event` under the table: a check attempt that was not
/// ready, or a plugin's log line, as `  container │ check what: message`.
/// What the first signal is told: the play halts, a second signal exits at once.
pub fn interrupted_line(signal: &str) -> String {
    format!("interrupted ({signal}): finishing what is in flight; interrupt again to exit at once")
}

pub fn verbose_line(event: &Event) -> Option<String> {
    let (container, check, what, message) = match event {
        Event::PluginLog(log) => (
            &log.container,
            &log.check,
            log.level.to_string(),
            &log.message,
        ),
        Event::Update(Update {
            container,
            state:
                State::Checking {
                    check: Some(check),
                    attempt: Some(attempt),
                    reason: Some(reason),
                    ..
                },
            ..
        }) => (container, check, format!("attempt {attempt}"), reason),
        _ => return None,
    };
    Some(format!(
        "  {} │ {} {what}: {}",
        inert(container),
        inert(check),
        inert(message)
    ))
}

#[cfg(test)]
mod tests;
