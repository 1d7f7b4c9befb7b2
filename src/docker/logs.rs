//! A container's output: the last lines, or followed as it is written, and the
//! moment a stopped container is started again (to re-attach to it).

use super::error::Cause;
use super::{DockerError, ShipClient};
use bollard::query_parameters::{EventsOptions, LogsOptions};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::collections::HashMap;

impl ShipClient {
    /// The output of `name` (stdout and stderr, as written): the last `tail` lines
    /// (all without), then, with `follow`, what it writes until it stops. `since` is
    /// in Unix seconds (0: from the start).
    pub async fn logs(
        &self,
        name: &str,
        tail: Option<u64>,
        follow: bool,
        since: i64,
    ) -> Result<BoxStream<'_, Result<Vec<u8>, DockerError>>, DockerError> {
        let docker = self.docker().await?;
        let options = LogsOptions {
            follow,
            stdout: true,
            stderr: true,
            since: since.clamp(0, i32::MAX as i64) as i32,
            tail: tail.map_or_else(|| "all".to_string(), |n| n.to_string()),
            ..Default::default()
        };
        let subject = format!("container `{name}`");
        Ok(docker
            .logs(name, Some(options))
            .map(move |item| {
                item.map(|chunk| chunk.into_bytes().to_vec()).map_err(|e| {
                    self.error(
                        "read the logs of",
                        subject.clone(),
                        Cause::of(e, self.timeout()),
                    )
                })
            })
            .boxed())
    }

    /// Waits until the daemon reports that `name` was started.
    pub async fn wait_started(&self, name: &str) -> Result<(), DockerError> {
        let docker = self.docker().await?;
        let filters = HashMap::from([
            ("type".to_string(), vec!["container".to_string()]),
            ("event".to_string(), vec!["start".to_string()]),
            ("container".to_string(), vec![name.to_string()]),
        ]);
        let options = EventsOptions {
            filters: Some(filters),
            ..Default::default()
        };
        let mut events = docker.events(Some(options));
        let subject = format!("container `{name}`");
        match events.next().await {
            Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(self.error("watch", subject, Cause::of(e, self.timeout()))),
            None => Err(self.error(
                "watch",
                subject,
                Cause::Other("the daemon closed the event stream".into()),
            )),
        }
    }
}
