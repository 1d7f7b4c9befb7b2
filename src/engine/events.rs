//! What a play reports, as data: the rows it acts on, then each container's state
//! from a closed set, check attempts, plugin log lines, port probes and the outcome.
//! `output` turns these into a live table, plain lines or JSON; nothing here builds
//! text for display.

use crate::model::LifecycleState;
use crate::planner::Action;
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
    /// The image reference the container is configured with.
    pub image: String,
    /// Its tag, as MaestroNG's image column shows it (`tag:container-id`).
    #[serde(skip)]
    pub tag: String,
    /// The reference without its registry, as MaestroNG's status messages show it.
    #[serde(skip)]
    pub short_image: String,
}

/// A container's state in a play: what is being done to it, or how the play left it.
/// The set is closed and documented (README, JSON API): scripts may match on it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Waiting for its dependencies or a concurrency slot.
    Waiting,
    /// Asking its ship what it is.
    Inspecting,
    /// Its image is being pulled: bytes of every layer summed (`total` is what the
    /// registry announced so far).
    Pulling {
        done: u64,
        total: u64,
    },
    Creating,
    /// Removing an old container before creating a new one, or cleaning it up.
    Removing,
    Starting,
    /// Waiting the start window (no running checks): a container that exits within
    /// it did not start.
    Settling,
    /// Its lifecycle checks of `lifecycle` are running; the last attempt's reason.
    Checking {
        lifecycle: LifecycleState,
        #[serde(skip_serializing_if = "Option::is_none")]
        check: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        attempt: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    Stopping,
    Killing,
    /// `--step-delay` / `--stop-start-delay`.
    Delaying {
        seconds: u64,
    },
    /// Final: running, since `since` (Unix seconds). `changed`: this play started it.
    /// `drifted`: its configuration differs from the file (`restart` applies it).
    Running {
        #[serde(skip_serializing_if = "Option::is_none")]
        since: Option<i64>,
        changed: bool,
        drifted: bool,
    },
    /// Final: exists, not running, since `since`. `changed`: this play stopped it.
    Stopped {
        #[serde(skip_serializing_if = "Option::is_none")]
        since: Option<i64>,
        changed: bool,
    },
    /// Final: no such container. `changed`: this play removed it.
    Absent {
        changed: bool,
    },
    /// Final (`pull`): the image is present. `changed`: this play pulled it.
    Pulled {
        changed: bool,
    },
    /// Final: its task failed at `step`, for `cause` (as the daemon, plugin or check
    /// said it: `output` escapes it).
    Failed {
        step: Step,
        cause: String,
    },
    /// Final: not acted on.
    Aborted {
        reason: AbortReason,
    },
    /// Final: a container of this name that is not this environment's (`owner`: the
    /// environment maestro created it for; absent when maestro did not create it): left
    /// alone.
    Foreign {
        #[serde(skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
    },
}

impl State {
    /// What an observed container is, when the play leaves it as it was.
    pub fn as_observed(observed: Option<&crate::docker::Observed>) -> State {
        match observed {
            Some(o) if o.running => State::Running {
                since: o.started_at(),
                changed: false,
                drifted: false,
            },
            Some(o) => State::Stopped {
                since: o.finished_at,
                changed: false,
            },
            None => State::Absent { changed: false },
        }
    }

    pub fn is_final(&self) -> bool {
        matches!(
            self,
            State::Running { .. }
                | State::Stopped { .. }
                | State::Absent { .. }
                | State::Pulled { .. }
                | State::Failed { .. }
                | State::Aborted { .. }
                | State::Foreign { .. }
        )
    }

    /// A final state that is not a failure: the container is as the play wants it.
    pub fn succeeded(&self) -> bool {
        self.is_final() && !matches!(self, State::Failed { .. } | State::Aborted { .. })
    }
}

/// Why a container was not acted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AbortReason {
    /// A container it depends on failed or was not acted on.
    Dependency,
    /// Another container failed and the play halted.
    Halted,
    /// Ctrl-C or a signal.
    Interrupted,
    /// Interrupted after it was created but before it started: it was removed.
    InterruptedRemoved,
    /// Interrupted while its daemon was stopping it: the stop is left to the daemon.
    InterruptedStopping,
    /// Interrupted while its image was being pulled: the pull was abandoned.
    InterruptedPulling,
}

