//! End to end over four ships — the host's daemon (the implicit ship `local`, unix
//! socket), `tcp` (plain TCP), `tls` (TLS with client certificates) and `ssh` (an SSH
//! tunnel to the daemon's socket) — each a separate dockerd with its own address
//! (`tests/ships`). Dependencies cross ships; `-S` filters; `status -H`; a ship that is
//! down; wrong certificates, keys and host keys; an image pulled on every ship from a
//! registry.

use crate::support;

use std::process::Command;
use support::docker::{IMAGE, SLEEPER, finals, run_prefix};
use support::plugins::closed_port;
use support::registry::Registry;
use support::ships::{HOST_IP, SSH_IP, TCP_IP, TLS_IP, definitions, docker_on, fleet, state};

/// A listener that honours SIGTERM (busybox `nc`, one process per connection).
fn listener(port: u16) -> String {
    format!("[sh, -c, \"trap 'exit 0' TERM; nc -ll -p {port} -e true & wait\"]")
}

/// db (tcp ship, tcp check on its published port) ← api (tls) ← worker (ssh) ← web
/// (the implicit `local`).
fn chain(p: &str, port: u16) -> String {
    format!(
        r#"services:
  {p}db:
    image: IMAGE
    instances:
      {p}db-1:
        ship: tcp
        command: {db}
        ports: {{pg: "5432:{port}"}}
        lifecycle: {{running: [{{type: tcp, port: pg}}]}}
  {p}api:
    image: IMAGE
    requires: [{p}db]
    instances:
      {p}api-1: {{ship: tls, command: {sleeper}}}
  {p}worker:
    image: IMAGE
    requires: [{p}api]
    instances:
      {p}worker-1: {{ship: ssh, command: {sleeper}}}
  {p}web:
    image: IMAGE
    requires: [{p}worker]
    instances:
      {p}web-1: {{ship: local, command: {sleeper}}}
"#,
        db = listener(5432),
        sleeper = SLEEPER,
    )
}

fn names(rows: &[(String, String)]) -> Vec<&str> {
    rows.iter().map(|(n, _)| n.as_str()).collect()
}

/// The last line of each row in plain output, by row number.
fn last_lines(stdout: &str) -> Vec<String> {
    let mut rows: Vec<(usize, String)> = Vec::new();
    for line in stdout.lines().skip(1) {
        let number = line.trim_start().split('.').next().unwrap_or("");
        if let Ok(n) = number.parse::<usize>() {
            rows.retain(|(m, _)| *m != n);
            rows.push((n, line.trim_end().to_string()));
        }
    }
    rows.sort();
    rows.into_iter().map(|(_, l)| l).collect()
}

#[test]
fn a_play_across_four_ships() {
    // The `local` ship is the host's daemon, shared with other checkouts' tests: the
    // names carry this run's prefix.
    let p = format!("{}f-", run_prefix());
    // A host port of the shared tcp ship: another checkout's run may hold any fixed one.
    let pg = closed_port();
    let fleet = fleet("four", &definitions(), &chain(&p, pg));
    let start = fleet.maestro(&["start"]);
    assert_eq!(start.code, 0, "{}", start.transcript());
    let [db, api, worker, web] = ["db-1", "api-1", "worker-1", "web-1"].map(|n| format!("{p}{n}"));
    // Each waits for the one before it, on another ship.
    assert_eq!(
        names(&finals(&start.stdout, &["started"])),
        [&db, &api, &worker, &web],
        "{}",
        start.stdout
    );
    for (ship, name) in [
        ("tcp", &db),
        ("tls", &api),
        ("ssh", &worker),
        ("local", &web),
    ] {
        assert_eq!(
            fleet.containers_on(ship),
            [(name.to_string(), "running".to_string())],
            "ship {ship}"
        );
    }
    // Each container is told its own ship's address, and its dependencies' ships.
    let env = fleet.inspect_on("ssh", &worker, "{{json .Config.Env}}");
    let env: Vec<String> = serde_json::from_str(&env).unwrap();
    let v = p.to_uppercase().replace('-', "_");
    for expected in [
        format!("CONTAINER_HOST_ADDRESS={SSH_IP}"),
        format!("{v}DB_{v}DB_1_HOST={TCP_IP}"),
        format!("{v}DB_{v}DB_1_PG_PORT={pg}"),
        format!("{v}API_{v}API_1_HOST={TLS_IP}"),
        format!("{v}WORKER_{v}WORKER_1_HOST={SSH_IP}"),
    ] {
        assert!(env.contains(&expected), "{expected} not in {env:?}");
    }

    // `status -H`: ships by address, the tunnelled one marked.
    let status = fleet.maestro(&["status", "-H"]);
    assert_eq!(status.code, 0, "{}", status.transcript());
    let rows = last_lines(&status.stdout);
    let expected_ships = [
        TCP_IP.to_string(),
        TLS_IP.to_string(),
        format!("{SSH_IP} (ssh)"),
    ];
    for (row, ship) in rows.iter().zip(&expected_ships) {
        assert!(
            row.contains(&format!(" {ship} ")) && row.contains(" running for "),
            "{row}"
        );
    }

    // `-S` (fnmatch): only the containers of the ships it matches.
    let stop = fleet.maestro(&["stop", "-a", "-S", "t*"]);
    assert_eq!(stop.code, 0, "{}", stop.transcript());
    assert_eq!(
        names(&finals(&stop.stdout, &["stopped"])),
        [&api, &db],
        "{}",
        stop.stdout
    );
    assert_eq!(fleet.containers_on("tcp")[0].1, "exited");
    assert_eq!(fleet.containers_on("tls")[0].1, "exited");
    assert_eq!(fleet.containers_on("ssh")[0].1, "running");
    assert_eq!(fleet.containers_on("local")[0].1, "running");

    let stop = fleet.maestro(&["stop", "-a"]);
    assert_eq!(stop.code, 0, "{}", stop.transcript());
    let clean = fleet.maestro(&["clean"]);
    assert_eq!(clean.code, 0, "{}", clean.transcript());
    for ship in ["tcp", "tls", "ssh", "local"] {
        assert!(fleet.containers_on(ship).is_empty(), "ship {ship}");
    }
}

