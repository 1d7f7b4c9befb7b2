//! The extra ships of `tests/ships` (each a dockerd in its own network namespace) for
//! the multi-host tests: started once per test binary (a test fails, never skips, when
//! they cannot be), their definitions for an environment file, and each daemon's
//! unix socket for looking behind maestro's back.

use super::docker::{IMAGE, ready};
use super::{Run, maestro_in};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Every daemon a multi-ship test touches: the host's, then the three of `tests/ships`.
pub const DAEMONS: &[(&str, &str)] = &[
    ("local", "unix:///var/run/docker.sock"),
    ("tcp", "unix:///run/maestro-ships/tcp.sock"),
    ("tls", "unix:///run/maestro-ships/tls.sock"),
    ("ssh", "unix:///run/maestro-ships/ssh.sock"),
];

/// Each extra ship's address on the test network.
pub const TCP_IP: &str = "10.213.0.11";
pub const TLS_IP: &str = "10.213.0.12";
pub const SSH_IP: &str = "10.213.0.13";
/// This machine, as the ships see it.
pub const HOST_IP: &str = "10.213.0.1";

/// `target/ships`: certificates, SSH keys and the `home` whose known_hosts lists the
/// SSH ship.
pub fn state() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ships")
}

/// Starts the ships (idempotent) once per test binary.
pub fn up() {
    static UP: OnceLock<()> = OnceLock::new();
    UP.get_or_init(|| {
        ready();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ships");
        let status = Command::new(script)
            .arg("up")
            .status()
            .expect("tests/ships runs");
        assert!(
            status.success(),
            "tests/ships up failed: the multi-ship tests need root, iproute2, dockerd and sshd"
        );
    });
}

/// The `ships:` section: `tcp` (plain TCP), `tls` (verified, client certificate),
/// `ssh` (tunnel to the daemon's socket); `local` is left to maestro's default.
pub fn definitions() -> String {
    let s = state();
    let p = |f: &str| s.join(f).display().to_string();
    format!(
        "ships:\n  tcp: {{ip: {TCP_IP}}}\n  tls: {{ip: {TLS_IP}, tls: true, tls_verify: true, tls_ca_cert: {}, tls_cert: {}, tls_key: {}}}\n  ssh:\n    ip: {SSH_IP}\n    socket_path: /run/maestro-ships/ssh.sock\n    ssh_tunnel: {{user: root, key: {}}}\n",
        p("tls/ca.pem"),
        p("tls/client.pem"),
        p("tls/client-key.pem"),
        p("ssh/id_ed25519"),
    )
}

/// `docker -H DAEMON ARGS…`; its stdout, or a panic naming the command.
pub fn docker_on(ship: &str, args: &[&str]) -> String {
    let host = DAEMONS
        .iter()
        .find(|(name, _)| *name == ship)
        .map(|(_, host)| *host)
        .unwrap_or_else(|| panic!("no daemon {ship}"));
    let output = Command::new("docker")
        .arg("-H")
        .arg(host)
        .args(args)
        .output()
        .expect("the docker CLI runs");
    assert!(
        output.status.success(),
        "docker -H {host} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// One multi-ship test's environment: written with `ships` (or any text given), run
/// with the harness's `HOME`, its containers removed from every daemon when dropped.
pub struct Fleet {
    pub name: String,
    pub dir: tempfile::TempDir,
}

impl Fleet {
    /// `ships` is the `ships:` section (usually `definitions()`), `body` the rest;
    /// `IMAGE` becomes the test image.
    pub fn new(name: &str, ships: &str, body: &str) -> Fleet {
        up();
        let fleet = Fleet {
            name: format!("e2e-{name}"),
            dir: tempfile::tempdir().expect("temp dir"),
        };
        fleet.remove_containers();
        let text = format!(
            "__maestro:\n  schema: 2\nname: {}\n{ships}{}",
            fleet.name,
            body.replace("IMAGE", IMAGE)
        );
        std::fs::write(fleet.file(), text).expect("write maestro.yaml");
        fleet
    }

    pub fn file(&self) -> PathBuf {
        self.dir.path().join("maestro.yaml")
    }

    /// `maestro -f FILE ARGS…` with `HOME` holding the SSH ship's known host key.
    pub fn maestro(&self, args: &[&str]) -> Run {
        self.maestro_with(args, &[])
    }

    pub fn maestro_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let home = state().join("home");
        let home = home.to_str().expect("utf-8 path");
        let file = self.file();
        let mut all = vec!["-f", file.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        let mut env = vec![("HOME", home)];
        env.extend_from_slice(vars);
        maestro_in(self.dir.path(), &all, &env, None)
    }

    /// `docker inspect --format FORMAT NAME` on `ship`.
    pub fn inspect(&self, ship: &str, container: &str, format: &str) -> String {
        docker_on(ship, &["inspect", "--format", format, container])
            .trim()
            .to_string()
    }

    /// This environment's containers on `ship`: name and state, by name.
    pub fn containers(&self, ship: &str) -> Vec<(String, String)> {
        let filter = format!("label=maestro.environment={}", self.name);
        let out = docker_on(
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

    fn remove_containers(&self) {
        let filter = format!("label=maestro.environment={}", self.name);
        for (ship, _) in DAEMONS {
            let ids = docker_on(ship, &["ps", "-aq", "--filter", &filter]);
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if !ids.is_empty() {
                let mut args = vec!["rm", "-f", "-v"];
                args.extend(ids);
                docker_on(ship, &args);
            }
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.remove_containers();
    }
}
