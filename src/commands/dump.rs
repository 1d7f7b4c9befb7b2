//! `maestro dump [-c] [thing…]`: the environment and every selected container (with its
//! dependencies) as one JSON document on stdout. Secrets are redacted.

use crate::cli::Cli;
use crate::config;
use crate::output::Printer;
use crate::planner::{self, Action, Request};
use crate::{Failure, env};
use serde_json::{Map, Value, json};

pub fn run(
    cli: &Cli,
    printer: &Printer,
    things: &[String],
    with_config: bool,
) -> Result<(), Failure> {
    let source = config::read_source(&cli.file)?;
    let (doc, validated) = config::load_document(&source, &config::process_vars())?;
    for warning in &validated.warnings {
        printer.warning(warning);
    }
    let environment = &validated.environment;
    let request = Request {
        things: things.to_vec(),
        ..Request::default()
    };
    let selected = planner::select(environment, Action::Dump, &request)?;
    let play = planner::plan(environment, Action::Start, &selected, false);
    let mut containers = Map::new();
    let generator = env::Generator::new(environment);
    for name in &play.containers {
        let Some(container) = environment.containers.get(name) else {
            continue;
        };
        let mut entry = serde_json::to_value(container).unwrap_or(Value::Null);
        if let Value::Object(fields) = &mut entry {
            let generated = generator.generate(container);
            fields.insert("env".into(), json!(generated));
            fields.insert("hostname".into(), json!(container.hostname()));
            fields.insert(
                "binds".into(),
                json!(
                    container
                        .volumes
                        .iter()
                        .map(|v| v.bind())
                        .collect::<Vec<_>>()
                ),
            );
            fields.insert("waits_for".into(), json!(play.waits.get(name)));
        }
        containers.insert(name.clone(), entry);
    }
    let mut document = json!({
        "environment": {
            "name": environment.name,
            "file": environment.file,
            "base_dir": environment.base_dir,
            "schema": environment.schema,
            "ships": environment.ships,
            "registries": environment.registries,
            "services": environment.services,
            "audit": environment.audit,
        },
        "start_order": play.containers,
        "containers": containers,
    });
    if with_config {
        let mut raw = doc.to_json();
        redact(&mut raw);
        if let Value::Object(top) = &mut raw {
            let meta = top.entry("__maestro").or_insert_with(|| json!({}));
            if let Value::Object(meta) = meta {
                meta.insert("base_dir".into(), json!(environment.base_dir));
            }
        }
        document["config"] = raw;
    }
    let text = serde_json::to_string_pretty(&document).unwrap_or_default();
    printer.out(&format!("{text}\n"));
    Ok(())
}

/// Replaces registry passwords in the raw configuration.
fn redact(config: &mut Value) {
    if let Some(Value::Object(registries)) = config.get_mut("registries") {
        for registry in registries.values_mut() {
            if let Some(password) = registry.get_mut("password")
                && !password.is_null()
            {
                *password = json!("<redacted>");
            }
        }
    }
}
