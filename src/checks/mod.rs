//! `checks`: lifecycle checks with MaestroNG's semantics, run by the plugin host.
//!
//! `prepare` finds and loads every plugin an environment names — its checks', and the
//! env generators and auth providers that `providers` calls — before anything starts. `run_state` runs the checks of one state of
//! one container, all at once; each polls its plugin (one attempt per call) from
//! tens of milliseconds up to about a second apart, within MaestroNG's total limits.

mod prepare;
mod run;
mod target;
pub mod timing;

pub use prepare::{Plugins, missing, names_plugins, prepare, search_path, search_path_in};
pub use run::{CheckEvent, CheckFailure, Observer, Probe, run_state};
pub use target::{ports_of, target};
