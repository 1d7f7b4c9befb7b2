//! Where an image comes from and how to log in to it: the environment's
//! `registries` (matched by name, then by host), an auth plugin, or the user's
//! Docker configuration (`auths`, `credsStore`, `credHelpers`). Credentials are
//! `Secret`s from the moment they are read: never printed.

use crate::checks::Plugins;
use crate::config::grammar::ImageRef;
use crate::docker::PullAuth;
use crate::model::{Environment, Registry, Secret};
use base64::Engine as _;
use std::path::PathBuf;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

/// The registry an image is pulled from, as MaestroNG finds it: the part before the
/// first `/` names a registry, or is the host (with or without port) of one's URL.
pub fn find<'e>(environment: &'e Environment, image: &ImageRef) -> Option<&'e Registry> {
    let first = image.registry_part()?;
    if let Some(r) = environment.registries.get(first) {
        return Some(r);
    }
    environment.registries.values().find(|r| {
        let (netloc, host) = netloc(&r.url);
        first == netloc || first == host
    })
}

/// `https://host:5000/v1/` → (`host:5000`, `host`).
pub fn netloc(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let netloc = rest.split('/').next().unwrap_or(rest);
    let netloc = netloc.rsplit_once('@').map_or(netloc, |(_, n)| n);
    let host = netloc.split(':').next().unwrap_or(netloc);
    (netloc, host)
}

/// The registry host of an image with no configured registry: its first path part,
/// when that looks like a host (`localhost`, or holds a `.` or `:`), as Docker reads it.
fn image_host(image: &ImageRef) -> Option<&str> {
    image
        .registry_part()
        .filter(|p| *p == "localhost" || p.contains(['.', ':']))
}

/// The credentials to pull `image` with, if any are configured anywhere.
pub async fn pull_auth(
    plugins: Option<&Plugins>,
    environment: &Environment,
    image: &ImageRef,
) -> Result<Option<PullAuth>, String> {
    let registry = find(environment, image);
    let server = match registry {
        Some(r) => netloc(&r.url).0.to_string(),
        None => match image_host(image) {
            Some(host) => host.to_string(),
            None => return Ok(None),
        },
    };
    if let Some(registry) = registry {
        if registry.plugin.is_some() {
            let plugins = plugins.ok_or("auth plugins were not loaded")?;
            let login = crate::providers::credentials(plugins, registry, &image.full).await?;
            return Ok(login.map(|l| PullAuth {
                username: l.username,
                password: l.password,
                identity_token: l.identity_token,
                server,
            }));
        }
        if let Some(username) = &registry.username {
            return Ok(Some(PullAuth {
                username: username.clone(),
                password: registry
                    .password
                    .clone()
                    .unwrap_or_else(|| Secret::new(String::new())),
                identity_token: None,
                server,
            }));
        }
    }
    docker_config_auth(&server).await
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
fn docker_config_path() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) => Some(PathBuf::from(dir).join("config.json")),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json")),
    }
}

/// The user's Docker login for `server`: a credential helper (`credHelpers`, then
/// `credsStore`), else the `auths` entry.
async fn docker_config_auth(server: &str) -> Result<Option<PullAuth>, String> {
    let Some(path) = docker_config_path() else {
        return Ok(None);
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let config: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let helper = config
        .get("credHelpers")
        .and_then(|h| h.get(server))
        .or_else(|| config.get("credsStore"))
        .and_then(|h| h.as_str());
    if let Some(helper) = helper {
        return credential_helper(helper, server).await;
    }
    let auths = config.get("auths").and_then(|a| a.as_object());
    let entry = auths.and_then(|auths| {
        auths
            .iter()
            .find(|(key, _)| netloc(key).0 == server)
            .map(|(_, v)| v)
    });
    let Some(encoded) = entry.and_then(|e| e.get("auth")).and_then(|a| a.as_str()) else {
        return Ok(None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|d| String::from_utf8(d).ok())
        .ok_or_else(|| {
            format!(
                "{}: the `auths` entry of {server} is not base64 user:password",
                path.display()
            )
        })?;
    let (username, password) = decoded.split_once(':').ok_or_else(|| {
        format!(
            "{}: the `auths` entry of {server} is not user:password",
            path.display()
        )
    })?;
    Ok(Some(PullAuth {
        username: username.to_string(),
        password: Secret::new(password.to_string()),
        identity_token: None,
        server: server.to_string(),
    }))
}

/// `docker-credential-HELPER get`, with the server on stdin (Docker's protocol).
async fn credential_helper(helper: &str, server: &str) -> Result<Option<PullAuth>, String> {
    let program = format!("docker-credential-{helper}");
    let mut child = tokio::process::Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes()).await;
    }
    let output = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .map_err(|_| format!("{program} did not answer within 30s"))?
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !output.status.success() {
        // "credentials not found" is not an error: the pull goes on without a login.
        return Ok(None);
    }
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|_| format!("{program} did not answer with JSON"))?;
    let field = |k: &str| answer.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    let (username, secret) = (field("Username"), field("Secret"));
    // Docker's convention: the user name `<token>` carries an identity token.
    let token = username == "<token>";
    Ok(Some(PullAuth {
        username: if token {
            String::new()
        } else {
            username.to_string()
        },
        password: Secret::new(if token {
            String::new()
        } else {
            secret.to_string()
        }),
        identity_token: token.then(|| Secret::new(secret.to_string())),
        server: server.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netlocs() {
        assert_eq!(netloc("https://quay.io/v1"), ("quay.io", "quay.io"));
        assert_eq!(
            netloc("http://reg.local:5000/v2"),
            ("reg.local:5000", "reg.local")
        );
        assert_eq!(netloc("127.0.0.1:5000"), ("127.0.0.1:5000", "127.0.0.1"));
    }
}
