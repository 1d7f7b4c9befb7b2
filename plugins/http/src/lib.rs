//! The built-in `http` check (MaestroNG's): one HTTP request to the container's port
//! through `wasi:http`. Ready on status 200, or, with `match_regex`, when the body
//! matches the regular expression (`.` matches newlines; any status).
//!
//! Options: `port` (a port name or number), `path` (`/`), `scheme` (`http`|`https`),
//! `method` (`get`), `match_regex`, and `requests_options` with `headers` (a map) and
//! `timeout` (seconds for the response to start). Redirects to the same address are
//! followed, as Python's requests does. maestro resolves `host` into the target's
//! address and owns `max_wait`.

use maestro_plugin_support::{Options, PortRef, external_port};
use regex::bytes::{Regex, RegexBuilder};
use serde_json::Value;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingResponse, Method, OutgoingBody, OutgoingRequest, RequestOptions,
    Scheme,
};
use wasip2::io::streams::StreamError;

wit_bindgen::generate!({ path: "../../wit", world: "check" });

use exports::maestro::plugin::probe::{Guest, Outcome};
use maestro::plugin::types::{Protocol, Target};

/// The most of a body that is read and matched.
const MAX_BODY: usize = 1 << 20;
/// The most redirects followed.
const MAX_REDIRECTS: usize = 5;
/// Default time for a connection and for the response to start, in seconds.
const DEFAULT_TIMEOUT: f64 = 10.0;

struct Http;

/// A request as the options describe it.
struct Request {
    method: Method,
    scheme: Scheme,
    authority: String,
    path: String,
    headers: Vec<(String, Vec<u8>)>,
    timeout_ns: u64,
    pattern: Option<Regex>,
}

impl Guest for Http {
    fn probe(target: Target) -> Outcome {
        let mut request = match Request::from_target(&target) {
            Ok(request) => request,
            Err(reason) => return Outcome::Failed(reason),
        };
        for _ in 0..=MAX_REDIRECTS {
            let (status, location, body) = match send(&request) {
                Ok(response) => response,
                Err(reason) => return Outcome::NotReady(reason),
            };
            if let (300..=399, Some(location)) = (status, &location) {
                match same_origin_path(location, &request.authority) {
                    Some(path) => {
                        request.path = path;
                        continue;
                    }
                    None => return Outcome::NotReady(format!("redirected away to {location}")),
                }
            }
            return match &request.pattern {
                Some(pattern) if pattern.is_match(&body) => Outcome::Ready,
                Some(pattern) => Outcome::NotReady(format!(
                    "HTTP {status}: the body does not match {:?}",
                    pattern.as_str()
                )),
                None if status == 200 => Outcome::Ready,
                None => Outcome::NotReady(format!("HTTP {status} from {}", request.path)),
            };
        }
        Outcome::NotReady(format!("more than {MAX_REDIRECTS} redirects"))
    }
}

impl Request {
    fn from_target(target: &Target) -> Result<Request, String> {
        let options = Options::parse(&target.options)?;
        let ports: Vec<PortRef> = target
            .ports
            .iter()
            .map(|p| PortRef {
                name: &p.name,
                external: p.external,
                tcp: p.protocol == Protocol::Tcp,
            })
            .collect();
        let port = external_port(&options, &ports, true)?;
        let host = if target.address.contains(':') {
            format!("[{}]", target.address)
        } else {
            target.address.clone()
        };
        let path = options.text("path").unwrap_or_else(|| "/".into());
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        let scheme = match options.text("scheme").as_deref() {
            None | Some("http") => Scheme::Http,
            Some("https") => Scheme::Https,
            Some(other) => return Err(format!("scheme {other:?}: choose http or https")),
        };
        let method = method(&options.text("method").unwrap_or_else(|| "get".into()));
        let pattern = match options.text("match_regex") {
            Some(text) => Some(
                RegexBuilder::new(&text)
                    .dot_matches_new_line(true)
                    .build()
                    .map_err(|e| format!("bad match_regex: {e}"))?,
            ),
            None => None,
        };
        let extra = options.get("requests_options");
        let headers = match extra.and_then(|o| o.get("headers")) {
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| {
                    let value = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (k.to_ascii_lowercase(), value.into_bytes())
                })
                .collect(),
            _ => Vec::new(),
        };
        let timeout = extra
            .and_then(|o| o.get("timeout"))
            .and_then(Value::as_f64)
            .unwrap_or(DEFAULT_TIMEOUT);
        Ok(Request {
            method,
            scheme,
            authority: format!("{host}:{port}"),
            path,
            headers,
            timeout_ns: (timeout.max(0.001) * 1e9) as u64,
            pattern,
        })
    }
}

