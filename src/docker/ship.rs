//! One ship's Docker connection: made on first use, the API version negotiated once
//! (or fixed by `api_version`), shared by every container of that ship; and the
//! deadlines and in-flight limit of the operations that change containers.

use super::connect_error::ConnectError;
use super::error::{Cause, DockerError};
use super::transport::{self, Route};
use bollard::{ClientVersion, Docker};
use std::time::Duration;
use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};

/// How long the daemon may take to finish an operation that changes a container
/// (create, start, kill, remove; `stop` adds its `stop_timeout`). A loaded daemon takes
/// far longer over these than over a question: the ship's `timeout` bounds connecting
/// and questions (inspect, version, logs), not these.
pub const OPERATION_DEADLINE: Duration = Duration::from_secs(120);

/// How many container-changing operations (create, start, remove) maestro has in
/// flight on one ship at once, whatever `-c` allows: a daemon does them one by one
/// anyway, and a queue of hundreds only makes each of them late.
pub const IN_FLIGHT_PER_SHIP: usize = 8;

/// How much longer than a connection a request may take (see `connect`).
const CONNECT_MARGIN: Duration = Duration::from_millis(250);

/// A ship and its (lazily opened) Docker connection.
pub struct ShipClient {
    pub config: crate::model::Ship,
    docker: OnceCell<Result<Docker, Cause>>,
    in_flight: Semaphore,
}

impl ShipClient {
    pub fn new(config: crate::model::Ship) -> ShipClient {
        ShipClient {
            config,
            docker: OnceCell::new(),
            in_flight: Semaphore::new(IN_FLIGHT_PER_SHIP),
        }
    }

    /// The connection with a deadline of `OPERATION_DEADLINE` plus `extra` (a stop's
    /// `stop_timeout`), for an operation that changes a container, and that deadline.
    pub async fn with_deadline(&self, extra: Duration) -> Result<(Docker, Duration), DockerError> {
        let deadline = OPERATION_DEADLINE + extra;
        Ok((
            self.docker().await?.clone().with_timeout(deadline),
            deadline,
        ))
    }

    /// `with_deadline`, holding a place among the ship's operations in flight until
    /// the permit is dropped (create, start, remove).
    pub async fn operation(&self) -> Result<(Docker, Duration, SemaphorePermit<'_>), DockerError> {
        let (docker, deadline) = self.with_deadline(Duration::ZERO).await?;
        // The semaphore is never closed.
        let permit = self.in_flight.acquire().await.map_err(|_| {
            self.error(
                "queue",
                "an operation".into(),
                Cause::Other("closed".into()),
            )
        })?;
        Ok((docker, deadline, permit))
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// How long an ordinary request may take (the ship's `timeout`).
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.config.timeout.max(0.001))
    }

    /// The connection, opened (and the version negotiated) on first use.
    pub async fn docker(&self) -> Result<&Docker, DockerError> {
        self.docker
            .get_or_init(|| connect(&self.config))
            .await
            .as_ref()
            .map_err(|cause| DockerError {
                op: "connect to",
                subject: "the Docker daemon".into(),
                ship: self.config.name.clone(),
                cause: cause.clone(),
            })
    }

    /// An error of `op` on `subject` at this ship.
    pub fn error(&self, op: &'static str, subject: String, cause: Cause) -> DockerError {
        DockerError {
            op,
            subject,
            ship: self.config.name.clone(),
            cause,
        }
    }
}

async fn connect(ship: &crate::model::Ship) -> Result<Docker, Cause> {
    let fixed = match ship.api_version.as_deref() {
        None | Some("auto") => None,
        Some(text) => Some(parse_version(text).ok_or_else(|| {
            Cause::Other(format!(
                "api_version {text:?} is neither `auto` nor MAJOR.MINOR"
            ))
        })?),
    };
    let timeout = Duration::from_secs_f64(ship.timeout.max(0.001));
    let route = Route::of(ship).map_err(|e| Cause::Other(super::error::chain(&e)))?;
    let version = fixed.unwrap_or(*bollard::API_DEFAULT_VERSION);
    // Connections get the ship's `timeout`; a request gets a quarter second more. A
    // connection that never opened is named as such (`no connection within 1s`) even
    // when, on a loaded machine, the request's deadline fires first.
    let (docker, opened) =
        transport::docker(route, timeout, &version).map_err(|e| Cause::of(e, timeout))?;
    let docker = docker.with_timeout(timeout + CONNECT_MARGIN);
    if fixed.is_some() {
        return Ok(docker);
    }
    docker
        .negotiate_version()
        .await
        .map_err(|e| match Cause::of_version_request(e, timeout) {
            Cause::Timeout(_) if !opened.ever() => {
                Cause::Unreachable(ConnectError::Timeout(timeout).to_string())
            }
            other => other,
        })
}

/// `1.41` → version 1.41.
fn parse_version(text: &str) -> Option<ClientVersion> {
    let (major, minor) = text.split_once('.')?;
    Some(ClientVersion {
        major_version: major.parse().ok()?,
        minor_version: minor.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let v = parse_version("1.41").unwrap();
        assert_eq!((v.major_version, v.minor_version), (1, 41));
        assert!(parse_version("auto").is_none());
        assert!(parse_version("1").is_none());
    }
}
