//! Runs one task per container of a play: each waits for the containers it depends
//! on (no level barriers), then for a slot of the `-c` limit. A failure halts the
//! play when the action says so: nothing new starts, work in flight finishes. An
//! interruption (Ctrl-C) also asks work in flight to undo what it half did.

use super::events::{AbortReason, Event, Outcome, Reporter, State, Step, TaskError, Update};
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

/// How a task ended well: the container's final state and what is known of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    pub state: State,
    pub container_id: Option<String>,
    pub image_id: Option<String>,
}

impl Finished {
    pub fn new(state: State) -> Finished {
        Finished {
            state,
            container_id: None,
            image_id: None,
        }
    }

    /// The container as observed, left as it was.
    pub fn unchanged(observed: Option<&crate::docker::Observed>) -> Finished {
        let state = State::as_observed(observed);
        match observed {
            Some(o) => Finished::of(state, o),
            None => Finished::new(state),
        }
    }

    /// `state`, naming the container (and the image it runs).
    pub fn of(state: State, observed: &crate::docker::Observed) -> Finished {
        Finished {
            state,
            container_id: Some(observed.id.clone()),
            image_id: Some(observed.image_id.clone()).filter(|i| !i.is_empty()),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Progress {
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
    let states: HashMap<String, watch::Sender<Progress>> = play
        .containers
        .iter()
        .map(|c| (c.clone(), watch::Sender::new(Progress::Pending)))
        .collect();
    let mut handles = Vec::with_capacity(play.containers.len());
    for name in &play.containers {
        let waits: Vec<watch::Receiver<Progress>> = play
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
        handles.push((
            name.clone(),
            tokio::spawn(async move {
                let result = run_one(&name, waits, halt_on_failure, &slots, &halt, &*task).await;
                let (progress, finished, failure) = match result {
                    Ran::Finished(f) if matches!(f.state, State::Aborted { .. }) => {
                        (Progress::NotOk, f, None)
                    }
                    Ran::Finished(f) => (Progress::Ok, f, None),
                    Ran::Failed(e) => {
                        let state = State::Failed {
                            step: e.step,
                            cause: e.cause.clone(),
                        };
                        (Progress::NotOk, Finished::new(state), Some(e))
                    }
                    Ran::Aborted(reason) => {
                        let state = State::Aborted { reason };
                        (Progress::NotOk, Finished::new(state), None)
                    }
                };
                let update = Update {
                    container: name.clone(),
                    state: finished.state,
                    container_id: finished.container_id,
                    image_id: finished.image_id,
                };
                reporter.report(Event::Update(update));
                // Dependents learn of this failure before the play halts, so they say why.
                me.send_replace(progress);
                if failure.is_some() && halt_on_failure {
                    halt.fail();
                }
                (progress, failure)
            }),
        ));
    }
    let mut outcome = Outcome::default();
    for (name, handle) in handles {
        match handle.await {
            Ok((_, Some(failure))) => outcome.failures.push((name, failure)),
            Ok((Progress::NotOk, None)) => outcome.aborted.push(name),
            Ok(_) => {}
            Err(e) => outcome
                .failures
                .push((name, TaskError::new(Step::Run, e.to_string()))),
        }
    }
    outcome.interrupted = halt.is_interrupted();
    outcome
}

enum Ran {
    Finished(Finished),
    Failed(TaskError),
    Aborted(AbortReason),
}

async fn run_one<F, Fut>(
    name: &str,
    waits: Vec<watch::Receiver<Progress>>,
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
        HaltReason::Failed => Some(AbortReason::Halted),
        HaltReason::Interrupted => Some(AbortReason::Interrupted),
    };
    for mut dep in waits {
        let early = tokio::select! {
            biased;
            s = dep.wait_for(|s| *s != Progress::Pending) => Ok(s.map(|s| *s).unwrap_or(Progress::NotOk)),
            r = halted.wait_for(|r| *r != HaltReason::Running) => {
                Err(r.map(|r| *r).unwrap_or(HaltReason::Interrupted))
            }
        };
        let waited = match early {
            Ok(state) => state,
            Err(r) if halt_on_failure || r == HaltReason::Interrupted => {
                return Ran::Aborted(stopped(r).unwrap_or(AbortReason::Halted));
            }
            Err(_) => dep
                .wait_for(|s| *s != Progress::Pending)
                .await
                .map(|s| *s)
                .unwrap_or(Progress::NotOk),
        };
        if waited == Progress::NotOk && halt_on_failure {
            // A dependency that was itself cut short by an interruption.
            return Ran::Aborted(if halt.is_interrupted() {
                AbortReason::Interrupted
            } else {
                AbortReason::Dependency
            });
        }
    }
    let Ok(_slot) = slots.acquire().await else {
        return Ran::Aborted(AbortReason::Halted);
    };
    let reason = halt.reason();
    if reason == HaltReason::Interrupted || (halt_on_failure && reason == HaltReason::Failed) {
        return Ran::Aborted(stopped(reason).unwrap_or(AbortReason::Halted));
    }
    match task(name.to_string()).await {
        Ok(finished) => Ran::Finished(finished),
        Err(e) => Ran::Failed(e),
    }
}

#[cfg(test)]
mod tests {
    //! The scheduler with fake tasks and a recording reporter: no Docker.
    use super::*;
    use crate::engine::events::Event;
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Event>>);

    impl Reporter for Recorder {
        fn report(&self, event: Event) {
            self.0.lock().unwrap().push(event);
        }
    }

    impl Recorder {
        /// Each container's final state, in the order they were reported.
        fn finals(&self) -> Vec<(String, State)> {
            self.0
                .lock()
                .unwrap()
                .iter()
                .filter_map(|e| match e {
                    Event::Update(u) if u.state.is_final() => {
                        Some((u.container.clone(), u.state.clone()))
                    }
                    _ => None,
                })
                .collect()
        }
    }

    /// db ← api ← web, plus a lone `cache`.
    fn play() -> Play {
        let waits = BTreeMap::from([
            ("db".to_string(), vec![]),
            ("cache".to_string(), vec![]),
            ("api".to_string(), vec!["db".to_string()]),
            ("web".to_string(), vec!["db".to_string(), "api".to_string()]),
        ]);
        Play {
            containers: ["db", "cache", "api", "web"].map(String::from).to_vec(),
            waits,
        }
    }

    fn running() -> State {
        State::Running {
            since: None,
            changed: true,
            drifted: false,
        }
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn dependents_run_after_their_dependencies() {
        let recorder = Arc::new(Recorder::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let seen = order.clone();
        // `cache` waits until `web`, the last of the chain, has run: if anything in
        // the chain waited for `cache`, the play would never end (the deadline says so).
        let web_ran = Arc::new(tokio::sync::Notify::new());
        let chain = play();
        let play_run = run_play(
            &chain,
            None,
            true,
            Arc::new(Halt::default()),
            recorder.clone(),
            move |name| {
                let (seen, web_ran) = (seen.clone(), web_ran.clone());
                async move {
                    if name == "cache" {
                        web_ran.notified().await;
                    }
                    seen.lock().unwrap().push(name.clone());
                    if name == "web" {
                        web_ran.notify_one();
                    }
                    Ok(Finished::new(running()))
                }
            },
        );
        let outcome = runtime()
            .block_on(async { tokio::time::timeout(Duration::from_secs(30), play_run).await })
            .expect("the chain does not wait for the lone container");
        assert_eq!(outcome, Outcome::default());
        let order = order.lock().unwrap().clone();
        let at = |n: &str| order.iter().position(|o| o == n).unwrap();
        assert!(at("db") < at("api") && at("api") < at("web"), "{order:?}");
        assert_eq!(order.last().map(String::as_str), Some("cache"), "{order:?}");
        assert_eq!(recorder.finals().len(), 4);
        assert!(recorder.finals().iter().all(|(_, s)| *s == running()));
    }

    #[test]
    fn a_failure_aborts_its_dependents_and_halts() {
        let recorder = Arc::new(Recorder::default());
        // `db` fails once `cache` is working, so that `cache` is in flight.
        let cache_working = Arc::new(tokio::sync::Notify::new());
        let outcome = runtime().block_on(run_play(
            &play(),
            None,
            true,
            Arc::new(Halt::default()),
            recorder.clone(),
            move |name| {
                let cache_working = cache_working.clone();
                async move {
                    if name == "db" {
                        cache_working.notified().await;
                        let mut e = TaskError::new(Step::Start, "the container exited at once");
                        e.exit_code = Some(3);
                        return Err(e);
                    }
                    if name == "cache" {
                        cache_working.notify_one();
                    }
                    Ok(Finished::new(running()))
                }
            },
        ));
        assert_eq!(outcome.failures.len(), 1);
        assert_eq!(outcome.failures[0].0, "db");
        assert_eq!(outcome.failures[0].1.exit_code, Some(3));
        let mut aborted = outcome.aborted.clone();
        aborted.sort();
        // `cache` was already working: it finishes; the dependents never run.
        assert_eq!(aborted, ["api", "web"]);
        let finals = recorder.finals();
        let state_of = |n: &str| finals.iter().find(|(c, _)| c == n).unwrap().1.clone();
        assert_eq!(
            state_of("db"),
            State::Failed {
                step: Step::Start,
                cause: "the container exited at once".into()
            }
        );
        assert_eq!(
            state_of("api"),
            State::Aborted {
                reason: AbortReason::Dependency
            }
        );
        assert_eq!(state_of("cache"), running());
    }

    #[test]
    fn without_halting_every_container_runs() {
        let recorder = Arc::new(Recorder::default());
        let ran = Arc::new(AtomicUsize::new(0));
        let count = ran.clone();
        let outcome = runtime().block_on(run_play(
            &play(),
            None,
            false,
            Arc::new(Halt::default()),
            recorder,
            move |name| {
                count.fetch_add(1, Ordering::SeqCst);
                async move {
                    if name == "db" {
                        return Err(TaskError::new(Step::Stop, "boom"));
                    }
                    Ok(Finished::new(State::Stopped {
                        since: None,
                        changed: true,
                    }))
                }
            },
        ));
        assert_eq!(ran.load(Ordering::SeqCst), 4);
        assert_eq!(outcome.failures.len(), 1);
        assert!(outcome.aborted.is_empty());
    }

    #[test]
    fn the_limit_is_never_exceeded() {
        // Twelve tasks under `-c 3`: each waits at a barrier of three, so they can only
        // pass in threes — a limit below 3 never ends (the deadline says so), one above
        // lets a fourth in (counted).
        let busy = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(tokio::sync::Barrier::new(3));
        let (b, m) = (busy.clone(), most.clone());
        let wide = Play {
            containers: (0..12).map(|i| format!("c{i}")).collect(),
            waits: BTreeMap::new(),
        };
        let play_run = run_play(
            &wide,
            Some(3),
            true,
            Arc::new(Halt::default()),
            Arc::new(Recorder::default()),
            move |_| {
                let (b, m, barrier) = (b.clone(), m.clone(), barrier.clone());
                async move {
                    let now = b.fetch_add(1, Ordering::SeqCst) + 1;
                    m.fetch_max(now, Ordering::SeqCst);
                    barrier.wait().await;
                    b.fetch_sub(1, Ordering::SeqCst);
                    Ok(Finished::new(running()))
                }
            },
        );
        let outcome = runtime()
            .block_on(async { tokio::time::timeout(Duration::from_secs(30), play_run).await })
            .expect("three at a time pass the barrier");
        assert_eq!(outcome, Outcome::default());
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn an_interruption_aborts_what_has_not_started() {
        let recorder = Arc::new(Recorder::default());
        let halt = Arc::new(Halt::default());
        let stop = halt.clone();
        let outcome = runtime().block_on(run_play(
            &play(),
            Some(1),
            true,
            halt,
            recorder.clone(),
            move |name| {
                let stop = stop.clone();
                async move {
                    // The first container is interrupted while it works.
                    stop.interrupt();
                    let _ = name;
                    Ok(Finished::new(running()))
                }
            },
        ));
        assert!(outcome.interrupted);
        assert_eq!(outcome.aborted.len(), 3, "{outcome:?}");
        let interrupted = recorder
            .finals()
            .iter()
            .filter(|(_, s)| {
                *s == State::Aborted {
                    reason: AbortReason::Interrupted,
                }
            })
            .count();
        assert_eq!(interrupted, 3);
    }
}
