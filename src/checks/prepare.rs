//! Finds and loads, before anything starts, every plugin that an environment's
//! checks name: a built-in, or `NAME.wasm` on the search path, with the grants of
//! the environment file's `plugins` section. Every problem is reported at once, at
//! the place in the file that names the plugin.

use crate::model::Environment;
use crate::plugin::discovery::SearchPath;
use crate::plugin::{Host, Plugin, World, builtin_component};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The loaded plugins of an environment's checks, by check type.
#[derive(Clone)]
pub struct Plugins {
    pub host: Host,
    pub by_name: BTreeMap<String, Arc<Plugin>>,
}

impl Plugins {
    pub fn get(&self, name: &str) -> Option<&Arc<Plugin>> {
        self.by_name.get(name)
    }
}

/// The search path for an environment: `--plugin-dir`s, `MAESTRO_PLUGIN_PATH`, the
/// `plugins/` folder beside the file, `$XDG_DATA_HOME/maestro/plugins`.
pub fn search_path(environment: &Environment, plugin_dirs: &[PathBuf]) -> SearchPath {
    SearchPath::new(plugin_dirs, Some(&environment.base_dir), |name| {
        std::env::var(name).ok()
    })
}

/// Loads the plugin of every check type used by the environment's containers.
pub fn prepare(
    host: &Host,
    environment: &Environment,
    search: &SearchPath,
) -> Result<Plugins, Vec<String>> {
    // Each type once, named by its first place in the file.
    let mut wanted: BTreeMap<&str, &str> = BTreeMap::new();
    for container in environment.containers.values() {
        for spec in container.lifecycle.values().flatten() {
            wanted.entry(&spec.kind).or_insert(&spec.at);
        }
    }
    let mut by_name = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, at) in wanted {
        let grants = environment
            .plugins
            .get(name)
            .map(|s| s.grants.clone())
            .unwrap_or_default();
        let loaded = if builtin_component(name).is_some() {
            host.load_builtin(name).expect("a built-in has a component")
        } else if let Some(file) = search.find(name) {
            host.load_file(name, file, grants)
        } else {
            errors.push(format!(
                "{at}: no check plugin {name:?}: it is not built in, and no directory has \
                 {name}.wasm (searched {})",
                search.describe()
            ));
            continue;
        };
        match loaded {
            Ok(plugin) if plugin.world != World::Check => errors.push(format!(
                "{at}: plugin `{name}` is an {} plugin, not a check",
                plugin.world.name()
            )),
            Ok(plugin) => {
                by_name.insert(name.to_string(), plugin);
            }
            Err(e) => errors.push(format!("{at}: {e}")),
        }
    }
    if errors.is_empty() {
        Ok(Plugins {
            host: host.clone(),
            by_name,
        })
    } else {
        Err(errors)
    }
}
