//! What a plugin may do: capabilities granted by the environment file, and the
//! network reach of one call. Pure values and decisions; the host enforces them.

use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// The package every plugin interface belongs to.
pub const PACKAGE: &str = "maestro:plugin";
/// The version of the package this maestro implements.
pub const VERSION: &str = "0.1.0";

/// A capability beyond the defaults, granted per plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Run programs on maestro's machine (`maestro:plugin/exec`).
    Exec,
    /// Run programs inside the checked container (`maestro:plugin/container-exec`).
    ContainerExec,
}

impl Capability {
    pub const ALL: [Capability; 2] = [Capability::Exec, Capability::ContainerExec];

    /// The name used in `grant:` lists.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Exec => "exec",
            Capability::ContainerExec => "container-exec",
        }
    }

    /// The capability an import needs, if it is one of maestro's gated interfaces.
    pub fn of_import(import: &str) -> Option<Capability> {
        let interface = interface_name(import)?;
        Capability::ALL.into_iter().find(|c| c.name() == interface)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `maestro:plugin/NAME@VERSION` → `NAME`; `None` for other packages.
pub fn interface_name(item: &str) -> Option<&str> {
    let rest = item.strip_prefix(PACKAGE)?.strip_prefix('/')?;
    Some(rest.split('@').next().unwrap_or(rest))
}

/// `maestro:plugin/NAME@VERSION` → `VERSION`.
pub fn interface_version(item: &str) -> Option<&str> {
    interface_name(item)?;
    item.rsplit_once('@').map(|(_, v)| v)
}

/// What the environment file grants one plugin (`plugins: {NAME: ...}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Grants {
    pub capabilities: BTreeSet<Capability>,
    /// Host directories the plugin may read, each seen at its own absolute path.
    pub read: Vec<PathBuf>,
    /// The sha256 the plugin's file must have, when pinned.
    pub sha256: Option<String>,
    /// The most linear memory the plugin may use, in bytes.
    pub memory: Option<u64>,
}

impl Grants {
    /// What a built-in check gets: its own capability, nothing else.
    pub fn builtin(name: &str) -> Grants {
        let capabilities = match name {
            "exec" => BTreeSet::from([Capability::Exec]),
            "rexec" => BTreeSet::from([Capability::ContainerExec]),
            _ => BTreeSet::new(),
        };
        Grants {
            capabilities,
            ..Grants::default()
        }
    }
}

/// Where one call may connect: the target's address, on its declared ports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reach {
    pub address: Option<IpAddr>,
    /// A host name the target was given by (`host:`), accepted in HTTP requests.
    pub host_name: Option<String>,
    pub ports: BTreeSet<u16>,
}

impl Reach {
    /// No network at all (auth and env-generator plugins).
    pub fn none() -> Reach {
        Reach::default()
    }

    /// May a socket connect to `addr`?
    pub fn allows_connect(&self, addr: SocketAddr) -> bool {
        self.address == Some(addr.ip()) && self.ports.contains(&addr.port())
    }

    /// May an HTTP request go to `host:port`?
    pub fn allows_http(&self, host: &str, port: u16) -> bool {
        if !self.ports.contains(&port) {
            return false;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        match host.parse::<IpAddr>() {
            Ok(ip) => self.address == Some(ip),
            Err(_) => self
                .host_name
                .as_deref()
                .is_some_and(|name| name.eq_ignore_ascii_case(host)),
        }
    }

    /// The reach, for messages: `127.0.0.1 ports 80, 443`.
    pub fn describe(&self) -> String {
        match self.address {
            None => "no network".to_string(),
            Some(ip) => {
                let ports: Vec<String> = self.ports.iter().map(u16::to_string).collect();
                match ports.len() {
                    0 => format!("{ip} (no ports)"),
                    1 => format!("{ip} port {}", ports[0]),
                    _ => format!("{ip} ports {}", ports.join(", ")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_map_to_capabilities() {
        assert_eq!(
            Capability::of_import("maestro:plugin/exec@0.1.0"),
            Some(Capability::Exec)
        );
        assert_eq!(
            Capability::of_import("maestro:plugin/container-exec@0.1.0"),
            Some(Capability::ContainerExec)
        );
        assert_eq!(Capability::of_import("maestro:plugin/log@0.1.0"), None);
        assert_eq!(Capability::of_import("wasi:cli/environment@0.2.3"), None);
        assert_eq!(
            interface_version("maestro:plugin/probe@0.2.0"),
            Some("0.2.0")
        );
    }

    #[test]
    fn reach_is_the_target_and_its_ports() {
        let reach = Reach {
            address: Some("127.0.0.1".parse().unwrap()),
            host_name: Some("db.local".into()),
            ports: BTreeSet::from([8080]),
        };
        assert!(reach.allows_connect("127.0.0.1:8080".parse().unwrap()));
        assert!(!reach.allows_connect("127.0.0.1:8081".parse().unwrap()));
        assert!(!reach.allows_connect("127.0.0.2:8080".parse().unwrap()));
        assert!(reach.allows_http("DB.local", 8080));
        assert!(reach.allows_http("127.0.0.1", 8080));
        assert!(!reach.allows_http("example.com", 8080));
        assert_eq!(reach.describe(), "127.0.0.1 port 8080");
        assert!(!Reach::none().allows_connect("127.0.0.1:8080".parse().unwrap()));
        assert_eq!(Reach::none().describe(), "no network");
    }
}
