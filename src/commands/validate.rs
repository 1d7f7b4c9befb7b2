//! `maestro validate`: check a file and report every problem (exit 0 or 2).

use crate::Failure;
use crate::checks::{names_plugins, prepare, search_path};
use crate::cli::Cli;
use crate::config::LoadError;
use crate::output::Printer;
use crate::output::validation::{self, Validation};
use crate::plugin::Host;

pub fn run(cli: &Cli, printer: &Printer) -> Result<(), Failure> {
    let result = super::load_checked(cli);
    // A valid file whose checks name plugins that cannot be loaded is not valid.
    let plugin_errors = match &result {
        Ok(validated) => check_plugins(cli, &validated.environment),
        Err(_) => Vec::new(),
    };
    if printer.json {
        let found = match &result {
            Ok(v) if plugin_errors.is_empty() => Validation::Valid {
                environment: &v.environment,
                warnings: &v.warnings,
            },
            Ok(v) => Validation::Invalid {
                errors: &[],
                warnings: &v.warnings,
                plugins: &plugin_errors,
            },
            Err(LoadError::Invalid {
                errors, warnings, ..
            }) => Validation::Invalid {
                errors,
                warnings,
                plugins: &[],
            },
            Err(other) => Validation::Unreadable {
                file: &cli.file,
                message: other.to_string(),
            },
        };
        let valid = matches!(found, Validation::Valid { .. });
        printer.json_line(&validation::json(&found));
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
            printer.out(&validation::summary_line(&validated.environment));
            Ok(())
        }
        Err(error) => {
            if let LoadError::Invalid { warnings, .. } = &error {
                for w in warnings {
                    printer.warning(w);
                }
            }
            Err(error.into())
        }
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
