//! One function per command: load what it needs, call the pure parts, hand results to
//! the printer. No logic of its own beyond wiring.

mod complete;
mod docker;
mod dump;
mod guest;
mod interrupt;
mod logs;
mod plugins;
mod validate;

use crate::cli::{Cli, Command, Concurrency, Expand, Filters, Refresh, Things};
use crate::engine::Options;
use crate::model::Environment;
use crate::output::Printer;
use crate::planner::{self, Action, Request};
use crate::{Failure, config};
use docker::Invocation;
use std::time::Duration;

pub use complete::{candidates, script};

pub fn dispatch(cli: &Cli, printer: &Printer) -> Result<(), Failure> {
    match &cli.command {
        Command::Validate => validate::run(cli, printer),
        Command::Deptree(args) => {
            let env = load(cli, printer)?;
            let trees = planner::deptree::trees(&env, &args.things.things, args.recursive)?;
            if printer.json {
                printer.json_line(&crate::output::deptree::json(&env));
                return Ok(());
            }
            print(printer, &crate::output::deptree::text(&trees))
        }
        Command::Dump(args) => dump::run(cli, printer, &args.things.things, args.config),
        Command::Complete(args) => complete::run(cli, printer, &args.tokens),
        Command::Completion(args) => print(printer, script(args.shell)),
        Command::Guest(args) => guest::run(&args.function, printer),
        Command::Plugins(args) => plugins::run(cli, printer, &args.command),
        Command::Version if printer.json => {
            printer.json_line(&crate::output::version::json());
            Ok(())
        }
        Command::Version => print(printer, &crate::output::version::text()),
        Command::Man(args) => match crate::output::version::manual(args.command.as_deref()) {
            Some(page) => print(printer, &page),
            None => {
                let name = args.command.as_deref().unwrap_or_default();
                let commands = <Cli as clap::CommandFactory>::command();
                let known = commands.get_subcommands().map(|c| c.get_name());
                Err(Failure::invalid(format!(
                    "`{name}` is not a maestro command{}",
                    config::suggest::did_you_mean(name, known)
                )))
            }
        },
        Command::Status(a) => docker::run(
            cli,
            printer,
            Invocation {
                show_hosts: a.show_hosts,
                options: Options {
                    full: a.full,
                    ..Options::default()
                },
                ..invocation(Action::Status, &a.things, &a.concurrency, &a.filters, None)
            },
        ),
        Command::Start(a) => docker::run(
            cli,
            printer,
            Invocation {
                options: refresh(&a.refresh),
                ..invocation(Action::Start, &a.things, &a.concurrency, &a.filters, None)
            },
        ),
        Command::Stop(a) => docker::run(
            cli,
            printer,
            invocation(
                Action::Stop,
                &a.things,
                &a.concurrency,
                &a.filters,
                Some(&a.expand),
            ),
        ),
        Command::Kill(a) => docker::run(
            cli,
            printer,
            invocation(
                Action::Kill,
                &a.things,
                &a.concurrency,
                &a.filters,
                Some(&a.expand),
            ),
        ),
        Command::Restart(a) => docker::run(
            cli,
            printer,
            Invocation {
                options: Options {
                    step_delay: Duration::from_secs(a.step_delay),
                    stop_start_delay: Duration::from_secs(a.stop_start_delay),
                    only_if_changed: a.only_if_changed,
                    ..refresh(&a.refresh)
                },
                ..invocation(
                    Action::Restart,
                    &a.things,
                    &a.concurrency,
                    &a.filters,
                    Some(&a.expand),
                )
            },
        ),
        Command::Pull(a) => docker::run(
            cli,
            printer,
            invocation(Action::Pull, &a.things, &a.concurrency, &a.filters, None),
        ),
        Command::Clean(a) => docker::run(
            cli,
            printer,
            invocation(Action::Clean, &a.things, &a.concurrency, &a.filters, None),
        ),
        Command::Logs(a) => logs::run(cli, printer, a),
    }
}

/// Loads the environment file, printing its warnings.
fn load(cli: &Cli, printer: &Printer) -> Result<Environment, Failure> {
    let validated = load_checked(cli)?;
    for warning in &validated.warnings {
        printer.warning(warning);
    }
    Ok(validated.environment)
}

/// `config::load`, plus — when the file has problems — the plugins it names that cannot
/// be found, so that one round reports them all (`prepare` finds them otherwise).
fn load_checked(cli: &Cli) -> Result<config::Validated, config::LoadError> {
    let source = config::read_source(&cli.file)?;
    config::load_source(&source, &config::process_vars()).map_err(|error| match error {
        config::LoadError::Invalid {
            file,
            mut errors,
            warnings,
            named_plugins,
        } => {
            let search = crate::checks::search_path_in(&source.base_dir, &cli.plugin_dirs);
            errors.extend(crate::checks::missing(&named_plugins, &search, &file));
            errors.sort_by_key(|d| d.pos);
            config::LoadError::Invalid {
                file,
                errors,
                warnings,
                named_plugins,
            }
        }
        other => other,
    })
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

fn invocation(
    action: Action,
    things: &Things,
    concurrency: &Concurrency,
    filters: &Filters,
    expand: Option<&Expand>,
) -> Invocation {
    Invocation {
        action,
        request: request(things, concurrency, filters, expand),
        limit: concurrency.limit,
        options: Options::default(),
        show_hosts: false,
    }
}

fn refresh(refresh: &Refresh) -> Options {
    Options {
        refresh: refresh.refresh_images,
        reuse: refresh.reuse,
        adopt: refresh.adopt,
        ..Options::default()
    }
}
