//! The guest functions as command-line arguments — one definition for `maestro guest …`
//! and the static `maestro-guest` binary — and their evaluation into the line printed.

use crate::functions::{Guest, GuestError, get_container_internal_address};
use clap::Subcommand;

/// MaestroNG's guest functions, reading this process's environment.
#[derive(Debug, Subcommand)]
#[allow(clippy::enum_variant_names)]
pub enum GuestFunction {
    /// The environment's name (`local` when unset)
    #[command(name = "get_environment_name")]
    GetEnvironmentName,
    /// The name of this container's service
    #[command(name = "get_service_name")]
    GetServiceName,
    /// The name of this container
    #[command(name = "get_container_name")]
    GetContainerName,
    /// The address of the ship running this container
    #[command(name = "get_container_host_address")]
    GetContainerHostAddress {
        /// Resolve it to an IP address
        #[arg(long = "as-ip-address", alias = "ip")]
        as_ip_address: bool,
    },
    /// The IPv4 address Docker gave this container (on eth0)
    #[command(name = "get_container_internal_address")]
    GetContainerInternalAddress,
    /// The exposed port of one of this container's named ports
    #[command(name = "get_port")]
    GetPort {
        name: String,
        default: Option<String>,
    },
    /// host[:port…] of every instance of a service, comma-separated
    #[command(name = "get_node_list")]
    GetNodeList {
        service: String,
        /// Port names to append, comma-separated
        #[arg(long, value_delimiter = ',')]
        ports: Vec<String>,
        /// Fail when fewer nodes are configured
        #[arg(long, default_value_t = 1)]
        minimum: usize,
    },
    /// The host of a specific container
    #[command(name = "get_specific_host")]
    GetSpecificHost { service: String, container: String },
    /// The external port of a specific container's named port
    #[command(name = "get_specific_port")]
    GetSpecificPort {
        service: String,
        container: String,
        port: String,
        default: Option<String>,
    },
    /// The exposed port of a specific container's named port
    #[command(name = "get_specific_exposed_port")]
    GetSpecificExposedPort {
        service: String,
        container: String,
        port: String,
        default: Option<String>,
    },
}

/// The value `function` answers in `guest`'s environment, as one printed line (node
/// lists comma-separated); an error where Python raised `MaestroEnvironmentError`.
pub fn evaluate(function: &GuestFunction, guest: &Guest) -> Result<String, GuestError> {
    let g = guest;
    match function {
        GuestFunction::GetEnvironmentName => Ok(g.get_environment_name()),
        GuestFunction::GetServiceName => g.get_service_name(),
        GuestFunction::GetContainerName => g.get_container_name(),
        GuestFunction::GetContainerHostAddress { as_ip_address } => {
            g.get_container_host_address(*as_ip_address)
        }
        GuestFunction::GetContainerInternalAddress => get_container_internal_address(),
        GuestFunction::GetPort { name, default } => {
            g.get_port(name, default.as_deref()).map(|p| p.to_string())
        }
        GuestFunction::GetNodeList {
            service,
            ports,
            minimum,
        } => g
            .get_node_list(service, ports, *minimum)
            .map(|n| n.join(",")),
        GuestFunction::GetSpecificHost { service, container } => {
            g.get_specific_host(service, container)
        }
        GuestFunction::GetSpecificPort {
            service,
            container,
            port,
            default,
        } => g
            .get_specific_port(service, container, port, default.as_deref())
            .map(|p| p.to_string()),
        GuestFunction::GetSpecificExposedPort {
            service,
            container,
            port,
            default,
        } => g
            .get_specific_exposed_port(service, container, port, default.as_deref())
            .map(|p| p.to_string()),
    }
}
