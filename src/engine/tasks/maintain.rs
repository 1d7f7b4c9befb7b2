//! The tasks that do not run containers: `pull` (with registry credentials and its
//! retry policy), `clean` and `status` (`-F` adds the image and a probe of each port).

use super::{image_column, now, time_ago};
use crate::engine::{Engine, Finished, TaskError};
use crate::model::Container;
use std::time::Duration;

/// Pulls the image of `c` on its ship when `force`, or when the ship lacks it.
pub async fn pull(engine: &Engine, c: &Container, force: bool) -> Result<(), TaskError> {
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

/// Makes `c`'s image present on its ship: pulled when missing, or always when `force`.
async fn pull_once(engine: &Engine, c: &Container, force: bool) -> Result<(), TaskError> {
    let ship = engine.ship(c)?;
    if !force
        && ship
            .image_id(&c.image.full)
            .await
            .map_err(|e| TaskError::docker("inspect the image", e))?
            .is_some()
    {
        return Ok(());
    }
    let auth = crate::registry::pull_auth(engine.plugins.as_deref(), &engine.environment, &c.image)
        .await
        .map_err(|e| TaskError::new("get registry credentials", e))?;
    let retry = crate::registry::find(&engine.environment, &c.image)
        .map(|r| r.retry.clone())
        .unwrap_or_default();
    let label = format!("pulling image {}...", c.image.short());
    let mut attempt = 1;
    loop {
        engine.say(&c.name, None, label.clone());
        let mut shown = -1i64;
        let result = ship
            .pull(
                &c.image.repository,
                &c.image.tag,
                auth.as_ref(),
                |percent| {
                    if percent as i64 != shown {
                        shown = percent as i64;
                        engine.say(&c.name, None, format!("{label} {percent:.0}%"));
                    }
                },
            )
            .await;
        match result {
            Ok(()) => return Ok(()),
            Err(e)
                if attempt < retry.attempts
                    && e.cause.status().is_some_and(|s| retry.when.contains(&s)) =>
            {
                attempt += 1;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(TaskError::docker("pull", e)),
        }
    }
}

/// Removes a stopped container (and its anonymous volumes); running ones are skipped.
pub async fn clean(engine: &Engine, c: &Container) -> Result<Finished, TaskError> {
    let ship = engine.ship(c)?;
    engine.say(&c.name, None, "checking container...");
    let Some(o) = ship
        .inspect(&c.name)
        .await
        .map_err(|e| TaskError::docker("inspect", e))?
    else {
        return Ok(Finished::unchanged("absent"));
    };
    engine.owned(Some(&o))?;
    let image = Some(image_column(c, Some(&o.id)));
    if o.running {
        engine.say(&c.name, image, "");
        return Ok(Finished::unchanged("skipped (running)"));
    }
    engine.say(
        &c.name,
        image,
        format!("removing container {}...", o.short_id()),
    );
    ship.remove(&c.name, false)
        .await
        .map_err(|e| TaskError::docker("remove", e))?;
    Ok(Finished::done("removed"))
}

/// How long `status -F` waits for each port to accept a connection.
const PORT_PROBE: Duration = Duration::from_secs(1);

/// `running for 5s`, `down for 3s`, `down` (absent); with `-F`, the image and each
/// port's state as extra lines.
pub async fn status(engine: &Engine, c: &Container) -> Result<Finished, TaskError> {
    let ship = engine.ship(c)?;
    engine.say(&c.name, None, "checking...");
    let observed = ship
        .inspect(&c.name)
        .await
        .map_err(|e| TaskError::docker("inspect", e))?;
    engine.say(
        &c.name,
        Some(image_column(c, observed.as_ref().map(|o| o.id.as_str()))),
        "",
    );
    if engine.options.full {
        let mut lines = vec![format!(
            "      {}  ({})",
            c.image.full,
            observed.as_ref().map_or("-", |o| o
                .image_id
                .trim_start_matches("sha256:")
                .get(..7)
                .unwrap_or("-"))
        )];
        let running = observed.as_ref().is_some_and(|o| o.running);
        for (name, port) in &c.ports {
            let state = if !running {
                "down"
            } else if port.external.protocol != crate::config::grammar::Protocol::Tcp {
                "not probed (udp)"
            } else if port.external.is_range() {
                "not probed (range)"
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
                    Ok(Ok(_)) => "up",
                    _ => "down",
                }
            };
            lines.push(format!("     >> {name:>15}: {} is {state}", port.external));
        }
        engine.reporter.details(&c.name, &lines);
    }
    Ok(match observed {
        Some(o) if o.running => Finished::done(format!("running{}", time_ago(o.started_at, now()))),
        Some(o) => Finished::unchanged(format!("down{}", time_ago(o.finished_at, now()))),
        None => Finished::unchanged("down"),
    })
}
