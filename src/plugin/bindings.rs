//! wasmtime's bindings for `wit/` and the conversions between them and `types`.
//! One `bindgen!` per world; the shared interfaces (`types`, `log`) are generated
//! once and reused by the others.

use super::types as plain;
use crate::config::grammar::Protocol;

/// The `exec-check` world: `types`, `log`, `exec`, and the `probe` export.
#[allow(clippy::all, dead_code)]
pub mod check {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "maestro:plugin/exec-check",
        imports: { default: async },
        exports: { default: async },
    });
}

/// The `container-check` world, for its `container-exec` import.
#[allow(clippy::all, dead_code)]
pub mod container_check {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "maestro:plugin/container-check",
        imports: { default: async },
        exports: { default: async },
        with: {
            "maestro:plugin/types": super::check::maestro::plugin::types,
            "maestro:plugin/log": super::check::maestro::plugin::log,
        },
    });
}

/// The `auth` world, for its `credentials` export.
#[allow(clippy::all, dead_code)]
pub mod auth {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "maestro:plugin/auth",
        imports: { default: async },
        exports: { default: async },
        with: {
                        "maestro:plugin/log": super::check::maestro::plugin::log,
        },
    });
}

/// The `env-generator` world, for its `generator` export.
#[allow(clippy::all, dead_code)]
pub mod generator {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "maestro:plugin/env-generator",
        imports: { default: async },
        exports: { default: async },
        with: {
            "maestro:plugin/types": super::check::maestro::plugin::types,
            "maestro:plugin/log": super::check::maestro::plugin::log,
        },
    });
}

pub use auth::exports::maestro::plugin::credentials;
pub use check::exports::maestro::plugin::probe;
pub use check::maestro::plugin::{exec, log, types};
pub use container_check::maestro::plugin::container_exec;
pub use generator::exports::maestro::plugin::generator as generate;

fn port(p: &plain::Port) -> types::Port {
    types::Port {
        name: p.name.clone(),
        exposed: p.exposed,
        external: p.external,
        protocol: match p.protocol {
            Protocol::Tcp => types::Protocol::Tcp,
            Protocol::Udp => types::Protocol::Udp,
        },
    }
}

fn variables(env: &[(String, String)]) -> Vec<types::Variable> {
    env.iter()
        .map(|(name, value)| types::Variable {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

pub fn target(t: &plain::Target) -> types::Target {
    types::Target {
        environment: t.environment.clone(),
        service: t.service.clone(),
        container: t.container.clone(),
        ship: t.ship.clone(),
        address: t.address.clone(),
        ports: t.ports.iter().map(port).collect(),
        env: variables(&t.env),
        options: t.options.clone(),
    }
}

pub fn outcome(o: probe::Outcome) -> plain::Outcome {
    match o {
        probe::Outcome::Ready => plain::Outcome::Ready,
        probe::Outcome::NotReady(reason) => plain::Outcome::NotReady(reason),
        probe::Outcome::Failed(reason) => plain::Outcome::Failed(reason),
    }
}

pub fn completion(c: &plain::Completion) -> types::Completion {
    types::Completion {
        exit_code: c.exit_code,
        output: c.output.clone(),
    }
}

pub fn auth_request(r: &plain::AuthRequest) -> credentials::Request {
    credentials::Request {
        registry: r.registry.clone(),
        address: r.address.clone(),
        image: r.image.clone(),
        options: r.options.clone(),
    }
}

pub fn login(l: credentials::Login) -> plain::Login {
    plain::Login {
        username: l.username,
        password: crate::model::Secret::new(l.password),
        identity_token: l.identity_token.map(crate::model::Secret::new),
    }
}

fn member(m: &plain::Member) -> generate::Member {
    generate::Member {
        service: m.service.clone(),
        container: m.container.clone(),
        ship: m.ship.clone(),
        address: m.address.clone(),
        ports: m.ports.iter().map(port).collect(),
        index: m.index,
        sequence: m.sequence,
    }
}

pub fn cluster(c: &plain::Cluster) -> generate::Cluster {
    generate::Cluster {
        environment: c.environment.clone(),
        target: member(&c.target),
        peers: c.peers.iter().map(member).collect(),
        dependencies: c.dependencies.iter().map(member).collect(),
        env: variables(&c.env),
        options: c.options.clone(),
    }
}

pub fn generated(vars: Vec<types::Variable>) -> Vec<(String, String)> {
    vars.into_iter().map(|v| (v.name, v.value)).collect()
}

pub fn level(l: log::Level) -> &'static str {
    match l {
        log::Level::Debug => "debug",
        log::Level::Info => "info",
        log::Level::Warn => "warn",
        log::Level::Error => "error",
    }
}
