//! Bringing a container up and down: `start` (checked, created afresh, watched for
//! an early exit), `stop`/`kill` (with their checks) and `restart` (stop then start,
//! in dependency order so that dependents meet the new dependency).

use super::maintain;
use crate::docker::{LogLine, LogRange, Settled, ShipClient, create_spec};
use crate::engine::{AbortReason, Engine, Finished, State, Step, TaskError};
use crate::model::{Container, LifecycleState};
use std::time::Duration;

/// How long a container without running checks must stay up, from its own
/// `StartedAt` on its daemon's clock, to count as started (README: "started").
pub const START_WINDOW: Duration = Duration::from_millis(150);

/// How many lines of a failed container's output the error shows.
const FAILURE_LOG_LINES: u64 = 20;

pub async fn start(engine: &Engine, c: &Container) -> Result<Finished, TaskError> {
    start_with(engine, c, engine.options.refresh).await
}

fn has_checks(c: &Container, state: LifecycleState) -> bool {
    c.lifecycle.get(&state).is_some_and(|v| !v.is_empty())
}

/// `start`, pulling the image first when `refresh` (else only when the ship lacks it).
async fn start_with(engine: &Engine, c: &Container, refresh: bool) -> Result<Finished, TaskError> {
    let (ship, observed) = engine.observe(c).await?;
    engine.claim(observed.as_ref())?;
    let env = engine.container_env(c).await?;
    let spec = create_spec(&engine.environment.name, c, &env);
    if let Some(o) = observed.as_ref().filter(|o| o.running) {
        // Already up: its dependents go on only if its running checks pass now.
        engine
            .checks(c, &env, LifecycleState::Running, o.address)
            .await?;
        let drifted = o
            .config_hash
            .as_deref()
            .is_some_and(|h| h != spec.config_hash);
        let state = State::Running {
            since: o.started_at(),
            changed: false,
            drifted,
        };
        return Ok(Finished::of(state, o));
    }
    engine
        .checks(c, &env, LifecycleState::PreStart, None)
        .await?;
    // An adopted container (no label) is replaced, never reused.
    let reuse = engine.options.reuse && observed.as_ref().is_some_and(|o| o.environment.is_some());
    let id = match &observed {
        Some(o) if reuse => o.id.clone(),
        _ => {
            if let Some(o) = &observed {
                engine.say_of(&c.name, State::Removing, Some(&o.id));
                ship.remove(&c.name, false)
                    .await
                    .map_err(|e| TaskError::docker(Step::RemoveOld, e))?;
            }
            if maintain::pull(engine, c, refresh).await?.is_none() {
                return Ok(maintain::abandoned_pull());
            }
            engine.say(&c.name, State::Creating);
            ship.create(&c.name, &spec)
                .await
                .map_err(|e| TaskError::docker(Step::Create, e))?
        }
    };
    if engine.halt.is_interrupted() {
        return undo(ship, c, reuse).await;
    }
    engine.say_of(&c.name, State::Starting, Some(&id));
    if let Err(e) = ship.start(&c.name).await {
        if !reuse {
            let _ = ship.remove(&c.name, true).await;
        }
        return Err(TaskError::docker(Step::Start, e));
    }
    let answered = tokio::time::Instant::now();
    let checked = has_checks(c, LifecycleState::Running);
    let settled = if checked {
        // The container's own address, for checks of a loopback ship.
        let running = ship.inspect(&c.name).await.ok().flatten();
        let address = running.as_ref().and_then(|o| o.address);
        tokio::select! {
            result = engine.checks(c, &env, LifecycleState::Running, address) => {
                result?;
                match running {
                    Some(o) => Settled::Running(Box::new(o)),
                    None => Settled::Exited { code: None },
                }
            }
            code = ship.exited_within(&c.name, Duration::MAX) => Settled::Exited { code },
        }
    } else {
        engine.say_of(&c.name, State::Settling, Some(&id));
        ship.settle(&c.name, START_WINDOW, answered)
            .await
            .map_err(|e| TaskError::docker(Step::Start, e))?
    };
    match settled {
        Settled::Running(o) => {
            let state = State::Running {
                since: o.started_at(),
                changed: true,
                drifted: false,
            };
            Ok(Finished::of(state, &o))
        }
        Settled::Exited { code } => {
            let mut error = TaskError::new(
                Step::Start,
                if checked {
                    "the container exited before its running checks passed"
                } else {
                    "the container exited at once"
                },
            );
            error.exit_code = code;
            error.output = last_output(ship, &c.name).await;
            Err(error)
        }
    }
}

/// Removes a container this task created when the play is interrupted before it
/// could start: no half-created container is left behind.
async fn undo(ship: &ShipClient, c: &Container, reused: bool) -> Result<Finished, TaskError> {
    if reused {
        return Ok(Finished::new(State::Aborted {
            reason: AbortReason::Interrupted,
        }));
    }
    ship.remove(&c.name, true)
        .await
        .map_err(|e| TaskError::docker(Step::RemoveUnstarted, e))?;
    Ok(Finished::new(State::Aborted {
        reason: AbortReason::InterruptedRemoved,
    }))
}

