//! Guest functions for code running inside a container: MaestroNG's `guestutils`, reading
//! the variables `maestro` injects (through the same naming functions), with the same
//! defaults and errors.
//!
//! Fixed MaestroNG bugs: `get_container_host_address(as_ip_address=True)` with no address
//! is an error (Python returned `0.0.0.0`); an empty `<SERVICE>_INSTANCES` means no nodes.

use crate::naming::{host_var, instances_var, internal_port_var, port_var};
use std::collections::BTreeMap;

/// MaestroNG's `MaestroEnvironmentError`: the environment lacks what was asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GuestError(pub String);

/// The variables a container sees.
#[derive(Clone, Debug, Default)]
pub struct Guest {
    vars: BTreeMap<String, String>,
}

impl Guest {
    /// Reads this process's environment.
    pub fn from_process() -> Guest {
        Guest {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Guest {
        Guest {
            vars: vars.into_iter().collect(),
        }
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    fn required(&self, name: &str, what: &str) -> Result<String, GuestError> {
        match self.var(name) {
            Some(v) if !v.is_empty() => Ok(v.to_string()),
            _ => Err(GuestError(format!("{what} was not defined"))),
        }
    }

    /// A port number from variable `name` (empty counts as unset), else `default`.
    fn port(
        &self,
        name: &str,
        default: Option<&str>,
        missing: impl FnOnce() -> String,
    ) -> Result<u16, GuestError> {
        let value = self.var(name).filter(|v| !v.is_empty()).or(default);
        let value = value.ok_or_else(|| GuestError(missing()))?;
        value
            .trim()
            .parse()
            .map_err(|_| GuestError(format!("{value:?} is not a single port number")))
    }

    /// `MAESTRO_ENVIRONMENT_NAME`, `local` when unset.
    pub fn get_environment_name(&self) -> String {
        self.var("MAESTRO_ENVIRONMENT_NAME")
            .unwrap_or("local")
            .to_string()
    }

    pub fn get_service_name(&self) -> Result<String, GuestError> {
        self.required("SERVICE_NAME", "Service name")
    }

    pub fn get_container_name(&self) -> Result<String, GuestError> {
        self.required("CONTAINER_NAME", "Container name")
    }

    /// The ship's address; with `as_ip_address`, resolved to an IPv4 address.
    pub fn get_container_host_address(&self, as_ip_address: bool) -> Result<String, GuestError> {
        let address = self.required("CONTAINER_HOST_ADDRESS", "Container host address")?;
        if !as_ip_address {
            return Ok(address);
        }
        resolve_ipv4(&address).ok_or_else(|| {
            GuestError(format!(
                "Container host address {address} could not be resolved"
            ))
        })
    }

    /// The exposed port of one of this container's named ports.
    pub fn get_port(&self, name: &str, default: Option<&str>) -> Result<u16, GuestError> {
        let service = self.get_service_name()?;
        let container = self.get_container_name()?;
        self.get_specific_exposed_port(&service, &container, name, default)
    }

    pub fn get_specific_host(&self, service: &str, container: &str) -> Result<String, GuestError> {
        self.var(&host_var(service, container))
            .map(str::to_string)
            .ok_or_else(|| {
                GuestError(format!(
                    "No host defined for container {container} of service {service}"
                ))
            })
    }

    /// The external port of a named port of any container this one knows about.
    pub fn get_specific_port(
        &self,
        service: &str,
        container: &str,
        port: &str,
        default: Option<&str>,
    ) -> Result<u16, GuestError> {
        self.port(&port_var(service, container, port), default, || {
            format!("No port {port} defined for container {container} of service {service}")
        })
    }

    /// The exposed (internal) port of a named port; only known for the container's own service.
    pub fn get_specific_exposed_port(
        &self,
        service: &str,
        container: &str,
        port: &str,
        default: Option<&str>,
    ) -> Result<u16, GuestError> {
        self.port(
            &internal_port_var(service, container, port),
            default,
            || {
                format!(
                    "No internal port {port} defined for container {container} of service {service}"
                )
            },
        )
    }

    /// `host[:port1[:port2…]]` for every instance of `service`, using external ports.
    pub fn get_node_list(
        &self,
        service: &str,
        ports: &[String],
        minimum: usize,
    ) -> Result<Vec<String>, GuestError> {
        let names = self.var(&instances_var(service)).unwrap_or("");
        let mut nodes = Vec::new();
        for container in names.split(',').filter(|n| !n.is_empty()) {
            let mut node = self.get_specific_host(service, container)?;
            for port in ports {
                node.push(':');
                node.push_str(
                    &self
                        .get_specific_port(service, container, port, None)?
                        .to_string(),
                );
            }
            nodes.push(node);
        }
        if nodes.len() < minimum {
            return Err(GuestError(format!(
                "No or not enough {service} nodes configured"
            )));
        }
        Ok(nodes)
    }
}

fn resolve_ipv4(host: &str) -> Option<String> {
    use std::net::ToSocketAddrs;
    (host, 0)
        .to_socket_addrs()
        .ok()?
        .find(|a| a.is_ipv4())
        .map(|a| a.ip().to_string())
}

/// The IPv4 address of `eth0` (else of the first non-loopback interface), as Docker
/// assigned it inside the container.
pub fn get_container_internal_address() -> Result<String, GuestError> {
    let routes = std::fs::read_to_string("/proc/net/route")
        .map_err(|e| GuestError(format!("cannot read /proc/net/route: {e}")))?;
    let fib = std::fs::read_to_string("/proc/net/fib_trie")
        .map_err(|e| GuestError(format!("cannot read /proc/net/fib_trie: {e}")))?;
    internal_address(&routes, &fib)
        .ok_or_else(|| GuestError("no IPv4 address found on eth0".into()))
}

/// The address of `eth0` (else of another non-loopback interface) from the texts of
/// `/proc/net/route` and `/proc/net/fib_trie`: the local address inside a routed network.
fn internal_address(routes: &str, fib: &str) -> Option<String> {
    let interfaces: Vec<(String, [u8; 4], [u8; 4])> = routes
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let parse = |hex: &str| u32::from_str_radix(hex, 16).ok().map(|v| v.to_le_bytes());
            Some((f.first()?.to_string(), parse(f.get(1)?)?, parse(f.get(7)?)?))
        })
        .filter(|(_, dest, _)| *dest != [0, 0, 0, 0])
        .collect();
    let locals = local_addresses(fib);
    let in_network = |(_, dest, mask): &(String, [u8; 4], [u8; 4])| {
        locals
            .iter()
            .find(|ip| (0..4).all(|i| ip[i] & mask[i] == dest[i]))
            .copied()
    };
    interfaces
        .iter()
        .filter(|i| i.0 == "eth0")
        .chain(interfaces.iter().filter(|i| i.0 != "lo"))
        .find_map(in_network)
        .map(|ip| format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]))
}

