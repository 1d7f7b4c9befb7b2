//! `maestro dump [-c] [thing…]`: the environment and every selected container (with its
//! dependencies) as one JSON document on stdout: each container's `env` is what it gets,
//! env generators' variables included (their plugins are run). Secrets are redacted.

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
    let generators = Generators::load(cli, environment)?;
    for name in &play.containers {
        let Some(container) = environment.containers.get(name) else {
            continue;
        };
        let mut entry = serde_json::to_value(container).unwrap_or(Value::Null);
        if let Value::Object(fields) = &mut entry {
            let mut generated = generator.generate(container);
            for note in generators.apply(environment, container, &mut generated)? {
                printer.note(&note);
            }
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
    redact_userinfo(&mut document);
    if printer.json {
        printer.json_line(&crate::output::json::event("dump", document));
        return Ok(());
    }
    let text = serde_json::to_string_pretty(&document).unwrap_or_default();
    printer.out(&format!("{text}\n"));
    Ok(())
}

/// The env generators' plugins, loaded only when a service has some, and a runtime to
/// run them on.
struct Generators {
    loaded: Option<(crate::checks::Plugins, tokio::runtime::Runtime)>,
}

impl Generators {
    fn load(cli: &Cli, environment: &crate::model::Environment) -> Result<Generators, Failure> {
        if environment
            .services
            .values()
            .all(|s| s.env_generators.is_empty())
        {
            return Ok(Generators { loaded: None });
        }
        let host = crate::plugin::Host::with_user_cache().map_err(Failure::failed)?;
        let search = crate::checks::search_path(environment, &cli.plugin_dirs);
        let plugins = crate::checks::prepare(&host, environment, &search)
            .map_err(|errors| Failure::invalid(errors.join("\n")))?;
        Ok(Generators {
            loaded: Some((plugins, super::docker::runtime()?)),
        })
    }

    /// Adds `container`'s generated variables to `env`; the notes the generators left.
    fn apply(
        &self,
        environment: &crate::model::Environment,
        container: &crate::model::Container,
        env: &mut crate::model::EnvMap,
    ) -> Result<Vec<String>, Failure> {
        let Some((plugins, runtime)) = &self.loaded else {
            return Ok(Vec::new());
        };
        runtime
            .block_on(crate::providers::generate_env(
                plugins,
                environment,
                container,
                env,
            ))
            .map_err(Failure::failed)
    }
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

/// Replaces the password (or the lone token) of every URL's userinfo in `value`
/// (`https://user:pw@host` → `https://user:<redacted>@host`), wherever it is written.
fn redact_userinfo(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Some(redacted) = without_secret(text) {
                *text = redacted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_userinfo),
        Value::Object(fields) => fields.values_mut().for_each(redact_userinfo),
        _ => {}
    }
}

/// `text` with its URL userinfo's secret replaced, when it has one.
fn without_secret(text: &str) -> Option<String> {
    let (scheme, rest) = text.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (userinfo, host) = rest[..authority_end].rsplit_once('@')?;
    let user = match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:<redacted>"),
        None => "<redacted>".to_string(),
    };
    Some(format!(
        "{scheme}://{user}@{host}{}",
        &rest[authority_end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::without_secret;

    #[test]
    fn url_secrets_are_redacted() {
        assert_eq!(
            without_secret("http://user:pw@reg.local:5000/v2").as_deref(),
            Some("http://user:<redacted>@reg.local:5000/v2")
        );
        assert_eq!(
            without_secret("https://TOKEN@hooks.example/x?y=1").as_deref(),
            Some("https://<redacted>@hooks.example/x?y=1")
        );
        assert_eq!(without_secret("https://reg.local/v2"), None);
        assert_eq!(without_secret("user@example.com"), None);
    }
}
