//! The commands that act on Docker: plan the play, load the plugins it needs, run it
//! against the fleet with the live table, and turn its outcome into an exit code.

use crate::Failure;
use crate::checks::{names_plugins, prepare, search_path};
use crate::cli::Cli;
use crate::docker::Fleet;
use crate::engine::{Engine, Halt, Options, Row, run_play, run_task};
use crate::model::Environment;
use crate::output::Printer;
use crate::output::table::TableReporter;
use crate::planner::{self, Action, Request};
use crate::plugin::Host;
use std::sync::{Arc, Mutex};

/// What one Docker command asks for.
pub struct Invocation {
    pub action: Action,
    pub request: Request,
    pub limit: Option<u32>,
    pub options: Options,
    /// `status -H`: ship addresses instead of names.
    pub show_hosts: bool,
}

/// Exit code of an interrupted command (128 + SIGINT), as shells expect.
const INTERRUPTED: u8 = 130;

pub fn run(cli: &Cli, printer: &Printer, invocation: Invocation) -> Result<(), Failure> {
    let env = super::load(cli, printer)?;
    let selected = planner::select(&env, invocation.action, &invocation.request)?;
    let play = planner::plan(
        &env,
        invocation.action,
        &selected,
        invocation.request.ignore_dependencies,
    );
    let plugins = if needs_plugins(invocation.action) && names_plugins(&env) {
        let host = Host::with_user_cache().map_err(Failure::failed)?;
        let loaded = prepare(&host, &env, &search_path(&env, &cli.plugin_dirs))
            .map_err(|errors| Failure::invalid(errors.join("\n")))?;
        Some(Arc::new(loaded))
    } else {
        None
    };
    let rows = rows(&env, &invocation, &play.containers);
    let reporter = Arc::new(TableReporter::new(printer.table_style()));
    let halt = Arc::new(Halt::default());
    let engine = Arc::new(Engine {
        fleet: Fleet::new(&env),
        environment: Arc::new(env),
        plugins,
        reporter: reporter.clone(),
        halt: halt.clone(),
        action: invocation.action,
        options: invocation.options,
        first: play.containers.first().cloned(),
        notes: Mutex::new(Vec::new()),
        images: Mutex::default(),
    });
    let runtime = runtime()?;
    let outcome = runtime.block_on(async {
        use crate::engine::Reporter;
        reporter.begin(invocation.action.name(), &rows);
        let on_signal = halt.clone();
        let signals = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_signal.interrupt();
            }
        });
        let task_engine = engine.clone();
        let outcome = run_play(
            &play,
            invocation.limit,
            halts_on_failure(invocation.action),
            halt.clone(),
            reporter.clone(),
            move |name| run_task(task_engine.clone(), name),
        )
        .await;
        signals.abort();
        reporter.end();
        outcome
    });
    let notes = std::mem::take(&mut *engine.notes.lock().unwrap_or_else(|p| p.into_inner()));
    for note in notes {
        printer.note(&note);
    }
    let ship_of = |name: &str| {
        engine
            .environment
            .containers
            .get(name)
            .map_or("?", |c| c.ship.as_str())
            .to_string()
    };
    if printer.json {
        let failures: Vec<serde_json::Value> = outcome
            .failures
            .iter()
            .map(|(c, e)| serde_json::json!({"container": c, "ship": ship_of(c), "step": e.step, "message": e.message}))
            .collect();
        printer.json_line(&serde_json::json!({
            "event": "result",
            "ok": outcome.failures.is_empty() && !outcome.interrupted,
            "failures": failures,
            "aborted": outcome.aborted,
            "interrupted": outcome.interrupted,
        }));
    }
    let mut lines: Vec<String> = outcome
        .failures
        .iter()
        .map(|(c, e)| {
            format!(
                "container `{c}` (ship `{}`) failed to {}: {}",
                ship_of(c),
                e.step,
                e.message
            )
        })
        .collect();
    if outcome.interrupted {
        lines.push(format!(
            "interrupted: {} container{} not acted on",
            outcome.aborted.len(),
            if outcome.aborted.len() == 1 { "" } else { "s" }
        ));
        return Err(Failure {
            code: INTERRUPTED,
            message: lines.join("\n"),
        });
    }
    if !lines.is_empty() {
        if !outcome.aborted.is_empty() {
            lines.push(format!(
                "not run because of that: {}",
                outcome.aborted.join(", ")
            ));
        }
        return Err(Failure::failed(lines.join("\n")));
    }
    Ok(())
}

/// The actions whose tasks may run plugins (checks, env generators, auth providers).
fn needs_plugins(action: Action) -> bool {
    matches!(
        action,
        Action::Start | Action::Stop | Action::Kill | Action::Restart | Action::Pull
    )
}

/// Bringing things up stops at the first failure (dependents must not start);
/// stopping, cleaning, pulling and status go on and report every failure.
fn halts_on_failure(action: Action) -> bool {
    matches!(action, Action::Start | Action::Restart)
}

/// The table's rows: numbered in play order, descending for stop and kill as
/// MaestroNG numbers them.
fn rows(env: &Environment, invocation: &Invocation, containers: &[String]) -> Vec<Row> {
    let descending = matches!(invocation.action, Action::Stop | Action::Kill);
    containers
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let c = &env.containers[name];
            let ship = if invocation.show_hosts {
                match env.ships.get(&c.ship) {
                    Some(s) if s.ssh_tunnel.is_some() => format!("{} (ssh)", s.ip),
                    Some(s) => s.ip.clone(),
                    None => c.ship.clone(),
                }
            } else {
                c.ship.clone()
            };
            Row {
                number: if descending {
                    containers.len() - i
                } else {
                    i + 1
                },
                container: name.clone(),
                service: c.service.clone(),
                ship,
            }
        })
        .collect()
}

pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("cannot start the async runtime: {e}")))
}

/// Loads the environment for `logs` and checks that one container is named.
pub fn logs_target(
    cli: &Cli,
    printer: &Printer,
    request: &Request,
) -> Result<(Environment, String), Failure> {
    let env = super::load(cli, printer)?;
    let selected = planner::select(&env, Action::Logs, request)?;
    if selected.len() != 1 {
        return Err(Failure::invalid(
            "logs can only be shown for a single container",
        ));
    }
    let name = selected.into_iter().next().unwrap_or_default();
    Ok((env, name))
}
