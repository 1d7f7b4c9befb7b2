//! Builds the example plugins of `examples/plugins/` (Rust, Python, JavaScript) with
//! their own toolchains into one `plugins/` folder, once per process. `tests/run`
//! installs the toolchains; a missing one fails with how to get it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example plugins by file name: `banner.wasm` (Rust), `line-protocol.wasm`
/// (Python), `json-health.wasm` (JavaScript).
pub const EXAMPLES: [(&str, &str); 3] = [
    ("banner", "Rust"),
    ("line-protocol", "Python"),
    ("json-health", "JavaScript"),
];

/// A directory whose `plugins/` folder holds the three examples, built on first use.
pub fn plugin_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let home = root().join("target/example-plugins/home");
        let plugins = home.join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        let examples = root().join("examples/plugins");
        let target_dir = root().join("target/example-plugins");
        build(
            "Rust",
            Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--release",
                    "--locked",
                    "--target",
                    "wasm32-wasip2",
                ])
                .arg("--manifest-path")
                .arg(examples.join("rust/Cargo.toml"))
                .arg("--target-dir")
                .arg(&target_dir)
                .env_remove("CARGO_TARGET_DIR")
                .env_remove("RUSTFLAGS"),
        );
        std::fs::copy(
            target_dir.join("wasm32-wasip2/release/banner.wasm"),
            plugins.join("banner.wasm"),
        )
        .unwrap();
        build(
            "Python",
            Command::new(componentize_py())
                .current_dir(examples.join("python"))
                .args([
                    "-d",
                    "../../../wit",
                    "-w",
                    "check",
                    "componentize",
                    "app",
                    "-o",
                ])
                .arg(plugins.join("line-protocol.wasm")),
        );
        build(
            "JavaScript",
            Command::new(examples.join("js/node_modules/.bin/componentize-js"))
                .current_dir(examples.join("js"))
                .args(["--wit", "../../../wit", "--world-name", "check", "-o"])
                .arg(plugins.join("json-health.wasm"))
                .arg("json-health.js"),
        );
        home
    })
}

/// Runs a build command; a missing toolchain fails with how to get it.
fn build(what: &str, command: &mut Command) {
    let output = command.output().unwrap_or_else(|e| {
        panic!("cannot build the {what} example ({e}): run tests/run, which installs its toolchain")
    });
    assert!(
        output.status.success(),
        "building the {what} example failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `componentize-py`: where tests/run installs it, or on PATH.
fn componentize_py() -> PathBuf {
    let local = root().join("target/toolchains/py/bin/componentize-py");
    if local.exists() {
        local
    } else {
        PathBuf::from("componentize-py")
    }
}
