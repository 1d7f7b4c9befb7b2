//! The options of one instance (container): ports, volumes, limits, restart policy,
//! logging and the other Docker settings MaestroNG supports.

use super::diagnostics::{Diagnostics, Fields, join};
use super::grammar::{self, RestartPolicy, check_exposed, parse_port_atom, parse_port_pair};
use super::yaml::{Node, Value};
use crate::model::{BindVolume, Limits, LogConfig, PortMapping, Ulimit};
use std::collections::{BTreeMap, BTreeSet};

pub const INSTANCE_KEYS: &[&str] = &[
    "ship",
    "image",
    "command",
    "cmd",
    "ports",
    "env",
    "envfile",
    "volumes",
    "container_volumes",
    "volumes_from",
    "links",
    "username",
    "privileged",
    "cap_add",
    "cap_drop",
    "extra_hosts",
    "net",
    "restart",
    "dns",
    "stop_timeout",
    "limits",
    "log_driver",
    "log_opt",
    "lxc_conf",
    "workdir",
    "security_opt",
    "ulimits",
    "labels",
    "lifecycle",
];

/// Logging drivers Docker ships with.
const LOG_DRIVERS: &[&str] = &[
    "json-file",
    "local",
    "syslog",
    "journald",
    "gelf",
    "fluentd",
    "awslogs",
    "splunk",
    "etwlogs",
    "gcplogs",
    "logentries",
    "none",
];

/// Reads a `ports` mapping into `into` (entries replace those of the same name).
pub fn ports(
    diags: &mut Diagnostics,
    node: &Node,
    path: &str,
    into: &mut BTreeMap<String, PortMapping>,
) {
    for (name, _, spec) in diags.mapping(node, path).unwrap_or_default() {
        let port_path = join(path, &name);
        if let Some(mapping) = port(diags, spec, &port_path) {
            into.insert(name, mapping);
        }
    }
}

fn port(diags: &mut Diagnostics, spec: &Node, path: &str) -> Option<PortMapping> {
    let atom_text = |node: &Node| match &node.value {
        Value::Int(i) => Some(i.to_string()),
        Value::Str(s) => Some(s.clone()),
        _ => None,
    };
    let expected =
        "expected a port (80, \"53/udp\"), \"exposed:external\" or {exposed: …, external: …}";
    let result = match &spec.value {
        Value::Int(_) | Value::Str(_) => {
            let text = atom_text(spec)?;
            parse_port_pair(&text).map(|(exposed, external)| PortMapping {
                exposed,
                external,
                host_ip: "0.0.0.0".into(),
            })
        }
        Value::Map(_) => {
            let fields = diags.fields(spec, path, &["exposed", "external"]);
            let exposed = fields.required(diags, "exposed");
            let external = fields.required(diags, "external");
            let (exposed, external) = (exposed?, external?);
            let Some(exposed_text) = atom_text(exposed.0) else {
                diags.error(
                    exposed.0.pos,
                    &exposed.1,
                    "expected a port number or \"port/protocol\"",
                );
                return None;
            };
            let (host_ip, external_node) = match &external.0.value {
                Value::Seq(items) if items.len() == 2 => {
                    (diags.text(&items[0], &external.1)?, &items[1])
                }
                Value::Seq(_) => {
                    diags.error(external.0.pos, &external.1, "expected [host address, port]");
                    return None;
                }
                _ => ("0.0.0.0".to_string(), external.0),
            };
            let Some(external_text) = atom_text(external_node) else {
                diags.error(
                    external_node.pos,
                    &external.1,
                    "expected a port number or \"port/protocol\"",
                );
                return None;
            };
            parse_port_atom(&exposed_text)
                .and_then(|e| check_exposed(&e).map(|()| e))
                .and_then(|exposed| {
                    parse_port_atom(&external_text).map(|external| PortMapping {
                        exposed,
                        external,
                        host_ip,
                    })
                })
        }
        _ => {
            diags.error(
                spec.pos,
                path,
                format!("invalid port spec {}: {expected}", spec.python_repr()),
            );
            return None;
        }
    };
    match result {
        Ok(mapping) => {
            if mapping.exposed.protocol != mapping.external.protocol {
                diags.warn(
                    spec.pos,
                    path,
                    format!(
                        "protocols differ ({} exposed, {} external): the exposed one is used",
                        mapping.exposed, mapping.external
                    ),
                );
            }
            Some(mapping)
        }
        Err(e) => {
            diags.error(spec.pos, path, e.to_string());
            None
        }
    }
}

