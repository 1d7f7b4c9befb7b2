//! `lifecycle`: the checks run at each state of a container. Built-in check types are
//! validated here with MaestroNG's options and defaults; their port names are resolved
//! against the container's ports. Any other type names a plugin (found and loaded
//! later, see `lifecycle::prepare`): its options are its own, except the ones maestro
//! handles for every check (`HOST_OPTIONS`).
//!
//! Fixed MaestroNG bugs: an instance's checks no longer leak into the service's other
//! instances, and a service-level `http.host` applies to every instance.

use super::diagnostics::{Diagnostics, OptionRules, join, options};
use super::yaml::{Node, Value};
use crate::config::grammar::Protocol;
use crate::model::{CheckSpec, LifecycleState, PortMapping};
use crate::plugin::discovery::valid_name;
use std::collections::BTreeMap;

/// The checks written at one level (service or instance), not yet tied to a container.
pub type RawChecks<'n> = Vec<(LifecycleState, &'n Node, String)>;

/// The built-in check types.
pub const BUILTIN_CHECKS: &[&str] = &["tcp", "http", "exec", "rexec", "sleep"];

/// Options maestro handles for every check, built-in or plugin: the deadline
/// (`max_wait` seconds, or MaestroNG's `attempts`), the time one attempt may take,
/// and the address to probe instead of the ship's.
pub const HOST_OPTIONS: &[&str] = &["max_wait", "attempts", "attempt_timeout", "host"];

/// Collects the checks of a `lifecycle` mapping.
pub fn collect<'n>(diags: &mut Diagnostics, node: &'n Node, path: &str) -> RawChecks<'n> {
    let mut checks = Vec::new();
    for (state_name, key, list) in diags.mapping(node, path).unwrap_or_default() {
        let state_path = join(path, &state_name);
        let Some(state) = LifecycleState::ALL
            .into_iter()
            .find(|s| s.as_str() == state_name)
        else {
            diags.error(
                key.pos,
                &state_path,
                "unknown lifecycle state: choose one of pre-start, running, pre-stop, stopped",
            );
            continue;
        };
        match &list.value {
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    checks.push((state, item, format!("{state_path}[{i}]")));
                }
            }
            Value::Null => {}
            _ => diags.error(
                list.pos,
                &state_path,
                format!("expected a list of checks, found {}", list.type_name()),
            ),
        }
    }
    checks
}

/// Builds a container's checks (service's first, then its own) against its ports.
pub fn resolve(
    diags: &mut Diagnostics,
    raw: &[(LifecycleState, &Node, String)],
    ports: &BTreeMap<String, PortMapping>,
) -> BTreeMap<LifecycleState, Vec<CheckSpec>> {
    let mut result: BTreeMap<LifecycleState, Vec<CheckSpec>> = BTreeMap::new();
    for (state, node, path) in raw {
        if let Some(check) = check(diags, node, path, ports) {
            result.entry(*state).or_default().push(check);
        }
    }
    result
}

fn check(
    diags: &mut Diagnostics,
    node: &Node,
    path: &str,
    ports: &BTreeMap<String, PortMapping>,
) -> Option<CheckSpec> {
    let entries = diags.mapping(node, path)?;
    let Some((_, _, kind_node)) = entries.iter().find(|(k, _, _)| k == "type") else {
        diags.error(node.pos, path, "missing required key \"type\"");
        return None;
    };
    let kind = diags.name(kind_node, &join(path, "type"))?;
    let at = format!("{}:{}: {}", diags.file, kind_node.pos, join(path, "type"));
    let (known, required): (&[&str], &[&str]) = match kind.as_str() {
        "tcp" => (&["port", "max_wait", "attempt_timeout"], &["port"]),
        "http" => (
            &[
                "port",
                "host",
                "match_regex",
                "path",
                "scheme",
                "method",
                "max_wait",
                "attempt_timeout",
                "requests_options",
            ],
            &["port"],
        ),
        "exec" => (
            &["command", "attempts", "envfrom", "attempt_timeout"],
            &["command"],
        ),
        "rexec" => (&["command", "attempts", "attempt_timeout"], &["command"]),
        "sleep" => (&["wait"], &["wait"]),
        _ if valid_name(&kind) => {
            let type_path = join(path, "type");
            diags.name_plugin(
                &kind,
                crate::plugin::World::Check,
                kind_node.pos,
                &type_path,
            );
            return plugin_check(diags, kind, at, &entries, path);
        }
        _ => {
            diags.error(
                kind_node.pos,
                &join(path, "type"),
                format!(
                    "invalid check type {kind:?}: a built-in check ({}) or the name of a \
                     plugin (letters, digits, - and _)",
                    BUILTIN_CHECKS.join(", ")
                ),
            );
            return None;
        }
    };
    let what = format!("the {kind} check");
    let rules = OptionRules {
        what: &what,
        reserved: &["type"],
        known,
        required,
        strict: true,
    };
    let (options, mut ok) = options(diags, node, path, &entries, &rules);
    ok &= check_options(diags, &kind, &entries, path, ports);
    ok.then_some(CheckSpec { kind, options, at })
}

