//! `deptree` for people (MaestroNG's text: each root, then its dependencies drawn with
//! `+-`, `\-` and `|`) and for scripts (every service with what it requires).

use crate::model::Environment;
use crate::planner::deptree::Tree;
use serde_json::{Value, json};

/// The trees in MaestroNG's format, a blank line between them.
pub fn text(trees: &[Tree]) -> String {
    let drawn: Vec<String> = trees
        .iter()
        .map(|tree| {
            let mut out = format!("{}\n", super::text::inert(&tree.service));
            branches(&tree.dependencies, " ", &mut out);
            out
        })
        .collect();
    drawn.join("\n")
}

fn branches(dependencies: &[Tree], prefix: &str, out: &mut String) {
    for (i, dep) in dependencies.iter().enumerate() {
        let last = i + 1 == dependencies.len();
        out.push_str(&format!(
            "{prefix}{}- {}\n",
            if last { '\\' } else { '+' },
            super::text::inert(&dep.service)
        ));
        let next = format!("{prefix}{}", if last { "  " } else { "|  " });
        branches(&dep.dependencies, &next, out);
    }
}

/// The `deptree` event: every service with its `requires` and `wants_info`.
pub fn json(env: &Environment) -> Value {
    let services: Vec<Value> = env
        .services
        .values()
        .map(|s| json!({"service": s.name, "requires": s.requires, "wants_info": s.wants_info}))
        .collect();
    super::json::event("deptree", json!({"services": services}))
}
