//! Executes a play against the fleet: one task per container (`schedule`), each a
//! sequence of Docker steps and lifecycle checks (`tasks`), reported row by row
//! through a `Reporter`. Failures name the container, ship, step and cause.

pub mod events;
mod schedule;
mod tasks;

pub use events::{
    AbortReason, Event, Outcome, PluginLog, PortProbe, PortState, Reporter, Row, State, Step,
    TaskError, Update,
};
pub use schedule::{Finished, Halt, HaltReason, run_play};
pub use tasks::{START_WINDOW, run_task};

use crate::checks::{CheckEvent, Observer, Plugins, Probe};
use crate::docker::{DockerRunner, Fleet, Observed, ShipClient};
use crate::model::{Container, EnvMap, Environment, LifecycleState};
use crate::planner::Action;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long an interrupted play still waits for a Docker operation in flight (a stop, a
/// pull) before leaving it to the daemon.
pub const INTERRUPT_GRACE: Duration = Duration::from_secs(1);

/// A container of an instance's name that is not this environment's; `owner` is the
/// environment maestro created it for, `None` when maestro did not create it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Foreign {
    pub owner: Option<String>,
}

/// What the command line asked for, beyond the play itself.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `-r`: pull before creating.
    pub refresh: bool,
    /// `--reuse`: start an existing stopped container instead of re-creating it.
    pub reuse: bool,
    /// `--adopt`: a container of an instance's name without maestro's label is replaced
    /// instead of refused.
    pub adopt: bool,
    pub step_delay: Duration,
    pub stop_start_delay: Duration,
    pub only_if_changed: bool,
    /// `status -F`.
    pub full: bool,
}

/// Everything a container's task needs.
pub struct Engine {
    pub environment: Arc<Environment>,
    pub fleet: Fleet,
    /// Loaded when the environment names checks, generators or auth plugins.
    pub plugins: Option<Arc<Plugins>>,
    pub reporter: Arc<dyn Reporter>,
    pub halt: Arc<Halt>,
    pub action: Action,
    pub options: Options,
    /// The first container of the play (no `--step-delay` before it).
    pub first: Option<String>,
    /// Notes for after the table (variables a generator could not replace…).
    pub notes: Mutex<Vec<String>>,
    /// Foreign containers a command that would have changed them left alone, and whose
    /// they are (`Outcome::left_alone`).
    pub left_alone: Mutex<Vec<(String, Option<String>)>>,
    /// Each (ship, image) is made present once per play, whatever the number of its
    /// containers: the first task checks (and pulls), the others wait for its result.
    pub images: Mutex<HashMap<(String, String), ImageReady>>,
    /// Each service's link variables, computed once for the whole play.
    pub links: crate::env::LinkCache,
}

/// The shared outcome of making one image present on one ship.
pub type ImageReady = Arc<tokio::sync::OnceCell<Result<Option<bool>, TaskError>>>;

impl Engine {
    pub fn container(&self, name: &str) -> &Container {
        &self.environment.containers[name]
    }

    /// The ship of `container` (validation guarantees it exists).
    pub fn ship(&self, container: &Container) -> Result<&Arc<ShipClient>, TaskError> {
        self.fleet.ship(&container.ship).ok_or_else(|| {
            TaskError::new(Step::Connect, format!("no ship named `{}`", container.ship))
        })
    }

    /// Whether a container of `c`'s name is not this environment's: created by maestro
    /// for another environment, or not by maestro at all (no label; with `--adopt`,
    /// taken over). Such a container is never stopped, removed or reported as ours.
    pub fn foreign(&self, observed: Option<&Observed>) -> Option<Foreign> {
        let o = observed?;
        match o.environment.as_deref() {
            Some(name) if name == self.environment.name => None,
            None if self.options.adopt => None,
            owner => Some(Foreign {
                owner: owner.map(str::to_string),
            }),
        }
    }

    /// Refuses to go on with a foreign container (`start`, `restart`).
    pub fn claim(&self, observed: Option<&Observed>) -> Result<(), TaskError> {
        match self.foreign(observed) {
            None => Ok(()),
            Some(Foreign { owner: Some(other) }) => Err(TaskError::new(
                Step::ClaimName,
                format!(
                    "a container of that name belongs to environment `{other}`; it was left alone"
                ),
            )),
            Some(Foreign { owner: None }) => Err(TaskError::new(
                Step::ClaimName,
                "a container of that name exists that maestro did not create (it has no \
                 environment label); it was left alone: `--adopt` replaces it",
            )),
        }
    }

