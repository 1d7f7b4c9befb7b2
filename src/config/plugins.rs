//! `plugins`: what the environment file grants each plugin beyond the defaults.
//!
//! ```yaml
//! plugins:
//!   redis-ping:                   # a check type, auth provider or env generator
//!     grant: [exec]               # capabilities: exec, container-exec
//!     read: [./fixtures]          # read-only directories, seen at their absolute path
//!     sha256: 9f86d08…            # refuse any other file
//!     memory: 512m                # memory limit (default 256m)
//! ```

use super::diagnostics::{Diagnostics, Fields, items, join};
use super::instance::size;
use super::yaml::Node;
use crate::model::{EnvGenerator, PluginSettings, PluginUse};
use crate::plugin::discovery::valid_name;
use crate::plugin::{Capability, Grants, MAX_MEMORY};
use std::collections::BTreeMap;
use std::path::Path;

pub fn plugins(
    diags: &mut Diagnostics,
    node: &Node,
    base_dir: &Path,
) -> BTreeMap<String, PluginSettings> {
    let mut result = BTreeMap::new();
    for (name, key, node) in diags.mapping(node, "plugins").unwrap_or_default() {
        let path = join("plugins", &name);
        if !valid_name(&name) {
            diags.error(
                key.pos,
                &path,
                "a plugin name is letters, digits, - and _ (it names the file NAME.wasm)",
            );
            continue;
        }
        let fields = diags.fields(node, &path, &["grant", "read", "sha256", "memory"]);
        let errors = diags.errors.len();
        let mut grants = Grants::default();
        if let Some((n, p)) = fields.some("grant") {
            for (item, item_path) in super::diagnostics::items(n, &p) {
                let Some(text) = diags.text(item, &item_path) else {
                    continue;
                };
                match Capability::ALL.into_iter().find(|c| c.name() == text) {
                    Some(capability) => {
                        grants.capabilities.insert(capability);
                    }
                    None => diags.error(
                        item.pos,
                        &item_path,
                        format!("unknown capability {text:?}: choose exec or container-exec"),
                    ),
                }
            }
        }
        if let Some((n, p)) = fields.some("read") {
            for (item, item_path) in super::diagnostics::items(n, &p) {
                let Some(text) = diags.text(item, &item_path) else {
                    continue;
                };
                let dir = base_dir.join(&text);
                match dir.canonicalize() {
                    Ok(dir) if dir.is_dir() => grants.read.push(dir),
                    _ => diags.error(
                        item.pos,
                        &item_path,
                        format!("{} is not a directory", dir.display()),
                    ),
                }
            }
        }
        if let Some((n, p)) = fields.some("sha256") {
            match diags.text(n, &p) {
                Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    grants.sha256 = Some(hex.to_ascii_lowercase());
                }
                Some(_) => diags.error(n.pos, &p, "expected 64 hexadecimal digits"),
                None => {}
            }
        }
        if let Some((n, p)) = fields.some("memory") {
            match size(diags, n, &p) {
                Some(bytes) if (1 << 20..=MAX_MEMORY).contains(&bytes) => {
                    grants.memory = Some(bytes);
                }
                Some(_) => diags.error(
                    n.pos,
                    &p,
                    format!("a plugin's memory is between 1m and {}m", MAX_MEMORY >> 20),
                ),
                None => {}
            }
        }
        if diags.errors.len() == errors {
            let at = format!("{}:{}: {path}", diags.file, key.pos);
            result.insert(name, PluginSettings { grants, at });
        }
    }
    result
}

/// A service's `env_generators`: `[{type: NAME, override: false, ...options}]`.
pub fn env_generators(diags: &mut Diagnostics, node: &Node, path: &str) -> Vec<EnvGenerator> {
    let mut result = Vec::new();
    for (item, item_path) in items(node, path) {
        let Some(entries) = diags.mapping(item, &item_path) else {
            continue;
        };
        let Some((_, _, kind)) = entries.iter().find(|(k, _, _)| k == "type") else {
            diags.error(item.pos, &item_path, "missing required key \"type\"");
            continue;
        };
        let Some(name) = plugin_name(diags, kind, &join(&item_path, "type")) else {
            continue;
        };
        let mut allow_override = false;
        let mut options = serde_json::Map::new();
        for (key, _, value) in &entries {
            match key.as_str() {
                "type" => {}
                "override" => {
                    allow_override = diags
                        .boolean(value, &join(&item_path, key))
                        .unwrap_or(false);
                }
                _ => {
                    options.insert(key.clone(), value.to_json());
                }
            }
        }
        let type_path = join(&item_path, "type");
        diags.name_plugin(
            &name,
            crate::plugin::World::EnvGenerator,
            kind.pos,
            &type_path,
        );
        let at = format!("{}:{}: {type_path}", diags.file, kind.pos);
        result.push(EnvGenerator {
            plugin: PluginUse { name, options, at },
            allow_override,
        });
    }
    result
}

/// A registry's `plugin: NAME` (with `options: {...}` for it): an auth plugin gives
/// the credentials, so `username` and `password` must not be set as well.
pub fn registry_plugin(
    diags: &mut Diagnostics,
    node: &Node,
    path: &str,
    fields: &Fields,
) -> Option<PluginUse> {
    let name = plugin_name(diags, node, path)?;
    for key in ["username", "password"] {
        if let Some(pos) = fields.key_pos(key) {
            diags.error(
                pos,
                &join(&fields.path, key),
                "a registry with an auth plugin gets its credentials from the plugin: \
                 remove username and password",
            );
        }
    }
    let options = match fields.some("options") {
        Some((n, p)) => match n.to_json() {
            serde_json::Value::Object(map) => map,
            _ => {
                diags.error(n.pos, &p, "expected a mapping of the plugin's options");
                serde_json::Map::new()
            }
        },
        None => serde_json::Map::new(),
    };
    let at = format!("{}:{}: {path}", diags.file, node.pos);
    Some(PluginUse { name, options, at })
}

fn plugin_name(diags: &mut Diagnostics, node: &Node, path: &str) -> Option<String> {
    let name = diags.text(node, path)?;
    if valid_name(&name) {
        Some(name)
    } else {
        diags.error(
            node.pos,
            path,
            format!("invalid plugin name {name:?}: letters, digits, - and _"),
        );
        None
    }
}
