//! The commands that act on Docker: plan the play, load the plugins it needs, run it
//! against the fleet with the live table, and turn its outcome into an exit code.

use crate::Failure;
use crate::checks::{names_plugins, prepare, search_path};
use crate::cli::Cli;
use crate::docker::Fleet;
use crate::engine::{Engine, Event, Halt, Options, Row, run_play, run_task};
use crate::model::Environment;
use crate::output::Printer;
use crate::output::audit::AuditReporter;
use crate::planner::{self, Action, Request};
use crate::plugin::Host;
use std::collections::HashMap;
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
    let ships: HashMap<String, String> = env
        .containers
        .iter()
        .map(|(name, c)| (name.clone(), c.ship.clone()))
        .collect();
    let audit = AuditReporter::wrap(printer.play_reporter(ships.clone()), &env);
    let reporter: Arc<dyn crate::engine::Reporter> = audit.clone();
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
        left_alone: Mutex::new(Vec::new()),
        images: Mutex::default(),
        links: Default::default(),
    });
    let runtime = runtime()?;
    let (outcome, interrupted_code) = runtime.block_on(async {
        reporter.report(Event::Begin {
            action: invocation.action,
            rows,
        });
        let (interrupts, signals) =
            super::interrupt::watch(halt.clone(), reporter.clone(), *printer)
                .map_err(|e| Failure::failed(format!("cannot listen for signals: {e}")))?;
        let task_engine = engine.clone();
        let mut outcome = run_play(
            &play,
            invocation.limit,
            halts_on_failure(invocation.action),
            halt.clone(),
            reporter.clone(),
            move |name| run_task(task_engine.clone(), name),
        )
        .await;
        signals.abort();
        outcome.notes =
            std::mem::take(&mut *engine.notes.lock().unwrap_or_else(|p| p.into_inner()));
        outcome.left_alone =
            std::mem::take(&mut *engine.left_alone.lock().unwrap_or_else(|p| p.into_inner()));
        reporter.report(Event::End(outcome.clone()));
        // Auditors that could not deliver are notes after the table.
        outcome.notes.extend(audit.finish().await);
        Ok::<_, Failure>((outcome, interrupts.exit_code()))
    })?;
    printer.outcome(&outcome, &ships);
    if outcome.interrupted {
        return Err(Failure {
            code: interrupted_code,
            message: String::new(),
        });
    }
    if !outcome.failures.is_empty() {
        return Err(Failure::failed(""));
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
                image: c.image.full.clone(),
                tag: c.image.tag.clone(),
                short_image: c.image.short().to_string(),
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
