//! `maestro validate`: check a file and report every problem (exit 0 or 2).

use crate::Failure;
use crate::checks::{names_plugins, prepare, search_path};
use crate::cli::Cli;
use crate::config::{self, Diagnostic, LoadError};
use crate::output::Printer;
use crate::plugin::Host;
use serde_json::json;

pub fn run(cli: &Cli, printer: &Printer) -> Result<(), Failure> {
    let result = config::load(&cli.file);
    // A valid file whose checks name plugins that cannot be loaded is not valid.
    let plugin_errors = match &result {
        Ok(validated) => check_plugins(cli, &validated.environment),
        Err(_) => Vec::new(),
    };
    if printer.json {
        let (errors, warnings, summary) = match &result {
            Ok(v) => (
                Vec::new(),
                v.warnings.iter().map(diagnostic_json).collect(),
                summary(&v.environment),
            ),
            Err(LoadError::Invalid {
                errors, warnings, ..
            }) => (
                errors.iter().map(diagnostic_json).collect(),
                warnings.iter().map(diagnostic_json).collect(),
                serde_json::Value::Null,
            ),
            Err(other) => (
                vec![json!({"file": cli.file, "message": other.to_string()})],
                Vec::new(),
                serde_json::Value::Null,
            ),
        };
        let mut errors = errors;
        errors.extend(plugin_errors.iter().map(|e| json!({"message": e})));
        let valid = result.is_ok() && plugin_errors.is_empty();
        printer.json_line(
            &json!({"valid": valid, "errors": errors, "warnings": warnings, "summary": summary}),
        );
        return if valid {
            Ok(())
        } else {
            Err(Failure::invalid(""))
        };
    }
    match result {
        Ok(validated) => {
            for w in &validated.warnings {
                printer.warning(w);
            }
            if !plugin_errors.is_empty() {
                return Err(Failure::invalid(plugin_errors.join("\n")));
            }
            let env = &validated.environment;
            printer.out(&format!(
                "{}: valid environment {:?}: {} service{}, {} container{} on {} ship{}\n",
                env.file,
                env.name,
                env.services.len(),
                plural(env.services.len()),
                env.containers.len(),
                plural(env.containers.len()),
                env.ships.len(),
                plural(env.ships.len()),
            ));
            Ok(())
        }
        Err(LoadError::Invalid {
            file,
            errors,
            warnings,
        }) => {
            for w in &warnings {
                printer.warning(w);
            }
            Err(LoadError::Invalid {
                file,
                errors,
                warnings,
            }
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Loads every plugin the file names, as `start` would; the problems, if any.
fn check_plugins(cli: &Cli, env: &crate::model::Environment) -> Vec<String> {
    if !names_plugins(env) {
        return Vec::new();
    }
    match Host::with_user_cache() {
        Ok(host) => prepare(&host, env, &search_path(env, &cli.plugin_dirs))
            .err()
            .unwrap_or_default(),
        Err(e) => vec![e],
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn summary(env: &crate::model::Environment) -> serde_json::Value {
    json!({"name": env.name, "services": env.services.len(), "containers": env.containers.len(), "ships": env.ships.len()})
}

fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    json!({"file": d.file, "line": d.pos.line, "column": d.pos.col, "path": d.path, "message": d.message})
}
