//! `providers`: the plugins a run calls besides checks. Env generators add variables
//! to a container's environment (Ochopod's `configure(cluster)`); auth providers give
//! a registry's credentials for a pull.
//!
//! Precedence: maestro's own variables (MaestroNG's, byte for byte, and the file's
//! `env`/`envfile`) win over generated ones, unless the generator is declared with
//! `override: true`; a later generator's variables win over an earlier one's.

use crate::checks::{Plugins, ports_of};
use crate::env::linked_services;
use crate::model::{Container, EnvMap, Environment, Registry};
use crate::plugin::{AuthRequest, CallLimits, Cluster, Login, Member};
use std::time::Duration;

/// How long a generator or an auth provider may take.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// `container` as a generator sees it.
fn member(environment: &Environment, container: &Container) -> Member {
    let index = environment
        .services
        .get(&container.service)
        .and_then(|s| s.instances.iter().position(|i| *i == container.name))
        .unwrap_or(0);
    let sequence = environment
        .containers
        .keys()
        .position(|name| *name == container.name)
        .unwrap_or(0);
    Member {
        service: container.service.clone(),
        container: container.name.clone(),
        ship: container.ship.clone(),
        address: environment.ship_address(container).unwrap_or_default(),
        ports: ports_of(container),
        index: index as u32,
        sequence: sequence as u32,
    }
}

/// The cluster view of `container`: its service's instances and its dependencies'.
pub fn cluster(
    environment: &Environment,
    container: &Container,
    env: &EnvMap,
    options: String,
) -> Cluster {
    let members = |service: &str| -> Vec<Member> {
        environment
            .services
            .get(service)
            .map(|s| {
                s.instances
                    .iter()
                    .filter_map(|name| environment.containers.get(name))
                    .map(|c| member(environment, c))
                    .collect()
            })
            .unwrap_or_default()
    };
    let dependencies = environment
        .services
        .get(&container.service)
        .map(|s| linked_services(environment, s))
        .unwrap_or_default()
        .iter()
        .flat_map(|s| members(&s.name))
        .collect();
    Cluster {
        environment: environment.name.clone(),
        target: member(environment, container),
        peers: members(&container.service),
        dependencies,
        env: env
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())))
            .collect(),
        options,
    }
}

/// Adds generated variables to `env`. A name maestro already sets is kept unless
/// `allow_override`; returns the names that were kept that way.
pub fn apply_generated(
    env: &mut EnvMap,
    protected: &EnvMap,
    generated: Vec<(String, String)>,
    allow_override: bool,
) -> Vec<String> {
    let mut kept = Vec::new();
    for (name, value) in generated {
        if !allow_override && protected.contains_key(&name) {
            kept.push(name);
            continue;
        }
        env.insert(name, Some(value));
    }
    kept
}

/// Runs the service's env generators for `container` over its environment `env`
/// (`env::generate`). Returns notes on variables a generator could not replace.
pub async fn generate_env(
    plugins: &Plugins,
    environment: &Environment,
    container: &Container,
    env: &mut EnvMap,
) -> Result<Vec<String>, String> {
    let Some(service) = environment.services.get(&container.service) else {
        return Ok(Vec::new());
    };
    let protected = env.clone();
    let mut notes = Vec::new();
    for generator in &service.env_generators {
        let name = &generator.plugin.name;
        let plugin = plugins
            .get(name)
            .ok_or_else(|| format!("plugin `{name}` was not loaded"))?;
        let options = serde_json::Value::Object(generator.plugin.options.clone()).to_string();
        let view = cluster(environment, container, env, options);
        let limits = CallLimits {
            timeout: PROVIDER_TIMEOUT,
        };
        let report = plugins
            .host
            .generate(plugin, &view, limits)
            .await
            .map_err(|e| format!("container `{}`: {e}", container.name))?;
        for kept in apply_generated(env, &protected, report.value, generator.allow_override) {
            notes.push(format!(
                "container `{}`: plugin `{name}` may not replace {kept} (set `override: true` to allow it)",
                container.name
            ));
        }
    }
    Ok(notes)
}

/// The credentials of `registry`'s auth plugin for pulling `image`, if it has one.
pub async fn credentials(
    plugins: &Plugins,
    registry: &Registry,
    image: &str,
) -> Result<Option<Login>, String> {
    let Some(plugin_use) = &registry.plugin else {
        return Ok(None);
    };
    let name = &plugin_use.name;
    let plugin = plugins
        .get(name)
        .ok_or_else(|| format!("plugin `{name}` was not loaded"))?;
    let request = AuthRequest {
        registry: registry.name.clone(),
        address: registry.url.clone(),
        image: image.to_string(),
        options: serde_json::Value::Object(plugin_use.options.clone()).to_string(),
    };
    let limits = CallLimits {
        timeout: PROVIDER_TIMEOUT,
    };
    plugins
        .host
        .credentials(plugin, &request, limits)
        .await
        .map(|report| report.value)
        .map_err(|e| format!("registry `{}`: {e}", registry.name))
}
