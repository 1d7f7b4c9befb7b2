//! `deptree`: the dependency trees of services, as data (`output::deptree` prints them in
//! MaestroNG's text format).

use super::PlanError;
use crate::model::Environment;
use std::collections::BTreeSet;

/// A service and the services it depends on, each with its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tree {
    pub service: String,
    pub dependencies: Vec<Tree>,
}

/// The trees of the named services (containers stand for their service; no names means
/// every service but the `omit: true` ones), by name. Without `recursive`, a dependency already in a service's
/// tree is not repeated in it.
pub fn trees(
    env: &Environment,
    things: &[String],
    recursive: bool,
) -> Result<Vec<Tree>, PlanError> {
    let mut roots = BTreeSet::new();
    if things.is_empty() {
        // As MaestroNG: `omit: true` services only when named.
        roots.extend(
            env.services
                .values()
                .filter(|s| !s.omit)
                .map(|s| s.name.as_str()),
        );
    }
    for thing in things {
        if let Some(container) = env.containers.get(thing) {
            roots.insert(container.service.as_str());
        } else if env.services.contains_key(thing) {
            roots.insert(thing.as_str());
        } else {
            return Err(PlanError::unknown(env, thing));
        }
    }
    Ok(roots
        .into_iter()
        .map(|root| {
            let mut seen = BTreeSet::from([root]);
            Tree {
                service: root.to_string(),
                dependencies: dependencies(env, root, recursive, &mut seen),
            }
        })
        .collect())
}

fn dependencies<'e>(
    env: &'e Environment,
    service: &str,
    recursive: bool,
    seen: &mut BTreeSet<&'e str>,
) -> Vec<Tree> {
    let Some(s) = env.services.get(service) else {
        return Vec::new();
    };
    let deps: Vec<&str> = s
        .dependencies
        .iter()
        .map(String::as_str)
        .filter(|d| recursive || !seen.contains(d))
        .collect();
    seen.extend(deps.iter().copied());
    deps.into_iter()
        .map(|dep| Tree {
            service: dep.to_string(),
            dependencies: dependencies(env, dep, recursive, seen),
        })
        .collect()
}