#[test]
fn a_ship_that_is_down() {
    let port = closed_port();
    let ships = format!(
        "ships:\n  tcp: {{ip: {TCP_IP}}}\n  gone: {{ip: 127.0.0.1, docker_port: {port}}}\n  silent: {{ip: 10.213.0.99, timeout: 1}}\n"
    );
    let p = format!("{}d-", run_prefix());
    let body = format!(
        r#"services:
  {p}base:
    image: IMAGE
    instances:
      {p}base-1: {{ship: tcp, command: {SLEEPER}}}
  {p}mid:
    image: IMAGE
    requires: [{p}base]
    instances:
      {p}mid-1: {{ship: gone, command: {SLEEPER}}}
  {p}top:
    image: IMAGE
    requires: [{p}mid]
    instances:
      {p}top-1: {{ship: tcp, command: {SLEEPER}}}
      {p}top-2: {{ship: silent, command: {SLEEPER}}}
"#
    );
    // A row's first columns: number, container, service, ship.
    let row = |n: u8, container: &str, service: &str, ship: &str| {
        format!(
            "  {n}. {:<20} {:<20} {ship:<20}",
            format!("{p}{container}"),
            format!("{p}{service}")
        )
    };
    let fleet = fleet("down", &ships, &body);

    // status: every container is reported, those of the down ships with why.
    let status = fleet.maestro(&["status"]);
    assert_eq!(status.code, 1, "{}", status.transcript());
    let refused = format!(
        "failed to connect: the Docker daemon cannot be reached: 127.0.0.1:{port}: Connection refused (os error 111)"
    );
    let silent = "failed to connect: the Docker daemon cannot be reached: no connection within 1s";
    assert_eq!(
        last_lines(&status.stdout),
        [
            format!(
                "{} latest:-                  down",
                row(1, "base-1", "base", "tcp")
            ),
            format!(
                "{}                           {refused}",
                row(2, "mid-1", "mid", "gone")
            ),
            format!(
                "{} latest:-                  down",
                row(3, "top-1", "top", "tcp")
            ),
            format!(
                "{}                           {silent}",
                row(4, "top-2", "top", "silent")
            ),
        ]
    );
    assert!(
        status.stderr.contains(&format!(
            "error: container `{p}mid-1` (ship `gone`) {refused}\n"
        )) && status.stderr.contains(&format!(
            "error: container `{p}top-2` (ship `silent`) {silent}\n"
        )),
        "{}",
        status.stderr
    );

    // start: the base on the live ship starts, the next one's ship is down, so
    // nothing that requires it is started anywhere.
    let start = fleet.maestro(&["start"]);
    assert_eq!(start.code, 1, "{}", start.transcript());
    // Whether the tops learn of the failure from their dependency or from the halt
    // depends on timing; either way they are never started.
    let mut finals = finals(
        &start.stdout,
        &[
            "started",
            "a dependency did not succeed",
            "the play halted on a failure",
        ],
    );
    finals.sort();
    let finals: Vec<(&str, bool)> = finals
        .iter()
        .map(|(n, s)| (n.as_str(), s == "started"))
        .collect();
    assert_eq!(
        finals,
        [
            (format!("{p}base-1").as_str(), true),
            (format!("{p}top-1").as_str(), false),
            (format!("{p}top-2").as_str(), false)
        ],
        "{}",
        start.stdout
    );
    assert!(
        start.stderr.contains(&format!(
            "error: container `{p}mid-1` (ship `gone`) {refused}\nerror: not run because of that: {p}top-1, {p}top-2\n"
        )),
        "{}",
        start.stderr
    );
    assert_eq!(
        fleet.containers_on("tcp"),
        [(format!("{p}base-1"), "running".to_string())]
    );
}