/// The host addresses (`/32 host LOCAL`) listed in `/proc/net/fib_trie`.
fn local_addresses(fib: &str) -> Vec<[u8; 4]> {
    let lines: Vec<&str> = fib.lines().collect();
    let mut found = Vec::new();
    for pair in lines.windows(2) {
        if pair[1].trim() == "/32 host LOCAL"
            && let Some(addr) = pair[0].trim().strip_prefix("|-- ")
            && let Ok(ip) = addr.parse::<std::net::Ipv4Addr>()
            && !ip.is_loopback()
            && !found.contains(&ip.octets())
        {
            found.push(ip.octets());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::internal_address;

    const ROUTES: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
        eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
        eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";

    const FIB: &str = "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n\
        \x20    +-- 127.0.0.0/8 2 0 2\n           |-- 127.0.0.1\n              /32 host LOCAL\n\
        \x20    +-- 172.17.0.0/16 2 0 2\n           |-- 172.17.0.0\n              /16 link UNICAST\n\
        \x20          |-- 172.17.0.5\n              /32 host LOCAL\n           |-- 172.17.255.255\n              /32 link BROADCAST\n";

    #[test]
    fn finds_the_address_docker_gave_eth0() {
        assert_eq!(internal_address(ROUTES, FIB).as_deref(), Some("172.17.0.5"));
    }

    #[test]
    fn loopback_alone_is_no_address() {
        let only_lo = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n";
        assert_eq!(internal_address(only_lo, FIB), None);
    }
}