/// Docker's bounds on `limits`: CPU shares up to 262144, at least 6 MiB of memory, and a
/// memory-and-swap total (`swap`) no smaller than the memory it includes.
const MAX_CPU_SHARES: i128 = 262_144;
const MIN_MEMORY: u64 = 6 << 20;

/// Reads `limits` over the inherited service limits (per key), refusing what Docker
/// would refuse at create time.
pub fn limits(diags: &mut Diagnostics, node: &Node, path: &str, inherited: &Limits) -> Limits {
    let fields = diags.fields(node, path, &["cpu", "memory", "swap"]);
    let mut limits = inherited.clone();
    if let Some((n, p)) = fields.some("cpu") {
        limits.cpu_shares = match diags.integer(n, &p, 0, i128::from(i64::MAX)) {
            Some(v) if v > MAX_CPU_SHARES => {
                diags.error(
                    n.pos,
                    &p,
                    format!("{v} CPU shares: Docker takes at most {MAX_CPU_SHARES}"),
                );
                None
            }
            v => v.map(|v| v as i64),
        };
    }
    if let Some((n, p)) = fields.some("memory") {
        limits.memory = size(diags, n, &p);
        if let Some(m) = limits.memory.filter(|m| (1..MIN_MEMORY).contains(m)) {
            diags.error(
                n.pos,
                &p,
                format!("{m} bytes of memory: Docker's minimum is 6m"),
            );
        }
    }
    if let Some((n, p)) = fields.some("swap") {
        limits.swap = size(diags, n, &p);
        match (limits.memory, limits.swap) {
            (None | Some(0), Some(_)) => diags.error(
                n.pos,
                &p,
                "swap (Docker's memory-swap: memory plus swap) needs a memory limit as well",
            ),
            (Some(m), Some(swap)) if swap > 0 && swap < m => diags.error(
                n.pos,
                &p,
                format!(
                    "swap {swap} is below memory {m}: `swap` is Docker's memory-swap, the total of memory and swap"
                ),
            ),
            _ => {}
        }
    }
    limits
}

pub(super) fn size(diags: &mut Diagnostics, node: &Node, path: &str) -> Option<u64> {
    match &node.value {
        Value::Int(i) if *i >= 0 => u64::try_from(*i).ok(),
        Value::Str(s) if s.is_empty() => None,
        Value::Str(s) => grammar::parse_size(s)
            .map_err(|e| diags.error(node.pos, path, e.to_string()))
            .ok(),
        _ => {
            diags.error(
                node.pos,
                path,
                format!(
                    "invalid size {}: expected bytes, or a number followed by k, m or g",
                    node.python_repr()
                ),
            );
            None
        }
    }
}

