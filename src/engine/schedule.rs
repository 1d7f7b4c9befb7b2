//! Runs one task per container of a play: each waits for the containers it depends
//! on (no level barriers), then for a slot of the `-c` limit. A failure halts the
//! play when the action says so: nothing new starts, work in flight finishes. An
//! interruption (Ctrl-C) also asks work in flight to undo what it half did.

use super::events::{Phase, Reporter, Update};
use crate::planner::Play;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{Semaphore, watch};

/// Why a play stops scheduling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HaltReason {
    Running,
    Failed,
    Interrupted,
}

/// The play's halt flag, shared by its tasks.
pub struct Halt {
    state: watch::Sender<HaltReason>,
}

impl Default for Halt {
    fn default() -> Self {
        Halt {
            state: watch::Sender::new(HaltReason::Running),
        }
    }
}

impl Halt {
    pub fn fail(&self) {
        self.state.send_if_modified(|s| {
            let change = *s == HaltReason::Running;
            if change {
                *s = HaltReason::Failed;
            }
            change
        });
    }

    pub fn interrupt(&self) {
        self.state.send_replace(HaltReason::Interrupted);
    }

    pub fn reason(&self) -> HaltReason {
        *self.state.borrow()
    }

    pub fn is_interrupted(&self) -> bool {
        self.reason() == HaltReason::Interrupted
    }

    /// Resolves once the play is interrupted.
    pub async fn interrupted(&self) {
        let mut rx = self.state.subscribe();
        let _ = rx.wait_for(|s| *s == HaltReason::Interrupted).await;
    }
}

/// Why a container's task failed: the step and the cause.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskError {
    /// `create`, `start`, `running checks`…
    pub step: &'static str,
    pub message: String,
}

impl TaskError {
    /// A failed Docker call: its cause, and what it was done to unless that is the
    /// container itself (the report names the container and ship already).
    pub fn docker(step: &'static str, e: crate::docker::DockerError) -> TaskError {
        let message = if e.subject.starts_with("container ") || e.op == "connect to" {
            e.cause.to_string()
        } else {
            format!("{}: {}", e.subject, e.cause)
        };
        TaskError { step, message }
    }

    pub fn new(step: &'static str, message: impl ToString) -> TaskError {
        TaskError {
            step,
            message: message.to_string(),
        }
    }
}

/// How a task ended well: its last row update.
pub struct Finished {
    pub phase: Phase,
    pub detail: String,
}

impl Finished {
    pub fn done(detail: impl Into<String>) -> Finished {
        Finished {
            phase: Phase::Done,
            detail: detail.into(),
        }
    }

    pub fn unchanged(detail: impl Into<String>) -> Finished {
        Finished {
            phase: Phase::Unchanged,
            detail: detail.into(),
        }
    }
}

/// The end of a play.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Containers whose task failed, in play order.
    pub failures: Vec<(String, TaskError)>,
    /// Containers not run because of a failure or an interruption.
    pub aborted: Vec<String>,
    pub interrupted: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Ok,
    NotOk,
}

