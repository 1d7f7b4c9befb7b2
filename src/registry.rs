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

/// The registry an image is pulled from: the part before the first `/` names a
/// registry (MaestroNG's rule), or is the address of one's URL — the same host and the
/// same port, a missing port being the URL scheme's own (443 for https, 80 for http).
/// A registry's credentials never go to another port of its host (MaestroNG matched
/// hosts alone).
pub fn find<'e>(environment: &'e Environment, image: &ImageRef) -> Option<&'e Registry> {
    let first = image.registry_part()?;
    if let Some(r) = environment.registries.get(first) {
        return Some(r);
    }
    environment
        .registries
        .values()
        .find(|r| same_address(first, &r.url))
}

/// Whether the image's registry part (`host` or `host:port`) is the address of `url`.
fn same_address(image_part: &str, url: &str) -> bool {
    let default = match url.split_once("://").map(|(scheme, _)| scheme) {
        Some("http") => 80,
        _ => 443,
    };
    // `host:port`, `[v6]:port`, or an address without a port (`[v6]` ends in `]`).
    let split = |address: &str| -> (String, Option<u16>) {
        match address.rsplit_once(':').map(|(h, p)| (h, p.parse::<u16>())) {
            Some((host, Ok(port))) => (host.to_string(), Some(port)),
            _ => (address.to_string(), None),
        }
    };
    let (url_host, url_port) = split(netloc(url).0);
    let (image_host, image_port) = split(image_part);
    url_host.eq_ignore_ascii_case(&image_host)
        && url_port.unwrap_or(default) == image_port.unwrap_or(default)
}

/// `https://host:5000/v1/` → (`host:5000`, `host`).
pub fn netloc(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let netloc = rest.split('/').next().unwrap_or(rest);
    let netloc = netloc.rsplit_once('@').map_or(netloc, |(_, n)| n);
    let host = netloc.split(':').next().unwrap_or(netloc);
    (netloc, host)
}

/// Docker Hub's address in Docker's configuration (`docker login` with no server).
const HUB: &str = "https://index.docker.io/v1/";

/// Where credentials for one registry are looked up: its address as the daemon and
/// `auths` know it (`host:port`), and the name a credential helper is asked for.
struct Server {
    address: String,
    helper_key: String,
}

impl Server {
    fn of(address: &str) -> Server {
        Server {
            address: address.to_string(),
            helper_key: address.to_string(),
        }
    }

    /// An image without a registry host comes from Docker Hub.
    fn hub() -> Server {
        Server {
            address: netloc(HUB).0.to_string(),
            helper_key: HUB.to_string(),
        }
    }
}

/// The credentials to pull `image` with, if any are configured anywhere.
pub async fn pull_auth(
    plugins: Option<&Plugins>,
    environment: &Environment,
    image: &ImageRef,
) -> Result<Option<PullAuth>, String> {
    let registry = find(environment, image);
    let server = match (registry, image.registry_host()) {
        (Some(r), _) => Server::of(netloc(&r.url).0),
        (None, Some(host)) => Server::of(host),
        (None, None) => Server::hub(),
    };
    if let Some(registry) = registry {
        if registry.plugin.is_some() {
            let plugins = plugins.ok_or("auth plugins were not loaded")?;
            let login = crate::providers::credentials(plugins, registry, &image.full).await?;
            return Ok(login.map(|l| PullAuth {
                username: l.username,
                password: l.password,
                identity_token: l.identity_token,
                server: server.address,
            }));
        }
        if let Some(username) = &registry.username {
            if let Some(password) = &registry.password {
                return Ok(Some(PullAuth {
                    username: username.clone(),
                    password: password.clone(),
                    identity_token: None,
                    server: server.address,
                }));
            }
            // MaestroNG #187: a user without a password reuses what `docker login` stored.
            return match docker_config_auth(&server).await? {
                Some(auth) => Ok(Some(auth)),
                None => Err(format!(
                    "registry `{}` names user `{username}` without a password, and no Docker \
                     login for {} was found (looked in {})",
                    registry.name,
                    server.address,
                    looked_in()
                )),
            };
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

/// `~/.dockercfg`: the configuration of Docker before 1.7, which MaestroNG's docs name.
fn legacy_config_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".dockercfg"))
}

/// Where credentials are looked for, for messages.
fn looked_in() -> String {
    let shown: Vec<String> = [docker_config_path(), legacy_config_path()]
        .into_iter()
        .flatten()
        .map(|p| p.display().to_string())
        .collect();
    if shown.is_empty() {
        "no Docker configuration: neither DOCKER_CONFIG nor HOME is set".into()
    } else {
        shown.join(" and ")
    }
}

