//! Auditors (`audit:`), run as MaestroNG 0.8.3 runs them. A reporter wrapper turns a
//! play's events into MaestroNG's audit calls — the play's `action` (INFO, every
//! container) when it begins and its `success` or `error` when it ends; each container's
//! `action` (DEBUG) when its task begins and its `success` or `error` when it ends — and
//! hands them to each sink with MaestroNG's texts: `log` (a line in its format), `http`
//! (a webhook on `action` only, from its payload template), `exec` (a script on the
//! play's success) and `slack` (its `chat.postMessage`, MaestroNG's attachment). Webhooks
//! and scripts run beside the play; the play's end waits for them at most [`GRACE`]; an
//! auditor that fails is a note, never a failure of the play (MaestroNG aborted the
//! command unless `ignore_errors`). `hipchat` is refused by validation.
//!
//! Native, not a fourth plugin world: each sink is a few lines over what maestro
//! already has (a file, hyper, a process), MaestroNG's texts must be exact, and a sink
//! written by a user is already possible as an `exec` script or an `http` endpoint.

mod http;
mod sinks;
mod text;

use crate::engine::{Event, Reporter, State};
use crate::model::{Auditor, Environment};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

pub use text::Call;

/// How long the end of a play waits for webhooks and scripts still running.
pub const GRACE: Duration = Duration::from_secs(5);

/// The level of an audit call, as Python's logging numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 10,
    Info = 20,
    Error = 40,
}

/// A play's reporter that also feeds the environment's auditors.
pub struct AuditReporter {
    inner: Arc<dyn Reporter>,
    sinks: Vec<sinks::Sink>,
    /// Each container as the auditors name it.
    targets: HashMap<String, text::Target>,
    state: Mutex<Progress>,
    /// Deliveries still running, and what went wrong (notes for the report).
    pending: Mutex<Vec<JoinHandle<Option<String>>>>,
    problems: Arc<Mutex<Vec<String>>>,
}

#[derive(Default)]
struct Progress {
    action: Option<&'static str>,
    containers: Vec<String>,
    started: HashSet<String>,
}

impl AuditReporter {
    /// Wraps `inner`; without auditors it only passes events on.
    pub fn wrap(inner: Arc<dyn Reporter>, environment: &Environment) -> Arc<AuditReporter> {
        let problems = Arc::new(Mutex::new(Vec::new()));
        let sinks = environment
            .audit
            .iter()
            .filter_map(|a: &Auditor| {
                sinks::Sink::of(a, &mut problems.lock().unwrap_or_else(|p| p.into_inner()))
            })
            .collect();
        Arc::new(AuditReporter {
            inner,
            sinks,
            targets: environment
                .containers
                .iter()
                .map(|(name, c)| {
                    let target = text::Target {
                        name: name.clone(),
                        ship: c.ship.clone(),
                        ship_ip: environment.ship_address(c).unwrap_or_default(),
                        service: c.service.clone(),
                    };
                    (name.clone(), target)
                })
                .collect(),
            state: Mutex::default(),
            pending: Mutex::default(),
            problems,
        })
    }

    /// Waits (at most [`GRACE`]) for the deliveries still running; what went wrong.
    pub async fn finish(&self) -> Vec<String> {
        let pending: Vec<_> =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        let waited = tokio::time::timeout(GRACE, async {
            for handle in pending {
                if let Ok(Some(problem)) = handle.await {
                    self.problem(problem);
                }
            }
        })
        .await;
        if waited.is_err() {
            self.problem(format!(
                "auditors still running after {GRACE:?} were left behind"
            ));
        }
        std::mem::take(&mut *self.problems.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Notes a problem once, however many calls met it.
    fn problem(&self, text: String) {
        let mut problems = self.problems.lock().unwrap_or_else(|p| p.into_inner());
        if !problems.contains(&text) {
            problems.push(text);
        }
    }

    /// Hands one audit call to every sink.
    fn call(&self, call: Call) {
        for sink in &self.sinks {
            match sink.deliver(&call) {
                sinks::Delivery::Done => {}
                sinks::Delivery::Failed(problem) => self.problem(problem),
                sinks::Delivery::Running(handle) => self
                    .pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(handle),
            }
        }
    }

    fn targets(&self, names: &[String]) -> Vec<text::Target> {
        names
            .iter()
            .filter_map(|name| self.targets.get(name).cloned())
            .collect()
    }
}

impl Reporter for AuditReporter {
    fn report(&self, event: Event) {
        let calls = self.calls(&event);
        self.inner.report(event);
        for call in calls {
            self.call(call);
        }
    }
}

impl AuditReporter {
    /// The audit calls one event makes.
    fn calls(&self, event: &Event) -> Vec<Call> {
        if self.sinks.is_empty() {
            return Vec::new();
        }
        let mut progress = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            // MaestroNG's `status` play has no auditor.
            Event::Begin { action, .. } if *action == crate::planner::Action::Status => Vec::new(),
            Event::Begin { action, rows } => {
                progress.action = Some(action.name());
                progress.containers = rows.iter().map(|r| r.container.clone()).collect();
                vec![Call::action(
                    Level::Info,
                    action.name(),
                    self.targets(&progress.containers),
                    true,
                )]
            }
            Event::Update(update) => {
                let Some(action) = progress.action else {
                    return Vec::new();
                };
                let started = progress.started.contains(&update.container);
                // Progress of a task already begun (pull percentages…) says nothing new.
                if started && !update.state.is_final() {
                    return Vec::new();
                }
                let target = self.targets(std::slice::from_ref(&update.container));
                match &update.state {
                    State::Waiting => Vec::new(),
                    // Never begun: MaestroNG's task never ran.
                    State::Aborted { .. } if !started => Vec::new(),
                    state => {
                        let mut calls = Vec::new();
                        if !started {
                            progress.started.insert(update.container.clone());
                            calls.push(Call::action(Level::Debug, action, target.clone(), false));
                        }
                        match state {
                            State::Failed { cause, .. } => {
                                calls.push(Call::error(action, target, cause.clone(), false))
                            }
                            State::Aborted { .. } => {
                                calls.push(Call::error(action, target, "interrupted".into(), false))
                            }
                            s if s.succeeded() => {
                                calls.push(Call::success(Level::Debug, action, target, false))
                            }
                            _ => {}
                        }
                        calls
                    }
                }
            }
            Event::End(outcome) => {
                let Some(action) = progress.action else {
                    return Vec::new();
                };
                let all = self.targets(&progress.containers);
                if let Some((_, failure)) = outcome.failures.first() {
                    vec![Call::error(action, all, failure.cause.clone(), true)]
                } else if outcome.interrupted {
                    // MaestroNG's words for Ctrl-C.
                    vec![Call::error(action, all, "Manual abort".into(), true)]
                } else {
                    vec![Call::success(Level::Info, action, all, true)]
                }
            }
            Event::Ports { .. } | Event::PluginLog(_) | Event::Interrupted { .. } => Vec::new(),
        }
    }
}
