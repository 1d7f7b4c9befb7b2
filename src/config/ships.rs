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
    let ship = Ship {
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
    };
    if ship.ssh_tunnel.is_some()
        && ship.socket_path.is_some()
        && let Some(pos) = own.key_pos("socket_path")
    {
        diags.error(
            pos,
            &join(&own.path, "socket_path"),
            "a unix socket cannot be reached through an SSH tunnel: give one or the other",
        );
    }
    Some(ship)
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
        let password = optional(diags, "password").map(Secret::new);
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
