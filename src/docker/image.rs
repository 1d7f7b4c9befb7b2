//! Images on one ship: what a tag resolves to, and pulls with registry credentials
//! and progress.

use super::error::Cause;
use super::{DockerError, ShipClient};
use crate::model::Secret;
use bollard::auth::DockerCredentials;
use bollard::query_parameters::CreateImageOptions;
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::time::Duration;

/// Credentials for one pull. Never printed: the password is a `Secret`.
#[derive(Clone, Debug)]
pub struct PullAuth {
    pub username: String,
    pub password: Secret,
    pub identity_token: Option<Secret>,
    /// The registry address as the daemon knows it (`host:port`).
    pub server: String,
}

/// How long the daemon may take to begin answering a pull (it resolves the
/// registry and authenticates first); the transfer itself has no deadline.
const PULL_ANSWER: Duration = Duration::from_secs(120);

fn image(name: &str) -> String {
    format!("image `{name}`")
}

impl ShipClient {
    /// The ID of the local image `reference`, if the ship has it.
    pub async fn image_id(&self, reference: &str) -> Result<Option<String>, DockerError> {
        let docker = self.docker().await?;
        match docker.inspect_image(reference).await {
            Ok(info) => Ok(info.id),
            Err(e) => match Cause::of(e, self.timeout()) {
                Cause::NotFound(_) => Ok(None),
                cause => Err(self.error("inspect", image(reference), cause)),
            },
        }
    }

    /// Pulls `repository:tag`, calling `progress` with the bytes downloaded and the
    /// bytes announced so far, summed over its layers (a layer already present
    /// counts as neither).
    pub async fn pull(
        &self,
        repository: &str,
        tag: &str,
        auth: Option<&PullAuth>,
        mut progress: impl FnMut(u64, u64) + Send,
    ) -> Result<(), DockerError> {
        let reference = format!("{repository}:{tag}");
        let docker = self.docker().await?.clone().with_timeout(PULL_ANSWER);
        let options = CreateImageOptions {
            from_image: Some(repository.to_string()),
            tag: Some(tag.to_string()),
            ..Default::default()
        };
        let credentials = auth.map(|a| DockerCredentials {
            username: Some(a.username.clone()),
            password: Some(a.password.expose().to_string()),
            identitytoken: a.identity_token.as_ref().map(|t| t.expose().to_string()),
            serveraddress: Some(a.server.clone()),
            ..Default::default()
        });
        let mut stream = docker.create_image(Some(options), None, credentials);
        // Per layer: bytes done and its size, once the registry announced it.
        let mut layers: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        while let Some(item) = stream.next().await {
            let info =
                item.map_err(|e| self.error("pull", image(&reference), Cause::of(e, PULL_ANSWER)))?;
            if let Some(detail) = info.error_detail {
                let message = detail.message.unwrap_or_default();
                let cause = match detail.code {
                    Some(code) => Cause::from_status(code as u16, message),
                    None => Cause::Other(message),
                };
                return Err(self.error("pull", image(&reference), cause));
            }
            let (Some(id), Some(status)) = (info.id, info.status) else {
                continue;
            };
            let layer = layers.entry(id).or_default();
            let before = *layer;
            match status.as_str() {
                "Downloading" => {
                    if let Some(p) = info.progress_detail {
                        let total = p.total.unwrap_or(0).max(0) as u64;
                        layer.1 = layer.1.max(total);
                        layer.0 = (p.current.unwrap_or(0).max(0) as u64).min(layer.1);
                    }
                }
                "Download complete" | "Verifying Checksum" | "Extracting" | "Pull complete" => {
                    layer.0 = layer.1
                }
                _ => {}
            }
            if *layer != before {
                let (done, total) = layers.values().fold((0, 0), |(d, t), l| (d + l.0, t + l.1));
                progress(done, total);
            }
        }
        Ok(())
    }
}
