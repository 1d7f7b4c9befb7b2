//! The environment variables MaestroNG injects into every container, byte for byte:
//! built-ins, the user's envfiles and env in MaestroNG's precedence, and the link
//! variables of the container's own service and of its dependencies. Pure.
//!
//! The variable *names* are made here and only here (`link_prefix`, `host_var`,
//! `port_var`, `internal_port_var`, `instances_var`); the guest functions read them
//! through the same functions, so the two cannot drift apart.

use crate::model::{Container, EnvMap, Environment, Service};
use std::collections::BTreeSet;

/// MaestroNG's name transform: every character that is not a letter, digit or `_`
/// (Unicode-aware, like Python 3's `\w`) becomes `_`, then the whole is upper-cased.
pub fn env_name(text: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    replaced.to_uppercase()
}

/// `NAME(service)_NAME(container)`.
pub fn link_prefix(service: &str, container: &str) -> String {
    format!("{}_{}", env_name(service), env_name(container))
}

/// `<SERVICE>_<CONTAINER>_HOST`.
pub fn host_var(service: &str, container: &str) -> String {
    format!("{}_HOST", link_prefix(service, container))
}

/// `<SERVICE>_<CONTAINER>_<PORT>_PORT` (the external port).
pub fn port_var(service: &str, container: &str, port: &str) -> String {
    format!(
        "{}_{}_PORT",
        link_prefix(service, container),
        env_name(port)
    )
}

/// `<SERVICE>_<CONTAINER>_<PORT>_INTERNAL_PORT` (the exposed port; own service only).
pub fn internal_port_var(service: &str, container: &str, port: &str) -> String {
    format!(
        "{}_{}_INTERNAL_PORT",
        link_prefix(service, container),
        env_name(port)
    )
}

/// `<SERVICE>_INSTANCES`.
pub fn instances_var(service: &str) -> String {
    format!("{}_INSTANCES", env_name(service))
}

/// Adds the link variables of `service` to `env` (with `_INTERNAL_PORT` for its own peers).
fn add_link_variables(environment: &Environment, service: &Service, peers: bool, env: &mut EnvMap) {
    for instance in &service.instances {
        let Some(container) = environment.containers.get(instance) else {
            continue;
        };
        let address = environment.ships.get(&container.ship).map(|s| s.ip.clone());
        env.insert(host_var(&service.name, instance), address);
        for (port_name, mapping) in &container.ports {
            env.insert(
                port_var(&service.name, instance, port_name),
                Some(mapping.external.number()),
            );
            if peers {
                env.insert(
                    internal_port_var(&service.name, instance, port_name),
                    Some(mapping.exposed.number()),
                );
            }
        }
    }
    env.insert(
        instances_var(&service.name),
        Some(service.instances.join(",")),
    );
}

/// The services whose link variables a container of `service` receives: its `requires`,
/// transitively, then its `wants_info` (not transitive).
pub fn linked_services<'e>(environment: &'e Environment, service: &Service) -> Vec<&'e Service> {
    let mut required = BTreeSet::new();
    let mut todo: Vec<&str> = service.requires.iter().map(String::as_str).collect();
    while let Some(name) = todo.pop() {
        if name != service.name
            && required.insert(name)
            && let Some(s) = environment.services.get(name)
        {
            todo.extend(s.requires.iter().map(String::as_str));
        }
    }
    let wanted = service
        .wants_info
        .iter()
        .map(String::as_str)
        .filter(|w| *w != service.name && !required.contains(w));
    required
        .iter()
        .copied()
        .chain(wanted)
        .filter_map(|name| environment.services.get(name))
        .collect()
}

/// The full environment of a container, in MaestroNG's precedence (lowest first):
/// service envfiles and env; `MAESTRO_ENVIRONMENT_NAME`, `SERVICE_NAME`; instance envfiles
/// and env; `CONTAINER_NAME`, `CONTAINER_HOST_ADDRESS`, `DOCKER_IMAGE`, `DOCKER_TAG`; the
/// own service's link variables; the dependencies' link variables.
pub fn generate(environment: &Environment, container: &Container) -> EnvMap {
    let mut env = EnvMap::new();
    let service = environment.services.get(&container.service);
    if let Some(service) = service {
        env.extend(service.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    env.insert(
        "MAESTRO_ENVIRONMENT_NAME".into(),
        Some(environment.name.clone()),
    );
    env.insert("SERVICE_NAME".into(), Some(container.service.clone()));
    env.extend(container.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    env.insert("CONTAINER_NAME".into(), Some(container.name.clone()));
    let address = environment.ships.get(&container.ship).map(|s| s.ip.clone());
    env.insert("CONTAINER_HOST_ADDRESS".into(), address);
    env.insert("DOCKER_IMAGE".into(), Some(container.image.full.clone()));
    env.insert("DOCKER_TAG".into(), Some(container.image.tag.clone()));
    if let Some(service) = service {
        add_link_variables(environment, service, true, &mut env);
        for dependency in linked_services(environment, service) {
            add_link_variables(environment, dependency, false, &mut env);
        }
    }
    env
}

/// `KEY=VALUE` (or a bare `KEY` for null) lines, sorted by key, as Docker receives them.
pub fn to_docker_list(env: &EnvMap) -> Vec<String> {
    env.iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_mangled_like_python() {
        assert_eq!(env_name("my-svc.v2"), "MY_SVC_V2");
        assert_eq!(env_name("my-svc.v2 x/y"), "MY_SVC_V2_X_Y");
        assert_eq!(env_name("ünï-cøde"), "ÜNÏ_CØDE");
        assert_eq!(env_name("web_2"), "WEB_2");
        assert_eq!(
            port_var("my-svc.v2", "web-1.a", "http-admin"),
            "MY_SVC_V2_WEB_1_A_HTTP_ADMIN_PORT"
        );
    }
}
