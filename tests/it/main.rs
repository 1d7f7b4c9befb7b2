//! The integration tests, as one test binary so that wasmtime and the rest are linked
//! once (`cargo test --test it`; a module's tests: `cargo test --test it docker_ships::`).
//! Every module runs the real `maestro` binary, the plugin host or the loader; the
//! `docker_*` modules need a Docker daemon (`tests/docker-up`) and `docker_ships` the
//! extra ships of `tests/ships`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod cli_plugins;
mod config_errors;
mod docker_create;
mod docker_e2e;
mod docker_guest;
mod docker_registry;
mod docker_ships;
mod env_and_guest;
mod example_plugins;
mod maestro_cases;
mod planner;
mod plugin_host;
mod providers;
mod simulated_ships;
