//! Bringing a container up and down: `start` (checked, created afresh, watched for
//! an early exit), `stop`/`kill` (with their checks) and `restart` (stop then start,
//! in dependency order so that dependents meet the new dependency).

use super::{image_column, maintain, now, time_ago};
use crate::docker::{ShipClient, create_spec};
use crate::engine::{Engine, Finished, Phase, TaskError};
use crate::model::{Container, LifecycleState};
use futures_util::StreamExt;
use std::time::Duration;

/// How long after its start request a container with no running checks is watched:
/// one that exits within it failed to start (all containers of a level wait it at once).
const START_GRACE: Duration = Duration::from_millis(250);
/// And at least this long after the daemon answered the start: long enough for a busy
/// daemon to report an exit that follows at once (on a busy daemon the start call alone
/// can take longer than `START_GRACE`).
const START_WATCH_MIN: Duration = Duration::from_millis(150);

/// How many lines of a failed container's output the error shows.
const FAILURE_LOG_LINES: u64 = 10;

pub async fn start(engine: &Engine, c: &Container) -> Result<Finished, TaskError> {
    start_with(engine, c, engine.options.refresh).await
}

/// `start`, pulling the image first when `refresh` (else only when the ship lacks it).
async fn start_with(engine: &Engine, c: &Container, refresh: bool) -> Result<Finished, TaskError> {
    let ship = engine.ship(c)?;
    engine.say(&c.name, None, "checking service...");
    let observed = ship
        .inspect(&c.name)
        .await
        .map_err(|e| TaskError::docker("inspect", e))?;
    engine.owned(observed.as_ref())?;
    let env = engine.container_env(c).await?;
    let spec = create_spec(&engine.environment.name, c, &env);
    if let Some(o) = observed.as_ref().filter(|o| o.running) {
        let mut detail = format!("up{}", time_ago(o.started_at, now()));
        if o.config_hash
            .as_deref()
            .is_some_and(|h| h != spec.config_hash)
        {
            detail.push_str(" (its configuration changed: `restart` applies it)");
        }
        engine.say(&c.name, Some(image_column(c, Some(&o.id))), "");
        return Ok(Finished::unchanged(detail));
    }
    engine
        .checks(c, &env, LifecycleState::PreStart, &None, None)
        .await?;
    let reuse = engine.options.reuse && observed.is_some();
    let id = match &observed {
        Some(o) if reuse => o.id.clone(),
        _ => {
            if let Some(o) = &observed {
                engine.say(
                    &c.name,
                    None,
                    format!("removing container {}...", o.short_id()),
                );
                ship.remove(&c.name, false)
                    .await
                    .map_err(|e| TaskError::docker("remove the old container", e))?;
            }
            maintain::pull(engine, c, refresh).await?;
            engine.say(
                &c.name,
                None,
                format!("creating container from {}...", c.image.short()),
            );
            ship.create(&c.name, &spec)
                .await
                .map_err(|e| TaskError::docker("create", e))?
        }
    };
    let short = crate::docker::short_id(&id).to_string();
    let image = Some(image_column(c, Some(&id)));
    if engine.halt.is_interrupted() {
        return undo(ship, c, reuse, "interrupted before its start").await;
    }
    engine.say(
        &c.name,
        image.clone(),
        format!("starting container {short}..."),
    );
    let start_sent = tokio::time::Instant::now();
    if let Err(e) = ship.start(&c.name).await {
        if !reuse {
            let _ = ship.remove(&c.name, true).await;
        }
        return Err(TaskError::docker("start", e));
    }
    engine.say(&c.name, image.clone(), "waiting for service...");
    let has_running_checks = c
        .lifecycle
        .get(&LifecycleState::Running)
        .is_some_and(|v| !v.is_empty());
    let exited = if has_running_checks {
        // The container's own address, for checks of a loopback ship.
        let address = ship
            .inspect(&c.name)
            .await
            .ok()
            .flatten()
            .and_then(|o| o.address);
        tokio::select! {
            checked = engine.checks(c, &env, LifecycleState::Running, &image, address) => {
                checked?;
                None
            }
            code = ship.exited_within(&c.name, Duration::MAX) => code,
        }
    } else {
        let watch = START_GRACE
            .saturating_sub(start_sent.elapsed())
            .max(START_WATCH_MIN);
        ship.exited_within(&c.name, watch).await
    };
    if let Some(code) = exited {
        let output = last_output(ship, &c.name).await;
        let when = if has_running_checks {
            "before its running checks passed"
        } else {
            "at once"
        };
        return Err(TaskError::new(
            "start",
            format!("the container exited {when} with code {code}{output}"),
        ));
    }
    Ok(Finished::done("started"))
}