/// The last lines a container wrote (stdout and stderr as it wrote them).
async fn last_output(ship: &ShipClient, name: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let range = LogRange {
        tail: Some(FAILURE_LOG_LINES),
        ..LogRange::default()
    };
    let mut keep = |line: LogLine| {
        lines.push(line.text);
        true
    };
    // The failure is reported with or without them.
    let _ = ship.log_lines(name, range, &mut keep).await;
    lines
}

/// `stop` (pre-stop checks, `docker stop -t stop_timeout`, stopped checks) or
/// `kill` (SIGKILL, stopped checks).
pub async fn stop(engine: &Engine, c: &Container, kill: bool) -> Result<Finished, TaskError> {
    stop_or_refuse(engine, c, kill, false).await
}

/// `stop`; a foreign container is left alone, or refused when `refuse_foreign`
/// (`restart` must not go on to start over it).
async fn stop_or_refuse(
    engine: &Engine,
    c: &Container,
    kill: bool,
    refuse_foreign: bool,
) -> Result<Finished, TaskError> {
    let (ship, observed) = engine.observe(c).await?;
    if refuse_foreign {
        engine.claim(observed.as_ref())?;
    }
    if let (Some(foreign), Some(o)) = (engine.foreign(observed.as_ref()), observed.as_ref()) {
        return Ok(engine.left_alone(c, foreign, o, true));
    }
    let o = match observed {
        Some(o) if o.running => o,
        other => return Ok(Finished::unchanged(other.as_ref())),
    };
    let needs_env = [LifecycleState::PreStop, LifecycleState::Stopped]
        .iter()
        .any(|s| has_checks(c, *s));
    let env = if needs_env {
        engine.container_env(c).await?
    } else {
        Default::default()
    };
    if kill {
        engine.say_of(&c.name, State::Killing, Some(&o.id));
        ship.kill(&c.name)
            .await
            .map_err(|e| TaskError::docker(Step::Kill, e))?;
    } else {
        engine
            .checks(c, &env, LifecycleState::PreStop, o.address)
            .await?;
        engine.say_of(&c.name, State::Stopping, Some(&o.id));
        let Some(stopped) = engine
            .unless_interrupted(ship.stop(&c.name, c.stop_timeout))
            .await
        else {
            return Ok(Finished::new(State::Aborted {
                reason: AbortReason::InterruptedStopping,
            }));
        };
        stopped.map_err(|e| TaskError::docker(Step::Stop, e))?;
    }
    engine
        .checks(c, &env, LifecycleState::Stopped, None)
        .await?;
    // Stopped now (the daemon's time of it is not asked for again).
    let state = State::Stopped {
        since: None,
        changed: true,
    };
    Ok(Finished::of(state, &o))
}

/// Stop then start one container; with `--only-if-changed`, only when its image or
/// configuration differs from what is configured.
pub async fn restart(engine: &Engine, c: &Container) -> Result<Finished, TaskError> {
    if engine.options.only_if_changed {
        if engine.options.refresh && maintain::pull(engine, c, true).await?.is_none() {
            return Ok(maintain::abandoned_pull());
        }
        let (ship, observed) = engine.observe(c).await?;
        engine.claim(observed.as_ref())?;
        if let Some(o) = observed.filter(|o| o.running) {
            let image_id = ship
                .image_id(&c.image.full)
                .await
                .map_err(|e| TaskError::docker(Step::InspectImage, e))?;
            let env = engine.container_env(c).await?;
            let hash = create_spec(&engine.environment.name, c, &env).config_hash;
            let same_image = image_id.as_deref() == Some(o.image_id.as_str());
            if same_image && o.config_hash.as_deref() == Some(hash.as_str()) {
                return Ok(Finished::unchanged(Some(&o)));
            }
        }
    }
    let delay = engine.options.step_delay;
    if !delay.is_zero() && engine.first.as_deref() != Some(c.name.as_str()) {
        delaying(engine, c, delay).await?;
    }
    stop_or_refuse(engine, c, false, true).await?;
    let delay = engine.options.stop_start_delay;
    if !delay.is_zero() {
        delaying(engine, c, delay).await?;
    }
    // With --only-if-changed, -r already pulled above.
    start_with(
        engine,
        c,
        engine.options.refresh && !engine.options.only_if_changed,
    )
    .await
}

/// Waits `delay` (`--step-delay`, `--stop-start-delay`); an interruption cuts it short.
async fn delaying(engine: &Engine, c: &Container, delay: Duration) -> Result<(), TaskError> {
    engine.say(
        &c.name,
        State::Delaying {
            seconds: delay.as_secs(),
        },
    );
    tokio::select! {
        () = tokio::time::sleep(delay) => Ok(()),
        () = engine.halt.interrupted() => Err(TaskError::new(Step::Wait, "interrupted")),
    }
}
