//! The document tree → a checked `model::Environment`. Every problem of the file is
//! collected in one run; nothing is returned half-built.

use super::audit;
use super::diagnostics::{Diagnostic, Diagnostics, Fields};
use super::services::{self, Context, ReferenceKind};
use super::ships;
use super::yaml::{Node, Pos, Value};
use crate::model::Environment;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const TOP_KEYS: &[&str] = &[
    "__maestro",
    "name",
    "registries",
    "ship_defaults",
    "ships",
    "ship_provider",
    "services",
    "audit",
    "plugins",
];

/// A valid environment and the warnings found on the way.
#[derive(Debug)]
pub struct Validated {
    pub environment: Environment,
    pub warnings: Vec<Diagnostic>,
}

/// Checks a whole document. `file` names it in messages; relative paths resolve from `base_dir`.
pub fn validate(doc: &Node, file: &str, base_dir: &Path) -> Result<Validated, Diagnostics> {
    let mut diags = Diagnostics::new(file);
    let Some(entries) = doc.as_map() else {
        diags.error(
            doc.pos,
            "",
            format!(
                "an environment file is a mapping (name, ships, services…), found {}",
                doc.type_name()
            ),
        );
        return Err(diags);
    };
    for (key, _) in entries {
        let text = key.key_text().unwrap_or_default();
        if !TOP_KEYS.contains(&text.as_str()) && !text.starts_with('_') && !text.starts_with("x-") {
            diags.warn(
                key.pos,
                &text,
                "unknown top-level key, ignored (prefix it with _ to hold YAML anchors quietly)",
            );
        }
    }
    let top = Fields {
        pos: doc.pos,
        path: String::new(),
        entries: diags.mapping(doc, "").unwrap_or_default(),
    };
    let name = top
        .required(&mut diags, "name")
        .and_then(|(n, p)| diags.name(n, &p));
    let schema = schema(doc);
    let registries = top
        .some("registries")
        .map(|(n, _)| ships::registries(&mut diags, n))
        .unwrap_or_default();
    if let Some((n, _)) = top.some("ship_provider") {
        ships::ship_provider(&mut diags, n);
    }
    let mut ship_map = match top.some("ships") {
        Some((n, _)) => ships::ships(
            &mut diags,
            n,
            top.some("ship_defaults").map(|(n, _)| n),
            base_dir,
        ),
        None => BTreeMap::new(),
    };
    let local = (!ship_map.contains_key(ships::LOCAL))
        .then(|| ships::local_ship(|name| std::env::var(name).ok()));
    if let Some(Ok(ship)) = &local {
        ship_map.insert(ships::LOCAL.to_string(), ship.clone());
    }
    let ctx = Context {
        base_dir,
        schema,
        ships: &ship_map,
        local_error: local.as_ref().and_then(|l| l.as_ref().err()).cloned(),
    };
    let mut built = match top.some("services") {
        Some((n, _)) => services::services(&mut diags, n, &ctx),
        None => services::Built::default(),
    };
    if local.is_some() && !built.containers.values().any(|c| c.ship == ships::LOCAL) {
        ship_map.remove(ships::LOCAL);
    }
    let audit = top
        .some("audit")
        .map(|(n, _)| audit::auditors(&mut diags, n))
        .unwrap_or_default();
    let plugins = top
        .some("plugins")
        .map(|(n, _)| super::plugins::plugins(&mut diags, n, base_dir))
        .unwrap_or_default();
    check_references(&mut diags, &mut built);
    check_cycles(&mut diags, &built);
    diags.errors.sort_by_key(|d| d.pos);
    diags.warnings.sort_by_key(|d| d.pos);
    if !diags.errors.is_empty() {
        return Err(diags);
    }
    let environment = Environment {
        name: name.unwrap_or_default(),
        file: file.to_string(),
        base_dir: base_dir.to_path_buf(),
        schema,
        registries,
        ships: ship_map,
        services: built.services,
        containers: built.containers,
        audit,
        plugins,
    };
    Ok(Validated {
        environment,
        warnings: diags.warnings,
    })
}

