//! The extra ships of `tests/ships` (each a dockerd in its own network namespace) for
//! the multi-host tests: started once per test binary (a test fails, never skips, when
//! they cannot be), their definitions for an environment file, and each daemon's
//! unix socket for looking behind maestro's back.

use super::docker::{Env, docker_at, ready};
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

/// The ships' certificates, SSH keys and the `home` whose known_hosts lists the SSH
/// ship: the machine's, shared by every checkout that uses the ships.
pub fn state() -> PathBuf {
    PathBuf::from("/run/maestro-ships/state")
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

/// `docker -H DAEMON ARGS…` for the daemon of `ship`.
pub fn docker_on(ship: &str, args: &[&str]) -> String {
    let host = DAEMONS
        .iter()
        .find(|(name, _)| *name == ship)
        .map(|(_, host)| *host)
        .unwrap_or_else(|| panic!("no daemon {ship}"));
    docker_at(Some(host), args)
}

/// One multi-ship test's environment (`ships` is the `ships:` section, usually
/// `definitions()`): run with the harness's `HOME` (whose known_hosts lists the SSH
/// ship), its containers removed from all four daemons when dropped.
pub fn fleet(name: &str, ships: &str, body: &str) -> Env {
    up();
    let home = state().join("home").display().to_string();
    // The ships are shared with other checkouts' tests: the environment's name is this
    // run's (its containers' names must be too).
    let name = format!("{}-{name}", super::docker::run_prefix());
    Env::with_ships(&name, ships, body, DAEMONS, vec![("HOME".into(), home)])
}
