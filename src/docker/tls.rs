//! TLS to a ship (rustls): `tls_verify` checks the daemon's certificate against
//! `tls_ca_cert` under the name `endpoint`; `tls` alone encrypts without checking (as
//! docker-py did for MaestroNG). `tls_cert` + `tls_key` answer a daemon that asks for a
//! client certificate.

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
    pub fn new(ship: &Ship, address: String) -> Result<Endpoint, String> {
        let name = ServerName::try_from(ship.endpoint.clone())
            .map_err(|_| format!("`{}` is not a valid TLS server name", ship.endpoint))?;
        let config = client_config(ship)?;
        Ok(Endpoint {
            address,
            name,
            connector: TlsConnector::from(Arc::new(config)),
        })
    }

    pub async fn open(&self) -> Result<TlsStream<tokio::net::TcpStream>, String> {
        let stream = super::transport::tcp(&self.address).await?;
        self.connector
            .connect(self.name.clone(), stream)
            .await
            .map_err(|e| format!("TLS handshake with {} failed: {e}", self.address))
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn client_config(ship: &Ship) -> Result<ClientConfig, String> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = if ship.tls_verify {
        let ca = ship.tls_ca_cert.as_deref().ok_or(
            "`tls_verify` needs `tls_ca_cert`, the CA that signed the daemon's certificate",
        )?;
        let mut roots = RootCertStore::empty();
        for cert in certificates(ca, "tls_ca_cert")? {
            roots
                .add(cert)
                .map_err(|e| format!("tls_ca_cert `{}`: {e}", ca.display()))?;
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
            let key = PrivateKeyDer::from_pem_slice(&pem)
                .map_err(|e| format!("tls_key `{}`: {e}", key.display()))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("tls_cert and tls_key do not make a client identity: {e}"))
        }
        (None, None) => Ok(builder.with_no_client_auth()),
        (Some(_), None) => Err("`tls_cert` needs `tls_key`".into()),
        (None, Some(_)) => Err("`tls_key` needs `tls_cert`".into()),
    }
}

/// Every certificate of a PEM file (at least one).
fn certificates(path: &Path, key: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = read(path, key)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{key} `{}`: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{key} `{}` holds no PEM certificate",
            path.display()
        ));
    }
    Ok(certs)
}

fn read(path: &Path, key: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {key} `{}`: {e}", path.display()))
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
