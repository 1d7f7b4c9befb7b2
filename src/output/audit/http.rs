//! The webhook auditor's one request: HTTP/1.1 over TCP, or over TLS checked against the
//! Mozilla roots (webpki-roots), with basic authentication from the URL's userinfo as
//! Python's requests sends it. Hand-written over hyper's connection API (already a
//! dependency): a client with pools and redirects would be more than one POST needs.

use base64::Engine;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use tokio::net::TcpStream;

/// Sends `body` to `endpoint` with `method`; the answer's status.
pub async fn send(
    endpoint: &str,
    method: &str,
    headers: &[(String, String)],
    body: String,
) -> Result<u16, String> {
    let uri: http::Uri = endpoint.parse().map_err(|e| format!("invalid URL: {e}"))?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("the endpoint is neither http:// nor https://".into()),
    };
    let authority = uri.authority().ok_or("the endpoint has no host")?.as_str();
    let (userinfo, address) = match authority.rsplit_once('@') {
        Some((userinfo, address)) => (Some(userinfo), address),
        None => (None, authority),
    };
    let host = uri.host().ok_or("the endpoint has no host")?;
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let mut request = http::Request::builder()
        .method(method)
        .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header("Host", address)
        .header("Content-Type", "application/json; charset=utf-8");
    if let Some(userinfo) = userinfo {
        let encoded = base64::engine::general_purpose::STANDARD.encode(userinfo);
        request = request.header("Authorization", format!("Basic {encoded}"));
    }
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("invalid request: {e}"))?;
    let tcp = TcpStream::connect((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| e.to_string())?;
    let _ = tcp.set_nodelay(true);
    if https {
        let name = rustls::pki_types::ServerName::try_from(host.to_string())
            .map_err(|_| format!("`{host}` is not a valid TLS server name"))?;
        let stream = connector()?
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        exchange(stream, request).await
    } else {
        exchange(tcp, request).await
    }
}

async fn exchange(
    stream: impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
    request: http::Request<Full<Bytes>>,
) -> Result<u16, String> {
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    Ok(response.status().as_u16())
}

fn connector() -> Result<tokio_rustls::TlsConnector, String> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// The endpoint as messages show it: scheme, host and port only (a webhook's path,
/// query or userinfo is often its secret).
pub fn shown(endpoint: &str) -> String {
    match endpoint.parse::<http::Uri>() {
        Ok(uri) => format!(
            "{}://{}{}",
            uri.scheme_str().unwrap_or("http"),
            uri.host().unwrap_or("?"),
            uri.port_u16().map_or(String::new(), |p| format!(":{p}"))
        ),
        Err(_) => "(an invalid URL)".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn endpoints_are_shown_without_their_secrets() {
        assert_eq!(
            super::shown("https://user:pw@hooks.example:8443/T0/B1/secret?token=x"),
            "https://hooks.example:8443"
        );
    }
}
