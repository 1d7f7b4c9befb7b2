//! `audit`: the auditors notified of what maestro does (log file, webhook, script, chat).

use super::diagnostics::{Diagnostics, OptionRules, join, options};
use super::yaml::{Node, Value};
use crate::model::Auditor;

/// Each auditor type with its required and optional options.
const AUDITORS: &[(&str, &[&str], &[&str])] = &[
    ("log", &["file"], &[]),
    (
        "http",
        &["endpoint"],
        &["method", "headers", "payload", "timeout"],
    ),
    ("exec", &["script"], &["args"]),
    (
        "slack",
        &["channel", "token"],
        &["name", "icon", "endpoint"],
    ),
    ("hipchat", &["room", "token"], &["name"]),
    // MaestroNG's test auditor: always fails (shows what `ignore_errors` does).
    ("_fail", &[], &[]),
];

pub fn auditors(diags: &mut Diagnostics, node: &Node) -> Vec<Auditor> {
    let items = match &node.value {
        Value::Null => return Vec::new(),
        Value::Seq(items) => items,
        _ => {
            diags.error(
                node.pos,
                "audit",
                format!("expected a list of auditors, found {}", node.type_name()),
            );
            return Vec::new();
        }
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| auditor(diags, item, &format!("audit[{i}]")))
        .collect()
}

fn auditor(diags: &mut Diagnostics, node: &Node, path: &str) -> Option<Auditor> {
    let entries = diags.mapping(node, path)?;
    let get = |key: &str| {
        entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, v)| *v)
    };
    let Some(kind_node) = get("type") else {
        diags.error(node.pos, path, "missing required key \"type\"");
        return None;
    };
    let kind = diags.text(kind_node, &join(path, "type"))?;
    let Some((_, required, optional)) = AUDITORS.iter().find(|(name, _, _)| *name == kind) else {
        let known: Vec<&str> = AUDITORS
            .iter()
            .map(|(n, _, _)| *n)
            .filter(|n| !n.starts_with('_'))
            .collect();
        diags.error(
            kind_node.pos,
            &join(path, "type"),
            format!(
                "unknown auditor type {kind:?}: choose one of {}",
                known.join(", ")
            ),
        );
        return None;
    };
    if kind == "hipchat" {
        diags.error(
            kind_node.pos,
            &join(path, "type"),
            "HipChat no longer exists (Atlassian shut it down in 2019): use the slack, http or log auditor",
        );
        return None;
    }
    let level = match get("level") {
        Some(n) => {
            let level = diags.text(n, &join(path, "level"))?;
            if level != "info" && level != "debug" {
                diags.error(
                    n.pos,
                    &join(path, "level"),
                    format!("level {level:?}: choose info or debug"),
                );
                return None;
            }
            level
        }
        None => "info".into(),
    };
    let ignore_errors = get("ignore_errors")
        .and_then(|n| diags.boolean(n, &join(path, "ignore_errors")))
        .unwrap_or(false);
    let what = format!("the {kind} auditor");
    let known: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
    let rules = OptionRules {
        what: &what,
        reserved: &["type", "level", "ignore_errors"],
        known: &known,
        required,
        strict: false,
    };
    let (options, mut ok) = options(diags, node, path, &entries, &rules);
    if kind == "http"
        && let Some(method_node) = get("method")
        && let Some(method) = diags.text(method_node, &join(path, "method"))
        && !matches!(method.to_ascii_uppercase().as_str(), "POST" | "GET")
    {
        diags.error(
            method_node.pos,
            &join(path, "method"),
            format!("invalid HTTP method {method:?}: choose POST or GET"),
        );
        ok = false;
    }
    ok.then_some(Auditor {
        kind,
        level,
        ignore_errors,
        options,
    })
}
