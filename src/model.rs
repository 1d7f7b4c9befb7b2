//! The validated environment: what the rest of maestro works from. Built only by
//! `config::validate`; every value here has been checked. No IO, no YAML, no Docker.

use crate::config::grammar::{ImageRef, PortAtom, RestartPolicy};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

/// An environment variable value as Docker receives it; `None` is a bare `KEY` (YAML null).
pub type EnvValue = Option<String>;

/// Environment variables by name.
pub type EnvMap = BTreeMap<String, EnvValue>;

/// A whole environment file, validated.
#[derive(Clone, Debug, Serialize)]
pub struct Environment {
    /// The top-level `name` (`MAESTRO_ENVIRONMENT_NAME`).
    pub name: String,
    /// The file it was read from, as given (`-` for stdin).
    pub file: String,
    /// Where relative paths (envfiles, TLS files, includes) are resolved.
    pub base_dir: PathBuf,
    /// `1` (reversed volume maps, MaestroNG's default) or `2`.
    pub schema: u8,
    pub registries: BTreeMap<String, Registry>,
    pub ships: BTreeMap<String, Ship>,
    pub services: BTreeMap<String, Service>,
    pub containers: BTreeMap<String, Container>,
    pub audit: Vec<Auditor>,
    /// What each plugin is granted (`plugins`), by plugin name.
    pub plugins: BTreeMap<String, PluginSettings>,
}

impl Environment {
    /// The address of `container`'s ship (its `ip`), as containers and plugins see it.
    pub fn ship_address(&self, container: &Container) -> Option<String> {
        self.ships.get(&container.ship).map(|s| s.ip.clone())
    }
}

/// A `plugins` entry: the grants of one plugin, and where the file says so.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PluginSettings {
    #[serde(flatten)]
    pub grants: crate::plugin::Grants,
    /// `file:line:col: plugins.NAME`, for messages.
    #[serde(skip)]
    pub at: String,
}

/// A secret string: never printed, logged or serialized in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for the one place that must send it (a registry login).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

/// A private registry and how to log in to it.
#[derive(Clone, Debug, Serialize)]
pub struct Registry {
    pub name: String,
    /// The registry URL, e.g. `https://quay.io/v1/`; `http://` marks it insecure.
    pub url: String,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub email: Option<String>,
    pub retry: Retry,
    /// An auth plugin that gives the credentials instead of `username`/`password`.
    /// Its options may hold secrets: they are shown redacted.
    #[serde(serialize_with = "redacted_plugin")]
    pub plugin: Option<PluginUse>,
}

fn redacted_plugin<S: serde::Serializer>(p: &Option<PluginUse>, s: S) -> Result<S::Ok, S::Error> {
    let redacted = p.as_ref().map(|p| PluginUse {
        options: p
            .options
            .keys()
            .map(|k| (k.clone(), serde_json::Value::from("<redacted>")))
            .collect(),
        ..p.clone()
    });
    redacted.serialize(s)
}

/// When to retry a login or pull: how many attempts, on which HTTP statuses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Retry {
    pub attempts: u32,
    pub when: BTreeSet<u16>,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 3,
            when: BTreeSet::new(),
        }
    }
}

/// A Docker host.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ship {
    pub name: String,
    /// The address containers and checks use (`CONTAINER_HOST_ADDRESS`).
    pub ip: String,
    /// Where the Docker API is reached; defaults to `ip`.
    pub endpoint: String,
    pub docker_port: u16,
    pub socket_path: Option<PathBuf>,
    /// `auto` or a fixed version such as `1.41`; `None` means negotiate.
    pub api_version: Option<String>,
    /// Docker request timeout, in seconds.
    pub timeout: f64,
    pub tls: bool,
    pub tls_verify: bool,
    pub tls_ca_cert: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub ssl_version: Option<String>,
    pub ssh_tunnel: Option<SshTunnel>,
}

/// An SSH tunnel to a ship's Docker daemon.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SshTunnel {
    pub user: String,
    pub key: PathBuf,
    pub port: u16,
}

/// A service: a set of instances sharing an image and dependencies.
#[derive(Clone, Debug, Serialize)]
pub struct Service {
    pub name: String,
    pub image: String,
    /// Instance names, sorted.
    pub instances: Vec<String>,
    /// Hard dependencies as written (order + link variables, transitive).
    pub requires: BTreeSet<String>,
    /// Soft dependencies (link variables only, not transitive, no ordering).
    pub wants_info: BTreeSet<String>,
    /// `requires` plus the services of `volumes_from` sources: what ordering follows.
    pub dependencies: BTreeSet<String>,
    pub omit: bool,
    /// The service's `envfile`s then `env`, merged.
    pub env: EnvMap,
    /// Plugins that add variables to the service's containers, in order.
    pub env_generators: Vec<EnvGenerator>,
}

