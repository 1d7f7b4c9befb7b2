//! TLS to a ship (rustls): `tls_verify` checks the daemon's certificate against
//! `tls_ca_cert` under the name `endpoint`; `tls` alone encrypts without checking (as
//! docker-py did for MaestroNG). `tls_cert` + `tls_key` answer a daemon that asks for a
//! client certificate.

use super::connect_error::{ConnectError, TlsSetupError};
use crate::model::Ship;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// A TLS endpoint: its address, the name its certificate must carry, the client settings.
pub struct Endpoint {
    address: String,
    name: ServerName<'static>,
    connector: TlsConnector,
}

impl Endpoint {
    /// Reads the ship's certificates; a missing or unreadable file is an error naming it.
    pub fn new(ship: &Ship, address: String) -> Result<Endpoint, TlsSetupError> {
        let name = ServerName::try_from(ship.endpoint.clone())
            .map_err(|_| TlsSetupError::ServerName(ship.endpoint.clone()))?;
        let config = client_config(ship)?;
        Ok(Endpoint {
            address,
            name,
            connector: TlsConnector::from(Arc::new(config)),
        })
    }

    pub async fn open(&self) -> Result<TlsStream<tokio::net::TcpStream>, ConnectError> {
        let stream = super::transport::tcp(&self.address).await?;
        self.connector
            .connect(self.name.clone(), stream)
            .await
            .map_err(|source| ConnectError::Handshake {
                address: self.address.clone(),
                source,
            })
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(ship: &Ship) -> Result<ClientConfig, TlsSetupError> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsSetupError::Versions)?;
    let builder = if ship.tls_verify {
        let ca = ship.tls_ca_cert.as_deref().ok_or(TlsSetupError::NoCa)?;
        let mut roots = RootCertStore::empty();
        for cert in certificates(ca, "tls_ca_cert")? {
            roots.add(cert).map_err(|source| TlsSetupError::Ca {
                path: ca.to_path_buf(),
                source,
            })?;
        }
        builder.with_root_certificates(roots)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider())))
    };
    match (&ship.tls_cert, &ship.tls_key) {
        (Some(cert), Some(key)) => {
            let chain = certificates(cert, "tls_cert")?;
            let pem = read(key, "tls_key")?;
            let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|source| TlsSetupError::Pem {
                key: "tls_key",
                path: key.clone(),
                source,
            })?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(TlsSetupError::Identity)
        }
        (None, None) => Ok(builder.with_no_client_auth()),
        (Some(_), None) => Err(TlsSetupError::CertWithoutKey),
        (None, Some(_)) => Err(TlsSetupError::KeyWithoutCert),
    }
}

/// Every certificate of a PEM file (at least one).
fn certificates(
    path: &Path,
    key: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let pem = read(path, key)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| TlsSetupError::Pem {
            key,
            path: path.to_path_buf(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsSetupError::NoCertificate {
            key,
            path: path.to_path_buf(),
        });
    }
    Ok(certs)
}

fn read(path: &Path, key: &'static str) -> Result<Vec<u8>, TlsSetupError> {
    std::fs::read(path).map_err(|source| TlsSetupError::Read {
        key,
        path: path.to_path_buf(),
        source,
    })
}

/// `tls` without `tls_verify`: any server certificate is accepted, the handshake's
/// signatures are still checked.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
