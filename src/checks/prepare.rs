//! Finds and loads, before anything starts, every plugin that an environment names —
//! its checks', its services' env generators, its registries' auth providers: a
//! built-in check, or `NAME.wasm` on the search path, with the grants of the
//! environment file's `plugins` section. Every problem is reported at once, at the
//! place in the file that names the plugin.

use crate::model::Environment;
use crate::plugin::discovery::SearchPath;
use crate::plugin::{Host, Plugin, World, builtin_component};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The loaded plugins of an environment, by name.
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

/// Every plugin the environment names: per name, each world it is used as, with the
/// first place in the file that uses it so.
fn wanted(environment: &Environment) -> BTreeMap<&str, Vec<(World, &str)>> {
    let mut wanted: BTreeMap<&str, Vec<(World, &str)>> = BTreeMap::new();
    let mut add = |name, world, at| {
        let uses = wanted.entry(name).or_default();
        if !uses.iter().any(|(w, _)| *w == world) {
            uses.push((world, at));
        }
    };
    for container in environment.containers.values() {
        for spec in container.lifecycle.values().flatten() {
            add(spec.kind.as_str(), World::Check, spec.at.as_str());
        }
    }
    for service in environment.services.values() {
        for generator in &service.env_generators {
            let plugin = &generator.plugin;
            add(
                plugin.name.as_str(),
                World::EnvGenerator,
                plugin.at.as_str(),
            );
        }
    }
    for plugin in environment
        .registries
        .values()
        .filter_map(|r| r.plugin.as_ref())
    {
        add(plugin.name.as_str(), World::Auth, plugin.at.as_str());
    }
    wanted
}

/// Loads every plugin the environment names (see `wanted`).
pub fn prepare(
    host: &Host,
    environment: &Environment,
    search: &SearchPath,
) -> Result<Plugins, Vec<String>> {
    let mut by_name = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, uses) in wanted(environment) {
        let (world, at) = uses[0];
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
                "{at}: no {} plugin {name:?}: it is not built in, and no directory has \
                 {name}.wasm (searched {})",
                world.name(),
                search.describe()
            ));
            continue;
        };
        match loaded {
            Ok(plugin) => {
                let mut fits = true;
                for (world, at) in uses.iter().filter(|(w, _)| *w != plugin.world) {
                    fits = false;
                    errors.push(format!(
                        "{at}: plugin `{name}` is a{} {} plugin, not a{} {} plugin",
                        article(plugin.world),
                        plugin.world.name(),
                        article(*world),
                        world.name()
                    ));
                }
                if fits {
                    by_name.insert(name.to_string(), plugin);
                }
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

/// `n` before a world's name that starts with a vowel.
fn article(world: World) -> &'static str {
    match world {
        World::Check => "",
        World::Auth | World::EnvGenerator => "n",
    }
}
