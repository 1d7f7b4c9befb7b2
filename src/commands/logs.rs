//! `maestro logs [things]`: the output of one or more containers. Without `-F`, the
//! last lines (`-n`) of each, merged in the order the daemons wrote them; with `-F`,
//! then followed, each container re-attached when it is started again.

use super::docker::runtime;
use crate::Failure;
use crate::cli::{Cli, LogsArgs};
use crate::docker::{Fleet, LogRange, ShipClient, unix_nanos};
use crate::output::Printer;
use crate::output::logs::{LogPrinter, OutputLine};
use crate::planner::{self, Action, Request};
use std::sync::Arc;
use tokio::sync::mpsc;

pub fn run(cli: &Cli, printer: &Printer, args: &LogsArgs) -> Result<(), Failure> {
    let request = Request {
        things: args.things.things.clone(),
        ..Request::default()
    };
    let env = super::load(cli, printer)?;
    let selected = planner::select(&env, Action::Logs, &request)?;
    // In the order the environment lists them (services, then instances).
    let names: Vec<String> = env
        .services
        .values()
        .flat_map(|s| s.instances.iter())
        .filter(|c| selected.contains(*c))
        .cloned()
        .collect();
    let fleet = Fleet::new(&env);
    let mut targets = Vec::new();
    for name in &names {
        let ship = &env.containers[name].ship;
        let client = fleet
            .ship(ship)
            .ok_or_else(|| Failure::failed(format!("no ship named `{ship}`")))?;
        targets.push((name.clone(), client.clone()));
    }
    let shown = LogPrinter::new(names, args.timestamps, printer);
    let range = LogRange {
        tail: args.lines,
        follow: args.follow,
        since: 0,
    };
    runtime()?.block_on(async move {
        if !args.follow {
            // The lines written so far, merged by the daemons' timestamps.
            let mut past = Vec::new();
            for (name, ship) in &targets {
                let mut keep = |line| {
                    past.push(OutputLine {
                        container: name.clone(),
                        line,
                    });
                    true
                };
                ship.log_lines(name, range, &mut keep)
                    .await
                    .map_err(|e| Failure::failed(e.to_string()))?;
            }
            past.sort_by_key(|l| l.line.time.as_deref().and_then(unix_nanos));
            for line in &past {
                if !shown.print(line) {
                    break;
                }
            }
            return Ok(());
        }
        let (tx, mut rx) = mpsc::unbounded_channel::<Result<OutputLine, Failure>>();
        for (name, ship) in targets {
            tokio::spawn(follow(ship, name, range, tx.clone()));
        }
        drop(tx);
        while let Some(line) = rx.recv().await {
            if !shown.print(&line?) {
                break;
            }
        }
        Ok(())
    })
}

/// Follows `name` (its last `range.tail` lines first), re-attaching whenever it is
/// started again; sends each line as it comes.
async fn follow(
    ship: Arc<ShipClient>,
    name: String,
    mut range: LogRange,
    tx: mpsc::UnboundedSender<Result<OutputLine, Failure>>,
) {
    loop {
        let mut send = |line| {
            let line = OutputLine {
                container: name.clone(),
                line,
            };
            tx.send(Ok(line)).is_ok()
        };
        let read = ship.log_lines(&name, range, &mut send).await;
        if tx.is_closed() {
            return; // nobody reads any more (`maestro logs -F | head`)
        }
        // Stopped: wait for it to be started again, then go on from there.
        let restarted = match read {
            Ok(()) => ship.wait_started(&name).await,
            Err(e) => Err(e),
        };
        if let Err(e) = restarted {
            let _ = tx.send(Err(Failure::failed(e.to_string())));
            return;
        }
        range.since = crate::docker::unix_now() - 1;
        range.tail = None;
    }
}
