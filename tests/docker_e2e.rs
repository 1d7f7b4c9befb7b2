//! End to end against the real Docker daemon: every command, dependency order both
//! ways, checks gating dependents, `-c`, `-d`, `-i`, failures, Ctrl-C, idempotent
//! re-runs and the injected environment. Each test has its own environment name,
//! container names and host ports, so they run at once.

mod support;
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

use support::docker::{Env, IMAGE, finals};

/// A listener that honours SIGTERM (busybox `nc`, one process per connection).
fn listener(port: u16) -> String {
    format!("[sh, -c, \"trap 'exit 0' TERM; nc -ll -p {port} -e true & wait\"]")
}

/// zk ← kafka ← web, each gated by a tcp running check; host ports from `base`.
fn chain(p: &str, base: u16) -> String {
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
        zk_port = base,
        kafka_port = base + 1,
        web_port = base + 2,
    )
}

fn names(rows: &[(String, String)]) -> Vec<&str> {
    rows.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn start_status_stop_clean_in_dependency_order() {
    let env = Env::new("order", &chain("o-", 41100));
    let start = env.maestro(&["start"]);
    assert_eq!(start.code, 0, "{}", start.transcript());
    assert_eq!(
        finals(&start.stdout, &["started"]),
        [
            ("o-zk-1".to_string(), "started".to_string()),
            ("o-kafka-1".into(), "started".into()),
            ("o-web-1".into(), "started".into())
        ]
    );
    assert_eq!(
        start.stdout.lines().next().unwrap(),
        "  #  INSTANCE             SERVICE              SHIP                 CONTAINER                 STATUS"
    );
    // Piped: the header and one line per container, once it is final.
    assert_eq!(start.stdout.lines().count(), 4, "{}", start.stdout);
    assert!(
        start.stdout.lines().nth(1).unwrap().starts_with(
            "  1. o-zk-1               o-zk                 local                latest:"
        ),
        "{}",
        start.stdout
    );
    assert_eq!(
        env.containers(),
        [
            ("o-kafka-1".to_string(), "running".to_string()),
            ("o-web-1".into(), "running".into()),
            ("o-zk-1".into(), "running".into())
        ]
    );
    let labels = env.inspect("o-kafka-1", "{{index .Config.Labels \"maestro.service\"}}");
    assert_eq!(labels, "o-kafka");

    // Again: nothing to do, every container reported as already up.
    let again = env.maestro(&["start"]);
    assert_eq!(again.code, 0, "{}", again.transcript());
    let ups = finals(
        &again.stdout,
        &["up for 0s", "up for 1s", "up for 2s", "up for 3s"],
    );
    assert_eq!(
        names(&ups),
        ["o-zk-1", "o-kafka-1", "o-web-1"],
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
    assert_eq!(names(&stopped), ["o-web-1", "o-kafka-1", "o-zk-1"]);
    assert!(stop.stdout.contains("  3. o-web-1 "), "{}", stop.stdout);

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
    let env = Env::new("envvars", &chain("v-", 41110));
    let start = env.maestro(&["start", "-d", "v-web-1"]);
    assert_eq!(start.code, 0, "{}", start.transcript());
    let raw = env.inspect("v-web-1", "{{range .Config.Env}}{{println .}}{{end}}");
    let mut actual: Vec<&str> = raw.lines().filter(|l| !l.starts_with("PATH=")).collect();
    actual.sort();
    // What MaestroNG 0.8.3 injects (features.md §4): built-ins, the user's env, the
    // container's own service with internal ports, and every transitive dependency.
    let mut expected = vec![
        "CONTAINER_HOST_ADDRESS=127.0.0.1",
        "CONTAINER_NAME=v-web-1",
        "DOCKER_IMAGE=maestro-test/busybox:latest",
        "DOCKER_TAG=latest",
        "GREETING=hello world",
        "MAESTRO_ENVIRONMENT_NAME=e2e-envvars",
        "SERVICE_NAME=v-web",
        "V_KAFKA_INSTANCES=v-kafka-1",
        "V_KAFKA_V_KAFKA_1_BROKER_PORT=41111",
        "V_KAFKA_V_KAFKA_1_HOST=127.0.0.1",
        "V_WEB_INSTANCES=v-web-1",
        "V_WEB_V_WEB_1_HOST=127.0.0.1",
        "V_WEB_V_WEB_1_HTTP_INTERNAL_PORT=8080",
        "V_WEB_V_WEB_1_HTTP_PORT=41112",
        "V_ZK_INSTANCES=v-zk-1",
        "V_ZK_V_ZK_1_CLIENT_PORT=41110",
        "V_ZK_V_ZK_1_HOST=127.0.0.1",
    ];
    expected.sort();
    assert_eq!(actual, expected);
    let kafka = env.inspect("v-kafka-1", "{{range .Config.Env}}{{println .}}{{end}}");
    assert!(kafka.lines().any(|l| l == "LOG_LEVEL=debug"), "{kafka}");
    assert!(kafka.lines().any(|l| l == "RETRIES=3"), "{kafka}");
    // Ports, hostname and labels as configured.
    assert_eq!(
        env.inspect("v-web-1", "{{.Config.Hostname}} {{(index (index .HostConfig.PortBindings \"8080/tcp\") 0).HostPort}}"),
        "v-web-1 41112"
    );
}

#[test]
fn a_failure_stops_dependents_and_names_the_step() {
    let body = format!(
        r#"services:
  f-base:
    image: IMAGE
    instances:
      f-base-1: {{ship: local, command: [sh, -c, "echo booting; echo cannot bind; exit 3"]}}
  f-app:
    image: IMAGE
    requires: [f-base]
    instances:
      f-app-1: {{ship: local, command: {}}}
"#,
        listener(80)
    );
    let env = Env::new("failure", &body);
    let run = env.maestro(&["start"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert_eq!(
        run.stderr,
        "error: container `f-base-1` (ship `local`) failed to start: the container exited at once with code 3; its last output:\n    booting\n    cannot bind\n\
         error: not run because of that: f-app-1\n"
    );
    assert!(
        run.stdout.contains("aborted: a dependency did not succeed"),
        "{}",
        run.stdout
    );
    // The dependent was never created.
    assert_eq!(names(&env.containers()), ["f-base-1"]);
}

#[test]
fn a_check_that_times_out_fails_the_start() {
    let body = r#"services:
  t-slow:
    image: IMAGE
    instances:
      t-slow-1:
        ship: local
        command: [sh, -c, "trap 'exit 0' TERM; sleep 600 & wait"]
        ports: {app: "7000:41130"}
        lifecycle: {running: [{type: tcp, port: app, max_wait: 1}]}
"#;
    let env = Env::new("timeout", body);
    let run = env.maestro(&["start"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    // Nothing listens in the container: docker-proxy's host port must not fool the
    // check (MaestroNG bug #8), so it probes the container itself.
    assert!(
        run.stderr.starts_with(
            "error: container `t-slow-1` (ship `local`) failed to pass running checks: not ready after 1s: cannot connect to 172."
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn port_conflict_and_missing_image_are_clear_failures() {
    let body = r#"services:
  p-a:
    image: IMAGE
    instances:
      p-a-1: {ship: local, command: [sh, -c, "trap 'exit 0' TERM; sleep 600 & wait"], ports: {x: "80:41140"}}
  p-b:
    image: IMAGE
    requires: [p-a]
    instances:
      p-b-1: {ship: local, command: [sh, -c, "trap 'exit 0' TERM; sleep 600 & wait"], ports: {x: "81:41140"}}
  p-missing:
    image: maestro-test/does-not-exist:1.0
    instances:
      p-missing-1: {ship: local}
"#;
    let env = Env::new("conflict", body);
    let run = env.maestro(&["start", "-c", "1", "p-a", "p-b"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stderr
            .starts_with("error: container `p-b-1` (ship `local`) failed to start: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("41140"), "{}", run.stderr);
    // No half-made container is left behind.
    assert_eq!(names(&env.containers()), ["p-a-1"]);

    let missing = env.maestro(&["start", "p-missing"]);
    assert_eq!(missing.code, 1, "{}", missing.transcript());
    assert!(
        missing.stderr.starts_with("error: container `p-missing-1` (ship `local`) failed to pull: image `maestro-test/does-not-exist:1.0`: "),
        "{}",
        missing.stderr
    );
}

#[test]
fn concurrency_limit_and_ignored_dependencies() {
    let env = Env::new("limit", &chain("c-", 41150));
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
    assert_eq!(order, ["c-zk-1", "c-kafka-1", "c-web-1"]);
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
    let one = env.maestro(&["start", "c-web-1"]);
    assert_eq!(one.code, 0, "{}", one.transcript());
    assert_eq!(names(&finals(&one.stdout, &["started"])), ["c-web-1"]);
}

#[test]
fn restart_goes_dependencies_first_and_only_if_changed() {
    let env = Env::new("restart", &chain("r-", 41160));
    assert_eq!(env.maestro(&["start"]).code, 0);
    let before = env.inspect("r-kafka-1", "{{.Id}}");
    let run = env.maestro(&["restart", "-a"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // zk first, so kafka and web come back against the new zk (MaestroNG #186).
    assert_eq!(
        names(&finals(&run.stdout, &["started"])),
        ["r-zk-1", "r-kafka-1", "r-web-1"]
    );
    assert_ne!(env.inspect("r-kafka-1", "{{.Id}}"), before);

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
    assert_eq!(names(&finals(&changed.stdout, &["started"])), ["r-web-1"]);

    // kill runs no pre-stop check and leaves them down.
    let kill = env.maestro(&["kill", "-a"]);
    assert_eq!(kill.code, 0, "{}", kill.transcript());
    assert_eq!(
        names(&finals(&kill.stdout, &["killed"])),
        ["r-web-1", "r-kafka-1", "r-zk-1"]
    );
}

#[test]
fn logs_shows_the_last_lines() {
    let body = r#"services:
  l-talk:
    image: IMAGE
    instances:
      l-talk-1: {ship: local, command: [sh, -c, "for i in 1 2 3 4 5; do echo line $i; done; trap 'exit 0' TERM; sleep 600 & wait"]}
"#;
    let env = Env::new("logs", body);
    assert_eq!(env.maestro(&["start"]).code, 0);
    let mut logs = env.maestro(&["logs", "-n", "2", "l-talk-1"]);
    for _ in 0..50 {
        if logs.stdout == "line 4\nline 5\n" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        logs = env.maestro(&["logs", "-n", "2", "l-talk-1"]);
    }
    assert_eq!(logs.code, 0, "{}", logs.transcript());
    assert_eq!(logs.stdout, "line 4\nline 5\n");
    let two = env.maestro(&["logs", "l-talk"]);
    assert_eq!(two.stdout, "line 1\nline 2\nline 3\nline 4\nline 5\n");
}

#[test]
fn status_full_and_hosts() {
    let env = Env::new("status", &chain("s-", 41180));
    assert_eq!(env.maestro(&["start", "s-zk-1"]).code, 0);
    let run = env.maestro(&["status", "-F", "-H", "s-zk-1", "s-web-1"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("  2. s-web-1              s-web                127.0.0.1            latest:-                  down\n"), "{}", run.stdout);
    let details = run
        .stdout
        .split_once("  2. s-web-1\n")
        .map(|(_, d)| d)
        .unwrap_or_default();
    assert!(
        details.starts_with(&format!(
            "      {IMAGE}  (-)\n     >>            http: 41182/tcp is down\n"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("     >>          client: 41180/tcp is up\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn another_environment_s_container_is_left_alone() {
    let p = support::docker::run_prefix();
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
    let p = support::docker::run_prefix();
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
    let body = r#"services:
  lf-talk:
    image: IMAGE
    instances:
      lf-talk-1: {ship: local, command: [sh, -c, "echo hello from $HOSTNAME; trap 'exit 0' TERM; sleep 600 & wait"]}
"#;
    let env = Env::new("follow", body);
    assert_eq!(env.maestro(&["start"]).code, 0);
    let file = env.file();
    let mut follow = std::process::Command::new(env!("CARGO_BIN_EXE_maestro"))
        .args(["-f", file.to_str().unwrap(), "logs", "-F", "lf-talk-1"])
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
    assert_eq!(lines.recv_timeout(wait).unwrap(), "hello from lf-talk-1");
    let restart = env.maestro(&["restart", "lf-talk-1"]);
    assert_eq!(restart.code, 0, "{}", restart.transcript());
    // The new container's first line, through the same `logs -F`.
    assert_eq!(lines.recv_timeout(wait).unwrap(), "hello from lf-talk-1");
    let _ = follow.kill();
    let _ = follow.wait();
}
