//! Runs the checks of one state of one container: all at once, each polling its
//! plugin until ready, failed, or out of time. The first failure stops the others.

use super::prepare::Plugins;
use super::target::target;
use super::timing::{Timing, backoff, timing};
use crate::model::{CheckSpec, Container, EnvMap, Environment, LifecycleState};
use crate::plugin::{CallError, CallLimits, CheckContext, ContainerRunner, LogLine, Outcome};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Something that happened while checking, for progress and `--verbose` output.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckEvent {
    /// Attempt number `attempt` (from 1) of one check said "not yet".
    NotReady {
        container: String,
        check: String,
        reason: String,
        attempt: u32,
    },
    /// A plugin logged a line.
    Log {
        container: String,
        check: String,
        line: LogLine,
    },
}

/// Receives check events (from any task).
pub type Observer = Arc<dyn Fn(CheckEvent) + Send + Sync>;

/// What the engine knows of a container beyond its configuration, for its checks.
#[derive(Clone, Default)]
pub struct Probe {
    /// Runs commands inside the container (`rexec`, plugins granted `container-exec`).
    pub runner: Option<Arc<dyn ContainerRunner>>,
    /// Receives progress and plugin logs.
    pub observer: Option<Observer>,
    /// The container's own address, probed instead of a loopback ship address (where
    /// docker-proxy would accept connections for a port nothing listens on).
    pub direct: Option<std::net::IpAddr>,
}

/// A check that did not pass.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckFailure {
    pub container: String,
    pub state: LifecycleState,
    /// The check's type.
    pub check: String,
    /// Where the check is written, `file:line:col: path.type`.
    pub at: String,
    pub reason: String,
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} check `{}` of container `{}` failed: {}",
            self.state.as_str(),
            self.check,
            self.container,
            self.reason
        )
    }
}

/// Runs every `state` check of `container`; `env` is its full environment.
pub async fn run_state(
    plugins: &Plugins,
    environment: &Environment,
    container: &Container,
    env: &EnvMap,
    state: LifecycleState,
    probe: Probe,
) -> Result<(), CheckFailure> {
    let Some(specs) = container.lifecycle.get(&state) else {
        return Ok(());
    };
    let failure = |spec: &CheckSpec, reason: String| CheckFailure {
        container: container.name.clone(),
        state,
        check: spec.kind.clone(),
        at: spec.at.clone(),
        reason,
    };
    let mut tasks = JoinSet::new();
    for spec in specs {
        let Some(plugin) = plugins.get(&spec.kind).cloned() else {
            return Err(failure(spec, "its plugin was not loaded".to_string()));
        };
        let (target, reach) = target(environment, container, env, spec, probe.direct)
            .await
            .map_err(|reason| failure(spec, reason))?;
        let context = CheckContext {
            reach,
            container_runner: probe.runner.clone(),
        };
        let host = plugins.host.clone();
        let timing = timing(spec);
        let observer = probe.observer.clone();
        let failure = failure(spec, String::new());
        tasks.spawn(async move {
            let poll = Poll {
                host: &host,
                plugin: &plugin,
                target: &target,
                context,
                timing,
                observer,
            };
            poll.run()
                .await
                .map_err(|reason| CheckFailure { reason, ..failure })
        });
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(failure)) => return Err(failure),
            Err(e) => {
                return Err(CheckFailure {
                    container: container.name.clone(),
                    state,
                    check: String::new(),
                    at: String::new(),
                    reason: format!("a check's task failed: {e}"),
                });
            }
        }
    }
    Ok(())
}

/// One check's polling loop.
struct Poll<'a> {
    host: &'a crate::plugin::Host,
    plugin: &'a Arc<crate::plugin::Plugin>,
    target: &'a crate::plugin::Target,
    context: CheckContext,
    timing: Timing,
    observer: Option<Observer>,
}

impl Poll<'_> {
    async fn run(&self) -> Result<(), String> {
        let started = Instant::now();
        let mut delays = backoff();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let remaining = self.timing.deadline.saturating_sub(started.elapsed());
            let limits = CallLimits {
                timeout: self.timing.attempt_timeout.min(remaining).max(MIN_ATTEMPT),
            };
            let attempt = self
                .host
                .probe(
                    self.plugin,
                    self.target,
                    self.context.clone(),
                    limits.clone(),
                )
                .await;
            let last = match attempt {
                Ok(report) => {
                    self.forward_logs(report.logs);
                    match report.value {
                        Outcome::Ready => return Ok(()),
                        Outcome::Failed(reason) => return Err(reason),
                        Outcome::NotReady(reason) => reason,
                    }
                }
                Err(CallError::Timeout { seconds, .. }) => {
                    format!("an attempt did not finish within {seconds:.1}s")
                }
                Err(other) => return Err(other.to_string()),
            };
            self.notify(&last, attempts);
            let delay = delays.next().unwrap_or(super::timing::MAX_DELAY);
            if started.elapsed() + delay >= self.timing.deadline {
                return Err(format!(
                    "not ready after {}: {last}",
                    seconds(self.timing.deadline)
                ));
            }
            tokio::time::sleep(delay).await;
        }
    }

    fn notify(&self, reason: &str, attempt: u32) {
        if let Some(observer) = &self.observer {
            observer(CheckEvent::NotReady {
                container: self.target.container.clone(),
                check: self.plugin.name.clone(),
                reason: reason.to_string(),
                attempt,
            });
        }
    }

    fn forward_logs(&self, logs: Vec<LogLine>) {
        let Some(observer) = &self.observer else {
            return;
        };
        for line in logs {
            observer(CheckEvent::Log {
                container: self.target.container.clone(),
                check: self.plugin.name.clone(),
                line,
            });
        }
    }
}

/// An attempt always gets at least this long, even at the deadline.
const MIN_ATTEMPT: Duration = Duration::from_millis(200);

/// `3s`, `1.5s`, `3m`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 && s.fract() == 0.0 && (s as u64).is_multiple_of(60) {
        format!("{}m", s as u64 / 60)
    } else if s.fract() == 0.0 {
        format!("{}s", s as u64)
    } else {
        format!("{s:.1}s")
    }
}
