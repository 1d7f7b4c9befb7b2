//! The `maestro` binary end to end for the commands that need no Docker daemon: exact
//! output, exit codes, stdin, completion and guest functions.

use crate::support;

#[path = "cli/fake_docker.rs"]
mod fake_docker;

use clap::CommandFactory;
use support::{fixtures, maestro_in};

fn envs() -> std::path::PathBuf {
    fixtures().join("envs")
}

#[test]
fn the_command_line_definition_is_consistent() {
    maestro::cli::Cli::command().debug_assert();
}

#[test]
fn deptree_prints_maestro_format() {
    let run = maestro_in(&envs(), &["-f", "chain5.yaml", "deptree"], &[], None);
    let expected = "st-l1\n\nst-l2\n \\- st-l1\n\nst-l3\n \\- st-l2\n   \\- st-l1\n\nst-l4\n \\- st-l3\n   \\- st-l2\n     \\- st-l1\n\nst-l5\n \\- st-l4\n   \\- st-l3\n     \\- st-l2\n       \\- st-l1\n";
    assert_eq!(
        run.transcript(),
        format!("exit: 0\n--- stdout\n{expected}--- stderr\n")
    );
    let run = maestro_in(
        &envs(),
        &["-f", "chain5.yaml", "deptree", "-r", "st-l3"],
        &[],
        None,
    );
    assert_eq!(run.stdout, "st-l3\n \\- st-l2\n   \\- st-l1\n");
}

#[test]
fn reads_the_environment_from_stdin() {
    let text = std::fs::read_to_string(envs().join("chain5.yaml")).expect("fixture");
    let run = maestro_in(&envs(), &["-f", "-", "deptree", "st-l2"], &[], Some(&text));
    assert_eq!(
        run.transcript(),
        "exit: 0\n--- stdout\nst-l2\n \\- st-l1\n--- stderr\n"
    );
}

#[test]
fn templates_see_the_process_environment() {
    let text = "name: {{ env.ENV_NAME | default('dev') }}\nships: {local: {ip: '{{ env.HOST_IP }}'}}\nservices:\n  a: {image: x, instances: {a-1: {ship: local}}}\n";
    let run = maestro_in(
        &envs(),
        &["-f", "-", "validate"],
        &[("HOST_IP", "10.1.2.3")],
        Some(text),
    );
    assert_eq!(
        run.transcript(),
        "exit: 0\n--- stdout\n<stdin>: valid environment \"dev\": 1 service, 1 container on 1 ship\n--- stderr\n"
    );
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    // (--version and -v, MaestroNG's: docker_e2e::shown::the_version_names_…)
    let run = maestro_in(&envs(), &["bogus"], &[], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: unrecognized subcommand 'bogus'"),
        "{}",
        run.stderr
    );
}

#[test]
fn selection_errors_are_invalid_input() {
    let run = maestro_in(&envs(), &["-f", "conductor.yaml", "stop"], &[], None);
    assert_eq!(
        run.transcript(),
        "exit: 2\n--- stdout\n--- stderr\nerror: no services or containers specified for stop, and --all not set\n"
    );
    let run = maestro_in(
        &envs(),
        &["-f", "conductor.yaml", "restart", "api"],
        &[],
        None,
    );
    assert_eq!(
        run.stderr,
        "error: api is a service but --expand-services (-s) was not specified\n"
    );
    let run = maestro_in(
        &envs(),
        &["-f", "conductor.yaml", "deptree", "nope"],
        &[],
        None,
    );
    assert_eq!(
        run.transcript(),
        "exit: 2\n--- stdout\n--- stderr\nerror: nope is neither a service nor a container\n"
    );
    // A typo is answered with the nearest name.
    for command in ["status", "deptree"] {
        let run = maestro_in(
            &envs(),
            &["-f", "chain5.yaml", command, "st-l2-l"],
            &[],
            None,
        );
        assert_eq!(
            run.transcript(),
            "exit: 2\n--- stdout\n--- stderr\nerror: st-l2-l is neither a service nor a container; did you mean `st-l2-1`?\n"
        );
    }
}

#[test]
fn dump_prints_every_container_with_its_environment() {
    let run = maestro_in(&envs(), &["-f", "conductor.yaml", "dump", "web"], &[], None);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let dump: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(dump["environment"]["name"], "probe");
    assert_eq!(
        dump["start_order"],
        serde_json::json!(["db-1", "api-1", "api-2", "cache-1", "web-1"])
    );
    let web = &dump["containers"]["web-1"];
    assert_eq!(web["service"], "web");
    assert_eq!(web["ship"], "vm1");
    assert_eq!(web["image"], "nginx");
    assert_eq!(web["hostname"], "web-1");
    assert_eq!(web["env"]["API_API_2_HTTP_PORT"], "18080");
    assert_eq!(web["env"]["CONTAINER_HOST_ADDRESS"], "192.0.2.2");
    assert_eq!(
        web["waits_for"],
        serde_json::json!(["api-1", "api-2", "cache-1", "db-1"])
    );
    assert_eq!(
        dump["containers"]["api-2"]["ports"]["http"],
        serde_json::json!({"exposed": "8080/tcp", "external": "18080/tcp", "host_ip": "0.0.0.0"})
    );
}