/// The user's Docker login for `server`: a credential helper (`credHelpers`, then
/// `credsStore`), else the `auths` entry of `config.json`, else `~/.dockercfg`'s.
async fn docker_config_auth(server: &Server) -> Result<Option<PullAuth>, String> {
    let read = |path: Option<PathBuf>| -> Result<Option<(PathBuf, serde_json::Value)>, String> {
        let Some(path) = path else { return Ok(None) };
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(None);
        };
        let value = serde_json::from_str(&text)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(Some((path, value)))
    };
    if let Some((path, config)) = read(docker_config_path())? {
        let helper = config
            .get("credHelpers")
            .and_then(|h| h.get(&server.address))
            .or_else(|| config.get("credsStore"))
            .and_then(|h| h.as_str());
        if let Some(helper) = helper {
            return credential_helper(helper, server).await;
        }
        if let Some(auth) = auths_entry(&path, config.get("auths"), server)? {
            return Ok(Some(auth));
        }
    }
    // The legacy file is one `auths` mapping.
    match read(legacy_config_path())? {
        Some((path, legacy)) => auths_entry(&path, Some(&legacy), server),
        None => Ok(None),
    }
}

/// The `auth` (base64 `user:password`) of `server` in an `auths` mapping of `path`.
fn auths_entry(
    path: &std::path::Path,
    auths: Option<&serde_json::Value>,
    server: &Server,
) -> Result<Option<PullAuth>, String> {
    let entry = auths.and_then(|a| a.as_object()).and_then(|auths| {
        auths
            .iter()
            .find(|(key, _)| netloc(key).0 == server.address)
            .map(|(_, v)| v)
    });
    let Some(encoded) = entry.and_then(|e| e.get("auth")).and_then(|a| a.as_str()) else {
        return Ok(None);
    };
    let malformed = || {
        format!(
            "{}: the entry of {} is not base64 user:password",
            path.display(),
            server.address
        )
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|d| String::from_utf8(d).ok())
        .ok_or_else(malformed)?;
    let (username, password) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some(PullAuth {
        username: username.to_string(),
        password: Secret::new(password.to_string()),
        identity_token: None,
        server: server.address.clone(),
    }))
}

/// `docker-credential-HELPER get`, with the server on stdin (Docker's protocol). Its
/// "credentials not found" means no login; any other failure is reported (its own
/// words, which hold no secret: the secret is only ever on its stdout as JSON).
async fn credential_helper(helper: &str, server: &Server) -> Result<Option<PullAuth>, String> {
    let program = format!("docker-credential-{helper}");
    let mut child = tokio::process::Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.helper_key.as_bytes()).await;
    }
    let output = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .map_err(|_| format!("{program} did not answer within 30s"))?
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stdout).trim().to_string()
            + String::from_utf8_lossy(&output.stderr).trim();
        if said.contains("credentials not found") {
            return Ok(None);
        }
        return Err(format!(
            "{program} failed for {} ({}): {}",
            server.helper_key,
            output.status,
            said.lines().next().unwrap_or("no message")
        ));
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
        server: server.address.clone(),
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

    #[test]
    fn hub_images_use_the_hub_entry_of_docker_login() {
        let encoded = base64::engine::general_purpose::STANDARD.encode("hubuser:hubpass");
        let auths = serde_json::json!({
            "https://index.docker.io/v1/": {"auth": encoded},
            "127.0.0.1:5997": {"auth": "bm90OnRoaXM="},
        });
        let path = std::path::Path::new("config.json");
        let hub = auths_entry(path, Some(&auths), &Server::hub())
            .unwrap()
            .expect("the Hub entry");
        assert_eq!(
            (hub.username.as_str(), hub.server.as_str()),
            ("hubuser", "index.docker.io")
        );
        // Another port of the same host has no entry: no credentials go there.
        assert!(
            auths_entry(path, Some(&auths), &Server::of("127.0.0.1"))
                .unwrap()
                .is_none()
        );
        let mangled = serde_json::json!({"https://index.docker.io/v1/": {"auth": "%%%"}});
        assert_eq!(
            auths_entry(path, Some(&mangled), &Server::hub()).unwrap_err(),
            "config.json: the entry of index.docker.io is not base64 user:password"
        );
    }

    #[test]
    fn credentials_go_only_to_the_same_host_and_port() {
        assert!(same_address("127.0.0.1:5997", "http://127.0.0.1:5997"));
        assert!(!same_address("127.0.0.1", "http://127.0.0.1:5997"));
        assert!(!same_address("127.0.0.1:5998", "http://127.0.0.1:5997"));
        assert!(same_address("quay.io", "https://quay.io/v1"));
        assert!(same_address("quay.io", "https://quay.io:443/v1"));
        assert!(same_address("quay.io:443", "https://quay.io"));
        assert!(!same_address("quay.io:80", "https://quay.io"));
        assert!(same_address("reg.local", "http://reg.local:80"));
        assert!(!same_address("other.io", "https://quay.io"));
        assert!(same_address("Quay.IO", "https://quay.io"));
        assert!(same_address("reg.local:5000", "reg.local:5000"));
        assert!(same_address("[fd00::1]:5000", "https://[fd00::1]:5000"));
        assert!(!same_address("[fd00::1]", "https://[fd00::1]:5000"));
    }
}
