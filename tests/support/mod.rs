//! Shared helpers for the integration tests: run the real `maestro` binary and compare
//! its whole output with a golden file (`MAESTRO_BLESS=1` rewrites the golden files).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run of `maestro` did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The exit code and both streams, as one text for golden comparison.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// Runs `maestro ARGS` in `dir` with a clean, fixed environment (plus `vars`).
pub fn maestro_in(dir: &Path, args: &[&str], vars: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_maestro"));
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the maestro binary runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    let output = child.wait_with_output().expect("maestro finishes");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Waits for `child`, killing it (and failing the test) if it runs past `deadline`:
/// a hang is a failure, never a stuck test run.
pub fn wait_within(
    child: &mut std::process::Child,
    deadline: std::time::Duration,
) -> std::process::ExitStatus {
    let (done, exited) = std::sync::mpsc::channel::<()>();
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let watchdog = std::thread::spawn(move || {
        let late = exited.recv_timeout(deadline).is_err();
        if late {
            // SAFETY: a plain kill(2) of the child's pid.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        late
    });
    let status = child.wait().expect("the child ends");
    let _ = done.send(());
    assert!(
        !watchdog.join().expect("watchdog"),
        "the process ran past {deadline:?} and was killed"
    );
    status
}

/// Compares `actual` with the golden file, or rewrites it when `MAESTRO_BLESS=1`.
pub fn assert_golden(golden: &Path, actual: &str) {
    if std::env::var_os("MAESTRO_BLESS").is_some() {
        std::fs::write(golden, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(golden).unwrap_or_else(|_| {
        panic!(
            "missing golden file {} (run with MAESTRO_BLESS=1)",
            golden.display()
        )
    });
    assert_eq!(actual, expected, "output differs from {}", golden.display());
}

/// Loads and validates `tests/fixtures/envs/NAME` (no template variables).
pub fn load_env(name: &str) -> maestro::model::Environment {
    let file = fixtures().join("envs").join(name);
    let source =
        maestro::config::read_source(file.to_str().expect("utf-8 path")).expect("readable");
    maestro::config::load_source(&source, &Default::default())
        .expect("valid")
        .environment
}
pub mod docker;
pub mod examples;
pub mod http;
pub mod plugins;
pub mod registry;
pub mod ships;
pub mod simulated;
