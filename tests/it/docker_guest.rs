//! A container running MaestroNG 0.8.3's own Python `guestutils` (from PyPI, in the
//! image built by `tests/images/python-guest/build`) reads the variables maestro
//! injects exactly as it read MaestroNG's; the static `maestro-guest` binary reads them
//! inside a `FROM scratch` image.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::docker::{Env, docker, run_prefix};
use support::plugins::closed_port;

/// The probe, for services `{p}zk` and `{p}app`.
fn script(p: &str) -> String {
    format!(
        "from maestro.guestutils import *
print(get_environment_name())
print(get_service_name())
print(get_container_name())
print(get_container_host_address())
print(get_port('peer'))
print(get_node_list('{p}zk', ports=['client', 'peer']))
print(get_specific_host('{p}zk', '{p}zk-2'))
print(get_specific_port('{p}zk', '{p}zk-3', 'client'))
print(get_node_list('{p}app'))
try:
    get_specific_exposed_port('{p}zk', '{p}zk-1', 'peer')
except MaestroEnvironmentError as e:
    print(e)
"
    )
}

#[test]
fn maestrong_guestutils_read_the_injected_environment() {
    let image = Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/images/python-guest/build"
    ))
    .output()
    .expect("the python-guest image build runs");
    assert!(
        image.status.success(),
        "{}",
        String::from_utf8_lossy(&image.stderr)
    );
    let p = format!("{}g-", run_prefix());
    // Host ports: client and peer of three zk nodes, and the app's peer.
    let ports: Vec<u16> = (0..7).map(|_| closed_port()).collect();
    let zk = |n: usize| {
        format!(
            "      {p}zk-{n}: {{ship: local, command: [sh, -c, \"trap 'exit 0' TERM; sleep 600 & wait\"], ports: {{client: \"2181:{}\", peer: \"2888:{}\"}}}}\n",
            ports[n - 1],
            ports[n + 2]
        )
    };
    let body = format!(
        "services:\n  {p}zk:\n    image: IMAGE\n    instances:\n{}{}{}  {p}app:\n    image: maestro-test/python-guest:latest\n    requires: [{p}zk]\n    instances:\n      {p}app-1: {{ship: local, command: [python3, -c, {:?}], ports: {{peer: \"7000:{}\"}}}}\n",
        zk(1),
        zk(2),
        zk(3),
        script(&p),
        ports[6]
    );
    let env = Env::new(&format!("{p}guest"), &body);
    let app = format!("{p}app-1");
    // The script exits when done (so `start` may report it as exiting at once): what
    // it printed is read from its logs.
    let run = env.maestro(&["start"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut logs = env.maestro(&["logs", &app]);
    while !logs.stdout.contains("No internal port") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        logs = env.maestro(&["logs", &app]);
    }
    assert_eq!(
        logs.stdout,
        format!(
            "e2e-{p}guest\n\
             {p}app\n\
             {app}\n\
             127.0.0.1\n\
             7000\n\
             ['127.0.0.1:{}:{}', '127.0.0.1:{}:{}', '127.0.0.1:{}:{}']\n\
             127.0.0.1\n\
             {}\n\
             ['127.0.0.1']\n\
             No internal port peer defined for container {p}zk-1 of service {p}zk\n",
            ports[0], ports[3], ports[1], ports[4], ports[2], ports[5], ports[2]
        ),
        "{}\n{}",
        run.transcript(),
        logs.transcript()
    );
}

/// `maestro-guest` built as the README says (static, for x86_64-unknown-linux-musl),
/// into a target directory of its own.
fn static_guest_binary() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = root.join("target/guest-musl");
    let build = Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "x86_64-unknown-linux-musl",
        ])
        .args(["--bin", "maestro-guest", "--target-dir"])
        .arg(&target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        build.status.success(),
        "building maestro-guest failed (tests/run installs the musl target):\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    target_dir.join("x86_64-unknown-linux-musl/release/maestro-guest")
}

#[test]
fn the_static_guest_binary_answers_inside_a_scratch_image() {
    let binary = static_guest_binary();
    let size = std::fs::metadata(&binary).expect("the binary").len();
    assert!(size <= 3 << 20, "maestro-guest is {size} bytes, over 3 MB");

    // The README's two lines, and nothing else in the image: no shell, no libc.
    let p = run_prefix();
    let image = format!("maestro-test/scratch-guest:{p}");
    let context = tempfile::tempdir().expect("temp dir");
    std::fs::copy(&binary, context.path().join("maestro-guest")).expect("copy");
    std::fs::write(
        context.path().join("Dockerfile"),
        "FROM scratch\nCOPY maestro-guest /usr/local/bin/maestro-guest\n",
    )
    .expect("Dockerfile");
    let built = Command::new("docker")
        .args(["build", "-q", "-t", &image])
        .arg(context.path())
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("docker runs");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );

    let (one, two) = (closed_port(), closed_port());
    let body = format!(
        "services:\n  {p}-gz:\n    image: IMAGE\n    instances:\n\
         \x20     {p}-gz-1: {{ship: local, command: {sleeper}, ports: {{client: \"2181:{one}\"}}}}\n\
         \x20     {p}-gz-2: {{ship: local, command: {sleeper}, ports: {{client: \"2181:{two}\"}}}}\n\
         \x20 {p}-ga:\n    image: {image}\n    requires: [{p}-gz]\n    instances:\n\
         \x20     {p}-ga-1: {{ship: local, command: [/usr/local/bin/maestro-guest, get_node_list, {p}-gz, --ports, client]}}\n",
        sleeper = support::docker::SLEEPER,
    );
    let env = Env::new(&format!("{p}-scratch"), &body);
    // The guest exits once it has answered: what it printed is read from its logs.
    let start = env.maestro(&["start"]);
    let container = format!("{p}-ga-1");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut logs = env.maestro(&["logs", &container]);
    while logs.stdout.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        logs = env.maestro(&["logs", &container]);
    }
    assert_eq!(
        logs.stdout,
        format!("127.0.0.1:{one},127.0.0.1:{two}\n"),
        "{}\n{}",
        start.transcript(),
        logs.transcript()
    );
    drop(env);
    docker(&["rmi", "-f", &image]);
}
