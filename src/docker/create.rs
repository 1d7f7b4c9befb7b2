//! The Docker `create` request for a container of the model (pure): every instance
//! option MaestroNG supports, the container's environment, and maestro's labels —
//! the environment, the service, and a hash of the configuration that drift
//! detection compares.

use crate::model::{Container, EnvMap};
use bollard::models::{
    ContainerCreateBody, HostConfig, HostConfigLogConfig, PortBinding, PortMap, ResourcesUlimits,
    RestartPolicy, RestartPolicyNameEnum,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Label: the environment's `name`.
pub const LABEL_ENVIRONMENT: &str = "maestro.environment";
/// Label: the container's service.
pub const LABEL_SERVICE: &str = "maestro.service";
/// Label: sha256 of the create request (without this label), to see configuration drift.
pub const LABEL_CONFIG: &str = "maestro.config-hash";

/// The create request and its configuration hash.
pub struct CreateSpec {
    pub body: ContainerCreateBody,
    pub config_hash: String,
}

/// Builds the create request of `container` with its full environment `env`.
pub fn create_spec(environment_name: &str, container: &Container, env: &EnvMap) -> CreateSpec {
    let mut body = body(container, env);
    let mut labels: HashMap<String, String> = container
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    labels.insert(LABEL_ENVIRONMENT.into(), environment_name.into());
    labels.insert(LABEL_SERVICE.into(), container.service.clone());
    body.labels = Some(labels);
    // serde_json's maps are sorted: the same request always hashes the same.
    let canonical =
        serde_json::to_string(&serde_json::to_value(&body).unwrap_or_default()).unwrap_or_default();
    let config_hash = format!("{:x}", Sha256::digest(canonical.as_bytes()));
    if let Some(labels) = body.labels.as_mut() {
        labels.insert(LABEL_CONFIG.into(), config_hash.clone());
    }
    CreateSpec { body, config_hash }
}

fn body(c: &Container, env: &EnvMap) -> ContainerCreateBody {
    let some_vec = |v: &[String]| (!v.is_empty()).then(|| v.to_vec());
    let mut exposed: Vec<String> = Vec::new();
    let mut bindings: PortMap = HashMap::new();
    for mapping in c.ports.values() {
        let key = format!("{}/{}", mapping.exposed.number(), mapping.exposed.protocol);
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: Some(mapping.host_ip.clone()),
                host_port: Some(mapping.external.number()),
            });
    }
    exposed.sort();
    let volumes: Vec<String> = c.volume_targets().into_iter().map(String::from).collect();
    let host_config = HostConfig {
        binds: some_vec(&c.volumes.iter().map(|v| v.bind()).collect::<Vec<_>>()),
        port_bindings: (!bindings.is_empty()).then_some(bindings),
        volumes_from: some_vec(&c.volumes_from),
        links: some_vec(
            &c.links
                .iter()
                .map(|(name, alias)| format!("{name}:{alias}"))
                .collect::<Vec<_>>(),
        ),
        privileged: c.privileged.then_some(true),
        cap_add: some_vec(&c.cap_add),
        cap_drop: some_vec(&c.cap_drop),
        extra_hosts: some_vec(
            &c.extra_hosts
                .iter()
                .map(|(host, ip)| format!("{host}:{ip}"))
                .collect::<Vec<_>>(),
        ),
        network_mode: c.net.clone(),
        restart_policy: Some(RestartPolicy {
            name: Some(restart_name(&c.restart.name)),
            maximum_retry_count: Some(i64::from(c.restart.maximum_retry_count)),
        }),
        dns: c.dns.clone(),
        security_opt: some_vec(&c.security_opt),
        cpu_shares: c.limits.cpu_shares,
        memory: c.limits.memory.map(|m| m as i64),
        memory_swap: c.limits.swap.map(|s| s as i64),
        ulimits: (!c.ulimits.is_empty()).then(|| {
            c.ulimits
                .iter()
                .map(|u| ResourcesUlimits {
                    name: Some(u.name.clone()),
                    soft: Some(u.soft),
                    hard: Some(u.hard),
                })
                .collect()
        }),
        log_config: c.log.as_ref().map(|l| HostConfigLogConfig {
            typ: Some(l.driver.clone()),
            config: Some(l.options.clone().into_iter().collect()),
        }),
        ..Default::default()
    };
    ContainerCreateBody {
        image: Some(c.image.full.clone()),
        hostname: c.hostname().map(String::from),
        user: c.username.clone(),
        working_dir: c.workdir.clone(),
        cmd: c.command.clone(),
        env: Some(crate::env::to_docker_list(env)),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        volumes: (!volumes.is_empty()).then_some(volumes),
        stop_timeout: Some(c.stop_timeout as i64),
        host_config: Some(host_config),
        ..Default::default()
    }
}

fn restart_name(name: &str) -> RestartPolicyNameEnum {
    match name {
        "always" => RestartPolicyNameEnum::ALWAYS,
        "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
        "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
        _ => RestartPolicyNameEnum::NO,
    }
}
