//! Finds and loads, before anything starts, every plugin that an environment names —
//! its checks', its services' env generators, its registries' auth providers: a
//! built-in check, or `NAME.wasm` on the search path, with the grants of the
//! environment file's `plugins` section. Every problem is reported at once, at the
//! place in the file that names the plugin.

use crate::config::{Diagnostic, NamedPlugin};
use crate::model::Environment;
use crate::plugin::discovery::SearchPath;
use crate::plugin::{Host, Plugin, World, builtin_component};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
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
    search_path_in(&environment.base_dir, plugin_dirs)
}

/// The plugin search path of an environment file in `base_dir`.
pub fn search_path_in(base_dir: &Path, plugin_dirs: &[PathBuf]) -> SearchPath {
    SearchPath::new(plugin_dirs, Some(base_dir), |name| std::env::var(name).ok())
}

/// The plugins a file names that are not built in and that no directory has, as located
/// errors (each name once, at its first use): looked for with the file's other problems,
/// so that one round reports them all.
pub fn missing(named: &[NamedPlugin], search: &SearchPath, file: &str) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    named
        .iter()
        .filter(|p| seen.insert(p.name.as_str()))
        .filter(|p| builtin_component(&p.name).is_none() && search.find(&p.name).is_none())
        .map(|p| Diagnostic {
            file: file.to_string(),
            pos: p.pos,
            path: p.path.clone(),
            message: not_found(p.world, &p.name, search),
        })
        .collect()
}

/// Why plugin `name` cannot be used as a `world`: it is nowhere.
fn not_found(world: World, name: &str, search: &SearchPath) -> String {
    let hint = match world {
        World::Check => crate::config::suggest::did_you_mean(
            name,
            crate::config::lifecycle::BUILTIN_CHECKS.iter().copied(),
        ),
        _ => String::new(),
    };
    format!(
        "no {} plugin {name:?}: it is not built in, and no directory has {name}.wasm (searched {}){hint}",
        world.name(),
        search.describe()
    )
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

/// Does the environment name any plugin (a check, a generator, an auth provider)?
pub fn names_plugins(environment: &Environment) -> bool {
    !wanted(environment).is_empty()
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
            errors.push(format!("{at}: {}", not_found(world, name, search)));
            continue;
        };
        match loaded {
            Ok(plugin) => {
                let mut fits = true;
                for (world, at) in uses.iter().filter(|(w, _)| *w != plugin.world) {
                    fits = false;
                    errors.push(format!(
                        "{at}: plugin `{name}` is {}, not {}",
                        plugin.world.described(),
                        world.described()
                    ));
                }
                if fits {
                    by_name.insert(name.to_string(), plugin);
                }
            }
            Err(e) => errors.push(format!("{at}: {e}")),
        }
    }
    // In the order of the file, as configuration errors are.
    errors.sort_by_key(|e| position(e));
    if errors.is_empty() {
        Ok(Plugins {
            host: host.clone(),
            by_name,
        })
    } else {
        Err(errors)
    }
}

/// `(line, column)` of a message that starts with `file:line:col: `.
fn position(message: &str) -> (u32, u32) {
    let place = message.split(": ").next().unwrap_or("");
    let mut fields = place.rsplitn(3, ':');
    let col = fields.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    let line = fields.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    (line, col)
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_sort_by_their_place_in_the_file() {
        let mut errors = vec![
            "a.yaml:10:18: x: b",
            "a.yaml:9:18: y: a",
            "a.yaml:9:2: z: c",
        ];
        errors.sort_by_key(|e| super::position(e));
        assert_eq!(
            errors,
            [
                "a.yaml:9:2: z: c",
                "a.yaml:9:18: y: a",
                "a.yaml:10:18: x: b"
            ]
        );
    }
}