#[test]
fn secrets_never_appear_in_dumps() {
    let run = maestro_in(&envs(), &["-f", "secrets.yaml", "dump", "-c"], &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for secret in ["hunter2", "pw-in-url"] {
        assert!(
            !run.stdout.contains(secret),
            "{secret} leaked:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("https://mirror:<redacted>@mirror.local/v2/"),
        "{}",
        run.stdout
    );
    let dump: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        dump["environment"]["registries"]["private"]["password"],
        "<redacted>"
    );
    assert_eq!(
        dump["config"]["registries"]["private"]["password"],
        "<redacted>"
    );
    assert_eq!(dump["config"]["__maestro"]["base_dir"], "");
}

/// An envfile that is not KEY=VALUE (or a file of secrets named by mistake) is named
/// with its line, never quoted.
#[test]
fn an_envfile_error_never_quotes_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("shadow"),
        "root:$6$secret-hash-do-not-print:19000:0:99999:7:::\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("m.yaml"),
        "name: e\nships: {local: {ip: 127.0.0.1}}\nservices:\n  s:\n    image: busybox\n    envfile: shadow\n    instances:\n      s-1: {ship: local}\n",
    )
    .expect("write");
    let run = maestro_in(dir.path(), &["-f", "m.yaml", "validate"], &[], None);
    assert_eq!(
        run.transcript(),
        "exit: 2\n--- stdout\n--- stderr\nerror: m.yaml:6:14: services.s.envfile: invalid envfile shadow: line 1 is not KEY=VALUE (its text is not shown: it may be a secret)\nerror: 1 problem found in m.yaml\n"
    );
}

#[test]
fn completion_helper() {
    let complete = |args: &[&str]| {
        maestro_in(&envs(), &[&["complete", "--"], args].concat(), &[], None).stdout
    };
    assert_eq!(complete(&["maestro", "st"]), "start\nstatus\nstop\n");
    assert_eq!(complete(&["maestro st"]), "start\nstatus\nstop\n");
    assert_eq!(
        complete(&["maestro", "-f", "conductor.yaml", "start", "a"]),
        "api\napi-1\napi-2\n"
    );
    assert_eq!(
        complete(&["maestro", "-f", "conductor.yaml", "start", "api", "a"]),
        "api-1\napi-2\n"
    );
    assert_eq!(complete(&["maestro", "stop", "--a"]), "--all\n");
    assert_eq!(
        complete(&["maestro", "completion", ""]),
        "bash\nfish\nzsh\n"
    );
    let script = maestro_in(&envs(), &["completion", "bash"], &[], None).stdout;
    assert!(
        script.contains("complete -o default -F _maestro maestro"),
        "{script}"
    );
}

#[test]
fn guest_functions_from_the_shell() {
    let vars = [
        ("SERVICE_NAME", "kafka"),
        ("CONTAINER_NAME", "kafka-2"),
        ("ZOOKEEPER_INSTANCES", "zk-node-1,zk-node-2"),
        ("ZOOKEEPER_ZK_NODE_1_HOST", "192.168.10.2"),
        ("ZOOKEEPER_ZK_NODE_1_CLIENT_PORT", "2181"),
        ("ZOOKEEPER_ZK_NODE_1_PEER_PORT", "2888"),
        ("ZOOKEEPER_ZK_NODE_2_HOST", "192.168.10.3"),
        ("ZOOKEEPER_ZK_NODE_2_CLIENT_PORT", "2182"),
        ("ZOOKEEPER_ZK_NODE_2_PEER_PORT", "2889"),
        ("KAFKA_KAFKA_2_BROKER_INTERNAL_PORT", "9092"),
    ];
    let run = maestro_in(
        &envs(),
        &[
            "guest",
            "get_node_list",
            "zookeeper",
            "--ports",
            "client,peer",
            "--minimum",
            "2",
        ],
        &vars,
        None,
    );
    assert_eq!(
        run.transcript(),
        "exit: 0\n--- stdout\n192.168.10.2:2181:2888,192.168.10.3:2182:2889\n--- stderr\n"
    );
    let run = maestro_in(&envs(), &["guest", "get_port", "broker"], &vars, None);
    assert_eq!(run.stdout, "9092\n");
    let run = maestro_in(
        &envs(),
        &["guest", "get_node_list", "zookeeper", "--minimum", "3"],
        &vars,
        None,
    );
    assert_eq!(
        run.transcript(),
        "exit: 1\n--- stdout\n--- stderr\nerror: No or not enough zookeeper nodes configured\n"
    );
    let run = maestro_in(&envs(), &["guest", "get_environment_name"], &[], None);
    assert_eq!(run.stdout, "local\n");
}

