//! What a check probes: the container's ports and environment, at its ship's address
//! (or the check's `host`, resolved here since plugins cannot resolve names), and
//! the reach that goes with it: that address, on those ports only.

use super::timing::plugin_options;
use crate::model::{CheckSpec, Container, EnvMap, Environment};
use crate::plugin::{Port, Reach, Target};
use serde_json::Value;
use std::net::IpAddr;

/// The target and reach of one check of `container`; `env` is the container's full
/// environment (`env::generate`). `direct`, the container's own address, replaces a
/// loopback ship address (MaestroNG bug: docker-proxy accepts on the host port even
/// when nothing listens in the container); its ports are then the exposed ones.
pub async fn target(
    environment: &Environment,
    container: &Container,
    env: &EnvMap,
    spec: &CheckSpec,
    direct: Option<IpAddr>,
) -> Result<(Target, Reach), String> {
    let ship_ip = environment
        .ships
        .get(&container.ship)
        .map(|s| s.ip.clone())
        .unwrap_or_default();
    let host = spec
        .options
        .get("host")
        .and_then(Value::as_str)
        .map(str::to_string);
    let (mut address, host_name) = match &host {
        Some(name) => (resolve(name).await?, Some(name.clone())),
        None => (resolve(&ship_ip).await?, None),
    };
    let mut ports = ports_of(container);
    if let Some(direct) = direct.filter(|_| host.is_none() && address.is_loopback()) {
        address = direct;
        for port in &mut ports {
            port.external = port.exposed;
        }
    }
    // `http` may name a port by its number alone.
    if let Some(number) = literal_port(spec)
        && !ports.iter().any(|p| p.external == number)
    {
        ports.push(Port {
            name: number.to_string(),
            exposed: number,
            external: number,
            protocol: crate::config::grammar::Protocol::Tcp,
        });
    }
    let reach = Reach {
        address: Some(address),
        host_name,
        ports: ports.iter().map(|p| p.external).collect(),
    };
    let target = Target {
        environment: environment.name.clone(),
        service: container.service.clone(),
        container: container.name.clone(),
        ship: container.ship.clone(),
        address: address.to_string(),
        ports,
        env: env
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())))
            .collect(),
        options: plugin_options(spec),
    };
    Ok((target, reach))
}

/// A container's ports as plugins see them (the first port of a range).
pub fn ports_of(container: &Container) -> Vec<Port> {
    container
        .ports
        .iter()
        .map(|(name, mapping)| Port {
            name: name.clone(),
            exposed: mapping.exposed.first_port(),
            external: mapping.external.first_port(),
            protocol: mapping.exposed.protocol,
        })
        .collect()
}

/// The number of a `port` option that is not one of the container's port names.
fn literal_port(spec: &CheckSpec) -> Option<u16> {
    match spec.options.get("port")? {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// An address, or a host name resolved (IPv4 first, as MaestroNG's requests did).
async fn resolve(host: &str) -> Result<IpAddr, String> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(ip);
    }
    let addrs: Vec<IpAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| format!("cannot resolve {host:?}: {e}"))?
        .map(|a| a.ip())
        .collect();
    addrs
        .iter()
        .find(|ip| ip.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| format!("{host:?} has no address"))
}
