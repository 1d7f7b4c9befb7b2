//! `maestro plugins list` and `maestro plugins inspect NAME`: the built-in plugins
//! and those on the search path, loaded with the grants of the environment file
//! (when there is one), so that what is shown is what a run would get.

use crate::Failure;
use crate::checks::search_path;
use crate::cli::{Cli, PluginsCommand};
use crate::model::Environment;
use crate::output::Printer;
use crate::plugin::discovery::SearchPath;
use crate::plugin::{CacheState, Grants, Host, LoadError, Origin, Plugin, builtin_names};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;

pub fn run(cli: &Cli, printer: &Printer, command: &PluginsCommand) -> Result<(), Failure> {
    let env = environment(cli, printer)?;
    let search = match &env {
        Some(env) => search_path(env, &cli.plugin_dirs),
        None => SearchPath::new(&cli.plugin_dirs, None, |n| std::env::var(n).ok()),
    };
    let host = Host::with_user_cache().map_err(Failure::failed)?;
    let grants = |name: &str| {
        env.as_ref()
            .and_then(|e| e.plugins.get(name))
            .map(|s| s.grants.clone())
            .unwrap_or_default()
    };
    match command {
        PluginsCommand::List => list(printer, &host, &search, grants),
        PluginsCommand::Inspect { name } => {
            let plugin = match host.load_builtin(name) {
                Some(loaded) => loaded,
                None => match search.find(name) {
                    Some(file) => host.load_file(name, file, grants(name)),
                    None => {
                        return Err(Failure::invalid(format!(
                            "no plugin named {name:?}: it is not built in, and no directory has \
                             {name}.wasm (searched {})",
                            search.describe()
                        )));
                    }
                },
            };
            let plugin = plugin.map_err(|e| Failure::invalid(e.to_string()))?;
            inspect(printer, &plugin);
            Ok(())
        }
    }
}

/// The environment file, when there is one: its grants apply to its plugins.
fn environment(cli: &Cli, printer: &Printer) -> Result<Option<Environment>, Failure> {
    if cli.file != "-" && !Path::new(&cli.file).exists() {
        return Ok(None);
    }
    super::load(cli, printer).map(Some)
}

/// A line of `plugins list`: the name, the plugin or why it was refused, a note.
type Row = (String, Result<Arc<Plugin>, LoadError>, Option<String>);

fn list(
    printer: &Printer,
    host: &Host,
    search: &SearchPath,
    grants: impl Fn(&str) -> Grants,
) -> Result<(), Failure> {
    let mut rows: Vec<Row> = Vec::new();
    for name in builtin_names() {
        let loaded = host.load_builtin(name).expect("a built-in has a component");
        rows.push((name.to_string(), loaded, None));
    }
    for (name, file, hidden) in search.all() {
        let note = if builtin_names().any(|b| b == name) {
            Some("hidden by the built-in".to_string())
        } else if hidden {
            Some("hidden by an earlier directory".to_string())
        } else {
            None
        };
        let loaded = host.load_file(&name, file, grants(&name));
        rows.push((name, loaded, note));
    }
    if printer.json {
        for (name, loaded, note) in &rows {
            let value = match loaded {
                Ok(p) => json!({
                    "name": name, "world": p.world, "version": p.version, "origin": p.origin,
                    "sha256": p.sha256, "note": note,
                }),
                Err(e) => json!({"name": name, "error": e.to_string(), "note": note}),
            };
            printer.json_line(&value);
        }
        return Ok(());
    }
    let mut text = format!(
        "{:<16} {:<14} {:<8} {}\n",
        "NAME", "WORLD", "VERSION", "SOURCE"
    );
    for (name, loaded, note) in &rows {
        let note = note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
        let line = match loaded {
            Ok(p) => format!(
                "{name:<16} {:<14} {:<8} {}{note}\n",
                p.world.name(),
                p.version,
                source(&p.origin)
            ),
            Err(e) => format!("{name:<16} {:<14} {:<8} refused: {e}{note}\n", "-", "-"),
        };
        text.push_str(&line);
    }
    printer.out(&text);
    Ok(())
}

fn source(origin: &Origin) -> String {
    match origin {
        Origin::Builtin => "built-in".to_string(),
        Origin::File(path) => path.display().to_string(),
    }
}

fn inspect(printer: &Printer, plugin: &Plugin) {
    let limit_mb = plugin
        .grants
        .memory
        .unwrap_or(crate::plugin::DEFAULT_MEMORY)
        >> 20;
    if printer.json {
        printer.json_line(&json!({
            "name": plugin.name, "origin": plugin.origin, "world": plugin.world,
            "version": plugin.version, "sha256": plugin.sha256, "size": plugin.size,
            "imports": plugin.imports, "grants": plugin.grants, "memory_limit_mb": limit_mb,
            "cache": plugin.cache,
        }));
        return;
    }
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
    field("name:", plugin.name.clone());
    field("source:", source(&plugin.origin));
    field(
        "world:",
        format!(
            "{} (maestro:plugin@{})",
            plugin.world.name(),
            plugin.version
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
    field("memory:", format!("{limit_mb} MB"));
    field("cache:", cache);
    field("imports:", format!("{} interfaces", plugin.imports.len()));
    for import in &plugin.imports {
        text.push_str(&format!("  {import}\n"));
    }
    printer.out(&text);
}
