//! MaestroNG's guest functions for code running inside a container — the library behind
//! `maestro guest …` and the static `maestro-guest` binary (built for
//! `x86_64-unknown-linux-musl`, it runs in `FROM scratch`, busybox and alpine images).
//!
//! Owns the names of the injected variables (`naming`, which `maestro`'s `env` writes
//! through), reading them back (`functions`), and the command-line form both binaries
//! share (`cli`). Nothing here opens a connection or runs WebAssembly.

pub mod cli;
mod functions;
pub mod naming;

pub use functions::{Guest, GuestError, get_container_internal_address};
