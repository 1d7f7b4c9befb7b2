//! End to end against the real Docker daemon: every command, dependency order both
//! ways, checks gating dependents, `-c`, `-d`, `-i`, failures, Ctrl-C, idempotent
//! re-runs and the injected environment. Each test has its own environment name,
//! container names and host ports, so they run at once.

use crate::support;
// Whether what maestro says is true: on a busy machine and daemon, after a failed check.
#[path = "docker_e2e/truth.rs"]
mod truth;
// What it prints: logs of several containers, plugin logs, the JSON API.
#[path = "docker_e2e/shown.rs"]
mod shown;
// Auditors, against MaestroNG's recorded output.
#[path = "docker_e2e/audit.rs"]
mod audit;
// Signals: Ctrl-C, a second one, SIGTERM.
#[path = "docker_e2e/signals.rs"]
mod signals;

use support::docker::{Env, IMAGE, finals, run_prefix};
use support::plugins::closed_port;

/// A listener that honours SIGTERM (busybox `nc`, one process per connection).
fn listener(port: u16) -> String {
    format!("[sh, -c, \"trap 'exit 0' TERM; nc -ll -p {port} -e true & wait\"]")
}

/// Names for one test: `p` (this run's prefix, so another checkout's tests on the same
/// daemon never meet them) and a letter of the test's own.
fn prefix(letter: &str) -> String {
    format!("{}{letter}-", run_prefix())
}

/// Three host ports where nothing listens.
fn free_ports() -> [u16; 3] {
    [closed_port(), closed_port(), closed_port()]
}

/// zk ← kafka ← web, each gated by a tcp running check, on host ports `ports`.
fn chain(p: &str, ports: [u16; 3]) -> String {
    format!(
        r#"services:
  {p}zk:
    image: IMAGE
    instances:
      {p}zk-1:
        ship: local
        command: {zk}
        ports: {{client: "2181:{zk_port}"}}
        lifecycle: {{running: [{{type: tcp, port: client}}]}}
  {p}kafka:
    image: IMAGE
    requires: [{p}zk]
    env: {{LOG_LEVEL: debug, RETRIES: 3}}
    instances:
      {p}kafka-1:
        ship: local
        command: {kafka}
        ports: {{broker: "9092:{kafka_port}"}}
        lifecycle: {{running: [{{type: tcp, port: broker}}]}}
  {p}web:
    image: IMAGE
    requires: [{p}kafka]
    instances:
      {p}web-1:
        ship: local
        command: {web}
        ports: {{http: "8080:{web_port}"}}
        env: {{GREETING: hello world}}
"#,
        zk = listener(2181),
        kafka = listener(9092),
        web = listener(8080),
        zk_port = ports[0],
        kafka_port = ports[1],
        web_port = ports[2],
    )
}

