//! `ships`, `ship_defaults`, `ship_provider` and `registries`: where containers run and
//! where their images come from.

use super::diagnostics::{Diagnostics, Fields, items, join};
use super::yaml::Node;
use crate::model::{Registry, Retry, Secret, Ship, SshTunnel};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const SHIP_KEYS: &[&str] = &[
    "ip",
    "endpoint",
    "docker_port",
    "socket_path",
    "api_version",
    "timeout",
    "tls",
    "tls_verify",
    "tls_ca_cert",
    "tls_cert",
    "tls_key",
    "ssl_version",
    "ssh_tunnel",
    "ssh_timeout",
];

/// Reads `ships`, each completed from `ship_defaults` (per key; the ship wins).
pub fn ships(
    diags: &mut Diagnostics,
    ships: &Node,
    defaults: Option<&Node>,
    base_dir: &Path,
) -> BTreeMap<String, Ship> {
    let default_fields = defaults.map(|d| {
        let fields = diags.fields(d, "ship_defaults", SHIP_KEYS);
        for key in ["ip", "endpoint"] {
            if let Some(pos) = fields.key_pos(key) {
                diags.error(
                    pos,
                    &join("ship_defaults", key),
                    "ship_defaults cannot set a ship's own address",
                );
            }
        }
        fields
    });
    let mut result = BTreeMap::new();
    for (name, _, node) in diags.mapping(ships, "ships").unwrap_or_default() {
        let path = join("ships", &name);
        let fields = diags.fields(node, &path, SHIP_KEYS);
        if let Some(ship) = ship(diags, &name, &fields, default_fields.as_ref(), base_dir) {
            result.insert(name, ship);
        }
    }
    result
}

fn ship(
    diags: &mut Diagnostics,
    name: &str,
    own: &Fields,
    defaults: Option<&Fields>,
    base_dir: &Path,
) -> Option<Ship> {
    let field = |key: &str| own.some(key).or_else(|| defaults.and_then(|d| d.some(key)));
    let ip = own
        .required(diags, "ip")
        .and_then(|(n, p)| diags.name(n, &p));
    let endpoint = match own.some("endpoint") {
        Some((n, p)) => diags.name(n, &p),
        None => ip.clone(),
    };
    let flag = |diags: &mut Diagnostics, key: &str| {
        field(key)
            .and_then(|(n, p)| diags.boolean(n, &p))
            .unwrap_or(false)
    };
    let tls = flag(diags, "tls");
    let tls_verify = flag(diags, "tls_verify");
    let docker_port = match field("docker_port") {
        Some((n, p)) => diags.integer(n, &p, 1, 65535).map(|v| v as u16),
        None => Some(if tls { 2376 } else { 2375 }),
    };
    let text = |diags: &mut Diagnostics, key: &str| field(key).and_then(|(n, p)| diags.text(n, &p));
    let file = |diags: &mut Diagnostics, key: &str| text(diags, key).map(|t| base_dir.join(t));
    let timeout = match field("timeout") {
        Some((n, p)) => diags.seconds(n, &p),
        None => Some(5.0),
    };
    let ssh_tunnel = match field("ssh_tunnel") {
        Some((n, p)) => ssh(diags, n, &p, base_dir),
        None => None,
    };
    let socket_path = text(diags, "socket_path").map(PathBuf::from);
    // With `ssh_tunnel`, `socket_path` is the daemon's socket on the ship, reached
    // through the tunnel (MaestroNG could not combine the two).
    Some(Ship {
        name: name.to_string(),
        ip: ip?,
        endpoint: endpoint?,
        docker_port: docker_port?,
        socket_path,
        api_version: text(diags, "api_version"),
        timeout: timeout?,
        tls,
        tls_verify,
        tls_ca_cert: file(diags, "tls_ca_cert"),
        tls_cert: file(diags, "tls_cert"),
        tls_key: file(diags, "tls_key"),
        ssl_version: text(diags, "ssl_version"),
        ssh_tunnel,
    })
}

