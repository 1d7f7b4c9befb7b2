//! One ship's Docker connection: made on first use, the API version negotiated once
//! (or fixed by `api_version`), shared by every container of that ship.

use super::error::{Cause, DockerError};
use super::transport::{self, Route};
use bollard::{ClientVersion, Docker};
use std::time::Duration;
use tokio::sync::OnceCell;

/// A ship and its (lazily opened) Docker connection.
pub struct ShipClient {
    pub config: crate::model::Ship,
    docker: OnceCell<Result<Docker, Cause>>,
}

impl ShipClient {
    pub fn new(config: crate::model::Ship) -> ShipClient {
        ShipClient {
            config,
            docker: OnceCell::new(),
        }
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
    let route = Route::of(ship).map_err(Cause::Other)?;
    let version = fixed.unwrap_or(*bollard::API_DEFAULT_VERSION);
    let docker = transport::docker(route, timeout, &version)
        .map_err(|e| Cause::of(e, timeout))?
        .with_timeout(timeout);
    if fixed.is_some() {
        return Ok(docker);
    }
    docker
        .negotiate_version()
        .await
        .map_err(|e| Cause::of(e, timeout))
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