fn names(rows: &[(String, String)]) -> Vec<&str> {
    rows.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn start_status_stop_clean_in_dependency_order() {
    let p = prefix("o");
    let env = Env::new(&format!("{p}order"), &chain(&p, free_ports()));
    let start = env.maestro(&["start"]);
    assert_eq!(start.code, 0, "{}", start.transcript());
    assert_eq!(
        finals(&start.stdout, &["started"]),
        [
            (format!("{p}zk-1"), "started".to_string()),
            (format!("{p}kafka-1"), "started".into()),
            (format!("{p}web-1"), "started".into())
        ]
    );
    assert_eq!(
        start.stdout.lines().next().unwrap(),
        "  #  INSTANCE             SERVICE              SHIP                 CONTAINER                 STATUS"
    );
    // Piped: the header and one line per container, once it is final.
    assert_eq!(start.stdout.lines().count(), 4, "{}", start.stdout);
    assert!(
        start.stdout.lines().nth(1).unwrap().starts_with(&format!(
            "  1. {:<20} {:<20} local                latest:",
            format!("{p}zk-1"),
            format!("{p}zk")
        )),
        "{}",
        start.stdout
    );
    assert_eq!(
        env.containers(),
        [
            (format!("{p}kafka-1"), "running".to_string()),
            (format!("{p}web-1"), "running".into()),
            (format!("{p}zk-1"), "running".into())
        ]
    );
    let labels = env.inspect(
        &format!("{p}kafka-1"),
        "{{index .Config.Labels \"maestro.service\"}}",
    );
    assert_eq!(labels, format!("{p}kafka"));

    // Again: nothing to do, every container reported as already up.
    let again = env.maestro(&["start"]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    // (However long they have been up: seconds, on a busy machine.)
    let ups: Vec<&str> = again
        .stdout
        .lines()
        .skip(1)
        .filter(|l| l.contains(" up for "))
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(
        ups,
        [
            format!("{p}zk-1"),
            format!("{p}kafka-1"),
            format!("{p}web-1")
        ],
        "{}",
        again.stdout
    );

    let status = env.maestro(&["status"]);
    assert_eq!(status.code, 0, "{}", status.transcript());
    assert_eq!(
        status.stdout.matches("running for ").count(),
        3,
        "{}",
        status.stdout
    );

    // Stop: dependents first, rows numbered downwards as MaestroNG does.
    let stop = env.maestro(&["stop", "-a"]);
    assert_eq!(stop.code, 0, "{}", stop.transcript());
    let stopped = finals(&stop.stdout, &["stopped"]);
    assert_eq!(
        names(&stopped),
        [
            format!("{p}web-1"),
            format!("{p}kafka-1"),
            format!("{p}zk-1")
        ]
    );
    assert!(
        stop.stdout.contains(&format!("  3. {p}web-1 ")),
        "{}",
        stop.stdout
    );

    let status = env.maestro(&["status"]);
    assert_eq!(
        status.stdout.matches(" down for ").count(),
        3,
        "{}",
        status.stdout
    );

    let clean = env.maestro(&["clean"]);
    assert_eq!(clean.code, 0, "{}", clean.transcript());
    assert_eq!(
        clean.stdout.matches(" removed").count(),
        3,
        "{}",
        clean.stdout
    );
    assert!(env.containers().is_empty());
    let status = env.maestro(&["status"]);
    let downs = finals(&status.stdout, &["down"]);
    assert_eq!(downs.len(), 3, "{}", status.stdout);
}

#[test]
fn injected_environment_is_maestrong_s() {
    let p = prefix("v");
    let ports = free_ports();
    let env = Env::new(&format!("{p}envvars"), &chain(&p, ports));
    let web = format!("{p}web-1");
    let start = env.maestro(&["start", "-d", &web]);
    assert_eq!(start.code, 0, "{}", start.transcript());
    let raw = env.inspect(&web, "{{range .Config.Env}}{{println .}}{{end}}");
    let mut actual: Vec<&str> = raw.lines().filter(|l| !l.starts_with("PATH=")).collect();
    actual.sort();
    // What MaestroNG 0.8.3 injects (features.md §4): built-ins, the user's env, the
    // container's own service with internal ports, and every transitive dependency.
    // `P` is the prefix as a variable name: `T1A2B_V_`.
    let v = p.to_uppercase().replace('-', "_");
    let mut expected = vec![
        "CONTAINER_HOST_ADDRESS=127.0.0.1".to_string(),
        format!("CONTAINER_NAME={p}web-1"),
        "DOCKER_IMAGE=maestro-test/busybox:latest".into(),
        "DOCKER_TAG=latest".into(),
        "GREETING=hello world".into(),
        format!("MAESTRO_ENVIRONMENT_NAME=e2e-{p}envvars"),
        format!("SERVICE_NAME={p}web"),
        format!("{v}KAFKA_INSTANCES={p}kafka-1"),
        format!("{v}KAFKA_{v}KAFKA_1_BROKER_PORT={}", ports[1]),
        format!("{v}KAFKA_{v}KAFKA_1_HOST=127.0.0.1"),
        format!("{v}WEB_INSTANCES={p}web-1"),
        format!("{v}WEB_{v}WEB_1_HOST=127.0.0.1"),
        format!("{v}WEB_{v}WEB_1_HTTP_INTERNAL_PORT=8080"),
        format!("{v}WEB_{v}WEB_1_HTTP_PORT={}", ports[2]),
        format!("{v}ZK_INSTANCES={p}zk-1"),
        format!("{v}ZK_{v}ZK_1_CLIENT_PORT={}", ports[0]),
        format!("{v}ZK_{v}ZK_1_HOST=127.0.0.1"),
    ];
    expected.sort();
    assert_eq!(actual, expected);
    let kafka = env.inspect(
        &format!("{p}kafka-1"),
        "{{range .Config.Env}}{{println .}}{{end}}",
    );
    assert!(kafka.lines().any(|l| l == "LOG_LEVEL=debug"), "{kafka}");
    assert!(kafka.lines().any(|l| l == "RETRIES=3"), "{kafka}");
    // Ports, hostname and labels as configured.
    assert_eq!(
        env.inspect(&web, "{{.Config.Hostname}} {{(index (index .HostConfig.PortBindings \"8080/tcp\") 0).HostPort}}"),
        format!("{web} {}", ports[2])
    );
}

#[test]
fn a_failure_stops_dependents_and_names_the_step() {
    let p = prefix("f");
    let body = format!(
        r#"services:
  {p}base:
    image: IMAGE
    instances:
      {p}base-1: {{ship: local, command: [sh, -c, "echo booting; echo cannot bind; exit 3"]}}
  {p}app:
    image: IMAGE
    requires: [{p}base]
    instances:
      {p}app-1: {{ship: local, command: {}}}
"#,
        listener(80)
    );
    let env = Env::new(&format!("{p}failure"), &body);
    let run = env.maestro(&["start"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        format!(
            "error: container `{p}base-1` (ship `local`) failed to start: the container exited at once with code 3; its last output:\n    booting\n    cannot bind\n\
             error: not run because of that: {p}app-1\n"
        )
    );
    assert!(
        run.stdout.contains("aborted: a dependency did not succeed"),
        "{}",
        run.stdout
    );
    // The dependent was never created.
    assert_eq!(names(&env.containers()), [format!("{p}base-1")]);
}

#[test]
fn a_check_that_times_out_fails_the_start() {
    let p = prefix("t");
    let body = format!(
        r#"services:
  {p}slow:
    image: IMAGE
    instances:
      {p}slow-1:
        ship: local
        command: [sh, -c, "trap 'exit 0' TERM; sleep 600 & wait"]
        ports: {{app: "7000:{}"}}
        lifecycle: {{running: [{{type: tcp, port: app, max_wait: 1}}]}}
"#,
        closed_port()
    );
    let env = Env::new(&format!("{p}timeout"), &body);
    let run = env.maestro(&["start"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    // Nothing listens in the container: docker-proxy's host port must not fool the
    // check (MaestroNG bug #8), so it probes the container itself.
    assert!(
        run.stderr.starts_with(&format!(
            "error: container `{p}slow-1` (ship `local`) failed to pass running checks: not ready after 1s: cannot connect to 172."
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn port_conflict_and_missing_image_are_clear_failures() {
    let p = prefix("p");
    let port = closed_port();
    let body = format!(
        r#"services:
  {p}a:
    image: IMAGE
    instances:
      {p}a-1: {{ship: local, command: [sh, -c, "trap 'exit 0' TERM; sleep 600 & wait"], ports: {{x: "80:{port}"}}}}
  {p}b:
    image: IMAGE
    requires: [{p}a]
    instances:
      {p}b-1: {{ship: local, command: [sh, -c, "trap 'exit 0' TERM; sleep 600 & wait"], ports: {{x: "81:{port}"}}}}
  {p}missing:
    image: maestro-test/does-not-exist:1.0
    instances:
      {p}missing-1: {{ship: local}}
"#
    );
    let env = Env::new(&format!("{p}conflict"), &body);
    let run = env.maestro(&["start", "-c", "1", &format!("{p}a"), &format!("{p}b")]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr.starts_with(&format!(
            "error: container `{p}b-1` (ship `local`) failed to start: "
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&port.to_string()), "{}", run.stderr);
    // No half-made container is left behind.
    assert_eq!(names(&env.containers()), [format!("{p}a-1")]);

    let missing = env.maestro(&["start", &format!("{p}missing")]);
    assert_eq!(missing.code, 1, "{}", missing.transcript());
    assert!(
        missing.stderr.starts_with(&format!("error: container `{p}missing-1` (ship `local`) failed to pull: image `maestro-test/does-not-exist:1.0`: ")),
        "{}",
        missing.stderr
    );
}

#[test]
fn concurrency_limit_and_ignored_dependencies() {
    let p = prefix("c");
    let env = Env::new(&format!("{p}limit"), &chain(&p, free_ports()));
    // -c 1: one container at a time, in dependency order.
    let run = env.maestro(&["--json", "start", "-c", "1"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let events: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event per line"))
        .collect();
    assert_eq!(events[0]["event"], "play");
    assert_eq!(events[0]["action"], "start");
    let mut working: Option<String> = None;
    let mut order = Vec::new();
    for e in events.iter().filter(|e| e["event"] == "container") {
        assert_eq!(e["schema"], 1, "{e}");
        let name = e["container"].as_str().unwrap().to_string();
        match (e["state"].as_str().unwrap(), e["final"].as_bool().unwrap()) {
            ("waiting", _) => {}
            (_, false) => {
                assert!(
                    working.as_ref().is_none_or(|w| *w == name),
                    "two at once: {e}"
                );
                working = Some(name);
            }
            ("running", true) => {
                assert_eq!(e["changed"], true, "{e}");
                working = None;
                order.push(name);
            }
            _ => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(
        order,
        [
            format!("{p}zk-1"),
            format!("{p}kafka-1"),
            format!("{p}web-1")
        ]
    );
    let last = events.last().unwrap();
    assert_eq!(last["event"], "result");
    assert_eq!(last["ok"], true);

    // -i: stop everything at once, order ignored; all still end stopped.
    let stop = env.maestro(&["stop", "-a", "-i"]);
    assert_eq!(stop.code, 0, "{}", stop.transcript());
    assert_eq!(
        finals(&stop.stdout, &["stopped"]).len(),
        3,
        "{}",
        stop.stdout
    );
    // Without -d only the thing named is started, even if its dependency is down.
    let one = env.maestro(&["start", &format!("{p}web-1")]);
    assert_eq!(one.code, 0, "{}", one.transcript());
    assert_eq!(
        names(&finals(&one.stdout, &["started"])),
        [format!("{p}web-1")]
    );
}

#[test]
fn restart_goes_dependencies_first_and_only_if_changed() {
    let p = prefix("r");
    let env = Env::new(&format!("{p}restart"), &chain(&p, free_ports()));
    assert_eq!(env.maestro(&["start"]).code, 0);
    let kafka = format!("{p}kafka-1");
    let before = env.inspect(&kafka, "{{.Id}}");
    let run = env.maestro(&["restart", "-a"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // zk first, so kafka and web come back against the new zk (MaestroNG #186).
    assert_eq!(
        names(&finals(&run.stdout, &["started"])),
        [format!("{p}zk-1"), kafka.clone(), format!("{p}web-1")]
    );
    assert_ne!(env.inspect(&kafka, "{{.Id}}"), before);

    let unchanged = env.maestro(&["restart", "-a", "--only-if-changed"]);
    assert_eq!(unchanged.code, 0, "{}", unchanged.transcript());
    assert_eq!(
        finals(&unchanged.stdout, &["up to date"]).len(),
        3,
        "{}",
        unchanged.stdout
    );

    // A changed configuration is picked up by --only-if-changed.
    let file = env.file();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("hello world", "hello again")).unwrap();
    let changed = env.maestro(&["restart", "-a", "--only-if-changed"]);
    assert_eq!(changed.code, 0, "{}", changed.transcript());
    assert_eq!(
        names(&finals(&changed.stdout, &["started"])),
        [format!("{p}web-1")]
    );

    // kill runs no pre-stop check and leaves them down.
    let kill = env.maestro(&["kill", "-a"]);
    assert_eq!(kill.code, 0, "{}", kill.transcript());
    assert_eq!(
        names(&finals(&kill.stdout, &["killed"])),
        [format!("{p}web-1"), kafka, format!("{p}zk-1")]
    );
}

#[test]
fn logs_shows_the_last_lines() {
    let p = prefix("l");
    let body = format!(
        r#"services:
  {p}talk:
    image: IMAGE
    instances:
      {p}talk-1: {{ship: local, command: [sh, -c, "for i in 1 2 3 4 5; do echo line $i; done; trap 'exit 0' TERM; sleep 600 & wait"]}}
"#
    );
    let env = Env::new(&format!("{p}logs"), &body);
    assert_eq!(env.maestro(&["start"]).code, 0);
    let talk = format!("{p}talk-1");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut logs = env.maestro(&["logs", "-n", "2", &talk]);
    while logs.stdout != "line 4\nline 5\n" && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        logs = env.maestro(&["logs", "-n", "2", &talk]);
    }
    assert_eq!(logs.code, 0, "{}", logs.transcript());
    assert_eq!(logs.stdout, "line 4\nline 5\n");
    let two = env.maestro(&["logs", &format!("{p}talk")]);
    assert_eq!(two.stdout, "line 1\nline 2\nline 3\nline 4\nline 5\n");
}

#[test]
fn status_full_and_hosts() {
    let p = prefix("s");
    let ports = free_ports();
    let env = Env::new(&format!("{p}status"), &chain(&p, ports));
    let (zk, web) = (format!("{p}zk-1"), format!("{p}web-1"));
    assert_eq!(env.maestro(&["start", &zk]).code, 0);
    let run = env.maestro(&["status", "-F", "-H", &zk, &web]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let row = format!(
        "  2. {web:<20} {:<20} 127.0.0.1            latest:-                  down\n",
        format!("{p}web")
    );
    assert!(run.stdout.contains(&row), "{}", run.stdout);
    let details = run
        .stdout
        .split_once(&format!("  2. {web}\n"))
        .map(|(_, d)| d)
        .unwrap_or_default();
    assert!(
        details.starts_with(&format!(
            "      {IMAGE}  (-)\n     >>            http: {}/tcp is down\n",
            ports[2]
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "     >>          client: {}/tcp is up\n",
            ports[0]
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn another_environment_s_container_is_left_alone() {
    let p = run_prefix();
    let body = format!(
        "services:\n  {p}-x:\n    image: IMAGE\n    instances:\n      {p}-x-1: {{ship: local, command: {}}}\n",
        support::docker::SLEEPER
    );
    let first = Env::new(&format!("owner-a-{p}"), &body);
    assert_eq!(first.maestro(&["start"]).code, 0);
    let id = first.inspect(&format!("{p}-x-1"), "{{.Id}}");
    let second = Env::new(&format!("owner-b-{p}"), &body);
    for args in [&["start"][..], &["start", "--adopt"], &["restart", "-a"]] {
        let run = second.maestro(args);
        assert_eq!(run.code, 1, "{}", run.transcript());
        assert_eq!(
            run.stderr,
            format!(
                "error: container `{p}-x-1` (ship `local`) failed to claim the container name: \
                 a container of that name belongs to environment `e2e-owner-a-{p}`; it was left alone\n"
            )
        );
    }
    for args in [&["stop", "-a"][..], &["kill", "-a"], &["clean"]] {
        let run = second.maestro(args);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(
            run.stdout.contains("left alone: environment `e2e-owner-a-"),
            "{}",
            run.stdout
        );
        assert_eq!(
            run.stderr,
            format!(
                "note: container `{p}-x-1` was left alone: it belongs to environment `e2e-owner-a-{p}`\n"
            )
        );
    }
    let status = second.maestro(&["status"]);
    assert_eq!(status.code, 0, "{}", status.transcript());
    assert!(
        status
            .stdout
            .contains(&format!("left alone: environment `e2e-owner-a-{p}`'s")),
        "{}",
        status.stdout
    );
    assert_eq!(
        first.inspect(&format!("{p}-x-1"), "{{.Id}} {{.State.Running}}"),
        format!("{id} true")
    );
}

/// A container of an instance's name that maestro did not create (by hand, by
/// MaestroNG) is left untouched until `start --adopt` replaces it.
#[test]
fn a_container_maestro_did_not_create_is_left_alone_until_adopted() {
    let p = run_prefix();
    let name = format!("{p}-hand-1");
    let body = format!(
        "services:\n  {p}-hand:\n    image: IMAGE\n    instances:\n      {name}: {{ship: local, command: {}}}\n",
        support::docker::SLEEPER
    );
    let env = Env::new(&format!("hand-{p}"), &body);
    let _ = support::docker::docker(&["rm", "-f", &name]);
    let by_hand =
        support::docker::docker(&["create", "--name", &name, IMAGE, "sh", "-c", "sleep 3600"]);
    let by_hand = by_hand.trim();
    let refused = format!(
        "error: container `{name}` (ship `local`) failed to claim the container name: a container \
         of that name exists that maestro did not create (it has no environment label); it was \
         left alone: `--adopt` replaces it\n"
    );
    let run = env.maestro(&["start"]);
    assert_eq!((run.code, run.stderr.as_str()), (1, refused.as_str()));
    for args in [&["stop", "-a"][..], &["clean"]] {
        let run = env.maestro(args);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert_eq!(
            run.stderr,
            format!(
                "note: container `{name}` was left alone: maestro did not create it (no environment \
                 label); `start --adopt` replaces it\n"
            )
        );
    }
    let status = env.maestro(&["status"]);
    assert!(
        status.stdout.contains("left alone: not created by maestro"),
        "{}",
        status.stdout
    );
    assert_eq!(
        support::docker::docker(&["inspect", "-f", "{{.Id}}", &name]).trim(),
        by_hand
    );
    let adopt = env.maestro(&["start", "--adopt"]);
    assert_eq!(adopt.code, 0, "{}", adopt.transcript());
    assert_ne!(env.inspect(&name, "{{.Id}}").trim(), by_hand);
    assert_eq!(env.containers(), [(name.clone(), "running".to_string())]);
}

#[test]
fn logs_follow_reattaches_after_a_restart() {
    let p = prefix("lf");
    let body = format!(
        r#"services:
  {p}talk:
    image: IMAGE
    instances:
      {p}talk-1: {{ship: local, command: [sh, -c, "echo hello from $HOSTNAME; trap 'exit 0' TERM; sleep 600 & wait"]}}
"#
    );
    let env = Env::new(&format!("{p}follow"), &body);
    let talk = format!("{p}talk-1");
    let hello = format!("hello from {talk}");
    assert_eq!(env.maestro(&["start"]).code, 0);
    let file = env.file();
    let mut follow = std::process::Command::new(env!("CARGO_BIN_EXE_maestro"))
        .args(["-f", file.to_str().unwrap(), "logs", "-F", &talk])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follow.stdout.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines_tx.send(line);
        }
    });
    let wait = std::time::Duration::from_secs(20);
    assert_eq!(lines.recv_timeout(wait).unwrap(), hello);
    let restart = env.maestro(&["restart", &talk]);
    assert_eq!(restart.code, 0, "{}", restart.transcript());
    // The new container's first line, through the same `logs -F`.
    assert_eq!(lines.recv_timeout(wait).unwrap(), hello);
    let _ = follow.kill();
    let _ = follow.wait();
}
