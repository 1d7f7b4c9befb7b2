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
    /// The connection closed in the middle of a request: the daemon (or the SSH tunnel
    /// to it) went away.
    Gone(String),
    /// The endpoint answered, but not as a Docker daemon: HTTP `code` to the version
    /// request.
    NotDocker { code: u16, message: String },
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
            E::HyperLegacyError { err } if err.is_connect() => Cause::Unreachable(chain(&err)),
            E::HyperLegacyError { err } if cut_short(&err) => Cause::Gone(chain(&err)),
            E::HyperLegacyError { err } => Cause::Other(chain(&err)),
            E::HyperResponseError { err } if cut_short(&err) => Cause::Gone(chain(&err)),
            E::HyperResponseError { err } => Cause::Other(chain(&err)),
            E::IOError { err } if cut_short(&err) => Cause::Gone(err.to_string()),
            E::IOError { err } => Cause::Unreachable(err.to_string()),
            E::DockerStreamError { error } => Cause::Other(error),
            other => Cause::Other(other.to_string()),
        }
    }

    /// What the version request's failure means: an HTTP answer there is an endpoint
    /// that is not a Docker daemon.
    pub(crate) fn of_version_request(error: bollard::errors::Error, timeout: Duration) -> Cause {
        let cause = Cause::of(error, timeout);
        match (cause.status(), cause) {
            (
                Some(code),
                Cause::NotFound(message)
                | Cause::Conflict(message)
                | Cause::Unauthorized(message)
                | Cause::Status { message, .. },
            ) => Cause::NotDocker { code, message },
            (_, other) => other,
        }
    }

    /// A status code and message from the daemon (or an error inside a stream); an
    /// empty message becomes the status's own words.
    pub(crate) fn from_status(code: u16, message: String) -> Cause {
        let mut message = message.trim().to_string();
        if message.is_empty() {
            message = format!(
                "HTTP {code} {}, without a message",
                http::StatusCode::from_u16(code)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("")
            )
            .replace("  ", " ");
        }
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

/// Whether a connection closed before its answer was complete: hyper's incomplete or
/// closed message, or an end of file or reset underneath it.
fn cut_short(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(h) = e.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_closed() || h.is_canceled())
        {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
            )
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// The one place an error's chain is printed: each cause's message, outermost first,
/// joined by ": " — without hyper's client wrapper (`client error (Connect)`), which
/// says nothing the rest does not, and without a cause whose message its parent already
/// quotes.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        let wrapper = e.is::<hyper_util::client::legacy::Error>() && e.source().is_some();
        let quoted = parts.last().is_some_and(|last| last.contains(&text));
        if !wrapper && !quoted && !text.is_empty() {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::NotFound(m) | Cause::Conflict(m) | Cause::Other(m) => f.write_str(m),
            Cause::Unauthorized(m) => write!(f, "not authorized: {m}"),
            Cause::Status { code, message } => write!(f, "{message} (HTTP {code})"),
            Cause::Unreachable(m) => write!(f, "the Docker daemon cannot be reached: {m}"),
            // Only the ship's own `timeout` is short enough to be worth naming: the
            // operation deadlines are minutes long (README: deadlines).
            Cause::Timeout(t) if *t < super::ship::OPERATION_DEADLINE => write!(
                f,
                "the Docker daemon did not answer within {:.0?} (see the ship's `timeout`)",
                t
            ),
            Cause::Timeout(t) => write!(f, "the Docker daemon did not finish within {t:.0?}"),
            Cause::Gone(m) => write!(
                f,
                "the connection to the Docker daemon closed mid-request: the daemon (or the SSH tunnel to it) went away ({m})"
            ),
            Cause::NotDocker { code, message } => write!(
                f,
                "the endpoint is not a Docker daemon: it answered HTTP {code} to the version request ({message}); check the ship's address and port"
            ),
        }
    }
}
