//! Container operations on one ship: inspect, create, start, stop, kill, remove,
//! exec. Each names its operation, container and ship when it fails.

use super::create::{CreateSpec, LABEL_CONFIG, LABEL_ENVIRONMENT};
use super::error::Cause;
use super::{DockerError, ShipClient};
use bollard::query_parameters::{
    CreateContainerOptions, KillContainerOptions, RemoveContainerOptions, StopContainerOptions,
    WaitContainerOptions,
};
use futures_util::StreamExt;
use std::time::Duration;

/// The most output of a `docker exec` kept (its end).
const MAX_EXEC_OUTPUT: usize = 4096;

/// What the daemon says of a container.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub id: String,
    /// The image ID the container runs.
    pub image_id: String,
    pub running: bool,
    /// `created`, `running`, `exited`…
    pub status: String,
    pub exit_code: i64,
    /// When it was last started, in Unix nanoseconds on the daemon's clock; `None`
    /// when it never started.
    pub started_nanos: Option<i128>,
    /// How often the daemon restarted it (its restart policy).
    pub restart_count: i64,
    /// Its main process's ID on the ship (0 when it does not run).
    pub pid: i64,
    pub finished_at: Option<i64>,
    /// The configuration hash maestro labelled it with, if maestro created it.
    pub config_hash: Option<String>,
    /// The environment maestro labelled it with, if maestro created it.
    pub environment: Option<String>,
    /// The error Docker recorded, if it could not run the process.
    pub error: String,
    /// Its address on the default bridge, while it runs there.
    pub address: Option<std::net::IpAddr>,
}

impl Observed {
    /// When it was last started, in Unix seconds.
    pub fn started_at(&self) -> Option<i64> {
        self.started_nanos.map(seconds)
    }
}

/// The first 7 characters of a container ID, as MaestroNG shows them.
pub fn short_id(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

fn container(name: &str) -> String {
    format!("container `{name}`")
}

impl ShipClient {
    /// Inspects `name`; `None` when there is no such container. A question: the ship's
    /// `timeout` bounds it.
    pub async fn inspect(&self, name: &str) -> Result<Option<Observed>, DockerError> {
        let docker = self.docker().await?;
        self.inspect_with(docker, self.timeout(), name).await
    }

    /// Inspects `name` through `docker`, whose deadline is `timeout`: the questions an
    /// operation asks (settling a start) share the operation's deadline.
    pub(super) async fn inspect_with(
        &self,
        docker: &bollard::Docker,
        timeout: Duration,
        name: &str,
    ) -> Result<Option<Observed>, DockerError> {
        match docker.inspect_container(name, None).await {
            Ok(info) => {
                let state = info.state.unwrap_or_default();
                let labels = info.config.and_then(|c| c.labels).unwrap_or_default();
                let address = info
                    .network_settings
                    .and_then(|n| n.networks)
                    .and_then(|networks| {
                        networks
                            .values()
                            .filter_map(|e| e.ip_address.as_deref())
                            .find_map(|ip| ip.parse().ok())
                    });
                Ok(Some(Observed {
                    id: info.id.unwrap_or_default(),
                    image_id: info.image.unwrap_or_default(),
                    running: state.running.unwrap_or(false),
                    status: state.status.map(|s| s.to_string()).unwrap_or_default(),
                    exit_code: state.exit_code.unwrap_or(0),
                    started_nanos: state.started_at.as_deref().and_then(unix_nanos),
                    restart_count: info.restart_count.unwrap_or(0),
                    pid: state.pid.unwrap_or(0),
                    finished_at: state.finished_at.as_deref().and_then(unix_seconds),
                    config_hash: labels.get(LABEL_CONFIG).cloned(),
                    environment: labels.get(LABEL_ENVIRONMENT).cloned(),
                    error: state.error.unwrap_or_default(),
                    address,
                }))
            }
            Err(e) => match Cause::of(e, timeout) {
                Cause::NotFound(_) => Ok(None),
                cause => Err(self.error("inspect", container(name), cause)),
            },
        }
    }

    /// Creates `name`; returns its ID.
    pub async fn create(&self, name: &str, spec: &CreateSpec) -> Result<String, DockerError> {
        let (docker, deadline, _slot) = self.operation().await?;
        let options = CreateContainerOptions {
            name: Some(name.to_string()),
            ..Default::default()
        };
        docker
            .create_container(Some(options), spec.body.clone())
            .await
            .map(|r| r.id)
            .map_err(|e| self.error("create", container(name), Cause::of(e, deadline)))
    }

    pub async fn start(&self, name: &str) -> Result<(), DockerError> {
        let (docker, deadline, _slot) = self.operation().await?;
        docker
            .start_container(name, None)
            .await
            .map_err(|e| self.error("start", container(name), Cause::of(e, deadline)))
    }

    /// `docker stop -t stop_timeout`: the request may take that long on top of the
    /// operation deadline. Not counted among the ship's operations in flight: it
    /// mostly waits for the container's process.
    pub async fn stop(&self, name: &str, stop_timeout: u64) -> Result<(), DockerError> {
        let (docker, timeout) = self
            .with_deadline(Duration::from_secs(stop_timeout))
            .await?;
        let options = StopContainerOptions {
            t: Some(stop_timeout.min(i32::MAX as u64) as i32),
            signal: None,
        };
        docker
            .stop_container(name, Some(options))
            .await
            .map_err(|e| self.error("stop", container(name), Cause::of(e, timeout)))
    }

    pub async fn kill(&self, name: &str) -> Result<(), DockerError> {
        let (docker, deadline) = self.with_deadline(Duration::ZERO).await?;
        let options = KillContainerOptions {
            signal: "KILL".into(),
        };
        docker
            .kill_container(name, Some(options))
            .await
            .map_err(|e| self.error("kill", container(name), Cause::of(e, deadline)))
    }

    /// Removes `name` and its anonymous volumes (`docker rm -v`); `force` also for a
    /// running one.
    pub async fn remove(&self, name: &str, force: bool) -> Result<(), DockerError> {
        let (docker, deadline, _slot) = self.operation().await?;
        let options = RemoveContainerOptions {
            v: true,
            force,
            link: false,
        };
        match docker.remove_container(name, Some(options)).await {
            Ok(()) => Ok(()),
            Err(e) => match Cause::of(e, deadline) {
                Cause::NotFound(_) => Ok(()),
                cause => Err(self.error("remove", container(name), cause)),
            },
        }
    }

    /// Waits up to `within` for `name` to stop running; its exit code if it did.
    pub async fn exited_within(&self, name: &str, within: Duration) -> Option<i64> {
        let docker = self.docker().await.ok()?;
        let options = WaitContainerOptions {
            condition: "not-running".into(),
        };
        let mut wait = docker.wait_container(name, Some(options));
        match tokio::time::timeout(within, wait.next()).await {
            Ok(Some(Ok(response))) => Some(response.status_code),
            Ok(Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. }))) => {
                Some(code)
            }
            _ => None,
        }
    }

    /// Runs `command` inside `name` (`docker exec`); its exit code and output.
    pub async fn exec(
        &self,
        name: &str,
        command: Vec<String>,
    ) -> Result<(i64, String), DockerError> {
        use bollard::exec::{CreateExecOptions, StartExecResults};
        let docker = self.docker().await?;
        let fail = |e| self.error("exec in", container(name), Cause::of(e, self.timeout()));
        let exec = docker
            .create_exec(
                name,
                CreateExecOptions {
                    cmd: Some(command),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    ..Default::default()
                },
            )
            .await
            .map_err(fail)?;
        let mut output = String::new();
        if let StartExecResults::Attached {
            output: mut stream, ..
        } = docker.start_exec(&exec.id, None).await.map_err(fail)?
        {
            while let Some(Ok(chunk)) = stream.next().await {
                output.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
                if output.len() > MAX_EXEC_OUTPUT * 2 {
                    let cut = output.len() - MAX_EXEC_OUTPUT;
                    let cut = (cut..output.len())
                        .find(|i| output.is_char_boundary(*i))
                        .unwrap_or(output.len());
                    output.drain(..cut);
                }
            }
        }
        let code = docker
            .inspect_exec(&exec.id)
            .await
            .map_err(fail)?
            .exit_code
            .unwrap_or(-1);
        Ok((code, output))
    }
}

