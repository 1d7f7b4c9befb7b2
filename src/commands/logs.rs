//! `maestro logs`: a container's output as it wrote it (`-n` last lines); with `-F`,
//! followed, and re-attached when the container is started again.

use super::docker::{logs_target, runtime};
use crate::Failure;
use crate::cli::{Cli, LogsArgs};
use crate::docker::Fleet;
use crate::output::Printer;
use crate::planner::Request;
use futures_util::StreamExt;
use std::io::Write;

pub fn run(cli: &Cli, printer: &Printer, args: &LogsArgs) -> Result<(), Failure> {
    let request = Request {
        things: args.things.things.clone(),
        ..Request::default()
    };
    let (env, name) = logs_target(cli, printer, &request)?;
    let fleet = Fleet::new(&env);
    let container = &env.containers[&name];
    let ship = fleet
        .ship(&container.ship)
        .ok_or_else(|| Failure::failed(format!("no ship named `{}`", container.ship)))?;
    runtime()?.block_on(async {
        let mut tail = args.lines;
        let mut since = 0;
        loop {
            let mut logs = ship
                .logs(&name, tail, args.follow, since)
                .await
                .map_err(|e| Failure::failed(e.to_string()))?;
            while let Some(chunk) = logs.next().await {
                let chunk = chunk.map_err(|e| Failure::failed(e.to_string()))?;
                let mut out = std::io::stdout().lock();
                if out.write_all(&chunk).and_then(|()| out.flush()).is_err() {
                    return Ok(()); // a closed pipe (`maestro logs x | head`)
                }
            }
            if !args.follow {
                return Ok(());
            }
            // Stopped: wait for it to be started again, then go on from there.
            ship.wait_started(&name)
                .await
                .map_err(|e| Failure::failed(e.to_string()))?;
            since = crate::docker::unix_now() - 1;
            tail = None;
        }
    })
}
