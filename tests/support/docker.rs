//! Docker for the end-to-end tests: the real daemon (a test fails, never skips, when
//! it cannot be reached), the busybox test image built once from `tests/images/`,
//! environments written per test, and cleanup by maestro's environment label.

use super::{Run, maestro_in};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The test image, built `FROM scratch` with Debian's static busybox.
pub const IMAGE: &str = "maestro-test/busybox:latest";

/// Runs the docker CLI; its stdout, or a panic naming the command.
pub fn docker(args: &[&str]) -> String {
    let output = Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("the docker CLI must be installed: {e}"));
    assert!(
        output.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Makes sure the daemon answers and the test image exists (once per test binary).
pub fn ready() {
    static READY: OnceLock<()> = OnceLock::new();
    READY.get_or_init(|| {
        let info = Command::new("docker")
            .args(["version", "--format", "{{.Server.APIVersion}}"])
            .output();
        match info {
            Ok(o) if o.status.success() => {}
            _ => panic!(
                "the end-to-end tests need a running Docker daemon on /var/run/docker.sock \
                 (`.ci/run` installs and starts one)"
            ),
        }
        let build = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images/busybox/build");
        let status = Command::new(build)
            .status()
            .expect("the image build script runs");
        assert!(status.success(), "building {IMAGE} failed");
    });
}

/// One test's environment: its own name (so tests can run at once), its file, and
/// the removal of its containers when dropped.
pub struct Env {
    pub name: String,
    pub dir: tempfile::TempDir,
}

impl Env {
    /// Writes `maestro.yaml` from `body` (everything after `name:`; `IMAGE` and
    /// `SHIP` are replaced by the test image and the local ship's definition).
    pub fn new(name: &str, body: &str) -> Env {
        ready();
        let env = Env {
            name: format!("e2e-{name}"),
            dir: tempfile::tempdir().expect("temp dir"),
        };
        env.remove_containers();
        let text = format!(
            "__maestro:\n  schema: 2\nname: {}\nships:\n  local: {{ip: 127.0.0.1, socket_path: /var/run/docker.sock}}\n{}",
            env.name,
            body.replace("IMAGE", IMAGE)
        );
        std::fs::write(env.file(), text).expect("write maestro.yaml");
        env
    }

    pub fn file(&self) -> PathBuf {
        self.dir.path().join("maestro.yaml")
    }

    /// `maestro -f FILE ARGS…` with a pipe for stdout (plain lines).
    pub fn maestro(&self, args: &[&str]) -> Run {
        let file = self.file();
        let mut all = vec!["-f", file.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        maestro_in(self.dir.path(), &all, &[], None)
    }

    /// This environment's containers (running or not): name and state, by name.
    pub fn containers(&self) -> Vec<(String, String)> {
        let filter = format!("label=maestro.environment={}", self.name);
        let out = docker(&[
            "ps",
            "-a",
            "--filter",
            &filter,
            "--format",
            "{{.Names}} {{.ID}} {{.State}}",
        ]);
        let mut list: Vec<(String, String)> = out
            .lines()
            .filter_map(|l| {
                let mut parts = l.split(' ');
                let name = parts.next()?.to_string();
                let _id = parts.next()?;
                Some((name, parts.next()?.to_string()))
            })
            .collect();
        list.sort();
        list
    }

    /// `docker inspect --format FORMAT NAME`.
    pub fn inspect(&self, container: &str, format: &str) -> String {
        docker(&["inspect", "--format", format, container])
            .trim()
            .to_string()
    }

    fn remove_containers(&self) {
        let filter = format!("label=maestro.environment={}", self.name);
        let ids = docker(&["ps", "-aq", "--filter", &filter]);
        let ids: Vec<&str> = ids.split_whitespace().collect();
        if !ids.is_empty() {
            let mut args = vec!["rm", "-f", "-v"];
            args.extend(ids);
            docker(&args);
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        self.remove_containers();
    }
}

/// The final status text of each row in plain output: `name → last detail`, in the
/// order rows reached their final state.
pub fn finals(stdout: &str, finals: &[&str]) -> Vec<(String, String)> {
    stdout
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let _number = words.next()?;
            let name = words.next()?.to_string();
            let status = finals.iter().find(|f| line.ends_with(*f))?;
            Some((name, status.to_string()))
        })
        .collect()
}

/// Sends SIGINT (Ctrl-C) to a process.
pub fn kill_int(pid: &str) {
    let status = Command::new("kill")
        .args(["-INT", pid])
        .status()
        .expect("kill runs");
    assert!(status.success());
}