/// Removes a container this task created when the play is interrupted before it
/// could start: no half-created container is left behind.
async fn undo(
    ship: &ShipClient,
    c: &Container,
    reused: bool,
    why: &str,
) -> Result<Finished, TaskError> {
    if reused {
        return Ok(Finished {
            phase: Phase::Aborted,
            detail: format!("aborted: {why}"),
        });
    }
    ship.remove(&c.name, true)
        .await
        .map_err(|e| TaskError::docker("remove the unstarted container", e))?;
    Ok(Finished {
        phase: Phase::Aborted,
        detail: format!("aborted: {why}; the new container was removed"),
    })
}

/// The last lines a container wrote, indented under the error, if any.
async fn last_output(ship: &ShipClient, name: &str) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut logs) = ship.logs(name, Some(FAILURE_LOG_LINES), false, 0).await {
        while let Some(Ok(chunk)) = logs.next().await {
            bytes.extend(chunk);
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("; its last output:");
    for line in lines {
        out.push_str("\n    ");
        out.push_str(line);
    }
    out
}

/// `stop` (pre-stop checks, `docker stop -t stop_timeout`, stopped checks) or
/// `kill` (SIGKILL, stopped checks).
pub async fn stop(engine: &Engine, c: &Container, kill: bool) -> Result<Finished, TaskError> {
    let ship = engine.ship(c)?;
    engine.say(&c.name, None, "checking container...");
    let observed = ship
        .inspect(&c.name)
        .await
        .map_err(|e| TaskError::docker("inspect", e))?;
    engine.owned(observed.as_ref())?;
    let Some(o) = observed.filter(|o| o.running) else {
        return Ok(Finished::unchanged("down"));
    };
    let image = Some(image_column(c, Some(&o.id)));
    let needs_env = [LifecycleState::PreStop, LifecycleState::Stopped]
        .iter()
        .any(|s| c.lifecycle.get(s).is_some_and(|v| !v.is_empty()));
    let env = if needs_env {
        engine.container_env(c).await?
    } else {
        Default::default()
    };
    if kill {
        engine.say(&c.name, image.clone(), "killing the service...");
        ship.kill(&c.name)
            .await
            .map_err(|e| TaskError::docker("kill", e))?;
    } else {
        engine
            .checks(c, &env, LifecycleState::PreStop, &image, o.address)
            .await?;
        engine.say(&c.name, image.clone(), "stopping service...");
        ship.stop(&c.name, c.stop_timeout)
            .await
            .map_err(|e| TaskError::docker("stop", e))?;
    }
    engine
        .checks(c, &env, LifecycleState::Stopped, &image, None)
        .await?;
    Ok(Finished::done(if kill { "killed" } else { "stopped" }))
}

/// Stop then start one container; with `--only-if-changed`, only when its image or
/// configuration differs from what is configured.
pub async fn restart(engine: &Engine, c: &Container) -> Result<Finished, TaskError> {
    let ship = engine.ship(c)?;
    if engine.options.only_if_changed {
        if engine.options.refresh {
            maintain::pull(engine, c, true).await?;
        }
        engine.say(&c.name, None, "checking service...");
        let observed = ship
            .inspect(&c.name)
            .await
            .map_err(|e| TaskError::docker("inspect", e))?;
        if let Some(o) = observed.filter(|o| o.running) {
            let image_id = ship
                .image_id(&c.image.full)
                .await
                .map_err(|e| TaskError::docker("inspect the image", e))?;
            let env = engine.container_env(c).await?;
            let hash = create_spec(&engine.environment.name, c, &env).config_hash;
            let same_image = image_id.as_deref() == Some(o.image_id.as_str());
            if same_image && o.config_hash.as_deref() == Some(hash.as_str()) {
                engine.say(&c.name, Some(image_column(c, Some(&o.id))), "");
                return Ok(Finished::unchanged("up to date"));
            }
        }
    }
    let delay = engine.options.step_delay;
    if !delay.is_zero() && engine.first.as_deref() != Some(c.name.as_str()) {
        engine.say(
            &c.name,
            None,
            format!("waiting {}s before restart...", delay.as_secs()),
        );
        interruptible_sleep(engine, delay).await?;
    }
    stop(engine, c, false).await?;
    let delay = engine.options.stop_start_delay;
    if !delay.is_zero() {
        engine.say(
            &c.name,
            None,
            format!("waiting {}s before starting...", delay.as_secs()),
        );
        interruptible_sleep(engine, delay).await?;
    }
    // With --only-if-changed, -r already pulled above.
    start_with(
        engine,
        c,
        engine.options.refresh && !engine.options.only_if_changed,
    )
    .await
}

async fn interruptible_sleep(engine: &Engine, delay: Duration) -> Result<(), TaskError> {
    tokio::select! {
        () = tokio::time::sleep(delay) => Ok(()),
        () = engine.halt.interrupted() => Err(TaskError::new("wait", "interrupted")),
    }
}
