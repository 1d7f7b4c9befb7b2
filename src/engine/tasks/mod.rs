//! What each command does to one container, step by step, as MaestroNG's tasks did
//! (its bugs fixed): `start`, `stop`/`kill`, `restart`, `clean`, `pull`, `status`.

mod lifecycle;
mod maintain;

use super::{Engine, Finished, State, Step, TaskError};
use crate::planner::Action;
use std::sync::Arc;

pub use lifecycle::START_WINDOW;

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
            .map(|pulled| match pulled {
                Some(changed) => Finished::new(State::Pulled { changed }),
                None => maintain::abandoned_pull(),
            }),
        Action::Status => maintain::status(&engine, container).await,
        other => Err(TaskError::new(
            Step::Run,
            format!("`{}` is not a play", other.name()),
        )),
    }
}
