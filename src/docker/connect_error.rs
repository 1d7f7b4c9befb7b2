//! Why a connection to a ship's daemon could not be opened, typed: each error says what
//! it was doing in its own message and keeps what went wrong underneath as its
//! `source`. `Cause` (error.rs) prints the chain once, at the edge.

use std::path::PathBuf;
use std::time::Duration;

/// A connection that could not be opened, by any transport.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The daemon's unix socket.
    #[error("{}", path.display())]
    Socket {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A TCP connection (to the daemon, or to the SSH server in front of it).
    #[error("{address}")]
    Tcp {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no connection within {0:.0?}")]
    Timeout(Duration),
    #[error("TLS handshake with {address} failed")]
    Handshake {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    TlsSetup(#[from] TlsSetupError),
    /// Boxed: russh's errors are large, and every connection result carries this type.
    #[error(transparent)]
    Ssh(Box<SshError>),
}

impl From<SshError> for ConnectError {
    fn from(error: SshError) -> ConnectError {
        ConnectError::Ssh(Box::new(error))
    }
}

/// The ship's TLS settings cannot make a client.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("`{0}` is not a valid TLS server name")]
    ServerName(String),
    #[error("`tls_verify` needs `tls_ca_cert`, the CA that signed the daemon's certificate")]
    NoCa,
    #[error("cannot read {key} `{}`", path.display())]
    Read {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{key} `{}`", path.display())]
    Pem {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: rustls::pki_types::pem::Error,
    },
    #[error("{key} `{}` holds no PEM certificate", path.display())]
    NoCertificate { key: &'static str, path: PathBuf },
    #[error("tls_ca_cert `{}`", path.display())]
    Ca {
        path: PathBuf,
        #[source]
        source: rustls::Error,
    },
    #[error("tls_cert and tls_key do not make a client identity")]
    Identity(#[source] rustls::Error),
    #[error("`tls_cert` needs `tls_key`")]
    CertWithoutKey,
    #[error("`tls_key` needs `tls_cert`")]
    KeyWithoutCert,
    #[error("no TLS protocol version in common")]
    Versions(#[source] rustls::Error),
}

/// The SSH tunnel to a ship cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("cannot read ssh_tunnel key `{}`", path.display())]
    Key {
        path: PathBuf,
        #[source]
        source: russh::keys::Error,
    },
    /// The server's host key is not the one `known_hosts` expects (the reason in words).
    #[error("{0}")]
    HostKey(String),
    #[error("SSH connection to {address} failed")]
    Session {
        address: String,
        #[source]
        source: russh::Error,
    },
    #[error("SSH authentication with {address} failed")]
    Authentication {
        address: String,
        #[source]
        source: russh::Error,
    },
    #[error("the SSH server {address} refused the key `{}` for user `{user}`", key.display())]
    Refused {
        address: String,
        key: PathBuf,
        user: String,
    },
    #[error("the SSH server {address} did not forward to {target}")]
    Forward {
        address: String,
        target: String,
        #[source]
        source: russh::Error,
    },
}
