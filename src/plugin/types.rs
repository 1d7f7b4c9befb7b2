//! The values exchanged with plugins, as plain Rust types: callers build and read
//! these, and never see wasmtime's generated bindings.

use crate::config::grammar::Protocol;
use serde::Serialize;

/// A port of the checked container (WIT `types.port`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Port {
    pub name: String,
    pub exposed: u16,
    pub external: u16,
    pub protocol: Protocol,
}

/// What a check probes (WIT `types.target`).
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub environment: String,
    pub service: String,
    pub container: String,
    pub ship: String,
    pub address: String,
    pub ports: Vec<Port>,
    pub env: Vec<(String, String)>,
    /// The check's options, a JSON object.
    pub options: String,
}

/// The outcome of one check attempt (WIT `probe.outcome`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ready,
    NotReady(String),
    Failed(String),
}

/// How a program run for a plugin ended (WIT `types.completion`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub exit_code: i32,
    pub output: String,
}

/// A registry pull, as an auth plugin sees it (WIT `credentials.request`).
#[derive(Clone, Debug, PartialEq)]
pub struct AuthRequest {
    pub registry: String,
    pub address: String,
    pub image: String,
    pub options: String,
}

/// Credentials from an auth plugin (WIT `credentials.login`); `Secret` keeps the
/// password and token out of every output.
#[derive(Clone, Debug, PartialEq)]
pub struct Login {
    pub username: String,
    pub password: crate::model::Secret,
    pub identity_token: Option<crate::model::Secret>,
}

/// One container as an env generator sees it (WIT `generator.member`).
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub service: String,
    pub container: String,
    pub ship: String,
    pub address: String,
    pub ports: Vec<Port>,
    pub index: u32,
    pub sequence: u32,
}

/// The cluster an env generator configures (WIT `generator.cluster`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    pub environment: String,
    pub target: Member,
    pub peers: Vec<Member>,
    pub dependencies: Vec<Member>,
    pub env: Vec<(String, String)>,
    pub options: String,
}

/// A line a plugin logged during a call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub level: &'static str,
    pub message: String,
}