/// Reads `volumes`: `{HOST: TARGET}` or `{HOST: {target, mode}}` in schema 2; schema 1
/// (MaestroNG's default) reads `{TARGET: HOST}`.
pub fn volumes(diags: &mut Diagnostics, node: &Node, path: &str, schema: u8) -> Vec<BindVolume> {
    let mut result = Vec::new();
    for (key, _, value) in diags.mapping(node, path).unwrap_or_default() {
        let vpath = join(path, &key);
        match (&value.value, schema) {
            (Value::Str(s), 1) => result.push(BindVolume {
                host: s.clone(),
                target: key,
                mode: None,
            }),
            (Value::Str(s), _) => result.push(BindVolume {
                host: key,
                target: s.clone(),
                mode: None,
            }),
            (Value::Map(_), 1) => diags.error(
                value.pos,
                &vpath,
                "schema 1 reads volumes as CONTAINER_PATH: HOST_PATH, without modes; add `__maestro: {schema: 2}` at the top to write HOST_PATH: {target: …, mode: …}",
            ),
            (Value::Map(_), _) => {
                let fields = diags.fields(value, &vpath, &["target", "mode"]);
                let target = fields.required(diags, "target").and_then(|(n, p)| diags.text(n, &p));
                let mode = match fields.some("mode") {
                    Some((n, p)) => diags.text(n, &p),
                    None => Some("rw".into()),
                };
                if let Some(target) = target {
                    result.push(BindVolume { host: key, target, mode });
                }
            }
            _ => diags.error(
                value.pos,
                &vpath,
                format!("invalid volume specification {key} -> {}: expected a container path or {{target: …, mode: …}}", value.python_repr()),
            ),
        }
    }
    result
}

/// Reads `restart`: `name`, `name:retries` or `{name, retries}`.
pub fn restart(diags: &mut Diagnostics, node: &Node, path: &str) -> RestartPolicy {
    let parsed = match &node.value {
        Value::Str(s) => grammar::parse_restart(s).map_err(|e| e.to_string()),
        Value::Map(_) => {
            let fields = diags.fields(node, path, &["name", "retries", "maximum_retry_count"]);
            if let Some(pos) = fields.key_pos("maximum_retry_count") {
                diags.error(
                    pos,
                    &join(path, "maximum_retry_count"),
                    "the retry count key is `retries`",
                );
            }
            let name = fields
                .some("name")
                .and_then(|(n, p)| diags.text(n, &p))
                .unwrap_or_else(|| "no".into());
            let retries = fields
                .some("retries")
                .and_then(|(n, p)| diags.integer(n, &p, 0, i128::from(u32::MAX)))
                .unwrap_or(0);
            grammar::restart_policy(&name, retries as u32).map_err(|e| e.to_string())
        }
        Value::Null | Value::Bool(false) => Ok(RestartPolicy::default()),
        _ => Err(format!(
            "invalid restart policy {}: expected a policy name, NAME:RETRIES or {{name, retries}}",
            node.python_repr()
        )),
    };
    parsed.unwrap_or_else(|e| {
        diags.error(node.pos, path, e);
        RestartPolicy::default()
    })
}

/// Reads `ulimits`: `{name: N}` or `{name: {soft, hard}}`.
pub fn ulimits(diags: &mut Diagnostics, node: &Node, path: &str) -> Vec<Ulimit> {
    let mut result = Vec::new();
    for (name, _, value) in diags.mapping(node, path).unwrap_or_default() {
        let upath = join(path, &name);
        let limit = match &value.value {
            Value::Int(_) => diags
                .integer(value, &upath, -1, i128::from(i64::MAX))
                .map(|v| (v, v)),
            Value::Map(_) => {
                let fields = diags.fields(value, &upath, &["soft", "hard"]);
                let soft = fields
                    .required(diags, "soft")
                    .and_then(|(n, p)| diags.integer(n, &p, -1, i128::from(i64::MAX)));
                let hard = fields
                    .required(diags, "hard")
                    .and_then(|(n, p)| diags.integer(n, &p, -1, i128::from(i64::MAX)));
                soft.zip(hard)
            }
            _ => {
                diags.error(value.pos, &upath, "expected a number or {soft: …, hard: …}");
                None
            }
        };
        if let Some((soft, hard)) = limit {
            if let Err(why) = docker_ulimit(&name, soft, hard) {
                diags.error(value.pos, &upath, why);
                continue;
            }
            result.push(Ulimit {
                name,
                soft: soft as i64,
                hard: hard as i64,
            });
        }
    }
    result
}

/// The resource names Docker's `--ulimit` takes.
const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// The most open files the kernel allows any process (`fs.nr_open` at its maximum).
const MAX_NOFILE: i128 = 1_073_741_816;