#[test]
fn every_example_environment_is_valid_without_warnings() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&examples)
        .expect("examples dir")
        .filter_map(Result::ok)
    {
        let file = entry.path().join("maestro.yaml");
        if !file.exists() {
            continue;
        }
        let run = maestro_in(
            &examples,
            &["-f", file.to_str().expect("utf-8"), "validate"],
            &[],
            None,
        );
        assert_eq!(
            (run.code, run.stderr.as_str()),
            (0, ""),
            "{}",
            file.display()
        );
        checked += 1;
    }
    assert!(checked >= 1, "no example environment found");
}

#[test]
fn includes_are_relative_to_the_environment_file() {
    let run = maestro_in(
        &fixtures(),
        &["-f", "include/maestro.yaml", "dump", "web-1"],
        &[("WEB_TAG", "1.27")],
        None,
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let dump: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(dump["containers"]["web-1"]["image"], "nginx:1.27");
    assert_eq!(dump["containers"]["web-1"]["env"]["DOCKER_TAG"], "1.27");
}

#[test]
fn the_local_ship_needs_no_definition() {
    let text = "name: solo\nservices:\n  a: {image: x, instances: {a-1: {ship: local}}}\n";
    let dump = maestro_in(
        &envs(),
        &["-f", "-", "dump"],
        &[
            ("DOCKER_HOST", "tcp://10.1.2.3:2376"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", "/certs"),
        ],
        Some(text),
    );
    assert_eq!((dump.code, dump.stderr.as_str()), (0, ""));
    let dump: serde_json::Value = serde_json::from_str(&dump.stdout).expect("JSON on stdout");
    let ship = &dump["environment"]["ships"]["local"];
    assert_eq!(ship["ip"], "10.1.2.3");
    assert_eq!(ship["docker_port"], 2376);
    assert_eq!(ship["tls_verify"], true);
    assert_eq!(ship["tls_ca_cert"], "/certs/ca.pem");
    assert_eq!(
        dump["containers"]["a-1"]["env"]["CONTAINER_HOST_ADDRESS"],
        "10.1.2.3"
    );

    // A DOCKER_HOST maestro cannot use is an error at the instance that needs it.
    let bad = maestro_in(
        &envs(),
        &["-f", "-", "validate"],
        &[("DOCKER_HOST", "ssh://ops@far")],
        Some(text),
    );
    assert_eq!(
        bad.transcript(),
        "exit: 2\n--- stdout\n--- stderr\nerror: <stdin>:3:41: services.a.instances.a-1.ship: the local Docker daemon: DOCKER_HOST \"ssh://ops@far\": maestro reaches a local daemon through unix:// or tcp:// (for a remote one over SSH, define a ship with `ssh_tunnel`)\nerror: 1 problem found in <stdin>\n"
    );
    // Not needed, not an error.
    let unused = "name: solo\nships: {vm: {ip: 10.0.0.1}}\nservices:\n  a: {image: x, instances: {a-1: {ship: vm}}}\n";
    let fine = maestro_in(
        &envs(),
        &["-f", "-", "validate"],
        &[("DOCKER_HOST", "ssh://ops@far")],
        Some(unused),
    );
    assert_eq!(fine.code, 0, "{}", fine.transcript());
}

/// Output that cannot be written (a full disk) is a failure of a command whose output is
/// the product; a closed pipe (`| head`) is not.
#[test]
fn a_full_disk_fails_the_command_and_a_closed_pipe_does_not() {
    use std::process::{Command, Stdio};
    for args in [&["dump"][..], &["deptree"], &["--json", "validate"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = Command::new(env!("CARGO_BIN_EXE_maestro"))
            .args(["-f", "chain5.yaml"])
            .args(args)
            .current_dir(envs())
            .env("NO_COLOR", "1")
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .expect("maestro runs");
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).as_ref()
            ),
            (
                Some(1),
                "error: cannot write to standard output: No space left on device (os error 28)\n"
            ),
            "{args:?}"
        );
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_maestro"))
        .args(["-f", "chain5.yaml", "dump"])
        .current_dir(envs())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("maestro runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("maestro ends");
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        (Some(0), "")
    );
}
