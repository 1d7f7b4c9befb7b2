//! The example plugins of `examples/plugins/` (Rust, Python, JavaScript), built with
//! their own toolchains, dropped into the `plugins/` folder beside an environment
//! file, found, loaded and run by maestro's check runner against real servers.
//! `tests/run` installs the toolchains (componentize-py, componentize-js).

use crate::support;

use maestro::checks::{self, Plugins};
use maestro::model::{Environment, LifecycleState};
use maestro::plugin::{Host, HostConfig};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::Duration;
use support::examples::plugin_home;
use support::plugins::{closed_port, http_server, reply};

/// One host for the whole file, so each example compiles once.
fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| Host::new(HostConfig::default()).unwrap())
}

/// An environment in the plugin home with one container whose `running` checks are
/// `checks` (YAML flow list) and whose ports are `ports` (YAML flow mapping).
fn environment(ports: &str, checks: &str) -> Environment {
    let text = format!(
        "name: examples\nships: {{local: {{ip: 127.0.0.1}}}}\nservices:\n  app:\n    image: app\n    \
         ports: {ports}\n    lifecycle:\n      running: {checks}\n    instances:\n      app-1: {{ship: local}}\n"
    );
    // One file per environment: the tests of this file run at the same time.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = plugin_home().join(format!("env-{}-{n}.yaml", std::process::id()));
    std::fs::write(&file, text).unwrap();
    maestro::config::load(file.to_str().unwrap())
        .unwrap_or_else(|e| panic!("{e}"))
        .environment
}

fn prepare(env: &Environment) -> Plugins {
    let search = checks::search_path(env, &[]);
    checks::prepare(host(), env, &search).unwrap_or_else(|e| panic!("{}", e.join("\n")))
}

async fn run(env: &Environment) -> Result<(), String> {
    let plugins = prepare(env);
    let container = &env.containers["app-1"];
    let vars = maestro::env::generate(env, container);
    checks::run_state(
        &plugins,
        env,
        container,
        &vars,
        LifecycleState::Running,
        checks::Probe::default(),
    )
    .await
    .map_err(|f| f.to_string())
}

/// A server that greets each connection with `banner`, from `delay` on.
fn greeter(banner: &'static str, delay: Duration) -> u16 {
    let port = closed_port();
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let _ = stream.write_all(banner.as_bytes());
        }
    });
    port
}

/// A server that answers `PING` with `+PONG`.
fn pinger() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_ok() && line.trim() == "PING" {
                let _ = (&stream).write_all(b"+PONG\r\n");
            } else {
                let _ = (&stream).write_all(b"-ERR unknown command\r\n");
            }
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn rust_banner_check() {
    let port = greeter("SSH-2.0-OpenSSH_9.2\r\n", Duration::ZERO);
    let env = environment(
        &format!("{{ssh: {port}}}"),
        "[{type: banner, port: ssh, expect: SSH-2.0}]",
    );
    assert_eq!(run(&env).await, Ok(()));
    let wrong = environment(
        &format!("{{ssh: {port}}}"),
        "[{type: banner, port: ssh, expect: '220 ', max_wait: 0.5}]",
    );
    assert_eq!(
        run(&wrong).await,
        Err(format!(
            "running check `banner` of container `app-1` failed: not ready after 0.5s: \
             127.0.0.1:{port} says \"SSH-2.0-OpenSSH_9.2\", expected \"220 \"…"
        ))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn python_line_protocol_check() {
    let port = pinger();
    let env = environment(
        &format!("{{redis: {port}}}"),
        "[{type: line-protocol, port: redis}]",
    );
    assert_eq!(run(&env).await, Ok(()));
    let wrong = environment(
        &format!("{{redis: {port}}}"),
        "[{type: line-protocol, port: redis, send: HELLO, max_wait: 0.5}]",
    );
    assert_eq!(
        run(&wrong).await,
        Err(
            "running check `line-protocol` of container `app-1` failed: not ready after 0.5s: \
             answered '-ERR unknown command', expected 'PONG'"
                .to_string()
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn javascript_json_health_check() {
    let (port, _) = http_server(|head| {
        if head.starts_with("GET /actuator/health ") {
            reply(200, r#"{"status": {"db": "UP"}}"#)
        } else {
            reply(200, r#"{"status": "DOWN"}"#)
        }
    });
    let env = environment(
        &format!("{{web: {port}}}"),
        "[{type: json-health, port: web, path: /actuator/health, field: status.db}]",
    );
    assert_eq!(run(&env).await, Ok(()));
    let down = environment(
        &format!("{{web: {port}}}"),
        "[{type: json-health, port: web, max_wait: 0.5}]",
    );
    assert_eq!(
        run(&down).await,
        Err(
            "running check `json-health` of container `app-1` failed: not ready after 0.5s: \
             status is \"DOWN\", expected \"UP\""
                .to_string()
        )
    );
}

/// A service that comes up late (300 ms) passes both its checks, run together; how
/// soon after it comes up is measured by `cargo bench --bench plugins`.
#[tokio::test(flavor = "multi_thread")]
async fn checks_wait_for_a_late_service() {
    let port = greeter("220 ready\r\n", Duration::from_millis(300));
    let env = environment(
        &format!("{{smtp: {port}}}"),
        "[{type: tcp, port: smtp}, {type: banner, port: smtp, expect: '220'}]",
    );
    assert_eq!(run(&env).await, Ok(()));
}
