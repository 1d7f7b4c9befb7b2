//! What a play tells the person (or script) watching it: one row per container, and
//! updates to a row as its task goes. `output` renders them; nothing here prints.

use serde::Serialize;

/// One container of a play, as its row shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The number MaestroNG shows (play order; descending for stop and kill).
    pub number: usize,
    pub container: String,
    pub service: String,
    /// The ship's name, or its address with `-H`.
    pub ship: String,
}

/// Where a container's task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Waiting for its dependencies or a concurrency slot.
    Waiting,
    /// Doing something (the detail says what).
    Working,
    /// Done, and something changed (started, stopped, removed, pulled).
    Done,
    /// Done with nothing to do (already running, already down, absent, skipped).
    Unchanged,
    /// Its task failed.
    Failed,
    /// Not run: a dependency failed, the play halted, or it was interrupted.
    Aborted,
}

impl Phase {
    pub fn is_final(self) -> bool {
        !matches!(self, Phase::Waiting | Phase::Working)
    }
}

/// A change to one row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Update {
    pub container: String,
    pub phase: Phase,
    /// `tag:shortid` of the container, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// What is happening: `creating container from busybox:latest...`, `started`.
    pub detail: String,
}

/// Receives a play's rows and updates (from any task).
pub trait Reporter: Send + Sync {
    /// The rows of the play, before any update.
    fn begin(&self, action: &str, rows: &[Row]);
    fn update(&self, update: Update);
    /// Extra lines under a row (`status -F`: image and ports).
    fn details(&self, container: &str, lines: &[String]);
    /// The play is over: the rows are final.
    fn end(&self);
}
