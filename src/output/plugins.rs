//! `plugins list` and `plugins inspect` for people (a table; one plugin's fields) and for
//! scripts (`plugin` events). Names, versions and refusals come from plugin files: made
//! inert.

use super::text::inert;
use crate::plugin::{CacheState, LoadError, Origin, Plugin};
use serde_json::{Value, json};
use std::sync::Arc;

/// A line of `plugins list`: the name, the plugin or why it was refused, a note.
pub type Row = (String, Result<Arc<Plugin>, LoadError>, Option<String>);

/// The `plugin` event of each row.
pub fn list_json(rows: &[Row]) -> Vec<Value> {
    rows.iter()
        .map(|(name, loaded, note)| {
            let value = match loaded {
                Ok(p) => json!({
                    "name": name, "world": p.world, "version": p.version, "origin": p.origin,
                    "sha256": p.sha256, "note": note,
                }),
                Err(e) => json!({"name": name, "error": e.to_string(), "note": note}),
            };
            super::json::event("plugin", value)
        })
        .collect()
}

/// `NAME  WORLD  VERSION  SOURCE`, one line per plugin.
pub fn list_text(rows: &[Row]) -> String {
    let mut text = format!(
        "{:<16} {:<14} {:<8} {}\n",
        "NAME", "WORLD", "VERSION", "SOURCE"
    );
    for (name, loaded, note) in rows {
        let name = inert(name);
        let note = note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
        let line = match loaded {
            Ok(p) => format!(
                "{name:<16} {:<14} {:<8} {}{note}\n",
                p.world.name(),
                inert(&p.version),
                inert(&source(&p.origin))
            ),
            Err(e) => format!(
                "{name:<16} {:<14} {:<8} refused: {}{note}\n",
                "-",
                "-",
                inert(&e.to_string())
            ),
        };
        text.push_str(&line);
    }
    text
}

fn source(origin: &Origin) -> String {
    match origin {
        Origin::Builtin => "built-in".to_string(),
        Origin::File(path) => path.display().to_string(),
    }
}

/// The memory limit a plugin runs with, in MB.
fn limit_mb(plugin: &Plugin) -> u64 {
    plugin
        .grants
        .memory
        .unwrap_or(crate::plugin::DEFAULT_MEMORY)
        >> 20
}

/// The `plugin` event of `plugins inspect`.
pub fn inspect_json(plugin: &Plugin) -> Value {
    super::json::event(
        "plugin",
        json!({
            "name": plugin.name, "origin": plugin.origin, "world": plugin.world,
            "version": plugin.version, "sha256": plugin.sha256, "size": plugin.size,
            "imports": plugin.imports, "grants": plugin.grants, "memory_limit_mb": limit_mb(plugin),
            "cache": plugin.cache,
        }),
    )
}

/// One plugin's fields, a label per line, then its imports.
pub fn inspect_text(plugin: &Plugin) -> String {
    let capabilities: Vec<&str> = plugin
        .grants
        .capabilities
        .iter()
        .map(|c| c.name())
        .collect();
    let read: Vec<String> = plugin
        .grants
        .read
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    let cache = match &plugin.cache {
        CacheState::Hit { path } => format!("loaded from {}", path.display()),
        CacheState::Compiled {
            millis,
            path: Some(path),
        } => format!("compiled in {millis} ms, stored in {}", path.display()),
        CacheState::Compiled { millis, path: None } => {
            format!("compiled in {millis} ms, not stored (no cache directory)")
        }
    };
    let mut text = String::new();
    let mut field = |label: &str, value: String| {
        text.push_str(&format!("{label:<13} {value}\n"));
    };
    field("name:", inert(&plugin.name).into_owned());
    field("source:", inert(&source(&plugin.origin)).into_owned());
    field(
        "world:",
        format!(
            "{} (maestro:plugin@{})",
            plugin.world.name(),
            inert(&plugin.version)
        ),
    );
    field("sha256:", plugin.sha256.clone());
    field("size:", format!("{} bytes", plugin.size));
    field(
        "pinned:",
        if plugin.grants.sha256.is_some() {
            "yes"
        } else {
            "no"
        }
        .to_string(),
    );
    field(
        "granted:",
        list(capabilities.iter().map(|c| c.to_string()).collect()),
    );
    field("read:", list(read));
    field("memory:", format!("{} MB", limit_mb(plugin)));
    field("cache:", cache);
    field("imports:", format!("{} interfaces", plugin.imports.len()));
    for import in &plugin.imports {
        text.push_str(&format!("  {}\n", inert(import)));
    }
    text
}
