//! The environment variables MaestroNG injects into every container, byte for byte:
//! built-ins, the user's envfiles and env in MaestroNG's precedence, and the link
//! variables of the container's own service and of its dependencies. Pure.
//!
//! The variable *names* are made in one place, `maestro_guest::naming` (re-exported
//! here), which the guest functions and the static `maestro-guest` binary read them
//! through, so the writer and the readers cannot drift apart.

use crate::model::{Container, EnvMap, EnvValue, Environment, Service};
pub use maestro_guest::naming::{
    env_name, host_var, instances_var, internal_port_var, link_prefix, port_var,
};
use std::collections::BTreeSet;

/// The link variables of `service`: with `_INTERNAL_PORT` for its own peers.
fn link_variables(
    environment: &Environment,
    service: &Service,
    peers: bool,
) -> Vec<(String, EnvValue)> {
    let mut vars = Vec::new();
    for instance in &service.instances {
        let Some(container) = environment.containers.get(instance) else {
            continue;
        };
        let address = environment.ship_address(container);
        vars.push((host_var(&service.name, instance), address));
        for (port_name, mapping) in &container.ports {
            vars.push((
                port_var(&service.name, instance, port_name),
                Some(mapping.external.number()),
            ));
            if peers {
                vars.push((
                    internal_port_var(&service.name, instance, port_name),
                    Some(mapping.exposed.number()),
                ));
            }
        }
    }
    vars.push((
        instances_var(&service.name),
        Some(service.instances.join(",")),
    ));
    vars
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

/// A service's link variables: (for its own containers, for its dependents).
type Links = std::sync::Arc<(Vec<(String, EnvValue)>, Vec<(String, EnvValue)>)>;

/// Each service's link variables, computed once (on first use) and shared by every
/// container that receives them. Shareable across threads, so one cache serves a whole
/// play: without it, each of 10,000 containers recomputed its dependencies' variables
/// (a third of `start`'s CPU in the scale benchmark).
#[derive(Default)]
pub struct LinkCache(std::sync::Mutex<std::collections::HashMap<String, Links>>);

impl LinkCache {
    fn links(&self, environment: &Environment, service: &Service) -> Links {
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(links) = cache.get(&service.name) {
            return links.clone();
        }
        let links = std::sync::Arc::new((
            link_variables(environment, service, true),
            link_variables(environment, service, false),
        ));
        cache.insert(service.name.clone(), links.clone());
        links
    }
}

/// Generates containers' environments, with a cache of link variables of its own.
pub struct Generator<'e> {
    environment: &'e Environment,
    links: LinkCache,
}

impl<'e> Generator<'e> {
    pub fn new(environment: &'e Environment) -> Generator<'e> {
        Generator {
            environment,
            links: LinkCache::default(),
        }
    }

    /// The full environment of a container (see `generate_with`).
    pub fn generate(&self, container: &Container) -> EnvMap {
        generate_with(self.environment, &self.links, container)
    }
}

/// The full environment of a container, in MaestroNG's precedence (lowest first):
/// service envfiles and env; `MAESTRO_ENVIRONMENT_NAME`, `SERVICE_NAME`; instance
/// envfiles and env; `CONTAINER_NAME`, `CONTAINER_HOST_ADDRESS`, `DOCKER_IMAGE`,
/// `DOCKER_TAG`; the own service's link variables; the dependencies' link variables.
pub fn generate_with(
    environment: &Environment,
    links: &LinkCache,
    container: &Container,
) -> EnvMap {
    // Later inserts win, which is the precedence order.
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
    env.insert(
        "CONTAINER_HOST_ADDRESS".into(),
        environment.ship_address(container),
    );
    env.insert("DOCKER_IMAGE".into(), Some(container.image.full.clone()));
    env.insert("DOCKER_TAG".into(), Some(container.image.tag.clone()));
    if let Some(service) = service {
        env.extend(links.links(environment, service).0.iter().cloned());
        for dependency in linked_services(environment, service) {
            env.extend(links.links(environment, dependency).1.iter().cloned());
        }
    }
    env
}

/// The full environment of one container (see `generate_with`).
pub fn generate(environment: &Environment, container: &Container) -> EnvMap {
    Generator::new(environment).generate(container)
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