fn ssh(diags: &mut Diagnostics, node: &Node, path: &str, base_dir: &Path) -> Option<SshTunnel> {
    let fields = diags.fields(node, path, &["user", "key", "port"]);
    let user = fields
        .required(diags, "user")
        .and_then(|(n, p)| diags.name(n, &p));
    let key = fields
        .required(diags, "key")
        .and_then(|(n, p)| diags.text(n, &p));
    let port = match fields.some("port") {
        Some((n, p)) => diags.integer(n, &p, 1, 65535).map(|v| v as u16),
        None => Some(22),
    };
    Some(SshTunnel {
        user: user?,
        key: base_dir.join(key?),
        port: port?,
    })
}

/// The ship an instance may name without defining it: the local daemon.
pub const LOCAL: &str = "local";

/// The ship `local`, as the Docker CLI finds its daemon: `DOCKER_HOST` (`unix://PATH` or
/// `tcp://HOST[:PORT]`), TLS when `DOCKER_TLS_VERIFY` (verified, with `ca.pem`, `cert.pem`
/// and `key.pem` of `DOCKER_CERT_PATH`, default `~/.docker`) or `DOCKER_TLS` is set,
/// else `/var/run/docker.sock`. Its `ip` (what containers and checks are told) is the
/// TCP host, else this machine's outward address.
pub fn local_ship(var: impl Fn(&str) -> Option<String>) -> Result<Ship, String> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    let tls_verify = set("DOCKER_TLS_VERIFY").is_some();
    let tls = tls_verify || set("DOCKER_TLS").is_some();
    let mut ship = Ship {
        name: LOCAL.to_string(),
        ip: String::new(),
        endpoint: String::new(),
        docker_port: if tls { 2376 } else { 2375 },
        socket_path: None,
        api_version: None,
        timeout: 5.0,
        tls,
        tls_verify,
        tls_ca_cert: None,
        tls_cert: None,
        tls_key: None,
        ssl_version: None,
        ssh_tunnel: None,
    };
    let host = set("DOCKER_HOST").unwrap_or_else(|| "unix:///var/run/docker.sock".into());
    if let Some(path) = host.strip_prefix("unix://") {
        ship.socket_path = Some(PathBuf::from(path));
        ship.ip = outward_address();
        ship.endpoint = "localhost".into();
    } else if let Some(address) = host.strip_prefix("tcp://") {
        let address = address.trim_end_matches('/');
        let (name, port) =
            match address.rsplit_once(':') {
                Some((name, port)) if !name.ends_with(':') => (
                    name,
                    Some(port.parse::<u16>().map_err(|_| {
                        format!("DOCKER_HOST {host:?}: {port:?} is not a port number")
                    })?),
                ),
                _ => (address, None),
            };
        let name = name.trim_start_matches('[').trim_end_matches(']');
        if name.is_empty() {
            return Err(format!("DOCKER_HOST {host:?} names no host"));
        }
        ship.ip = name.to_string();
        ship.endpoint = name.to_string();
        ship.docker_port = port.unwrap_or(ship.docker_port);
    } else {
        return Err(format!(
            "DOCKER_HOST {host:?}: maestro reaches a local daemon through unix:// or tcp:// \
             (for a remote one over SSH, define a ship with `ssh_tunnel`)"
        ));
    }
    if tls {
        let dir = set("DOCKER_CERT_PATH")
            .map(PathBuf::from)
            .or_else(|| std::env::home_dir().map(|home| home.join(".docker")));
        if let Some(dir) = dir {
            if tls_verify {
                ship.tls_ca_cert = Some(dir.join("ca.pem"));
            }
            let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
            if cert.exists() && key.exists() {
                ship.tls_cert = Some(cert);
                ship.tls_key = Some(key);
            }
        }
    }
    Ok(ship)
}

/// This machine's address on its default route (a UDP socket is "connected", nothing is
/// sent); `127.0.0.1` without one.
pub fn outward_address() -> String {
    std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|socket| {
            socket.connect("192.0.2.1:9")?;
            socket.local_addr()
        })
        .map(|address| address.ip().to_string())
        .unwrap_or_else(|_| "127.0.0.1".into())
}

/// Checks `ship_provider`: only `static` exists.
pub fn ship_provider(diags: &mut Diagnostics, node: &Node) {
    if let Some(provider) = diags.text(node, "ship_provider")
        && provider != "static"
    {
        diags.error(
            node.pos,
            "ship_provider",
            format!("invalid ship provider {provider:?}: the only provider is \"static\""),
        );
    }
}

