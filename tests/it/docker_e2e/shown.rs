//! What maestro prints: the logs of several containers, a plugin's log lines and
//! "not yet" reasons under `--verbose` (inert) and in JSON, and every JSON line
//! checked against the README's JSON API table. Names carry this run's prefix; no
//! host port is fixed.

use crate::support::docker::{Env, SLEEPER, run_prefix};
use crate::support::plugins::fixture_path;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn events(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn logs_of_several_containers() {
    let p = run_prefix();
    let writer = |n: u8| {
        format!(
            "[sh, -c, \"echo out-{n}; echo err-{n} >&2; trap 'exit 0' TERM; sleep 3600 & wait\"]"
        )
    };
    let body = format!(
        "services:\n  {p}-web:\n    image: IMAGE\n    instances:\n      {p}-web-1: {{ship: local, command: {}}}\n      {p}-web-2: {{ship: local, command: {}}}\n",
        writer(1),
        writer(2)
    );
    let env = Env::new(&format!("logs-many-{p}"), &body);
    assert_eq!(env.maestro(&["start"]).code, 0);
    // Both write at once when they start: poll until both lines are there.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let service = format!("{p}-web");
    let run = loop {
        let run = env.maestro(&["logs", &service]);
        if run.stdout.lines().count() == 2 || std::time::Instant::now() > deadline {
            break run;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(run.code, 0, "{}", run.transcript());
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines.sort();
        lines
    };
    assert_eq!(
        sorted(&run.stdout),
        [format!("{p}-web-1 | out-1"), format!("{p}-web-2 | out-2")],
        "{}",
        run.transcript()
    );
    assert_eq!(
        sorted(&run.stderr),
        [format!("{p}-web-1 | err-1"), format!("{p}-web-2 | err-2")],
        "{}",
        run.transcript()
    );
    // One container: as written, no prefix; JSON: one `output` event per line.
    let one = env.maestro(&["logs", &format!("{p}-web-2")]);
    assert_eq!(
        (one.stdout.as_str(), one.stderr.as_str()),
        ("out-2\n", "err-2\n")
    );
    let json = env.maestro(&["--json", "logs", &format!("{p}-web-1")]);
    let mut streams: Vec<(String, String)> = events(&json.stdout)
        .iter()
        .map(|e| {
            assert_eq!(
                (e["schema"].as_u64(), e["event"].as_str()),
                (Some(1), Some("output"))
            );
            (
                e["stream"].as_str().unwrap().into(),
                e["line"].as_str().unwrap().into(),
            )
        })
        .collect();
    streams.sort();
    assert_eq!(
        streams,
        [
            ("stderr".to_string(), "err-1".to_string()),
            ("stdout".into(), "out-1".into())
        ]
    );
}

#[test]
fn plugin_logs_and_reasons_are_shown_inert_with_verbose() {
    // A check plugin dropped into a plugins directory that logs and answers "not yet"
    // with escape sequences in both.
    let p = run_prefix();
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture_path("adversary"),
        plugins.path().join("adversary.wasm"),
    )
    .unwrap();
    let body = format!(
        "services:\n  {p}-chk:\n    image: IMAGE\n    instances:\n      {p}-chk-1:\n        ship: local\n        command: {SLEEPER}\n        lifecycle: {{running: [{{type: adversary, mode: escape, max_wait: 1}}]}}\n"
    );
    let env = Env::new(&format!("verbose-{p}"), &body);
    let dir = plugins.path().to_str().unwrap();
    let run = env.maestro(&["--plugin-dir", dir, "-V", "start"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let container = format!("{p}-chk-1");
    assert!(
        run.stderr
            .lines()
            .any(|l| l
                == format!("  {container} │ adversary warn: \\x1b]0;owned\\x07\\x1b[2Jlogged")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .lines()
            .any(|l| l
                == format!("  {container} │ adversary attempt 1: \\x1b[1A\\r  1. forged started")),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains('\x1b') && !run.stdout.contains('\x1b'),
        "{}",
        run.transcript()
    );
    // JSON carries them as they were written (JSON escapes them).
    let json = env.maestro(&["--plugin-dir", dir, "--json", "start"]);
    let all = events(&json.stdout);
    assert!(
        all.iter().any(|e| e["event"] == "plugin_log"
            && e["level"] == "warn"
            && e["message"] == "\x1b]0;owned\x07\x1b[2Jlogged"),
        "{}",
        json.stdout
    );
    assert!(
        all.iter().any(|e| e["state"] == "checking"
            && e["attempt"] == 1
            && e["reason"] == "\x1b[1A\r  1. forged started"),
        "{}",
        json.stdout
    );
}

/// The README's JSON API table: event → field → (type, optional).
type Api = BTreeMap<String, BTreeMap<String, (String, bool)>>;

fn json_api() -> Api {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = readme
        .split("<!-- json-api -->")
        .nth(1)
        .and_then(|t| t.split("<!-- /json-api -->").next())
        .expect("the README has the JSON API table");
    let mut api = Api::new();
    for row in table.lines().skip(3) {
        let cells: Vec<&str> = row
            .split(" | ")
            .map(|c| c.trim_matches(|c| c == '|' || c == ' '))
            .collect();
        if cells.len() < 3 {
            continue;
        }
        let ty = cells[2].replace("\\|", "|");
        let optional = ty.ends_with('?');
        let ty = ty.trim_end_matches('?').to_string();
        api.entry(cells[0].to_string())
            .or_default()
            .insert(cells[1].to_string(), (ty, optional));
    }
    api
}

/// The container states the README lists (the closed set).
fn documented_states() -> BTreeSet<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let list = readme
        .split("<!-- states -->")
        .nth(1)
        .and_then(|t| t.split("<!-- /states -->").next())
        .expect("the README lists the states");
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Checks every line of `stdout` against the README's JSON API; its events.
fn assert_documented(stdout: &str) -> Vec<Value> {
    let api = json_api();
    let states = documented_states();
    let all = events(stdout);
    for e in &all {
        let object = e.as_object().expect("an object");
        assert_eq!(e["schema"], 1, "{e}");
        let name = e["event"].as_str().expect("an event name");
        let fields = api
            .get(name)
            .unwrap_or_else(|| panic!("undocumented event: {e}"));
        for (key, value) in object {
            if key == "schema" || key == "event" {
                continue;
            }
            let (ty, _) = fields
                .get(key)
                .unwrap_or_else(|| panic!("undocumented field `{key}`: {e}"));
            let ok = ty.split('|').any(|t| match t {
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "boolean" => value.is_boolean(),
                "array" => value.is_array(),
                "object" => value.is_object(),
                "null" => value.is_null(),
                other => panic!("unknown type {other} in the README"),
            });
            assert!(ok, "`{key}` is not {ty}: {e}");
        }
        for (key, (_, optional)) in fields {
            assert!(
                *optional || object.contains_key(key),
                "missing `{key}`: {e}"
            );
        }
        if name == "container" {
            let state = e["state"].as_str().unwrap();
            assert!(states.contains(state), "undocumented state: {e}");
        }
    }
    all
}

#[test]
fn json_output_is_the_documented_api() {
    let p = run_prefix();
    let body = format!(
        r#"services:
  {p}-db:
    image: IMAGE
    instances:
      {p}-db-1: {{ship: local, command: {SLEEPER}}}
  {p}-web:
    image: IMAGE
    requires: [{p}-db]
    instances:
      {p}-web-1: {{ship: local, command: {SLEEPER}}}
"#
    );
    let env = Env::new(&format!("jsonapi-{p}"), &body);
    let mut all = Vec::new();
    for args in [
        &["--json", "start"][..],
        &["--json", "status", "-F"],
        &["--json", "deptree"],
        &["--json", "validate"],
        &["--json", "dump"],
        &["--json", "plugins", "list"],
        &["--json", "stop", "-a"],
        &["--json", "clean"],
        &["--json", "start", "nothing-of-that-name"],
    ] {
        let run = env.maestro(args);
        all.extend(assert_documented(&run.stdout));
    }
    let kinds: BTreeSet<&str> = all.iter().map(|e| e["event"].as_str().unwrap()).collect();
    for kind in [
        "play",
        "container",
        "ports",
        "result",
        "deptree",
        "validate",
        "dump",
        "plugin",
        "error",
    ] {
        assert!(kinds.contains(kind), "no `{kind}` event was seen");
    }
    let error = all.iter().find(|e| e["event"] == "error").unwrap();
    assert_eq!(error["exit_code"], 2);
    // A failed start's result names container, ship, step, cause, exit code, output.
    let crash = Env::new(
        &format!("jsoncrash-{p}"),
        &format!(
            "services:\n  {p}-jc:\n    image: IMAGE\n    instances:\n      {p}-jc-1: {{ship: local, command: [sh, -c, \"echo boom; exit 4\"]}}\n"
        ),
    );
    let run = crash.maestro(&["--json", "start"]);
    let result = assert_documented(&run.stdout).pop().unwrap();
    assert_eq!(result["event"], "result");
    assert_eq!(
        result["failures"],
        serde_json::json!([{"container": format!("{p}-jc-1"), "ship": "local", "step": "start",
            "cause": "the container exited at once", "exit_code": 4, "output": ["boom"]}])
    );
}

/// `--version`, `-v` and `version` say what this build is: the checkout's commit, the
/// pinned wasmtime and the WIT package in `wit/`; `--json` as the README documents it.
#[test]
fn the_version_names_the_commit_wasmtime_and_the_wit_package() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = std::process::Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .expect("git runs");
    let commit = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let line = format!(
        "maestro {} (commit {commit}, wasmtime 48.0.8, WIT maestro:plugin@0.1.0)\n",
        env!("CARGO_PKG_VERSION")
    );
    for args in [&["--version"][..], &["-v"], &["version"]] {
        let run = crate::support::maestro_in(root, args, &[], None);
        assert_eq!(
            run.transcript(),
            format!("exit: 0\n--- stdout\n{line}--- stderr\n")
        );
    }
    let json = crate::support::maestro_in(root, &["--json", "version"], &[], None);
    let all = assert_documented(&json.stdout);
    assert_eq!(all.len(), 1, "{}", json.stdout);
    assert_eq!(
        (&all[0]["commit"], &all[0]["wasmtime"], &all[0]["wit"]),
        (
            &Value::from(commit),
            &Value::from("48.0.8"),
            &Value::from("maestro:plugin@0.1.0")
        )
    );

    // The manual page: roff, every command in it.
    let man = crate::support::maestro_in(root, &["man"], &[], None);
    assert_eq!(man.code, 0, "{}", man.transcript());
    assert!(man.stdout.contains(".TH maestro 1 "), "{}", man.stdout);
    for command in [
        "status", "start", "stop", "restart", "logs", "guest", "version",
    ] {
        assert!(
            man.stdout.contains(&format!("maestro\\-{command}(1)")),
            "{command}: {}",
            man.stdout
        );
    }
    // …and each page it lists.
    let start = crate::support::maestro_in(root, &["man", "start"], &[], None);
    assert!(
        start.stdout.contains(".TH maestro-start 1 ")
            && start.stdout.contains("\\fB\\-\\-reuse\\fR"),
        "{}",
        start.stdout
    );
    let bogus = crate::support::maestro_in(root, &["man", "strat"], &[], None);
    assert_eq!(
        bogus.transcript(),
        "exit: 2\n--- stdout\n--- stderr\nerror: `strat` is not a maestro command; did you mean `start`?\n"
    );
}