/// `__maestro.schema`: MaestroNG treats anything but `1` (and its absence) as schema 2.
fn schema(doc: &Node) -> u8 {
    match doc.get("__maestro").and_then(|m| m.get("schema")) {
        None => 1,
        Some(Node {
            value: Value::Int(1),
            ..
        }) => 1,
        Some(_) => 2,
    }
}

/// Checks `requires`, `wants_info` and `volumes_from` targets; `volumes_from` adds an
/// ordering dependency on the source's service.
fn check_references(diags: &mut Diagnostics, built: &mut services::Built) {
    for r in &built.references {
        match r.kind {
            ReferenceKind::Requires | ReferenceKind::WantsInfo => {
                if !built.services.contains_key(&r.target) {
                    let what = if r.kind == ReferenceKind::Requires {
                        "requires"
                    } else {
                        "wants_info"
                    };
                    let hint = if built.containers.contains_key(&r.target) {
                        " (that is a container: name its service)".to_string()
                    } else {
                        super::suggest::did_you_mean(
                            &r.target,
                            built.services.keys().map(String::as_str),
                        )
                    };
                    diags.error(
                        r.pos,
                        &r.path,
                        format!("{what} unknown service {:?}{hint}", r.target),
                    );
                }
            }
            ReferenceKind::VolumesFrom => {
                let Some(source) = built.containers.get(&r.target) else {
                    let hint = super::suggest::did_you_mean(
                        &r.target,
                        built.containers.keys().map(String::as_str),
                    );
                    diags.error(
                        r.pos,
                        &r.path,
                        format!("unknown container {:?} to get volumes from{hint}", r.target),
                    );
                    continue;
                };
                let Some(user) = built.containers.get(&r.from) else {
                    continue;
                };
                if source.ship != user.ship {
                    diags.error(
                        r.pos,
                        &r.path,
                        format!(
                            "{} (on {}) and {} (on {}) must be on the same ship for volumes_from",
                            source.name, source.ship, user.name, user.ship
                        ),
                    );
                }
                let shared: Vec<&str> = source
                    .volume_targets()
                    .intersection(&user.volume_targets())
                    .copied()
                    .collect();
                if !shared.is_empty() {
                    diags.error(
                        r.pos,
                        &r.path,
                        format!(
                            "volume conflicts between {} and {}: {}",
                            user.name,
                            source.name,
                            shared.join(", ")
                        ),
                    );
                }
                let (source_service, user_service) = (source.service.clone(), user.service.clone());
                if source_service != user_service
                    && let Some(service) = built.services.get_mut(&user_service)
                {
                    service.dependencies.insert(source_service);
                }
            }
        }
    }
}

/// Reports every dependency cycle once, with its whole path.
fn check_cycles(diags: &mut Diagnostics, built: &services::Built) {
    let graph: BTreeMap<&str, Vec<&str>> = built
        .services
        .iter()
        .map(|(name, s)| {
            (
                name.as_str(),
                s.dependencies
                    .iter()
                    .map(String::as_str)
                    .filter(|d| built.services.contains_key(*d))
                    .collect(),
            )
        })
        .collect();
    let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
    for cycle in crate::planner::graph::cycles(&graph) {
        let mut key = cycle.clone();
        key.sort_unstable();
        if !reported.insert(key) {
            continue;
        }
        let (from, to) = (cycle[0], cycle.get(1).copied().unwrap_or(cycle[0]));
        let place = built
            .references
            .iter()
            .find(|r| r.from == from && r.target == to && r.kind == ReferenceKind::Requires)
            .map(|r| (r.pos, r.path.clone()))
            .unwrap_or((Pos::default(), format!("services.{from}")));
        let mut path: Vec<&str> = cycle.clone();
        path.push(cycle[0]);
        diags.error(
            place.0,
            &place.1,
            format!("dependency cycle: {}", path.join(" -> ")),
        );
    }
}