    /// Leaves a foreign container alone (`stop`, `kill`, `clean`, `status`); `warn` adds
    /// it to the report's `left_alone` (for the commands that would have changed it).
    pub fn left_alone(
        &self,
        c: &Container,
        foreign: Foreign,
        o: &Observed,
        warn: bool,
    ) -> Finished {
        if warn {
            self.left_alone
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((c.name.clone(), foreign.owner.clone()));
        }
        Finished::of(
            State::Foreign {
                owner: foreign.owner,
            },
            o,
        )
    }

    /// `work`, unless the play is interrupted while it runs: then it gets
    /// [`INTERRUPT_GRACE`] more and is otherwise left to the daemon (`None`).
    pub async fn unless_interrupted<T>(
        &self,
        work: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        let cut = async {
            self.halt.interrupted().await;
            tokio::time::sleep(INTERRUPT_GRACE).await;
        };
        tokio::select! {
            done = work => Some(done),
            () = cut => None,
        }
    }

    /// Asks `c`'s ship what the container is (reporting that it does).
    pub async fn observe(
        &self,
        c: &Container,
    ) -> Result<(&Arc<ShipClient>, Option<Observed>), TaskError> {
        let ship = self.ship(c)?;
        self.say(&c.name, State::Inspecting);
        let observed = ship
            .inspect(&c.name)
            .await
            .map_err(|e| TaskError::docker(Step::Inspect, e))?;
        Ok((ship, observed))
    }

    /// Reports what is being done to `container` now.
    pub fn say(&self, container: &str, state: State) {
        self.say_of(container, state, None);
    }

    /// The same, naming the container's ID once it is known.
    pub fn say_of(&self, container: &str, state: State, id: Option<&str>) {
        self.reporter.report(Event::Update(Update {
            container: container.to_string(),
            state,
            container_id: id.map(str::to_string),
            image_id: None,
        }));
    }

    /// The full environment of `container`: MaestroNG's variables, then its service's
    /// env generators.
    pub async fn container_env(&self, container: &Container) -> Result<EnvMap, TaskError> {
        let mut env = crate::env::generate_with(&self.environment, &self.links, container);
        let has_generators = self
            .environment
            .services
            .get(&container.service)
            .is_some_and(|s| !s.env_generators.is_empty());
        if has_generators {
            let plugins = self.plugins.as_ref().ok_or_else(|| {
                TaskError::new(Step::GenerateEnvironment, "plugins were not loaded")
            })?;
            let notes =
                crate::providers::generate_env(plugins, &self.environment, container, &mut env)
                    .await
                    .map_err(|e| TaskError::new(Step::GenerateEnvironment, e))?;
            self.notes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(notes);
        }
        Ok(env)
    }

    /// Runs `container`'s checks of `state`, if it has any, reporting each attempt
    /// and plugin log line; an interruption cuts them short. `address` is the
    /// container's own (bridge) address while it runs, probed instead of a loopback
    /// ship address.
    pub async fn checks(
        &self,
        container: &Container,
        env: &EnvMap,
        state: LifecycleState,
        address: Option<std::net::IpAddr>,
    ) -> Result<(), TaskError> {
        if container.lifecycle.get(&state).is_none_or(Vec::is_empty) {
            return Ok(());
        }
        let step = Step::checks(state);
        let plugins = self
            .plugins
            .as_ref()
            .ok_or_else(|| TaskError::new(step, "plugins were not loaded"))?;
        let ship = self.ship(container)?;
        let runner = Arc::new(DockerRunner {
            ship: ship.clone(),
            container: container.name.clone(),
        });
        let reporter = self.reporter.clone();
        let observer: Observer = Arc::new(move |event| match event {
            CheckEvent::NotReady {
                container,
                check,
                reason,
                attempt,
            } => reporter.report(Event::Update(Update {
                container,
                state: State::Checking {
                    lifecycle: state,
                    check: Some(check),
                    attempt: Some(attempt),
                    reason: Some(reason),
                },
                container_id: None,
                image_id: None,
            })),
            CheckEvent::Log {
                container,
                check,
                line,
            } => reporter.report(Event::PluginLog(PluginLog {
                container,
                check,
                level: line.level,
                message: line.message,
            })),
        });
        self.say(
            &container.name,
            State::Checking {
                lifecycle: state,
                check: None,
                attempt: None,
                reason: None,
            },
        );
        let probe = Probe {
            runner: Some(runner),
            observer: Some(observer),
            direct: address,
        };
        let run =
            crate::checks::run_state(plugins, &self.environment, container, env, state, probe);
        tokio::select! {
            result = run => result.map_err(|f| TaskError::new(step, format!("{} ({})", f.reason, f.check))),
            () = self.halt.interrupted() => Err(TaskError::new(step, "interrupted")),
        }
    }
}
