//! One function per command: load what it needs, call the pure parts, hand results to
//! the printer. No logic of its own beyond wiring.

mod complete;
mod dump;
mod guest;
mod plugins;
mod validate;

use crate::cli::{Cli, Command, Concurrency, Expand, Filters, Things};
use crate::model::Environment;
use crate::output::Printer;
use crate::planner::{self, Action, Request};
use crate::{Failure, config};

pub use complete::{candidates, script};

pub fn dispatch(cli: &Cli, printer: &Printer) -> Result<(), Failure> {
    match &cli.command {
        Command::Validate => validate::run(cli, printer),
        Command::Deptree(args) => {
            let env = load(cli, printer)?;
            let text = planner::deptree::render(&env, &args.things.things, args.recursive)?;
            print(printer, &text)
        }
        Command::Dump(args) => dump::run(cli, printer, &args.things.things, args.config),
        Command::Complete(args) => complete::run(cli, printer, &args.tokens),
        Command::Completion(args) => print(printer, script(args.shell)),
        Command::Guest(args) => guest::run(&args.function, printer),
        Command::Plugins(args) => plugins::run(cli, printer, &args.command),
        Command::Status(a) => docker(
            cli,
            printer,
            Action::Status,
            request(&a.things, &a.concurrency, &a.filters, None),
        ),
        Command::Start(a) => docker(
            cli,
            printer,
            Action::Start,
            request(&a.things, &a.concurrency, &a.filters, None),
        ),
        Command::Stop(a) => docker(
            cli,
            printer,
            Action::Stop,
            request(&a.things, &a.concurrency, &a.filters, Some(&a.expand)),
        ),
        Command::Kill(a) => docker(
            cli,
            printer,
            Action::Kill,
            request(&a.things, &a.concurrency, &a.filters, Some(&a.expand)),
        ),
        Command::Restart(a) => docker(
            cli,
            printer,
            Action::Restart,
            request(&a.things, &a.concurrency, &a.filters, Some(&a.expand)),
        ),
        Command::Pull(a) => docker(
            cli,
            printer,
            Action::Pull,
            request(&a.things, &a.concurrency, &a.filters, None),
        ),
        Command::Clean(a) => docker(
            cli,
            printer,
            Action::Clean,
            request(&a.things, &a.concurrency, &a.filters, None),
        ),
        Command::Logs(a) => {
            let request = Request {
                things: a.things.things.clone(),
                ..Request::default()
            };
            docker(cli, printer, Action::Logs, request)
        }
    }
}

/// Loads the environment file, printing its warnings.
fn load(cli: &Cli, printer: &Printer) -> Result<Environment, Failure> {
    let validated = config::load(&cli.file)?;
    for warning in &validated.warnings {
        printer.warning(warning);
    }
    Ok(validated.environment)
}

/// Prints a result.
fn print(printer: &Printer, text: &str) -> Result<(), Failure> {
    printer.out(text);
    Ok(())
}

fn request(
    things: &Things,
    concurrency: &Concurrency,
    filters: &Filters,
    expand: Option<&Expand>,
) -> Request {
    Request {
        things: things.things.clone(),
        with_dependencies: concurrency.with_dependencies,
        ignore_dependencies: concurrency.ignore_dependencies,
        expand_services: expand.is_some_and(|e| e.expand_services),
        all: expand.is_some_and(|e| e.all),
        container_filter: filters.container_filter.clone(),
        ship_filter: filters.ship_filter.clone(),
    }
}

/// The commands that act on Docker: the environment and the selection are checked
/// exactly as they will be when run.
fn docker(cli: &Cli, printer: &Printer, action: Action, request: Request) -> Result<(), Failure> {
    let env = load(cli, printer)?;
    let selected = planner::select(&env, action, &request)?;
    if action == Action::Logs && selected.len() != 1 {
        return Err(Failure::invalid(
            "logs can only be shown for a single container",
        ));
    }
    Err(Failure::failed(format!(
        "`{}` acts on Docker daemons, which this build of maestro cannot reach yet ({} container{} selected)",
        action.name(),
        selected.len(),
        if selected.len() == 1 { "" } else { "s" }
    )))
}
