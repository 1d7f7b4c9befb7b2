//! What this build is — maestro's version, the commit it was built from, the wasmtime it
//! runs plugins with and the WIT package plugins are written against — as `--version`
//! prints it and `maestro version --json` reports it. build.rs records the last three.

/// maestro's own version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The commit built from (`unknown` when built outside a git checkout).
pub const COMMIT: &str = env!("MAESTRO_COMMIT");
/// The wasmtime version linked in.
pub const WASMTIME: &str = env!("MAESTRO_WASMTIME");
/// The WIT package plugins target, e.g. `maestro:plugin@0.1.0`.
pub const WIT: &str = env!("MAESTRO_WIT");

/// `0.1.0 (commit 1b70428ab3c2, wasmtime 48.0.8, WIT maestro:plugin@0.1.0)`: what
/// `maestro --version` prints after the program's name.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("MAESTRO_COMMIT"),
    ", wasmtime ",
    env!("MAESTRO_WASMTIME"),
    ", WIT ",
    env!("MAESTRO_WIT"),
    ")"
);

#[cfg(test)]
mod tests {
    #[test]
    fn the_wit_package_is_the_one_the_host_checks() {
        assert_eq!(
            super::WIT,
            format!("maestro:plugin@{}", crate::plugin::policy::VERSION)
        );
    }
}