/// Runs `task` for every container of `play`. With `halt_on_failure`, a failure
/// stops scheduling (and dependents never run); without, only an interruption does,
/// and a container runs even if one it waits for failed (stop what can be stopped).
pub async fn run_play<F, Fut>(
    play: &Play,
    limit: Option<u32>,
    halt_on_failure: bool,
    halt: Arc<Halt>,
    reporter: Arc<dyn Reporter>,
    task: F,
) -> Outcome
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Finished, TaskError>> + Send + 'static,
{
    let task = Arc::new(task);
    let slots = Arc::new(Semaphore::new(
        limit.map_or(Semaphore::MAX_PERMITS, |l| l as usize),
    ));
    let states: HashMap<String, watch::Sender<State>> = play
        .containers
        .iter()
        .map(|c| (c.clone(), watch::Sender::new(State::Pending)))
        .collect();
    let mut handles = Vec::with_capacity(play.containers.len());
    for name in &play.containers {
        let waits: Vec<watch::Receiver<State>> = play
            .waits
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|d| states.get(d).map(|s| s.subscribe()))
            .collect();
        let me = states[name].clone();
        let (task, slots, halt, reporter) =
            (task.clone(), slots.clone(), halt.clone(), reporter.clone());
        let name = name.clone();
        reporter.update(Update {
            container: name.clone(),
            phase: Phase::Waiting,
            image: None,
            detail: "waiting...".into(),
        });
        handles.push((
            name.clone(),
            tokio::spawn(async move {
                let result = run_one(&name, waits, halt_on_failure, &slots, &halt, &*task).await;
                let (state, update, failure) = match result {
                    Ran::Finished(f) => {
                        let state = if f.phase == Phase::Aborted {
                            State::NotOk
                        } else {
                            State::Ok
                        };
                        (state, (f.phase, f.detail), None)
                    }
                    Ran::Failed(e) => {
                        let detail = format!("failed to {}: {}", e.step, e.message);
                        (State::NotOk, (Phase::Failed, detail), Some(e))
                    }
                    Ran::Aborted(why) => (State::NotOk, (Phase::Aborted, why), None),
                };
                reporter.update(Update {
                    container: name.clone(),
                    phase: update.0,
                    image: None,
                    detail: update.1,
                });
                // Dependents learn of this failure before the play halts, so they say why.
                me.send_replace(state);
                if failure.is_some() && halt_on_failure {
                    halt.fail();
                }
                (state, failure)
            }),
        ));
    }
    let mut outcome = Outcome::default();
    for (name, handle) in handles {
        match handle.await {
            Ok((_, Some(failure))) => outcome.failures.push((name, failure)),
            Ok((State::NotOk, None)) => outcome.aborted.push(name),
            Ok(_) => {}
            Err(e) => outcome
                .failures
                .push((name, TaskError::new("run", e.to_string()))),
        }
    }
    outcome.interrupted = halt.is_interrupted();
    outcome
}

enum Ran {
    Finished(Finished),
    Failed(TaskError),
    Aborted(String),
}

async fn run_one<F, Fut>(
    name: &str,
    waits: Vec<watch::Receiver<State>>,
    halt_on_failure: bool,
    slots: &Semaphore,
    halt: &Halt,
    task: &F,
) -> Ran
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Finished, TaskError>>,
{
    let mut halted = halt.state.subscribe();
    let stopped = |r: HaltReason| match r {
        HaltReason::Running => None,
        HaltReason::Failed => Some("aborted: the play halted on a failure".to_string()),
        HaltReason::Interrupted => Some("aborted: interrupted".to_string()),
    };
    for mut dep in waits {
        let early = tokio::select! {
            biased;
            s = dep.wait_for(|s| *s != State::Pending) => Ok(s.map(|s| *s).unwrap_or(State::NotOk)),
            r = halted.wait_for(|r| *r != HaltReason::Running) => {
                Err(r.map(|r| *r).unwrap_or(HaltReason::Interrupted))
            }
        };
        let waited = match early {
            Ok(state) => state,
            Err(r) if halt_on_failure || r == HaltReason::Interrupted => {
                return Ran::Aborted(stopped(r).unwrap_or_default());
            }
            Err(_) => dep
                .wait_for(|s| *s != State::Pending)
                .await
                .map(|s| *s)
                .unwrap_or(State::NotOk),
        };
        if waited == State::NotOk && halt_on_failure {
            return Ran::Aborted("aborted: a dependency did not succeed".into());
        }
    }
    let Ok(_slot) = slots.acquire().await else {
        return Ran::Aborted("aborted".into());
    };
    let reason = halt.reason();
    if reason == HaltReason::Interrupted || (halt_on_failure && reason == HaltReason::Failed) {
        return Ran::Aborted(stopped(reason).unwrap_or_default());
    }
    match task(name.to_string()).await {
        Ok(finished) => Ran::Finished(finished),
        Err(e) => Ran::Failed(e),
    }
}
