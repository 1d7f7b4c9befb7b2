//! `ssh_tunnel`: the ship's Docker API through an SSH connection (russh, no `ssh` or
//! `docker` binary on either side). One SSH session per ship, opened on first use and
//! again if it drops; each HTTP connection is a channel forwarded to the daemon's unix
//! socket (`socket_path` on the ship) or to `localhost:docker_port` there (MaestroNG's
//! tunnel). The server's host key must be in `~/.ssh/known_hosts`. Every step runs
//! under the connector's deadline and keepalives close a dead session, so a tunnel
//! never hangs.

use super::connect_error::SshError;
use crate::model::{Ship, SshTunnel};
use russh::client::{self, Handle};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelStream, client::Msg};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the daemon listens on the far side of the tunnel.
enum Target {
    Socket(String),
    Port(u16),
}

/// An SSH tunnel to one ship.
pub struct Tunnel {
    host: String,
    port: u16,
    user: String,
    key: PathBuf,
    target: Target,
    session: tokio::sync::Mutex<Option<Handle<HostKeyCheck>>>,
}

impl Tunnel {
    pub fn new(ship: &Ship, tunnel: &SshTunnel) -> Tunnel {
        Tunnel {
            host: ship.endpoint.clone(),
            port: tunnel.port,
            user: tunnel.user.clone(),
            key: tunnel.key.clone(),
            target: match &ship.socket_path {
                Some(path) => Target::Socket(path.to_string_lossy().into_owned()),
                None => Target::Port(ship.docker_port),
            },
            session: tokio::sync::Mutex::new(None),
        }
    }

    fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// A new channel to the daemon, over the ship's session.
    pub async fn open(&self) -> Result<ChannelStream<Msg>, super::ConnectError> {
        let mut session = self.session.lock().await;
        if session.as_ref().is_some_and(Handle::is_closed) {
            *session = None;
        }
        let handle = match &mut *session {
            Some(handle) => handle,
            empty @ None => empty.insert(self.connect().await?),
        };
        let channel = match &self.target {
            Target::Socket(path) => handle.channel_open_direct_streamlocal(path.as_str()).await,
            Target::Port(port) => {
                handle
                    .channel_open_direct_tcpip("localhost", u32::from(*port), "127.0.0.1", 0)
                    .await
            }
        };
        let channel = channel.map_err(|source| SshError::Forward {
            address: self.address(),
            target: match &self.target {
                Target::Socket(path) => path.clone(),
                Target::Port(port) => format!("localhost:{port}"),
            },
            source,
        })?;
        Ok(channel.into_stream())
    }

    async fn connect(&self) -> Result<Handle<HostKeyCheck>, super::ConnectError> {
        let address = self.address();
        let key =
            russh::keys::load_secret_key(&self.key, None).map_err(|source| SshError::Key {
                path: self.key.clone(),
                source,
            })?;
        let config = Arc::new(client::Config {
            keepalive_interval: Some(Duration::from_secs(10)),
            keepalive_max: 3,
            nodelay: true,
            ..Default::default()
        });
        let verdict = Arc::new(Mutex::new(None));
        let check = HostKeyCheck {
            host: self.host.clone(),
            port: self.port,
            verdict: verdict.clone(),
        };
        let stream = super::transport::tcp(&address).await?;
        let mut handle = client::connect_stream(config, stream, check)
            .await
            .map_err(
                |source| match verdict.lock().ok().and_then(|mut v| v.take()) {
                    Some(refused) => SshError::HostKey(refused),
                    None => SshError::Session {
                        address: address.clone(),
                        source,
                    },
                },
            )?;
        let hash = handle
            .best_supported_rsa_hash()
            .await
            .ok()
            .flatten()
            .flatten();
        let auth = handle
            .authenticate_publickey(&self.user, PrivateKeyWithHashAlg::new(Arc::new(key), hash))
            .await
            .map_err(|source| SshError::Authentication {
                address: address.clone(),
                source,
            })?;
        if !auth.success() {
            return Err(SshError::Refused {
                address,
                key: self.key.clone(),
                user: self.user.clone(),
            }
            .into());
        }
        Ok(handle)
    }
}

/// Accepts the server only if `~/.ssh/known_hosts` holds its key; otherwise leaves the
/// reason in `verdict` for the error message.
pub struct HostKeyCheck {
    host: String,
    port: u16,
    verdict: Arc<Mutex<Option<String>>>,
}

impl client::Handler for HostKeyCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        offered: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let verdict = match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } => {
                host_key_verdict(&self.host, self.port, key)
            }
            PublicKeyOrCertificate::Certificate(_) => Err(format!(
                "the SSH server {}:{} offered a host certificate; maestro checks plain host keys from known_hosts",
                self.host, self.port
            )),
        };
        match verdict {
            Ok(()) => Ok(true),
            Err(reason) => {
                if let Ok(mut slot) = self.verdict.lock() {
                    *slot = Some(reason);
                }
                Ok(false)
            }
        }
    }
}

fn known_hosts() -> Option<PathBuf> {
    std::env::home_dir().map(|home| home.join(".ssh").join("known_hosts"))
}

fn host_key_verdict(host: &str, port: u16, key: &russh::keys::PublicKey) -> Result<(), String> {
    let path = known_hosts().ok_or("no home directory, so no ~/.ssh/known_hosts")?;
    let fingerprint = key.fingerprint(HashAlg::Sha256);
    let name = if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    };
    match russh::keys::check_known_hosts_path(host, port, key, &path) {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!(
            "the host key of the SSH server {name} ({fingerprint}) is not in {}; check the \
             fingerprint, then add it: ssh-keyscan -p {port} {host} >> {}",
            path.display(),
            path.display()
        )),
        Err(russh::keys::Error::KeyChanged { line }) => Err(format!(
            "the host key of the SSH server {name} ({fingerprint}) does not match line {line} \
             of {}: refusing to connect (the key changed, or someone is in the middle)",
            path.display()
        )),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}
