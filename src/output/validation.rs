//! `validate`'s answer for people (a one-line summary of a valid file; problems go out as
//! errors) and for scripts (the `validate` event: valid or not, every problem and
//! warning with its place, and a summary).

use crate::config::Diagnostic;
use crate::model::Environment;
use serde_json::{Value, json};

/// What `validate` found in one file.
pub enum Validation<'a> {
    /// Valid: the environment, and its warnings.
    Valid {
        environment: &'a Environment,
        warnings: &'a [Diagnostic],
    },
    /// Problems with their places (`plugins`: the plugins that cannot be loaded, each a
    /// located message).
    Invalid {
        errors: &'a [Diagnostic],
        warnings: &'a [Diagnostic],
        plugins: &'a [String],
    },
    /// The file could not be read, rendered or parsed.
    Unreadable { file: &'a str, message: String },
}

/// `FILE: valid environment "NAME": N services, N containers on N ships`.
pub fn summary_line(environment: &Environment) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let (services, containers, ships) = (
        environment.services.len(),
        environment.containers.len(),
        environment.ships.len(),
    );
    format!(
        "{}: valid environment {:?}: {services} service{}, {containers} container{} on {ships} ship{}\n",
        super::text::inert(&environment.file),
        environment.name,
        plural(services),
        plural(containers),
        plural(ships),
    )
}

/// The `validate` event.
pub fn json(validation: &Validation) -> Value {
    let (valid, errors, warnings, summary) = match validation {
        Validation::Valid {
            environment,
            warnings,
        } => (
            true,
            Vec::new(),
            warnings.iter().map(diagnostic).collect(),
            json!({
                "name": environment.name,
                "services": environment.services.len(),
                "containers": environment.containers.len(),
                "ships": environment.ships.len(),
            }),
        ),
        Validation::Invalid {
            errors,
            warnings,
            plugins,
        } => (
            false,
            errors
                .iter()
                .map(diagnostic)
                .chain(plugins.iter().map(|e| json!({"message": e})))
                .collect(),
            warnings.iter().map(diagnostic).collect(),
            Value::Null,
        ),
        Validation::Unreadable { file, message } => (
            false,
            vec![json!({"file": file, "message": message})],
            Vec::new(),
            Value::Null,
        ),
    };
    super::json::event(
        "validate",
        json!({"valid": valid, "errors": errors, "warnings": warnings, "summary": summary}),
    )
}

fn diagnostic(d: &Diagnostic) -> Value {
    json!({"file": d.file, "line": d.pos.line, "column": d.pos.col, "path": d.path, "message": d.message})
}
