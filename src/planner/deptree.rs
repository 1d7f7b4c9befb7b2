//! `deptree`: the dependency tree of services, in MaestroNG's text format.

use super::PlanError;
use crate::model::Environment;
use std::collections::BTreeSet;

/// Renders the trees of the named services (containers stand for their service; no
/// names means every service). Without `recursive`, a dependency already shown in a
/// service's tree is not shown again.
pub fn render(env: &Environment, things: &[String], recursive: bool) -> Result<String, PlanError> {
    let mut roots = BTreeSet::new();
    if things.is_empty() {
        roots.extend(env.services.keys().map(String::as_str));
    }
    for thing in things {
        if let Some(container) = env.containers.get(thing) {
            roots.insert(container.service.as_str());
        } else if env.services.contains_key(thing) {
            roots.insert(thing.as_str());
        } else {
            return Err(PlanError::Unknown(thing.clone()));
        }
    }
    let trees: Vec<String> = roots
        .into_iter()
        .map(|root| {
            let mut out = format!("{root}\n");
            let mut seen = BTreeSet::from([root]);
            children(env, root, " ", recursive, &mut seen, &mut out);
            out
        })
        .collect();
    Ok(trees.join("\n"))
}

fn children<'e>(
    env: &'e Environment,
    service: &str,
    prefix: &str,
    recursive: bool,
    seen: &mut BTreeSet<&'e str>,
    out: &mut String,
) {
    let Some(s) = env.services.get(service) else {
        return;
    };
    let deps: Vec<&str> = s
        .dependencies
        .iter()
        .map(String::as_str)
        .filter(|d| recursive || !seen.contains(d))
        .collect();
    seen.extend(deps.iter().copied());
    for (i, dep) in deps.iter().enumerate() {
        let last = i + 1 == deps.len();
        out.push_str(&format!(
            "{prefix}{}- {dep}\n",
            if last { '\\' } else { '+' }
        ));
        let next = format!("{prefix}{}", if last { "  " } else { "|  " });
        children(env, dep, &next, recursive, seen, out);
    }
}
