//! `maestro plugins list|inspect` and `maestro validate` with plugins: exact output,
//! run as a user would, with a `plugins/` folder beside the environment file.

use crate::support;

use support::maestro_in;
use support::plugins::fixture_path;

/// A directory with `maestro.yaml` (checks of three plugin types) and `plugins/`
/// holding the `adversary` and `sneaky-exec` fixtures under other names.
fn project(grant_exec: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("plugins")).unwrap();
    std::fs::copy(
        fixture_path("adversary"),
        dir.path().join("plugins/odd.wasm"),
    )
    .unwrap();
    std::fs::copy(
        fixture_path("sneaky-exec"),
        dir.path().join("plugins/runner.wasm"),
    )
    .unwrap();
    let grants = if grant_exec {
        "plugins:\n  runner: {grant: [exec]}\n"
    } else {
        ""
    };
    let text = format!(
        "name: cli\nships: {{local: {{ip: 127.0.0.1}}}}\n{grants}services:\n  app:\n    image: app\n    \
         lifecycle:\n      running:\n        - {{type: odd, mode: ready}}\n        - {{type: runner}}\n        \
         - {{type: missing}}\n    instances: {{app-1: {{ship: local}}}}\n"
    );
    std::fs::write(dir.path().join("maestro.yaml"), text).unwrap();
    dir
}

#[test]
fn validate_reports_every_plugin_problem_where_it_is_named() {
    let dir = project(false);
    let run = maestro_in(dir.path(), &["validate"], &[], None);
    assert_eq!(
        run.transcript(),
        "exit: 2\n--- stdout\n--- stderr\n\
         error: maestro.yaml:9:18: services.app.lifecycle.running[1].type: plugin `runner`: it imports maestro:plugin/exec@0.1.0, the `exec` capability, which is not granted (grant it with `plugins: {NAME: {grant: [exec]}}` in the environment file)\n\
         error: maestro.yaml:10:18: services.app.lifecycle.running[2].type: no check plugin \"missing\": it is not built in, and no directory has missing.wasm (searched plugins)\n"
    );
}

#[test]
fn plugins_list_shows_builtins_and_discovered_files() {
    let dir = project(true);
    let run = maestro_in(dir.path(), &["plugins", "list"], &[], None);
    assert_eq!(
        run.transcript(),
        "exit: 0\n--- stdout\n\
         NAME             WORLD          VERSION  SOURCE\n\
         tcp              check          0.1.0    built-in\n\
         http             check          0.1.0    built-in\n\
         exec             check          0.1.0    built-in\n\
         rexec            check          0.1.0    built-in\n\
         sleep            check          0.1.0    built-in\n\
         odd              check          0.1.0    plugins/odd.wasm\n\
         runner           check          0.1.0    plugins/runner.wasm\n\
         --- stderr\n"
    );
}

#[test]
fn plugins_inspect_shows_grants() {
    let dir = project(true);
    let run = maestro_in(dir.path(), &["plugins", "inspect", "runner"], &[], None);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let sha = maestro::plugin::sha256_hex(&std::fs::read(fixture_path("sneaky-exec")).unwrap());
    let size = std::fs::metadata(fixture_path("sneaky-exec"))
        .unwrap()
        .len();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..9],
        [
            "name:         runner".to_string(),
            "source:       plugins/runner.wasm".to_string(),
            "world:        check (maestro:plugin@0.1.0)".to_string(),
            format!("sha256:       {sha}"),
            format!("size:         {size} bytes"),
            "pinned:       no".to_string(),
            "granted:      exec".to_string(),
            "read:         none".to_string(),
            "memory:       256 MB".to_string(),
        ]
    );
    // No cache directory in this run (HOME is unset): compiled every time.
    assert!(
        lines[9].starts_with("cache:        compiled in "),
        "{}",
        lines[9]
    );
    assert!(
        lines[9].ends_with(" ms, not stored (no cache directory)"),
        "{}",
        lines[9]
    );
    assert!(
        run.stdout.contains("\n  maestro:plugin/exec@0.1.0\n"),
        "{}",
        run.stdout
    );
    let missing = maestro_in(dir.path(), &["plugins", "inspect", "nope"], &[], None);
    assert_eq!(
        missing.transcript(),
        "exit: 2\n--- stdout\n--- stderr\n\
         error: no plugin named \"nope\": it is not built in, and no directory has nope.wasm (searched plugins)\n"
    );
}