/// What Docker (or the kernel) would refuse in one ulimit (-1: unlimited).
fn docker_ulimit(name: &str, soft: i128, hard: i128) -> Result<(), String> {
    if !ULIMIT_NAMES.contains(&name) {
        let hint = super::suggest::did_you_mean(name, ULIMIT_NAMES.iter().copied());
        return Err(format!(
            "unknown ulimit {name:?}{hint} (Docker knows {})",
            ULIMIT_NAMES.join(", ")
        ));
    }
    let unlimited = |v: i128| if v == -1 { i128::MAX } else { v };
    if unlimited(soft) > unlimited(hard) {
        return Err(format!("soft limit {soft} is above the hard limit {hard}"));
    }
    if name == "nofile" && unlimited(hard) > MAX_NOFILE {
        return Err(format!(
            "nofile {} is above the kernel's maximum of {MAX_NOFILE} open files",
            if hard == -1 {
                "unlimited".to_string()
            } else {
                hard.to_string()
            }
        ));
    }
    Ok(())
}

/// Reads `log_driver` and `log_opt`.
pub fn log(diags: &mut Diagnostics, fields: &Fields) -> Option<LogConfig> {
    let (driver_node, driver_path) = fields.some("log_driver")?;
    let driver = diags.text(driver_node, &driver_path)?;
    // Any other name may be a log-driver plugin installed on the ship (`loki`), as
    // MaestroNG passes it through; one near a built-in driver is probably a typo.
    if !LOG_DRIVERS.contains(&driver.as_str())
        && let Some(near) = super::suggest::closest(&driver, LOG_DRIVERS.iter().copied())
    {
        diags.warn(
            driver_node.pos,
            &driver_path,
            format!(
                "{driver:?} is not one of Docker's own log drivers; did you mean `{near}`? (a log-driver plugin of that name must be installed on the ship)"
            ),
        );
    }
    let mut options = BTreeMap::new();
    if let Some((n, p)) = fields.some("log_opt") {
        for (key, _, value) in diags.mapping(n, &p).unwrap_or_default() {
            options.insert(key, value.python_str().unwrap_or_default());
        }
    }
    Some(LogConfig { driver, options })
}

/// Reads `labels`: a mapping, or a list of `key=value` / `key` items.
pub fn labels(diags: &mut Diagnostics, node: &Node, path: &str) -> BTreeMap<String, String> {
    match &node.value {
        Value::Map(_) | Value::Null => diags
            .mapping(node, path)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, _, v)| (k, v.python_str().unwrap_or_default()))
            .collect(),
        Value::Seq(_) => diags
            .texts(node, path)
            .into_iter()
            .map(|item| match item.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (item, String::new()),
            })
            .collect(),
        _ => {
            diags.error(
                node.pos,
                path,
                "invalid labels configuration: expected a list or a mapping",
            );
            BTreeMap::new()
        }
    }
}

/// Reads `command` (a string split like a shell would, or a list).
pub fn command(diags: &mut Diagnostics, node: &Node, path: &str) -> Option<Vec<String>> {
    match &node.value {
        Value::Seq(_) => Some(diags.texts(node, path)),
        _ => {
            let text = diags.text(node, path)?;
            let words = shlex::split(&text);
            if words.is_none() {
                diags.error(
                    node.pos,
                    path,
                    format!("cannot split {text:?} into words: unbalanced quotes"),
                );
            }
            words
        }
    }
}

/// Reads `container_volumes`: a path or a list of paths.
pub fn container_volumes(diags: &mut Diagnostics, node: &Node, path: &str) -> BTreeSet<String> {
    diags.texts(node, path).into_iter().collect()
}

/// Reads a mapping of plain strings (`links`).
pub fn string_map(diags: &mut Diagnostics, node: &Node, path: &str) -> BTreeMap<String, String> {
    let mut result = BTreeMap::new();
    for (key, _, value) in diags.mapping(node, path).unwrap_or_default() {
        if let Some(v) = diags.text(value, &join(path, &key)) {
            result.insert(key, v);
        }
    }
    result
}
