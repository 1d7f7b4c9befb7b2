//! What each command does to one container, step by step, as MaestroNG's tasks did
//! (its bugs fixed): `start`, `stop`/`kill`, `restart`, `clean`, `pull`, `status`.

mod lifecycle;
mod maintain;

use super::{Engine, Finished, TaskError};
use crate::docker::{short_id, unix_now as now};
use crate::model::Container;
use crate::planner::Action;
use std::sync::Arc;

/// Runs `engine.action` for container `name`.
pub async fn run_task(engine: Arc<Engine>, name: String) -> Result<Finished, TaskError> {
    let container = engine.container(&name);
    match engine.action {
        Action::Start => lifecycle::start(&engine, container).await,
        Action::Stop => lifecycle::stop(&engine, container, false).await,
        Action::Kill => lifecycle::stop(&engine, container, true).await,
        Action::Restart => lifecycle::restart(&engine, container).await,
        Action::Clean => maintain::clean(&engine, container).await,
        Action::Pull => maintain::pull(&engine, container, true)
            .await
            .map(|_| Finished::done("done")),
        Action::Status => maintain::status(&engine, container).await,
        other => Err(TaskError::new(
            "run",
            format!("`{}` is not a play", other.name()),
        )),
    }
}

/// The image column MaestroNG shows: `tag:shortid` (`tag:-` when absent).
fn image_column(container: &Container, id: Option<&str>) -> String {
    format!("{}:{}", container.image.tag, id.map_or("-", short_id))
}

/// MaestroNG's `time_ago`: ` for 59s`, ` for 1m0s`, ` for 1h0m`, ` for 1d0h0m`;
/// nothing for a time in the future or unknown.
pub fn time_ago(since: Option<i64>, now: i64) -> String {
    let Some(since) = since else {
        return String::new();
    };
    let s = now - since;
    if s < 0 {
        return String::new();
    }
    let (d, h, m, sec) = (s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
    if d > 0 {
        format!(" for {d}d{h}h{m}m")
    } else if h > 0 {
        format!(" for {h}h{m}m")
    } else if m > 0 {
        format!(" for {m}m{sec}s")
    } else {
        format!(" for {sec}s")
    }
}

#[cfg(test)]
mod tests {
    use super::time_ago;

    #[test]
    fn times_ago_like_maestro() {
        let base = 1_000_000;
        let cases = [
            (-5, ""),
            (0, " for 0s"),
            (59, " for 59s"),
            (60, " for 1m0s"),
            (3599, " for 59m59s"),
            (3600, " for 1h0m"),
            (86399, " for 23h59m"),
            (86400, " for 1d0h0m"),
        ];
        for (ago, expected) in cases {
            assert_eq!(time_ago(Some(base - ago), base), expected, "{ago}");
        }
        assert_eq!(time_ago(None, base), "");
    }
}
