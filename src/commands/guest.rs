//! `maestro guest <function> [args…]`: MaestroNG's guest functions for shell entrypoints.
//! Prints the value on one line (node lists comma-separated); exit 1 with the message
//! where Python would raise `MaestroEnvironmentError`.

use crate::Failure;
use crate::cli::GuestFunction;
use crate::guest::{self, Guest};
use crate::output::Printer;

pub fn run(function: &GuestFunction, printer: &Printer) -> Result<(), Failure> {
    let g = Guest::from_process();
    let value = match function {
        GuestFunction::GetEnvironmentName => Ok(g.get_environment_name()),
        GuestFunction::GetServiceName => g.get_service_name(),
        GuestFunction::GetContainerName => g.get_container_name(),
        GuestFunction::GetContainerHostAddress { as_ip_address } => {
            g.get_container_host_address(*as_ip_address)
        }
        GuestFunction::GetContainerInternalAddress => guest::get_container_internal_address(),
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
    };
    let value = value.map_err(|e| Failure::failed(e.to_string()))?;
    printer.out(&format!("{value}\n"));
    Ok(())
}
