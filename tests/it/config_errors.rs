//! Every bad environment file under `tests/fixtures/errors/` gives exactly the messages
//! (file:line:col: key path: problem) and exit code in its `.out` file, and never panics.

use crate::support;

#[path = "config_errors/hostile.rs"]
mod hostile;

use support::{assert_golden, fixtures, maestro_in};

#[test]
fn each_error_fixture_reports_exactly_its_golden_output() {
    let dir = fixtures().join("errors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "expected the full set of error fixtures, found {}",
        files.len()
    );
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 name");
        let run = maestro_in(&dir, &["-f", name, "validate"], &[], None);
        assert!(
            !run.stderr.contains("panicked"),
            "{name} panicked:\n{}",
            run.stderr
        );
        assert!(run.code == 0 || run.code == 2, "{name}: exit {}", run.code);
        assert_golden(&file.with_extension("out"), &run.transcript());
    }
}

#[test]
fn a_missing_file_is_invalid_input() {
    let run = maestro_in(&fixtures(), &["-f", "nonexist.yaml", "deptree"], &[], None);
    assert_eq!(
        run.transcript(),
        "exit: 2\n--- stdout\n--- stderr\nerror: nonexist.yaml: environment file not found\n"
    );
}

#[test]
fn json_validation_lists_every_problem_with_its_place() {
    let dir = fixtures().join("errors");
    let run = maestro_in(
        &dir,
        &["-f", "many_problems.yaml", "--json", "validate"],
        &[],
        None,
    );
    assert_eq!(run.code, 2);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(report["valid"], false);
    let first = &report["errors"][0];
    assert_eq!(first["file"], "many_problems.yaml");
    assert!(first["line"].as_u64().is_some_and(|l| l > 0));
    assert!(
        report["errors"].as_array().is_some_and(|e| e.len() >= 6),
        "{report}"
    );
    assert_eq!(run.stderr, "");
}
