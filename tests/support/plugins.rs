//! Helpers for plugin tests: the host, the fixtures built by build.rs, real loopback
//! servers to probe, and targets that point at them.

#![allow(dead_code)]

use maestro::config::grammar::Protocol;
use maestro::plugin::{
    CallLimits, CheckContext, Grants, Host, HostConfig, Plugin, Port, Reach, Target,
};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A host without a disk cache.
pub fn host() -> Host {
    Host::new(HostConfig::default()).expect("plugin host")
}

/// A fixture of `plugins/testing/`, e.g. `adversary`.
pub fn fixture_path(name: &str) -> PathBuf {
    let file = format!("maestro_testing_{}.wasm", name.replace('-', "_"));
    PathBuf::from(env!("MAESTRO_TESTING_PLUGINS")).join(file)
}

pub fn load_fixture(host: &Host, name: &str, grants: Grants) -> Arc<Plugin> {
    host.load_file(name, fixture_path(name), grants)
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn builtin(host: &Host, name: &str) -> Arc<Plugin> {
    host.load_builtin(name)
        .expect("a built-in")
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A target on 127.0.0.1 with one TCP port named `web`, and these options.
pub fn target(port: u16, options: serde_json::Value) -> Target {
    Target {
        environment: "test".into(),
        service: "web".into(),
        container: "web-1".into(),
        ship: "local".into(),
        address: "127.0.0.1".into(),
        ports: vec![Port {
            name: "web".into(),
            exposed: 80,
            external: port,
            protocol: Protocol::Tcp,
        }],
        env: vec![("SERVICE_NAME".into(), "web".into())],
        options: options.to_string(),
    }
}

/// What a check on `target` may reach: its address and ports.
pub fn context(target: &Target) -> CheckContext {
    CheckContext {
        reach: Reach {
            address: target.address.parse().ok(),
            host_name: None,
            ports: target.ports.iter().map(|p| p.external).collect(),
        },
        container_runner: None,
    }
}

pub fn limits(seconds: f64) -> CallLimits {
    CallLimits {
        timeout: Duration::from_secs_f64(seconds),
    }
}

/// A loopback port where nothing listens: below the ephemeral range, so that the
/// listeners other tests open meanwhile (on port 0) never land on it.
pub fn closed_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let seed = (std::process::id() % 5000) as u16;
    loop {
        let port = 20_000 + (seed + NEXT.fetch_add(7, Ordering::Relaxed)) % 10_000;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A listener that accepts connections (and closes them) until the test ends.
pub fn tcp_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || for _ in listener.incoming() {});
    port
}

/// A response of the test HTTP server.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.into(),
    }
}

/// A real HTTP/1.1 server on loopback: `route` maps the request line and headers to
/// a reply. Returns its port and a log of the requests it received.
pub fn http_server(
    route: impl Fn(&str) -> Reply + Send + Sync + 'static,
) -> (u16, super::http::Log) {
    super::http::serve(move |request| {
        let reply = route(&request.head);
        super::http::answer(reply.status, &reply.headers, &reply.body)
    })
}

/// A grant of capabilities.
pub fn grants(capabilities: &[maestro::plugin::Capability]) -> Grants {
    Grants {
        capabilities: capabilities.iter().copied().collect(),
        ..Grants::default()
    }
}
