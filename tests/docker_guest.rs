//! A container running MaestroNG 0.8.3's own Python `guestutils` (from PyPI, in the
//! image built by `tests/images/python-guest/build`) reads the variables maestro
//! injects exactly as it read MaestroNG's.

mod support;

use std::process::Command;
use support::docker::Env;

const SCRIPT: &str = "from maestro.guestutils import *
print(get_environment_name())
print(get_service_name())
print(get_container_name())
print(get_container_host_address())
print(get_port('peer'))
print(get_node_list('g-zk', ports=['client', 'peer']))
print(get_specific_host('g-zk', 'g-zk-2'))
print(get_specific_port('g-zk', 'g-zk-3', 'client'))
print(get_node_list('g-app'))
try:
    get_specific_exposed_port('g-zk', 'g-zk-1', 'peer')
except MaestroEnvironmentError as e:
    print(e)
";

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
    let zk = |n: u16| {
        format!(
            "      g-zk-{n}: {{ship: local, command: [sh, -c, \"trap 'exit 0' TERM; sleep 600 & wait\"], ports: {{client: \"2181:{}\", peer: \"2888:{}\"}}}}\n",
            41200 + n,
            41210 + n
        )
    };
    let body = format!(
        "services:\n  g-zk:\n    image: IMAGE\n    instances:\n{}{}{}  g-app:\n    image: maestro-test/python-guest:latest\n    requires: [g-zk]\n    instances:\n      g-app-1: {{ship: local, command: [python3, -c, {:?}], ports: {{peer: \"7000:41220\"}}}}\n",
        zk(1),
        zk(2),
        zk(3),
        SCRIPT
    );
    let env = Env::new("guest", &body);
    // The script exits when done (so `start` may report it as exiting at once): what
    // it printed is read from its logs.
    let run = env.maestro(&["start"]);
    let mut logs = env.maestro(&["logs", "g-app-1"]);
    for _ in 0..100 {
        if logs.stdout.contains("No internal port") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        logs = env.maestro(&["logs", "g-app-1"]);
    }
    assert_eq!(
        logs.stdout,
        "e2e-guest\n\
         g-app\n\
         g-app-1\n\
         127.0.0.1\n\
         7000\n\
         ['127.0.0.1:41201:41211', '127.0.0.1:41202:41212', '127.0.0.1:41203:41213']\n\
         127.0.0.1\n\
         41203\n\
         ['127.0.0.1']\n\
         No internal port peer defined for container g-zk-1 of service g-zk\n",
        "{}\n{}",
        run.transcript(),
        logs.transcript()
    );
}
