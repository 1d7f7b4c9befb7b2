//! What went wrong talking to a Docker daemon: the operation, what it was done to,
//! the ship, and a cause classified from the HTTP status (never from message text).

use std::fmt;
use std::time::Duration;

/// A failed Docker operation.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("failed to {op} {subject} on ship `{ship}`: {cause}")]
pub struct DockerError {
    /// The verb: `create`, `start`, `inspect`, `pull`…
    pub op: &'static str,
    /// What it was done to: "container `web-1`", "image `busybox:latest`".
    pub subject: String,
    pub ship: String,
    pub cause: Cause,
}

/// Why a Docker call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// 404: no such container or image.
    NotFound(String),
    /// 409: a name in use, a container in the wrong state.
    Conflict(String),
    /// 401/403 from the daemon or the registry behind it.
    Unauthorized(String),
    /// Any other status the daemon answered with.
    Status { code: u16, message: String },
    /// The daemon could not be reached at all.
    Unreachable(String),
    /// The daemon did not answer in time.
    Timeout(Duration),
    /// Anything else (a broken stream, a malformed answer).
    Other(String),
}

impl Cause {
    /// The cause of a bollard error, by HTTP status where there is one.
    pub(crate) fn of(error: bollard::errors::Error, timeout: Duration) -> Cause {
        use bollard::errors::Error as E;
        match error {
            E::DockerResponseServerError {
                status_code,
                message,
            } => Cause::from_status(status_code, message),
            E::RequestTimeoutError => Cause::Timeout(timeout),
            E::SocketNotFoundError(path) => Cause::Unreachable(format!("no socket at {path}")),
            E::HyperLegacyError { err } if err.is_connect() => Cause::Unreachable(root_cause(&err)),
            E::HyperLegacyError { err } => Cause::Other(root_cause(&err)),
            E::IOError { err } => Cause::Unreachable(err.to_string()),
            E::DockerStreamError { error } => Cause::Other(error),
            other => Cause::Other(other.to_string()),
        }
    }

    /// A status code and message from the daemon (or an error inside a stream).
    pub(crate) fn from_status(code: u16, message: String) -> Cause {
        let message = message.trim().to_string();
        match code {
            404 => Cause::NotFound(message),
            409 => Cause::Conflict(message),
            401 | 403 => Cause::Unauthorized(message),
            _ => Cause::Status { code, message },
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Cause::NotFound(_))
    }

    /// The HTTP status the daemon answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Cause::NotFound(_) => Some(404),
            Cause::Conflict(_) => Some(409),
            Cause::Unauthorized(_) => Some(401),
            Cause::Status { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// The innermost message of an error chain (hyper wraps the useful one).
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::NotFound(m) | Cause::Conflict(m) | Cause::Other(m) => f.write_str(m),
            Cause::Unauthorized(m) => write!(f, "not authorized: {m}"),
            Cause::Status { code, message } => write!(f, "{message} (HTTP {code})"),
            Cause::Unreachable(m) => write!(f, "the Docker daemon cannot be reached: {m}"),
            Cause::Timeout(t) => write!(
                f,
                "the Docker daemon did not answer within {:.0?} (see the ship's `timeout`)",
                t
            ),
        }
    }
}
