//! Whether a container that was just started stayed up: judged by the daemon and the
//! kernel, not by when this process hears of an exit. Once the window has passed since
//! the daemon answered the start — so at least that long, in real time, after the
//! container's own `StartedAt` — the daemon lists the processes in the container's
//! cgroup (`top`): it is up only if one is left. That is the kernel's word, which does
//! not lag the way the daemon's exit event does on a loaded machine. The process looked
//! for is the one the daemon started (by its ID), so a restart by the container's
//! restart policy in between counts as an exit.
//!
//! Not `stats`: dockerd answers it at its next one-second collection, so twenty
//! containers started at once would each wait up to a second.

use super::error::Cause;
use super::{DockerError, Observed, ShipClient};
use bollard::query_parameters::TopOptions;
use std::time::Duration;

/// How a start ended, as the daemon saw it.
#[derive(Clone, Debug, PartialEq)]
pub enum Settled {
    /// Still running after the window: as the daemon showed it then.
    Running(Box<Observed>),
    /// It exited (or was restarted by its restart policy) within the window.
    Exited { code: Option<i64> },
}

/// What the daemon says of the processes in a container's cgroup.
enum Processes {
    Some,
    /// None left (or the daemon already knows it stopped).
    None,
    /// The daemon cannot say (no `ps` on its host…): its own state decides.
    Unknown,
}

/// The client a settle asks through, with the start's deadline.
struct Asked<'d> {
    docker: &'d bollard::Docker,
    deadline: Duration,
}

/// How long the daemon may take to report the exit of a process that is gone.
const EXIT_REPORT: Duration = Duration::from_secs(30);

impl ShipClient {
    /// Waits until `name`, whose start the daemon answered at `answered`, has been
    /// running for `window`, or has exited. Every container started at once waits its
    /// window at the same time.
    ///
    /// Part of the start: its questions get the start's deadline, not the ship's
    /// `timeout` (a daemon loaded enough to answer a start late answers these late too).
    pub async fn settle(
        &self,
        name: &str,
        window: Duration,
        answered: tokio::time::Instant,
    ) -> Result<Settled, DockerError> {
        let (docker, deadline) = self.with_deadline(Duration::ZERO).await?;
        let asked = Asked {
            docker: &docker,
            deadline,
        };
        let first = self.inspect_with(&docker, deadline, name).await?;
        let Some(first) = first.filter(|o| o.running) else {
            return Ok(self.exited(name).await);
        };
        tokio::time::sleep_until(answered + window).await;
        match self.processes(&asked, name, first.pid).await? {
            // Its first process is still there: neither exited nor restarted.
            Processes::Some => Ok(Settled::Running(Box::new(first))),
            Processes::None => Ok(self.exited(name).await),
            Processes::Unknown => self.still_the_same(&asked, name, first).await,
        }
    }

    /// By the daemon's own state: running, and not restarted since `first`.
    async fn still_the_same(
        &self,
        asked: &Asked<'_>,
        name: &str,
        first: Observed,
    ) -> Result<Settled, DockerError> {
        let now = self
            .inspect_with(asked.docker, asked.deadline, name)
            .await?;
        Ok(match now {
            Some(now)
                if now.running
                    && now.started_nanos == first.started_nanos
                    && now.restart_count == first.restart_count =>
            {
                Settled::Running(Box::new(now))
            }
            Some(now) if !now.running => Settled::Exited {
                code: Some(now.exit_code),
            },
            _ => Settled::Exited { code: None },
        })
    }

    /// Its exit code, once the daemon has noticed the exit.
    async fn exited(&self, name: &str) -> Settled {
        Settled::Exited {
            code: self.exited_within(name, EXIT_REPORT).await,
        }
    }

    /// Whether `pid`, the container's first process, is still in `name`'s cgroup. The
    /// daemon lists the cgroup's processes itself; the `ps` it runs beside that is told
    /// to look at `pid` alone, not to scan every process of the ship.
    async fn processes(
        &self,
        asked: &Asked<'_>,
        name: &str,
        pid: i64,
    ) -> Result<Processes, DockerError> {
        let options = TopOptions {
            ps_args: format!("-o pid -p {pid}"),
        };
        match asked.docker.top_processes(name, Some(options)).await {
            Ok(top) if top.processes.as_ref().is_some_and(|p| !p.is_empty()) => Ok(Processes::Some),
            Ok(_) => Ok(Processes::None),
            Err(e) => match Cause::of(e, asked.deadline) {
                // 409: the daemon already knows it is not running; 404: it is gone.
                Cause::Conflict(_) | Cause::NotFound(_) => Ok(Processes::None),
                Cause::Status { .. } => Ok(Processes::Unknown),
                cause => Err(self.error(
                    "list the processes of",
                    format!("container `{name}`"),
                    cause,
                )),
            },
        }
    }
}
