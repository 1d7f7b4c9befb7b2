//! Executes a play against the fleet: one task per container (`schedule`), each a
//! sequence of Docker steps and lifecycle checks (`tasks`), reported row by row
//! through a `Reporter`. Failures name the container, ship, step and cause.

pub mod events;
mod schedule;
mod tasks;

pub use events::{Phase, Reporter, Row, Update};
pub use schedule::{Finished, Halt, HaltReason, Outcome, TaskError, run_play};
pub use tasks::{run_task, time_ago};

use crate::checks::{CheckEvent, Observer, Plugins, Probe};
use crate::docker::{DockerRunner, Fleet, Observed, ShipClient};
use crate::model::{Container, EnvMap, Environment, LifecycleState};
use crate::planner::Action;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the command line asked for, beyond the play itself.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `-r`: pull before creating.
    pub refresh: bool,
    /// `--reuse`: start an existing stopped container instead of re-creating it.
    pub reuse: bool,
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
    /// Each (ship, image) is made present once per play, whatever the number of its
    /// containers: the first task checks (and pulls), the others wait for its result.
    pub images: Mutex<HashMap<(String, String), ImageReady>>,
}

/// The shared outcome of making one image present on one ship.
pub type ImageReady = Arc<tokio::sync::OnceCell<Result<(), schedule::TaskError>>>;

impl Engine {
    pub fn container(&self, name: &str) -> &Container {
        &self.environment.containers[name]
    }

    /// The ship of `container` (validation guarantees it exists).
    pub fn ship(&self, container: &Container) -> Result<&Arc<ShipClient>, TaskError> {
        self.fleet
            .ship(&container.ship)
            .ok_or_else(|| TaskError::new("connect", format!("no ship named `{}`", container.ship)))
    }

    /// Refuses to touch a container of the same name that maestro created for another
    /// environment (containers without the label, e.g. MaestroNG's, are ours).
    pub fn owned(&self, observed: Option<&Observed>) -> Result<(), TaskError> {
        match observed.and_then(|o| o.environment.as_deref()) {
            Some(other) if other != self.environment.name => Err(TaskError::new(
                "claim the container name",
                format!(
                    "a container of that name belongs to environment `{other}`; it was left alone"
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Updates `container`'s row: working on `detail`, with its image column if known.
    pub fn say(&self, container: &str, image: Option<String>, detail: impl Into<String>) {
        self.reporter.update(Update {
            container: container.to_string(),
            phase: Phase::Working,
            image,
            detail: detail.into(),
        });
    }

    /// The full environment of `container`: MaestroNG's variables, then its service's
    /// env generators.
    pub async fn container_env(&self, container: &Container) -> Result<EnvMap, TaskError> {
        let mut env = crate::env::generate(&self.environment, container);
        let has_generators = self
            .environment
            .services
            .get(&container.service)
            .is_some_and(|s| !s.env_generators.is_empty());
        if has_generators {
            let plugins = self.plugins.as_ref().ok_or_else(|| {
                TaskError::new("generate the environment", "plugins were not loaded")
            })?;
            let notes =
                crate::providers::generate_env(plugins, &self.environment, container, &mut env)
                    .await
                    .map_err(|e| TaskError::new("generate the environment", e))?;
            self.notes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(notes);
        }
        Ok(env)
    }

    /// Runs `container`'s checks of `state`, if it has any, showing their progress;
    /// an interruption cuts them short. `address` is the container's own (bridge)
    /// address while it runs, probed instead of a loopback ship address.
    pub async fn checks(
        &self,
        container: &Container,
        env: &EnvMap,
        state: LifecycleState,
        image: &Option<String>,
        address: Option<std::net::IpAddr>,
    ) -> Result<(), TaskError> {
        if container.lifecycle.get(&state).is_none_or(Vec::is_empty) {
            return Ok(());
        }
        let step = match state {
            LifecycleState::PreStart => "pass pre-start checks",
            LifecycleState::Running => "pass running checks",
            LifecycleState::PreStop => "pass pre-stop checks",
            LifecycleState::Stopped => "pass stopped checks",
        };
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
        let shown = image.clone();
        let label = state.as_str();
        let observer: Observer = Arc::new(move |event| {
            if let CheckEvent::NotReady {
                container,
                check,
                reason,
                ..
            } = event
            {
                reporter.update(Update {
                    container,
                    phase: Phase::Working,
                    image: shown.clone(),
                    detail: format!("{label} check {check}: {reason}"),
                });
            }
        });
        self.say(&container.name, image.clone(), format!("{label} checks..."));
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