/// Reads `registries`.
pub fn registries(diags: &mut Diagnostics, node: &Node) -> BTreeMap<String, Registry> {
    let mut result = BTreeMap::new();
    for (name, _, node) in diags.mapping(node, "registries").unwrap_or_default() {
        let path = join("registries", &name);
        let fields = diags.fields(
            node,
            &path,
            &[
                "registry", "username", "password", "email", "retry", "plugin", "options",
            ],
        );
        let url = fields
            .required(diags, "registry")
            .and_then(|(n, p)| diags.text(n, &p));
        let optional = |diags: &mut Diagnostics, key: &str| {
            fields.some(key).and_then(|(n, p)| diags.text(n, &p))
        };
        let username = optional(diags, "username");
        let password = fields
            .some("password")
            .and_then(|(n, p)| diags.secret_text(n, &p))
            .map(Secret::new);
        let email = optional(diags, "email");
        let retry = match fields.some("retry") {
            Some((n, p)) => retry(diags, n, &p),
            None => Some(Retry::default()),
        };
        let plugin = match fields.some("plugin") {
            Some((n, p)) => super::plugins::registry_plugin(diags, n, &p, &fields),
            None => None,
        };
        if let (Some(url), Some(retry)) = (url, retry) {
            let registry = Registry {
                plugin,
                name: name.clone(),
                url,
                username,
                password,
                email,
                retry,
            };
            result.insert(name, registry);
        }
    }
    result
}

fn retry(diags: &mut Diagnostics, node: &Node, path: &str) -> Option<Retry> {
    let fields = diags.fields(node, path, &["attempts", "when"]);
    let attempts = match fields.some("attempts") {
        Some((n, p)) => diags.integer(n, &p, 1, 1000).map(|v| v as u32),
        None => Some(3),
    };
    let mut when = std::collections::BTreeSet::new();
    if let Some((n, p)) = fields.some("when") {
        for (item, item_path) in items(n, &p) {
            if let Some(code) = diags.integer(item, &item_path, 100, 599) {
                when.insert(code as u16);
            }
        }
    }
    Some(Retry {
        attempts: attempts?,
        when,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(vars: &[(&str, &str)]) -> Result<Ship, String> {
        local_ship(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_local_ship_follows_the_docker_cli() {
        let default = local(&[]).unwrap();
        assert_eq!(
            default.socket_path,
            Some(PathBuf::from("/var/run/docker.sock"))
        );
        assert!(!default.tls);
        let socket = local(&[("DOCKER_HOST", "unix:///run/user/1000/docker.sock")]).unwrap();
        assert_eq!(
            socket.socket_path,
            Some(PathBuf::from("/run/user/1000/docker.sock"))
        );
        let tcp = local(&[("DOCKER_HOST", "tcp://docker.corp:4243/")]).unwrap();
        assert_eq!(
            (tcp.ip.as_str(), tcp.endpoint.as_str(), tcp.docker_port),
            ("docker.corp", "docker.corp", 4243)
        );
        assert_eq!(tcp.socket_path, None);
        let plain = local(&[("DOCKER_HOST", "tcp://10.0.0.2")]).unwrap();
        assert_eq!(plain.docker_port, 2375);
        let v6 = local(&[("DOCKER_HOST", "tcp://[fd00::2]:2375")]).unwrap();
        assert_eq!((v6.ip.as_str(), v6.docker_port), ("fd00::2", 2375));
        let tls = local(&[
            ("DOCKER_HOST", "tcp://10.0.0.2"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", "/etc/docker-certs"),
        ])
        .unwrap();
        assert_eq!(
            (tls.tls, tls.tls_verify, tls.docker_port),
            (true, true, 2376)
        );
        assert_eq!(
            tls.tls_ca_cert,
            Some(PathBuf::from("/etc/docker-certs/ca.pem"))
        );
        // Empty means unset, as for the Docker CLI.
        assert!(!local(&[("DOCKER_TLS_VERIFY", "")]).unwrap().tls);
        assert_eq!(
            local(&[("DOCKER_HOST", "tcp://h:port")]).unwrap_err(),
            "DOCKER_HOST \"tcp://h:port\": \"port\" is not a port number"
        );
        assert!(local(&[("DOCKER_HOST", "npipe:////./pipe/docker")]).is_err());
    }
}