/// A plugin named by the environment file for a registry or a service, with its options.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PluginUse {
    pub name: String,
    /// Passed to the plugin as a JSON object.
    pub options: serde_json::Map<String, serde_json::Value>,
    /// `file:line:col: path`, for messages.
    #[serde(skip)]
    pub at: String,
}

/// An `env_generators` entry of a service.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnvGenerator {
    #[serde(flatten)]
    pub plugin: PluginUse,
    /// May its variables replace maestro's own (MaestroNG's and the file's `env`)?
    #[serde(rename = "override")]
    pub allow_override: bool,
}

/// A named port of a container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortMapping {
    /// The port inside the container.
    #[serde(serialize_with = "display")]
    pub exposed: PortAtom,
    /// The port on the ship (a number, or a range Docker picks from).
    #[serde(serialize_with = "display")]
    pub external: PortAtom,
    /// The host address the port is bound to.
    pub host_ip: String,
}

fn display<T: fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// A bind mount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BindVolume {
    pub host: String,
    pub target: String,
    /// `rw`, `ro`, `ro,Z`…; `None` when not written (Docker's default, read-write).
    pub mode: Option<String>,
}

impl BindVolume {
    /// Docker's bind string, `HOST:TARGET:MODE`.
    pub fn bind(&self) -> String {
        format!(
            "{}:{}:{}",
            self.host,
            self.target,
            self.mode.as_deref().unwrap_or("rw")
        )
    }
}

/// Resource limits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Limits {
    pub cpu_shares: Option<i64>,
    pub memory: Option<u64>,
    pub swap: Option<u64>,
}

/// One ulimit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// A logging driver and its options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogConfig {
    pub driver: String,
    pub options: BTreeMap<String, String>,
}

/// The lifecycle states at which checks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum LifecycleState {
    #[serde(rename = "pre-start")]
    PreStart,
    #[serde(rename = "running")]
    Running,
    #[serde(rename = "pre-stop")]
    PreStop,
    #[serde(rename = "stopped")]
    Stopped,
}

impl LifecycleState {
    pub const ALL: [LifecycleState; 4] = [
        LifecycleState::PreStart,
        LifecycleState::Running,
        LifecycleState::PreStop,
        LifecycleState::Stopped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleState::PreStart => "pre-start",
            LifecycleState::Running => "running",
            LifecycleState::PreStop => "pre-stop",
            LifecycleState::Stopped => "stopped",
        }
    }
}

/// A lifecycle check as configured: its type (a built-in or a plugin name) and options.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckSpec {
    #[serde(rename = "type")]
    pub kind: String,
    pub options: serde_json::Map<String, serde_json::Value>,
    /// `file:line:col: path.type`, where the check names its type, for messages.
    #[serde(skip)]
    pub at: String,
}

/// A configured auditor (notification sink).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Auditor {
    #[serde(rename = "type")]
    pub kind: String,
    pub level: String,
    pub ignore_errors: bool,
    pub options: serde_json::Map<String, serde_json::Value>,
}

/// A container: one instance of a service on a ship.
#[derive(Clone, Debug, Serialize)]
pub struct Container {
    pub name: String,
    pub service: String,
    pub ship: String,
    #[serde(serialize_with = "image_full")]
    pub image: ImageRef,
    /// Named ports (service ports, overridden per name by the instance's).
    pub ports: BTreeMap<String, PortMapping>,
    /// The instance's `envfile`s then `env`, merged.
    pub env: EnvMap,
    pub volumes: Vec<BindVolume>,
    pub container_volumes: BTreeSet<String>,
    pub volumes_from: Vec<String>,
    pub links: BTreeMap<String, String>,
    pub command: Option<Vec<String>>,
    pub username: Option<String>,
    pub workdir: Option<String>,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub extra_hosts: BTreeMap<String, String>,
    pub net: Option<String>,
    pub restart: RestartPolicy,
    pub dns: Option<Vec<String>>,
    pub security_opt: Vec<String>,
    pub stop_timeout: u64,
    pub limits: Limits,
    pub ulimits: Vec<Ulimit>,
    pub log: Option<LogConfig>,
    pub labels: BTreeMap<String, String>,
    /// Service checks then this instance's own, per state.
    pub lifecycle: BTreeMap<LifecycleState, Vec<CheckSpec>>,
}

fn image_full<S: serde::Serializer>(image: &ImageRef, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&image.full)
}

impl Container {
    /// The hostname Docker gives the container: its name, unless `net` is set.
    pub fn hostname(&self) -> Option<&str> {
        self.net.is_none().then_some(self.name.as_str())
    }

    /// Every path that is a volume inside the container (bind targets and anonymous ones).
    pub fn volume_targets(&self) -> BTreeSet<&str> {
        self.volumes
            .iter()
            .map(|v| v.target.as_str())
            .chain(self.container_volumes.iter().map(String::as_str))
            .collect()
    }
}