fn method(name: &str) -> Method {
    match name.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        "OPTIONS" => Method::Options,
        "PATCH" => Method::Patch,
        other => Method::Other(other.to_string()),
    }
}

/// Sends the request; returns the status, the `location` header and the body.
fn send(request: &Request) -> Result<(u16, Option<String>, Vec<u8>), String> {
    let headers = Fields::from_list(&request.headers).map_err(|e| format!("bad header: {e:?}"))?;
    let outgoing = OutgoingRequest::new(headers);
    outgoing
        .set_method(&request.method)
        .map_err(|()| "invalid method".to_string())?;
    outgoing
        .set_scheme(Some(&request.scheme))
        .map_err(|()| "invalid scheme".to_string())?;
    outgoing
        .set_authority(Some(&request.authority))
        .map_err(|()| format!("invalid address {}", request.authority))?;
    outgoing
        .set_path_with_query(Some(&request.path))
        .map_err(|()| format!("invalid path {:?}", request.path))?;
    let body = outgoing
        .body()
        .map_err(|()| "no request body".to_string())?;
    let options = RequestOptions::new();
    // Both setters only fail for values the host does not support; the host's own
    // deadline applies then.
    let _ = options.set_connect_timeout(Some(request.timeout_ns));
    let _ = options.set_first_byte_timeout(Some(request.timeout_ns));
    let pending = outgoing_handler::handle(outgoing, Some(options)).map_err(describe)?;
    OutgoingBody::finish(body, None).map_err(describe)?;
    pending.subscribe().block();
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(describe(code)),
        _ => return Err("no response".to_string()),
    };
    read(response)
}

fn read(response: IncomingResponse) -> Result<(u16, Option<String>, Vec<u8>), String> {
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .first()
        .map(|v| String::from_utf8_lossy(v).into_owned());
    let body = response
        .consume()
        .map_err(|()| "no response body".to_string())?;
    let stream = body.stream().map_err(|()| "no response body".to_string())?;
    let mut bytes = Vec::new();
    while bytes.len() < MAX_BODY {
        match stream.blocking_read((MAX_BODY - bytes.len()) as u64) {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(format!("reading the body failed: {}", e.to_debug_string()));
            }
        }
    }
    Ok((status, location, bytes))
}

/// The path of a redirect that stays on the same address, if it does.
fn same_origin_path(location: &str, authority: &str) -> Option<String> {
    if location.starts_with('/') {
        return Some(location.to_string());
    }
    let rest = location
        .strip_prefix("http://")
        .or_else(|| location.strip_prefix("https://"))?;
    let path = rest.strip_prefix(authority)?;
    match path {
        "" => Some("/".to_string()),
        p if p.starts_with('/') => Some(p.to_string()),
        _ => None,
    }
}

fn describe(code: ErrorCode) -> String {
    match code {
        ErrorCode::ConnectionRefused => "connection refused".into(),
        ErrorCode::ConnectionTimeout => "connection timed out".into(),
        ErrorCode::ConnectionReadTimeout => "the response did not come in time".into(),
        ErrorCode::HttpResponseTimeout => "the response did not come in time".into(),
        ErrorCode::DestinationUnavailable => "destination unavailable".into(),
        ErrorCode::DestinationIpUnroutable => "destination unroutable".into(),
        ErrorCode::HttpRequestDenied => "request denied by maestro".into(),
        ErrorCode::TlsProtocolError => "TLS protocol error".into(),
        ErrorCode::TlsCertificateError => "TLS certificate error".into(),
        other => format!("{other:?}"),
    }
}

export!(Http);
