//! `maestro plugins list` and `maestro plugins inspect NAME`: the built-in plugins
//! and those on the search path, loaded with the grants of the environment file
//! (when there is one), so that what is shown is what a run would get.

use crate::Failure;
use crate::checks::search_path;
use crate::cli::{Cli, PluginsCommand};
use crate::model::Environment;
use crate::output::Printer;
use crate::output::plugins::{self, Row};
use crate::plugin::discovery::SearchPath;
use crate::plugin::{Grants, Host, Plugin, builtin_names};
use std::path::Path;

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
        for value in plugins::list_json(&rows) {
            printer.json_line(&value);
        }
    } else {
        printer.out(&plugins::list_text(&rows));
    }
    Ok(())
}

fn inspect(printer: &Printer, plugin: &Plugin) {
    if printer.json {
        printer.json_line(&plugins::inspect_json(plugin));
    } else {
        printer.out(&plugins::inspect_text(plugin));
    }
}
