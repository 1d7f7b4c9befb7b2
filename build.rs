//! Builds `plugins/` (a cargo workspace of its own) for wasm32-wasip2 and embeds the
//! built-in checks in the binary. The adversarial fixtures of `plugins/testing/` are
//! built alongside; tests find them through `MAESTRO_TESTING_PLUGINS`. Also records what
//! `maestro --version` reports: the commit, the wasmtime version and the WIT package.

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The built-in checks: the check type, and the crate that implements it.
const BUILTINS: [(&str, &str); 5] = [
    ("tcp", "maestro_check_tcp"),
    ("http", "maestro_check_http"),
    ("exec", "maestro_check_exec"),
    ("rexec", "maestro_check_rexec"),
    ("sleep", "maestro_check_sleep"),
];

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo::rerun-if-changed=plugins");
    println!("cargo::rerun-if-changed=wit");

    // One directory for every profile of the host, so a test build and a release
    // build share the guests; kept apart from the host's own target directory lock.
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("target"))
        .join("wasm-plugins");
    build_plugins(&manifest_dir.join("plugins/Cargo.toml"), &target_dir);

    let built = target_dir.join("wasm32-wasip2/release");
    let mut table = String::from("/// The built-in plugins: check type and component bytes.\n");
    table.push_str("pub const BUILTIN: &[(&str, &[u8])] = &[\n");
    for (name, krate) in BUILTINS {
        let file = built.join(format!("{krate}.wasm"));
        assert!(
            file.exists(),
            "the plugin build did not produce {}",
            file.display()
        );
        writeln!(
            table,
            "    ({name:?}, include_bytes!({:?})),",
            file.display().to_string()
        )
        .expect("writing to a String");
    }
    table.push_str("];\n");
    std::fs::write(out_dir.join("builtin_plugins.rs"), table).expect("write builtin_plugins.rs");
    println!(
        "cargo::rustc-env=MAESTRO_TESTING_PLUGINS={}",
        built.display()
    );
    record_versions(&manifest_dir);
}

/// `MAESTRO_COMMIT` (the checkout's commit, `unknown` outside git), `MAESTRO_WASMTIME`
/// (the version Cargo.lock resolved) and `MAESTRO_WIT` (the package `wit/` declares).
fn record_versions(manifest_dir: &Path) {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(manifest_dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    // A new commit (or checkout) changes HEAD or the branch it names.
    for path in ["HEAD", "packed-refs"] {
        if let Some(file) = git(&["rev-parse", "--git-path", path]) {
            println!(
                "cargo::rerun-if-changed={}",
                manifest_dir.join(file).display()
            );
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(file) = git(&["rev-parse", "--git-path", &branch])
    {
        println!(
            "cargo::rerun-if-changed={}",
            manifest_dir.join(file).display()
        );
    }
    println!("cargo::rustc-env=MAESTRO_COMMIT={commit}");

    println!("cargo::rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string(manifest_dir.join("Cargo.lock")).unwrap_or_default();
    let wasmtime = lock
        .split("[[package]]")
        .find_map(|entry| {
            let mut lines = entry.lines().map(str::trim);
            lines.find(|l| *l == "name = \"wasmtime\"")?;
            lines.find_map(|l| l.strip_prefix("version = \""))
        })
        .map(|v| v.trim_end_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo::rustc-env=MAESTRO_WASMTIME={wasmtime}");

    let wit = std::fs::read_to_string(manifest_dir.join("wit/plugin.wit")).unwrap_or_default();
    let package = wit
        .lines()
        .find_map(|l| l.trim().strip_prefix("package "))
        .map(|p| p.trim_end_matches(';').to_string())
        .unwrap_or_else(|| fail("wit/plugin.wit declares no `package`"));
    println!("cargo::rustc-env=MAESTRO_WIT={package}");
}

fn build_plugins(manifest: &Path, target_dir: &Path) {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip2",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir)
        // The host's flags (coverage, sanitizers, -D warnings) are not the guests'.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!(
            "building the built-in plugins (plugins/) for wasm32-wasip2 failed ({status}). \
             If the target is missing, install it with `rustup target add wasm32-wasip2` \
             (tests/run and examples/demo/up do this themselves), then build again."
        )),
        Err(e) => fail(&format!(
            "cannot run cargo to build the built-in plugins: {e}"
        )),
    }
}

/// Ends the build with one clear paragraph, not a panic and its backtrace.
fn fail(message: &str) -> ! {
    println!("cargo:warning={message}");
    eprintln!("error: {message}");
    std::process::exit(1);
}
