//! The tasks that do not run containers: `pull` (with registry credentials and its
//! retry policy), `clean` and `status` (`-F` adds the image and a probe of each port).

use crate::engine::{
    AbortReason, Engine, Event, Finished, PortProbe, PortState, State, Step, TaskError,
};
use crate::model::Container;
use std::time::Duration;

/// Pulls the image of `c` on its ship when `force`, or when the ship lacks it; whether
/// this play pulled it (once per ship and image, whichever container asked first), or
/// `None` when an interruption abandoned the pull.
pub async fn pull(engine: &Engine, c: &Container, force: bool) -> Result<Option<bool>, TaskError> {
    let ready = {
        let mut images = engine.images.lock().unwrap_or_else(|e| e.into_inner());
        images
            .entry((c.ship.clone(), c.image.full.clone()))
            .or_default()
            .clone()
    };
    ready
        .get_or_init(|| pull_once(engine, c, force))
        .await
        .clone()
}

/// A container whose pull an interruption abandoned.
pub fn abandoned_pull() -> Finished {
    Finished::new(State::Aborted {
        reason: AbortReason::InterruptedPulling,
    })
}

/// Makes `c`'s image present on its ship: pulled when missing, or always when `force`.
async fn pull_once(engine: &Engine, c: &Container, force: bool) -> Result<Option<bool>, TaskError> {
    let ship = engine.ship(c)?;
    if !force
        && ship
            .image_id(&c.image.full)
            .await
            .map_err(|e| TaskError::docker(Step::InspectImage, e))?
            .is_some()
    {
        return Ok(Some(false));
    }
    let auth = crate::registry::pull_auth(engine.plugins.as_deref(), &engine.environment, &c.image)
        .await
        .map_err(|e| TaskError::new(Step::RegistryCredentials, e))?;
    let retry = crate::registry::find(&engine.environment, &c.image)
        .map(|r| r.retry.clone())
        .unwrap_or_default();
    let mut attempt = 1;
    loop {
        engine.say(&c.name, State::Pulling { done: 0, total: 0 });
        // A registry sends an event per chunk of each layer: report a change of the
        // whole percent (or of the size announced), not every event.
        let mut shown = (0, 0);
        let pulling = ship.pull(
            &c.image.repository,
            &c.image.tag,
            auth.as_ref(),
            |done, total| {
                let step = (done * 100 / total.max(1), total);
                if step != shown {
                    shown = step;
                    engine.say(&c.name, State::Pulling { done, total });
                }
            },
        );
        let Some(result) = engine.unless_interrupted(pulling).await else {
            return Ok(None);
        };
        match result {
            Ok(()) => return Ok(Some(true)),
            Err(e)
                if attempt < retry.attempts
                    && e.cause.status().is_some_and(|s| retry.when.contains(&s)) =>
            {
                attempt += 1;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(TaskError::docker(Step::Pull, e)),
        }
    }
}

/// Removes a stopped container (and its anonymous volumes); running ones are skipped.
pub async fn clean(engine: &Engine, c: &Container) -> Result<Finished, TaskError> {
    let (ship, observed) = engine.observe(c).await?;
    if let (Some(foreign), Some(o)) = (engine.foreign(observed.as_ref()), observed.as_ref()) {
        return Ok(engine.left_alone(c, foreign, o, true));
    }
    let o = match observed {
        Some(o) if !o.running => o,
        other => return Ok(Finished::unchanged(other.as_ref())),
    };
    engine.say_of(&c.name, State::Removing, Some(&o.id));
    ship.remove(&c.name, false)
        .await
        .map_err(|e| TaskError::docker(Step::Remove, e))?;
    Ok(Finished::of(State::Absent { changed: true }, &o))
}

/// How long `status -F` waits for each port to accept a connection.
const PORT_PROBE: Duration = Duration::from_secs(1);

/// The container's state as its ship sees it; with `-F`, its image and a probe of
/// each of its ports.
pub async fn status(engine: &Engine, c: &Container) -> Result<Finished, TaskError> {
    let (ship, observed) = engine.observe(c).await?;
    if let (Some(foreign), Some(o)) = (engine.foreign(observed.as_ref()), observed.as_ref()) {
        return Ok(engine.left_alone(c, foreign, o, false));
    }
    if engine.options.full {
        let running = observed.as_ref().is_some_and(|o| o.running);
        let mut ports = Vec::new();
        for (name, port) in &c.ports {
            let state = if !running {
                PortState::Down
            } else if port.external.protocol != crate::config::grammar::Protocol::Tcp {
                PortState::NotProbedUdp
            } else if port.external.is_range() {
                PortState::NotProbedRange
            } else {
                let host = if port.host_ip == "0.0.0.0" {
                    ship.config.ip.as_str()
                } else {
                    port.host_ip.as_str()
                };
                let address = format!("{host}:{}", port.external.first_port());
                match tokio::time::timeout(PORT_PROBE, tokio::net::TcpStream::connect(&address))
                    .await
                {
                    Ok(Ok(_)) => PortState::Up,
                    _ => PortState::Down,
                }
            };
            ports.push(PortProbe {
                name: name.clone(),
                external: port.external.to_string(),
                state,
            });
        }
        engine.reporter.report(Event::Ports {
            container: c.name.clone(),
            image: c.image.full.clone(),
            image_id: observed
                .as_ref()
                .map(|o| o.image_id.clone())
                .filter(|i| !i.is_empty()),
            ports,
        });
    }
    Ok(Finished::unchanged(observed.as_ref()))
}
