//! `services` and their `instances`: builds every container with its service's settings
//! inherited (image, ports, limits, env, lifecycle checks).

use super::diagnostics::{Diagnostics, items, join};
use super::envfile::user_env;
use super::grammar::ImageRef;
use super::instance::{self, INSTANCE_KEYS};
use super::lifecycle;
use super::yaml::{Node, Value};
use crate::model::{Container, Limits, PortMapping, Service, Ship};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SERVICE_KEYS: &[&str] = &[
    "image",
    "instances",
    "requires",
    "wants_info",
    "omit",
    "env",
    "envfile",
    "lifecycle",
    "limits",
    "ports",
    "env_generators",
];

/// What services and containers were read, plus where each name was written.
#[derive(Default)]
pub struct Built {
    pub services: BTreeMap<String, Service>,
    pub containers: BTreeMap<String, Container>,
    /// Where each `requires`/`wants_info`/`volumes_from` entry was written, for later checks.
    pub references: Vec<Reference>,
}

/// A name written in the file that must refer to something defined elsewhere.
pub struct Reference {
    pub kind: ReferenceKind,
    /// The service or container that wrote it.
    pub from: String,
    pub target: String,
    pub pos: super::yaml::Pos,
    pub path: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    Requires,
    WantsInfo,
    VolumesFrom,
}

/// Context every instance needs.
pub struct Context<'a> {
    pub base_dir: &'a Path,
    pub schema: u8,
    pub ships: &'a BTreeMap<String, Ship>,
    /// Why the ship `local` (the local daemon) cannot be used, when it cannot.
    pub local_error: Option<String>,
}

pub fn services(diags: &mut Diagnostics, node: &Node, ctx: &Context) -> Built {
    let mut built = Built {
        services: BTreeMap::new(),
        containers: BTreeMap::new(),
        references: Vec::new(),
    };
    let mut defined_in: BTreeMap<String, String> = BTreeMap::new();
    for (name, key, service_node) in diags.mapping(node, "services").unwrap_or_default() {
        let path = join("services", &name);
        if name.trim().is_empty() {
            diags.error(key.pos, &path, "a service needs a name");
            continue;
        }
        let fields = diags.fields(service_node, &path, SERVICE_KEYS);
        let image = fields
            .required(diags, "image")
            .and_then(|(n, p)| diags.name(n, &p));
        let mut references = Vec::new();
        let mut names =
            |diags: &mut Diagnostics, key: &str, kind: ReferenceKind| -> BTreeSet<String> {
                let Some((n, p)) = fields.some(key) else {
                    return BTreeSet::new();
                };
                let items = items(n, &p);
                let mut set = BTreeSet::new();
                for (item, item_path) in items {
                    if let Some(target) = diags.name(item, &item_path) {
                        references.push(Reference {
                            kind,
                            from: name.clone(),
                            target: target.clone(),
                            pos: item.pos,
                            path: item_path,
                        });
                        set.insert(target);
                    }
                }
                set
            };
        let requires = names(diags, "requires", ReferenceKind::Requires);
        let wants_info = names(diags, "wants_info", ReferenceKind::WantsInfo);
        let omit = fields
            .some("omit")
            .and_then(|(n, p)| diags.boolean(n, &p))
            .unwrap_or(false);
        let env = user_env(diags, ctx.base_dir, &fields);
        let env_generators = fields
            .some("env_generators")
            .map(|(n, p)| super::plugins::env_generators(diags, n, &p))
            .unwrap_or_default();
        let mut ports = BTreeMap::new();
        if let Some((n, p)) = fields.some("ports") {
            instance::ports(diags, n, &p, &mut ports);
        }
        let limits = match fields.some("limits") {
            Some((n, p)) => instance::limits(diags, n, &p, &Limits::default()),
            None => Limits::default(),
        };
        let checks = match fields.some("lifecycle") {
            Some((n, p)) => lifecycle::collect(diags, n, &p),
            None => Vec::new(),
        };
        let inherited = Inherited {
            image: image.as_deref(),
            ports: &ports,
            limits: &limits,
            checks: &checks,
        };
        let mut instances = Vec::new();
        if let Some((n, p)) = fields.required(diags, "instances") {
            for (instance_name, key, instance_node) in diags.mapping(n, &p).unwrap_or_default() {
                let instance_path = join(&p, &instance_name);
                if instance_name.trim().is_empty() {
                    diags.error(key.pos, &instance_path, "an instance needs a name");
                    continue;
                }
                if !docker_name(&instance_name) {
                    diags.error(
                        key.pos,
                        &instance_path,
                        format!(
                            "{instance_name:?} is not a container name Docker accepts: a letter or digit, then letters, digits, `_`, `.` or `-` (two characters at least)"
                        ),
                    );
                }
                if let Some(first) = defined_in.get(&instance_name) {
                    diags.error(
                        key.pos,
                        &instance_path,
                        format!(
                            "container {instance_name:?} is already defined in service {first:?}"
                        ),
                    );
                    continue;
                }
                defined_in.insert(instance_name.clone(), name.clone());
                instances.push(instance_name.clone());
                let container = container(
                    diags,
                    ctx,
                    &name,
                    &instance_name,
                    instance_node,
                    &instance_path,
                    &inherited,
                    &mut references,
                );
                if let Some(container) = container {
                    built.containers.insert(instance_name, container);
                }
            }
        }
        instances.sort();
        built.references.append(&mut references);
        if let Some(image) = image {
            let service = Service {
                name: name.clone(),
                image,
                instances,
                dependencies: requires.clone(),
                requires,
                wants_info,
                omit,
                env,
                env_generators,
            };
            built.services.insert(name, service);
        }
    }
    built
}

