//! Builds `plugins/` (a cargo workspace of its own) for wasm32-wasip2 and embeds the
//! built-in checks in the binary. The adversarial fixtures of `plugins/testing/` are
//! built alongside; tests find them through `MAESTRO_TESTING_PLUGINS`.

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
