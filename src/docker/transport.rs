//! How a ship's Docker API is reached — a unix socket, plain TCP, TLS or an SSH tunnel —
//! behind one hyper connector, so every transport gets the same connect deadline, the
//! same connection pool and the same errors. bollard sees a custom transport.

use super::connect_error::ConnectError;
use super::ssh::Tunnel;
use super::tls;
use crate::model::Ship;
use bollard::{BollardRequest, ClientVersion, Docker};
use hyper::Uri;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};

/// Where (and how) a connection to a ship's daemon is opened.
pub enum Route {
    Unix(PathBuf),
    Tcp(String),
    Tls(tls::Endpoint),
    Ssh(Tunnel),
}

impl Route {
    /// The route MaestroNG would take: an SSH tunnel, else the unix socket, else TCP
    /// (with TLS when `tls` or `tls_verify`).
    pub fn of(ship: &Ship) -> Result<Route, ConnectError> {
        if let Some(tunnel) = &ship.ssh_tunnel {
            return Ok(Route::Ssh(Tunnel::new(ship, tunnel)));
        }
        if let Some(path) = &ship.socket_path {
            return Ok(Route::Unix(path.clone()));
        }
        let address = format!("{}:{}", host(&ship.endpoint), ship.docker_port);
        if ship.tls || ship.tls_verify {
            return Ok(Route::Tls(tls::Endpoint::new(ship, address)?));
        }
        Ok(Route::Tcp(address))
    }

    async fn open(&self) -> Result<Stream, ConnectError> {
        match self {
            Route::Unix(path) => {
                UnixStream::connect(path)
                    .await
                    .map(Stream::new)
                    .map_err(|source| ConnectError::Socket {
                        path: path.clone(),
                        source,
                    })
            }
            Route::Tcp(address) => tcp(address).await.map(Stream::new),
            Route::Tls(endpoint) => endpoint.open().await.map(Stream::new),
            Route::Ssh(tunnel) => tunnel.open().await.map(Stream::new),
        }
    }
}

/// `[v6]` for an IPv6 literal, the name or IPv4 address as it is otherwise.
fn host(endpoint: &str) -> String {
    if endpoint.contains(':') && !endpoint.starts_with('[') {
        format!("[{endpoint}]")
    } else {
        endpoint.to_string()
    }
}

/// A TCP connection to `address` with Nagle off (Docker's API is request/response).
pub async fn tcp(address: &str) -> Result<TcpStream, ConnectError> {
    let stream = TcpStream::connect(address)
        .await
        .map_err(|source| ConnectError::Tcp {
            address: address.to_string(),
            source,
        })?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Whether a client ever opened a connection. A request that timed out before one did
/// was waiting for its connection, whichever of the two deadlines fired first — on a
/// loaded machine the request's own deadline can win that race.
#[derive(Clone, Default)]
pub struct Opened(Arc<AtomicBool>);

impl Opened {
    pub fn ever(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A bollard client over `route`; connections take at most `timeout` to open.
pub fn docker(
    route: Route,
    timeout: Duration,
    version: &ClientVersion,
) -> Result<(Docker, Opened), bollard::errors::Error> {
    let opened = Opened::default();
    let connector = Connector {
        route: Arc::new(route),
        timeout,
        opened: opened.clone(),
    };
    let client = Client::builder(TokioExecutor::new()).build(connector);
    let transport = move |request: BollardRequest| {
        let client = client.clone();
        async move {
            client
                .request(request)
                .await
                .map_err(|err| bollard::errors::Error::HyperLegacyError { err })
        }
    };
    let seconds = timeout.as_secs().max(1);
    let docker =
        Docker::connect_with_custom_transport(transport, Some("http://docker"), seconds, version)?;
    Ok((docker, opened))
}

/// The hyper connector: every new connection goes through the ship's route.
#[derive(Clone)]
struct Connector {
    route: Arc<Route>,
    timeout: Duration,
    opened: Opened,
}

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<Stream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, io::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let route = self.route.clone();
        let timeout = self.timeout;
        let opened = self.opened.clone();
        Box::pin(async move {
            match tokio::time::timeout(timeout, route.open()).await {
                Ok(Ok(stream)) => {
                    opened.0.store(true, Ordering::Relaxed);
                    Ok(TokioIo::new(stream))
                }
                Ok(Err(error)) => Err(io::Error::other(error)),
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    ConnectError::Timeout(timeout),
                )),
            }
        })
    }
}

trait Io: AsyncRead + AsyncWrite + Send {}
impl<T: AsyncRead + AsyncWrite + Send> Io for T {}

/// One open connection to a daemon, whatever carries it.
pub struct Stream(Pin<Box<dyn Io>>);

impl Stream {
    fn new(io: impl AsyncRead + AsyncWrite + Send + 'static) -> Stream {
        Stream(Box::pin(io))
    }
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.0.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.as_mut().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.as_mut().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.as_mut().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.as_mut().poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(host("10.0.0.1"), "10.0.0.1");
        assert_eq!(host("docker1.corp"), "docker1.corp");
        assert_eq!(host("fd00::1"), "[fd00::1]");
        assert_eq!(host("[fd00::1]"), "[fd00::1]");
    }
}