/// Docker's rule for container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
fn docker_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// What an instance inherits from its service.
struct Inherited<'a, 'n> {
    image: Option<&'a str>,
    ports: &'a BTreeMap<String, PortMapping>,
    limits: &'a Limits,
    checks: &'a lifecycle::RawChecks<'n>,
}

#[allow(clippy::too_many_arguments)]
fn container(
    diags: &mut Diagnostics,
    ctx: &Context,
    service: &str,
    name: &str,
    node: &Node,
    path: &str,
    inherited: &Inherited,
    references: &mut Vec<Reference>,
) -> Option<Container> {
    let fields = diags.fields(node, path, INSTANCE_KEYS);
    let ship = fields.required(diags, "ship").and_then(|(n, p)| {
        let ship = diags.name(n, &p)?;
        if let (false, Some(why)) = (ctx.ships.contains_key(&ship), &ctx.local_error)
            && ship == super::ships::LOCAL
        {
            diags.error(n.pos, &p, format!("the local Docker daemon: {why}"));
            return None;
        }
        if !ctx.ships.contains_key(&ship) {
            let known: Vec<&str> = ctx.ships.keys().map(String::as_str).collect();
            let hint = super::suggest::did_you_mean(&ship, known.iter().copied());
            diags.error(
                n.pos,
                &p,
                format!(
                    "unknown ship {ship:?} (ships: {}){hint}",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                ),
            );
            return None;
        }
        Some(ship)
    });
    let image = match fields.some("image") {
        Some((n, p)) => diags.name(n, &p),
        None => inherited.image.map(str::to_string),
    };
    let mut ports = inherited.ports.clone();
    if let Some((n, p)) = fields.some("ports") {
        instance::ports(diags, n, &p, &mut ports);
    }
    let env = user_env(diags, ctx.base_dir, &fields);
    let volumes = fields
        .some("volumes")
        .map(|(n, p)| instance::volumes(diags, n, &p, ctx.schema))
        .unwrap_or_default();
    let container_volumes = fields
        .some("container_volumes")
        .map(|(n, p)| instance::container_volumes(diags, n, &p))
        .unwrap_or_default();
    for volume in &volumes {
        if container_volumes.contains(&volume.target) {
            diags.error(
                fields.pos,
                path,
                format!(
                    "conflict between bind-mounted volume and container-only volume on {}",
                    volume.target
                ),
            );
        }
    }
    let mut volumes_from = Vec::new();
    if let Some((n, p)) = fields.some("volumes_from") {
        let items = items(n, &p);
        for (item, item_path) in items {
            if let Some(source) = diags.name(item, &item_path) {
                references.push(Reference {
                    kind: ReferenceKind::VolumesFrom,
                    from: name.to_string(),
                    target: source.clone(),
                    pos: item.pos,
                    path: item_path,
                });
                volumes_from.push(source);
            }
        }
    }
    let command = match fields.some("command") {
        Some((n, p)) => instance::command(diags, n, &p),
        None => match fields.some("cmd") {
            Some((n, p)) => {
                diags.warn(n.pos, &p, "`cmd` is deprecated: use `command`");
                instance::command(diags, n, &p)
            }
            None => None,
        },
    };
    let text =
        |diags: &mut Diagnostics, key: &str| fields.some(key).and_then(|(n, p)| diags.text(n, &p));
    let texts = |diags: &mut Diagnostics, key: &str| {
        fields
            .some(key)
            .map(|(n, p)| diags.texts(n, &p))
            .unwrap_or_default()
    };
    let extra_hosts = fields
        .some("extra_hosts")
        .map(|(n, p)| extra_hosts(diags, n, &p, ctx.ships))
        .unwrap_or_default();
    let mut checks: Vec<(crate::model::LifecycleState, &Node, String)> = inherited.checks.clone();
    if let Some((n, p)) = fields.some("lifecycle") {
        checks.extend(lifecycle::collect(diags, n, &p));
    }
    let lifecycle = lifecycle::resolve(diags, &checks, &ports);
    if fields.some("lxc_conf").is_some() {
        diags.warn(
            fields.key_pos("lxc_conf").unwrap_or(fields.pos),
            &join(path, "lxc_conf"),
            "lxc_conf is ignored: Docker removed the LXC driver",
        );
    }
    // Every field is read (and each of its problems recorded) before a missing ship or
    // image ends the instance: one round reports them all.
    let links = fields
        .some("links")
        .map(|(n, p)| instance::string_map(diags, n, &p))
        .unwrap_or_default();
    let username = text(diags, "username");
    let workdir = text(diags, "workdir");
    let privileged = fields
        .some("privileged")
        .and_then(|(n, p)| diags.boolean(n, &p))
        .unwrap_or(false);
    let cap_add = texts(diags, "cap_add");
    let cap_drop = texts(diags, "cap_drop");
    let net = text(diags, "net");
    let restart = fields
        .get("restart")
        .map(|(n, p)| instance::restart(diags, n, &p))
        .unwrap_or_default();
    let dns = fields.some("dns").map(|(n, p)| diags.texts(n, &p));
    let security_opt = texts(diags, "security_opt");
    let stop_timeout = fields
        .some("stop_timeout")
        .and_then(|(n, p)| diags.integer(n, &p, 0, 86_400))
        .map_or(10, |v| v as u64);
    let limits = fields
        .some("limits")
        .map(|(n, p)| instance::limits(diags, n, &p, inherited.limits))
        .unwrap_or_else(|| inherited.limits.clone());
    let ulimits = fields
        .some("ulimits")
        .map(|(n, p)| instance::ulimits(diags, n, &p))
        .unwrap_or_default();
    let log = instance::log(diags, &fields);
    let labels = fields
        .some("labels")
        .map(|(n, p)| instance::labels(diags, n, &p))
        .unwrap_or_default();
    Some(Container {
        name: name.to_string(),
        service: service.to_string(),
        ship: ship?,
        image: ImageRef::parse(&image?),
        ports,
        env,
        volumes,
        container_volumes,
        volumes_from,
        links,
        command,
        username,
        workdir,
        privileged,
        cap_add,
        cap_drop,
        extra_hosts,
        net,
        restart,
        dns,
        security_opt,
        stop_timeout,
        limits,
        ulimits,
        log,
        labels,
        lifecycle,
    })
}

/// `extra_hosts`: `{host: address}` or `{host: {ship: name}}` (that ship's `ip`).
fn extra_hosts(
    diags: &mut Diagnostics,
    node: &Node,
    path: &str,
    ships: &BTreeMap<String, Ship>,
) -> BTreeMap<String, String> {
    let mut result = BTreeMap::new();
    for (host, _, value) in diags.mapping(node, path).unwrap_or_default() {
        let host_path = join(path, &host);
        let address = match &value.value {
            Value::Map(_) => {
                let fields = diags.fields(value, &host_path, &["ship"]);
                fields.required(diags, "ship").and_then(|(n, p)| {
                    let ship = diags.name(n, &p)?;
                    match ships.get(&ship) {
                        Some(s) => Some(s.ip.clone()),
                        None => {
                            let hint = super::suggest::did_you_mean(
                                &ship,
                                ships.keys().map(String::as_str),
                            );
                            diags.error(n.pos, &p, format!("unknown ship {ship:?}{hint}"));
                            None
                        }
                    }
                })
            }
            _ => diags.text(value, &host_path),
        };
        if let Some(address) = address {
            result.insert(host, address);
        }
    }
    result
}