/// Now, in Unix seconds (to compare with Docker's times).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Docker's RFC 3339 times (`2026-11-21T08:30:00.123456789Z`) as Unix seconds;
/// `None` for Docker's "never" (`0001-01-01T00:00:00Z`) or anything unreadable.
pub fn unix_seconds(text: &str) -> Option<i64> {
    unix_nanos(text).map(seconds)
}

fn seconds(nanos: i128) -> i64 {
    nanos.div_euclid(1_000_000_000) as i64
}

/// The same in nanoseconds (the fraction, when there is one, kept to the nanosecond).
/// Hand-written: bollard is built without a date crate, and Docker writes one format.
pub fn unix_nanos(text: &str) -> Option<i128> {
    let (date, time) = text.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    if y < 1970 {
        return None;
    }
    let clock = time.get(..8)?;
    let mut t = clock.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    let rest = &time[8..];
    let zone_at = rest.find(['+', '-', 'Z']).unwrap_or(rest.len());
    let fraction = rest[..zone_at].strip_prefix('.').unwrap_or("");
    let digits: String = fraction.chars().take(9).collect();
    let nanos = if digits.is_empty() {
        0
    } else {
        digits.parse::<i128>().ok()? * 10i128.pow(9 - digits.len() as u32)
    };
    let offset = match rest[zone_at..].chars().next() {
        Some(sign @ ('+' | '-')) => {
            let zone = &rest[zone_at + 1..];
            let (zh, zm) = zone.split_once(':')?;
            let seconds = zh.parse::<i64>().ok()? * 3600 + zm.parse::<i64>().ok()? * 60;
            if sign == '-' { -seconds } else { seconds }
        }
        _ => 0,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    let seconds = days * 86400 + hh * 3600 + mm * 60 + ss - offset;
    Some(seconds as i128 * 1_000_000_000 + nanos)
}

#[cfg(test)]
mod tests {
    use super::{unix_nanos, unix_seconds};

    #[test]
    fn docker_times() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            unix_seconds("2026-11-21T08:30:00.123456789Z"),
            Some(1_795_249_800)
        );
        assert_eq!(unix_seconds("2024-02-29T23:59:59Z"), Some(1_709_251_199));
        assert_eq!(
            unix_seconds("2026-11-21T10:30:00+02:00"),
            Some(1_795_249_800)
        );
        assert_eq!(unix_seconds("0001-01-01T00:00:00Z"), None);
        assert_eq!(unix_seconds("garbage"), None);
        assert_eq!(
            unix_nanos("2026-11-21T08:30:00.123456789Z"),
            Some(1_795_249_800_123_456_789)
        );
        assert_eq!(
            unix_nanos("2026-11-21T10:30:00.5+02:00"),
            Some(1_795_249_800_500_000_000)
        );
        assert_eq!(
            unix_nanos("2026-11-21T08:30:00Z"),
            Some(1_795_249_800_000_000_000)
        );
    }
}
