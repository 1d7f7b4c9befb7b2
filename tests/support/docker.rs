//! Docker for the end-to-end tests: the real daemon (a test fails, never skips, when
//! it cannot be reached), the busybox test image built once from `tests/images/`,
//! environments written per test, and cleanup by maestro's environment label.

use super::{Run, maestro_in};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The test image, built `FROM scratch` with Debian's static busybox.
pub const IMAGE: &str = "maestro-test/busybox:latest";

/// A command that runs until it is stopped, and honours SIGTERM.
pub const SLEEPER: &str = "[sh, -c, \"trap 'exit 0' TERM; sleep 3600 & wait\"]";

/// A prefix for the names of this test run's environments and containers, so that
/// another checkout's tests on the same daemon never meet them: `t` and this
/// process's ID.
pub fn run_prefix() -> String {
    format!("t{:x}", std::process::id())
}

/// Runs the docker CLI; its stdout, or a panic naming the command.
pub fn docker(args: &[&str]) -> String {
    docker_at(None, args)
}

/// `docker [-H HOST] ARGS…`; its stdout, or a panic naming the command.
pub fn docker_at(host: Option<&str>, args: &[&str]) -> String {
    let mut command = Command::new("docker");
    if let Some(host) = host {
        command.args(["-H", host]);
    }
    let output = command
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("the docker CLI must be installed: {e}"));
    assert!(
        output.status.success(),
        "docker {host:?} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The host's daemon, as the ship `local` of the tests.
pub const LOCAL_DAEMON: &[(&str, &str)] = &[("local", "unix:///var/run/docker.sock")];

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
                "no Docker daemon answers on /var/run/docker.sock: start one with `tests/docker-up` \
                 (tests/run and .ci/run do this themselves)"
            ),
        }
        let build = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images/busybox/build");
        let status = Command::new(build)
            .status()
            .expect("the image build script runs");
        assert!(status.success(), "building {IMAGE} failed");
    });
}

/// One test's environment: its own name (so tests can run at once), its file, the
/// daemons it may touch (by ship name), the variables maestro runs with, and the removal
/// of its containers from every one of those daemons when dropped.
pub struct Env {
    pub name: String,
    pub dir: tempfile::TempDir,
    daemons: &'static [(&'static str, &'static str)],
    vars: Vec<(String, String)>,
}

impl Env {
    /// Writes `maestro.yaml` from `body` (everything after `name:`; `IMAGE` is replaced
    /// by the test image) with the host's daemon as the ship `local`.
    pub fn new(name: &str, body: &str) -> Env {
        ready();
        Env::with_ships(
            name,
            "ships:\n  local: {ip: 127.0.0.1, socket_path: /var/run/docker.sock}\n",
            body,
            LOCAL_DAEMON,
            Vec::new(),
        )
    }

    /// The same with another `ships:` section, the `daemons` behind its ships, and
    /// variables for every maestro run.
    pub fn with_ships(
        name: &str,
        ships: &str,
        body: &str,
        daemons: &'static [(&'static str, &'static str)],
        vars: Vec<(String, String)>,
    ) -> Env {
        let env = Env {
            name: format!("e2e-{name}"),
            dir: tempfile::tempdir().expect("temp dir"),
            daemons,
            vars,
        };
        env.remove_containers();
        let text = format!(
            "__maestro:\n  schema: 2\nname: {}\n{ships}{}",
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
        self.maestro_with(args, &[])
    }

    /// The same with more variables (they win over the environment's own).
    pub fn maestro_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let file = self.file();
        let mut all = vec!["-f", file.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        let mut env: Vec<(&str, &str)> = self
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .filter(|(k, _)| !vars.iter().any(|(o, _)| o == k))
            .collect();
        env.extend_from_slice(vars);
        maestro_in(self.dir.path(), &all, &env, None)
    }

    /// This environment's containers on the host's daemon: name and state, by name.
    pub fn containers(&self) -> Vec<(String, String)> {
        self.containers_on("local")
    }

    /// This environment's containers on `ship`'s daemon: name and state, by name.
    pub fn containers_on(&self, ship: &str) -> Vec<(String, String)> {
        let filter = format!("label=maestro.environment={}", self.name);
        let out = self.docker_on(
            ship,
            &[
                "ps",
                "-a",
                "--filter",
                &filter,
                "--format",
                "{{.Names}} {{.State}}",
            ],
        );
        let mut list: Vec<(String, String)> = out
            .lines()
            .filter_map(|l| {
                let (name, state) = l.split_once(' ')?;
                Some((name.to_string(), state.to_string()))
            })
            .collect();
        list.sort();
        list
    }

    /// `docker inspect --format FORMAT NAME` on the host's daemon.
    pub fn inspect(&self, container: &str, format: &str) -> String {
        self.inspect_on("local", container, format)
    }

    /// `docker inspect --format FORMAT NAME` on `ship`'s daemon.
    pub fn inspect_on(&self, ship: &str, container: &str, format: &str) -> String {
        self.docker_on(ship, &["inspect", "--format", format, container])
            .trim()
            .to_string()
    }

    fn docker_on(&self, ship: &str, args: &[&str]) -> String {
        let host = self
            .daemons
            .iter()
            .find(|(name, _)| *name == ship)
            .map(|(_, host)| *host)
            .unwrap_or_else(|| panic!("no daemon for ship {ship}"));
        docker_at(Some(host), args)
    }

    fn remove_containers(&self) {
        let filter = format!("label=maestro.environment={}", self.name);
        for (ship, _) in self.daemons {
            let ids = self.docker_on(ship, &["ps", "-aq", "--filter", &filter]);
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if !ids.is_empty() {
                let mut args = vec!["rm", "-f", "-v"];
                args.extend(ids);
                self.docker_on(ship, &args);
            }
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