/// The first error line of `status` for a one-ship environment written with `ship`.
fn status_error(name: &str, ship: &str, vars: &[(&str, &str)]) -> String {
    let body = format!(
        "services:\n  s:\n    image: IMAGE\n    instances:\n      {name}-1: {{ship: x, command: {SLEEPER}}}\n"
    );
    let fleet = fleet(name, &format!("ships:\n  x: {ship}\n"), &body);
    let status = fleet.maestro_with(&["status"], vars);
    assert_eq!(status.code, 1, "{}", status.transcript());
    status
        .stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn wrong_certificates_keys_and_host_keys_are_clear_errors() {
    let s = state();
    let p = |f: &str| s.join(f).display().to_string();
    let prefix = "error: container `{name}-1` (ship `x`) failed to connect: the Docker daemon cannot be reached: ";
    let expect = |name: &str, rest: &str| format!("{}{rest}", prefix.replace("{name}", name));

    // A CA that did not sign the daemon's certificate.
    let wrong_ca = format!(
        "{{ip: {TLS_IP}, tls: true, tls_verify: true, tls_ca_cert: {}, tls_cert: {}, tls_key: {}}}",
        p("tls/other-ca.pem"),
        p("tls/client.pem"),
        p("tls/client-key.pem")
    );
    assert_eq!(
        status_error("t-ca", &wrong_ca, &[]),
        expect(
            "t-ca",
            &format!(
                "TLS handshake with {TLS_IP}:2376 failed: invalid peer certificate: UnknownIssuer"
            )
        )
    );
    // No client certificate for a daemon that requires one.
    let no_client = format!(
        "{{ip: {TLS_IP}, tls: true, tls_verify: true, tls_ca_cert: {}}}",
        p("tls/ca.pem")
    );
    assert_eq!(
        status_error("t-nocert", &no_client, &[]),
        "error: container `t-nocert-1` (ship `x`) failed to connect: connection error: received fatal alert: BadCertificate"
    );
    // A missing certificate file is named.
    let missing =
        format!("{{ip: {TLS_IP}, tls: true, tls_verify: true, tls_ca_cert: /nonexistent/ca.pem}}");
    assert_eq!(
        status_error("t-missing", &missing, &[]),
        "error: container `t-missing-1` (ship `x`) failed to connect: cannot read tls_ca_cert `/nonexistent/ca.pem`: No such file or directory (os error 2)"
    );

    // SSH: a key the server does not know.
    let stranger = format!(
        "{{ip: {SSH_IP}, socket_path: /run/maestro-ships/ssh.sock, ssh_tunnel: {{user: root, key: {}}}}}",
        p("ssh/stranger_ed25519")
    );
    assert_eq!(
        status_error("t-stranger", &stranger, &[]),
        expect(
            "t-stranger",
            &format!(
                "the SSH server {SSH_IP}:22 refused the key `{}` for user `root`",
                p("ssh/stranger_ed25519")
            )
        )
    );
    // SSH: a server whose host key is not in known_hosts is refused.
    let good = format!(
        "{{ip: {SSH_IP}, socket_path: /run/maestro-ships/ssh.sock, ssh_tunnel: {{user: root, key: {}}}}}",
        p("ssh/id_ed25519")
    );
    let empty_home = tempfile::tempdir().unwrap();
    let error = status_error(
        "t-unknown",
        &good,
        &[("HOME", empty_home.path().to_str().unwrap())],
    );
    let known_hosts = empty_home.path().join(".ssh/known_hosts");
    assert!(
        error.starts_with(&expect(
            "t-unknown",
            &format!("the host key of the SSH server {SSH_IP} (SHA256:")
        )) && error.ends_with(&format!(
            ") is not in {}; check the fingerprint, then add it: ssh-keyscan -p 22 {SSH_IP} >> {}",
            known_hosts.display(),
            known_hosts.display()
        )),
        "{error}"
    );
}

#[test]
fn an_image_is_pulled_on_every_ship_that_needs_it() {
    support::ships::up();
    // On this machine's address on the ships' network (no auth).
    let registry = Registry::serve(HOST_IP, closed_port(), "");
    let image = format!("{HOST_IP}:{}/maestro/moved:1", registry.port);
    // Pushed from the tcp ship (the ships trust 10.213.0.0/24 registries), then removed
    // from every ship so that each must pull it.
    docker_on("tcp", &["tag", IMAGE, &image]);
    docker_on("tcp", &["push", &image]);
    for ship in ["tcp", "tls", "ssh"] {
        let _ = Command::new("docker")
            .args(["-H", &format!("unix:///run/maestro-ships/{ship}.sock")])
            .args(["rmi", &image])
            .output();
    }
    let p = format!("{}m-", run_prefix());
    let body = format!(
        r#"services:
  {p}m:
    image: {image}
    instances:
      {p}1: {{ship: tcp, command: {SLEEPER}}}
      {p}2: {{ship: tls, command: {SLEEPER}}}
      {p}3: {{ship: ssh, command: {SLEEPER}}}
"#
    );
    let fleet = fleet("moved", &definitions(), &body);
    let start = fleet.maestro(&["--progress", "plain", "start"]);
    assert_eq!(start.code, 0, "{}", start.transcript());
    // One pull per ship (the table shows the image without its registry, as MaestroNG).
    assert_eq!(
        start
            .stdout
            .lines()
            .filter(|l| l.ends_with(" pulling image maestro/moved:1..."))
            .count(),
        3,
        "{}",
        start.stdout
    );
    for (ship, n) in [("tcp", 1), ("tls", 2), ("ssh", 3)] {
        let name = format!("{p}{n}");
        assert_eq!(
            fleet.containers_on(ship),
            [(name.clone(), "running".to_string())]
        );
        assert_eq!(
            fleet.inspect_on(ship, &name, "{{.Config.Image}}"),
            image,
            "ship {ship}"
        );
    }
    assert_eq!(
        start.stdout.matches(" started").count(),
        3,
        "{}",
        start.stdout
    );
}

#[test]
fn the_local_ship_is_where_docker_host_points() {
    // No `ships` at all: `local` is the daemon of DOCKER_HOST (here the tcp ship).
    let name = format!("{}-l-1", run_prefix());
    let body = format!(
        "services:\n  l:\n    image: IMAGE\n    instances:\n      {name}: {{ship: local, command: {SLEEPER}}}\n"
    );
    let fleet = fleet("docker-host", "", &body);
    let host = format!("tcp://{TCP_IP}:2375");
    let start = fleet.maestro_with(&["start"], &[("DOCKER_HOST", &host)]);
    assert_eq!(start.code, 0, "{}", start.transcript());
    assert_eq!(
        fleet.containers_on("tcp"),
        [(name.clone(), "running".to_string())]
    );
    assert!(fleet.containers_on("local").is_empty());
    let env = fleet.inspect_on("tcp", &name, "{{json .Config.Env}}");
    assert!(
        env.contains(&format!("\"CONTAINER_HOST_ADDRESS={TCP_IP}\"")),
        "{env}"
    );
}

#[test]
fn tls_without_verification_still_presents_the_client_certificate() {
    let s = state();
    let p = |f: &str| s.join(f).display().to_string();
    let ships = format!(
        "ships:\n  x: {{ip: {TLS_IP}, tls: true, tls_cert: {}, tls_key: {}}}\n",
        p("tls/client.pem"),
        p("tls/client-key.pem")
    );
    let body = format!(
        "services:\n  u:\n    image: IMAGE\n    instances:\n      u-1: {{ship: x, command: {SLEEPER}}}\n"
    );
    let fleet = fleet("unverified", &ships, &body);
    let status = fleet.maestro(&["status"]);
    assert_eq!(status.code, 0, "{}", status.transcript());
    assert_eq!(
        last_lines(&status.stdout),
        [
            "  1. u-1                  u                    x                    latest:-                  down"
        ]
    );
}