/// A plugin's check: every option is passed on; maestro's own are type-checked.
fn plugin_check(
    diags: &mut Diagnostics,
    kind: String,
    at: String,
    entries: &[(String, &Node, &Node)],
    path: &str,
) -> Option<CheckSpec> {
    let mut options = serde_json::Map::new();
    let mut ok = true;
    for (key, _, value) in entries {
        let key_path = join(path, key);
        ok &= match key.as_str() {
            "type" => continue,
            "max_wait" | "attempt_timeout" => diags.seconds(value, &key_path).is_some(),
            "attempts" => diags.integer(value, &key_path, 0, 1_000_000).is_some(),
            "host" => diags.text(value, &key_path).is_some(),
            _ => true,
        };
        options.insert(key.clone(), value.to_json());
    }
    ok.then_some(CheckSpec { kind, options, at })
}

/// Type checks and port resolution for the built-in options.
fn check_options(
    diags: &mut Diagnostics,
    kind: &str,
    entries: &[(String, &Node, &Node)],
    path: &str,
    ports: &BTreeMap<String, PortMapping>,
) -> bool {
    let mut ok = true;
    for (key, _, value) in entries {
        let key_path = join(path, key);
        let valid = match key.as_str() {
            "port" => port_ref(diags, kind, value, &key_path, ports),
            "max_wait" | "attempts" => diags.integer(value, &key_path, 0, 1_000_000).is_some(),
            "attempt_timeout" => diags.seconds(value, &key_path).is_some(),
            "wait" => diags.seconds(value, &key_path).is_some(),
            "envfrom" => match diags.text(value, &key_path).as_deref() {
                Some("env" | "stdin") => true,
                Some(other) => {
                    diags.error(
                        value.pos,
                        &key_path,
                        format!("envfrom {other:?}: choose env or stdin"),
                    );
                    false
                }
                None => false,
            },
            "scheme" => match diags.text(value, &key_path).as_deref() {
                Some("http" | "https") => true,
                Some(other) => {
                    diags.error(
                        value.pos,
                        &key_path,
                        format!("scheme {other:?}: choose http or https"),
                    );
                    false
                }
                None => false,
            },
            "requests_options" => diags.mapping(value, &key_path).is_some(),
            "command" if matches!(value.value, Value::Seq(_)) => true,
            "command" | "host" | "path" | "method" | "match_regex" => {
                diags.text(value, &key_path).is_some()
            }
            _ => true,
        };
        ok &= valid;
    }
    ok
}

/// `tcp` needs the name of a TCP port of the container; `http` takes a name or a number.
fn port_ref(
    diags: &mut Diagnostics,
    kind: &str,
    node: &Node,
    path: &str,
    ports: &BTreeMap<String, PortMapping>,
) -> bool {
    let name = match &node.value {
        Value::Int(n) if kind == "http" => {
            return (1..=65535).contains(n)
                || report(diags, node, path, format!("port {n} is out of range"));
        }
        _ => match diags.text(node, path) {
            Some(name) => name,
            None => return false,
        },
    };
    match ports.get(&name) {
        Some(mapping) if mapping.exposed.protocol == Protocol::Tcp => true,
        Some(_) => report(diags, node, path, format!("port {name:?} is not TCP")),
        None if kind == "http" && name.parse::<u16>().is_ok() => true,
        None => {
            let known: Vec<&str> = ports.keys().map(String::as_str).collect();
            let known = if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            };
            report(
                diags,
                node,
                path,
                format!("port {name:?} is not defined by the container (its ports: {known})"),
            )
        }
    }
}

fn report(diags: &mut Diagnostics, node: &Node, path: &str, message: String) -> bool {
    diags.error(node.pos, path, message);
    false
}