/// The step of a task that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Connect,
    Inspect,
    ClaimName,
    GenerateEnvironment,
    PreStartChecks,
    RemoveOld,
    InspectImage,
    RegistryCredentials,
    Pull,
    Create,
    Start,
    RunningChecks,
    PreStopChecks,
    Stop,
    Kill,
    StoppedChecks,
    Remove,
    RemoveUnstarted,
    Wait,
    Run,
}

impl Step {
    /// The checks step of a lifecycle state.
    pub fn checks(state: LifecycleState) -> Step {
        match state {
            LifecycleState::PreStart => Step::PreStartChecks,
            LifecycleState::Running => Step::RunningChecks,
            LifecycleState::PreStop => Step::PreStopChecks,
            LifecycleState::Stopped => Step::StoppedChecks,
        }
    }
}

/// Why a task failed: the step, the cause, and — when the container itself exited —
/// its exit code and last lines of output (as written: `output` escapes them).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskError {
    pub step: Step,
    pub cause: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub output: Vec<String>,
}

impl TaskError {
    pub fn new(step: Step, cause: impl ToString) -> TaskError {
        TaskError {
            step,
            cause: cause.to_string(),
            exit_code: None,
            output: Vec::new(),
        }
    }

    /// A failed Docker call: its cause, and what it was done to unless that is the
    /// container itself (the report names the container and ship already).
    /// A connection that could not be made fails the task at `connect`, whatever step
    /// needed it.
    pub fn docker(step: Step, e: crate::docker::DockerError) -> TaskError {
        if e.op == "connect to" {
            return TaskError::new(Step::Connect, e.cause);
        }
        let cause = if e.subject.starts_with("container ") {
            e.cause.to_string()
        } else {
            format!("{}: {}", e.subject, e.cause)
        };
        TaskError::new(step, cause)
    }
}

/// A change to one container's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Update {
    pub container: String,
    #[serde(flatten)]
    pub state: State,
    /// The container's ID, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
    /// The ID of the image it runs (or will run), once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
}

/// What `status -F` found of one port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortProbe {
    pub name: String,
    /// `8080/tcp`, `5000-5010/tcp`.
    pub external: String,
    pub state: PortState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortState {
    Up,
    Down,
    /// UDP ports are not probed.
    NotProbedUdp,
    /// Port ranges are not probed.
    NotProbedRange,
}

/// A line a check plugin logged (`log.write`), as it wrote it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PluginLog {
    pub container: String,
    pub check: String,
    /// `debug`, `info`, `warn`, `error`.
    pub level: &'static str,
    pub message: String,
}

/// The end of a play.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Outcome {
    /// Containers whose task failed, in play order.
    pub failures: Vec<(String, TaskError)>,
    /// Containers not run because of a failure or an interruption.
    pub aborted: Vec<String>,
    pub interrupted: bool,
    /// Notes for the person (variables a generator could not replace…).
    pub notes: Vec<String>,
    /// Containers of an instance's name that are not this environment's, left alone by
    /// a command that would have changed them: name and owner (`None`: not maestro's).
    pub left_alone: Vec<(String, Option<String>)>,
}

/// Everything a play reports, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The play's rows, before any update.
    Begin {
        action: Action,
        rows: Vec<Row>,
    },
    Update(Update),
    /// `status -F`: the image and each port of a container.
    Ports {
        container: String,
        image: String,
        image_id: Option<String>,
        ports: Vec<PortProbe>,
    },
    /// A check plugin's log line (its attempts are `checking` updates).
    PluginLog(PluginLog),
    /// The first SIGINT, SIGTERM or SIGHUP: the play halts (a second one exits at once).
    Interrupted {
        signal: &'static str,
    },
    /// The play is over: every row is final.
    End(Outcome),
}

/// Receives a play's events (from any task, in the order they happened).
pub trait Reporter: Send + Sync {
    fn report(&self, event: Event);
}
