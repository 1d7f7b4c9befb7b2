//! The plugin host against real loopback servers: every built-in check and option,
//! the adversarial fixtures (each contained while a healthy check still passes),
//! grants, worlds, pins, the cache, and the auth and env-generator worlds.

use crate::support;

use maestro::plugin::{
    AuthRequest, CacheState, CallError, Capability, Cluster, Completion, ContainerRunner, Grants,
    Host, HostConfig, Member, Outcome,
};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::plugins::*;

async fn probe(
    host: &Host,
    name: &str,
    target: &maestro::plugin::Target,
) -> Result<Outcome, CallError> {
    let plugin = builtin(host, name);
    host.probe(&plugin, target, context(target), limits(5.0))
        .await
        .map(|r| r.value)
}

#[tokio::test(flavor = "multi_thread")]
async fn tcp_is_ready_when_the_port_accepts() {
    let host = host();
    let open = target(tcp_server(), json!({"port": "web"}));
    assert_eq!(probe(&host, "tcp", &open).await, Ok(Outcome::Ready));
    let port = closed_port();
    let closed = target(port, json!({"port": "web"}));
    assert_eq!(
        probe(&host, "tcp", &closed).await,
        Ok(Outcome::NotReady(format!(
            "cannot connect to 127.0.0.1:{port}: connection refused"
        )))
    );
    let unknown = target(port, json!({"port": "admin"}));
    assert_eq!(
        probe(&host, "tcp", &unknown).await,
        Ok(Outcome::Failed(
            "the container has no port named \"admin\"".into()
        ))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn http_status_path_method_headers_and_regex() {
    let host = host();
    let (port, seen) = http_server(|head| {
        if head.starts_with("GET /health ") {
            reply(200, "ok")
        } else if head.starts_with("POST /submit ") {
            reply(500, "status: GREEN\nversion 2")
        } else if head.starts_with("GET /old ") {
            Reply {
                status: 301,
                headers: vec![("location".into(), "/health".into())],
                body: String::new(),
            }
        } else {
            reply(503, "starting")
        }
    });
    let check = |options| target(port, options);
    let ok = check(json!({"port": "web", "path": "health"}));
    assert_eq!(probe(&host, "http", &ok).await, Ok(Outcome::Ready));
    let root = check(json!({"port": "web"}));
    assert_eq!(
        probe(&host, "http", &root).await,
        Ok(Outcome::NotReady("HTTP 503 from /".into()))
    );
    let regex = check(json!({
        "port": "web", "path": "/submit", "method": "post",
        "match_regex": "GREEN.version", "requests_options": {"headers": {"X-Probe": "maestro"}}
    }));
    assert_eq!(probe(&host, "http", &regex).await, Ok(Outcome::Ready));
    let mismatch = check(json!({"port": "web", "path": "/", "match_regex": "^ready$"}));
    assert_eq!(
        probe(&host, "http", &mismatch).await,
        Ok(Outcome::NotReady(
            "HTTP 503: the body does not match \"^ready$\"".into()
        ))
    );
    let redirected = check(json!({"port": "web", "path": "/old"}));
    assert_eq!(probe(&host, "http", &redirected).await, Ok(Outcome::Ready));
    let by_number = check(json!({"port": port, "path": "/health"}));
    assert_eq!(probe(&host, "http", &by_number).await, Ok(Outcome::Ready));
    let heads: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.head.clone())
        .collect();
    let post = heads
        .iter()
        .find(|h| h.starts_with("POST /submit"))
        .unwrap();
    assert!(
        post.to_ascii_lowercase().contains("x-probe: maestro"),
        "{post}"
    );
    assert!(post.contains(&format!("host: 127.0.0.1:{port}")), "{post}");
}

#[tokio::test(flavor = "multi_thread")]
async fn http_to_a_closed_port_is_not_ready() {
    let host = host();
    let closed = target(closed_port(), json!({"port": "web"}));
    assert_eq!(
        probe(&host, "http", &closed).await,
        Ok(Outcome::NotReady("connection refused".into()))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_runs_locally_with_the_container_env() {
    let host = host();
    let port = closed_port();
    let env_check = target(
        port,
        json!({"command": "sh -c 'test \"$SERVICE_NAME\" = web'"}),
    );
    assert_eq!(probe(&host, "exec", &env_check).await, Ok(Outcome::Ready));
    let stdin_check = target(
        port,
        json!({"command": ["sh", "-c", "grep -q '\"SERVICE_NAME\":\"web\"'"], "envfrom": "stdin"}),
    );
    assert_eq!(probe(&host, "exec", &stdin_check).await, Ok(Outcome::Ready));
    let failing = target(port, json!({"command": "sh -c 'echo not yet >&2; exit 4'"}));
    assert_eq!(
        probe(&host, "exec", &failing).await,
        Ok(Outcome::NotReady("sh exited with 4: not yet".into()))
    );
    let missing = target(port, json!({"command": "no-such-program-anywhere"}));
    assert_eq!(
        probe(&host, "exec", &missing).await,
        Ok(Outcome::Failed(
            "program \"no-such-program-anywhere\" not found".into()
        ))
    );
}

/// Runs the command on this machine with `sh`, standing in for `docker exec` (the
/// Docker tests run the real one).
struct LocalRunner;

impl ContainerRunner for LocalRunner {
    fn run(
        &self,
        command: Vec<String>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Completion, String>> + Send>>
    {
        Box::pin(async move {
            let out = tokio::process::Command::new(&command[0])
                .args(&command[1..])
                .output()
                .await
                .map_err(|e| e.to_string())?;
            Ok(Completion {
                exit_code: out.status.code().unwrap_or(-1),
                output: String::from_utf8_lossy(&out.stdout).into_owned(),
            })
        })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rexec_goes_through_the_container_runner() {
    let host = host();
    let plugin = builtin(&host, "rexec");
    let check = target(
        closed_port(),
        json!({"command": "sh -c 'echo inside; exit 1'"}),
    );
    let mut ctx = context(&check);
    let without = host.probe(&plugin, &check, ctx.clone(), limits(5.0)).await;
    assert_eq!(
        without.map(|r| r.value),
        Ok(Outcome::Failed(
            "this call has no container to run commands in".into()
        ))
    );
    ctx.container_runner = Some(Arc::new(LocalRunner));
    let with = host.probe(&plugin, &check, ctx, limits(5.0)).await;
    assert_eq!(
        with.map(|r| r.value),
        Ok(Outcome::NotReady("sh exited with 1: inside".into()))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sleep_waits_then_passes() {
    let host = host();
    let started = Instant::now();
    let check = target(closed_port(), json!({"wait": 0.3}));
    assert_eq!(probe(&host, "sleep", &check).await, Ok(Outcome::Ready));
    assert!(started.elapsed() >= Duration::from_millis(300));
}

/// Runs an adversary next to a healthy tcp check and returns the adversary's result;
/// the healthy check must pass meanwhile.
async fn contained(options: serde_json::Value, timeout: f64) -> Result<Outcome, CallError> {
    let host = host();
    let adversary = load_fixture(&host, "adversary", Grants::default());
    let healthy = target(tcp_server(), json!({"port": "web"}));
    let bad = target(closed_port(), options);
    let bad_run = {
        let host = host.clone();
        let bad = bad.clone();
        tokio::spawn(async move {
            host.probe(&adversary, &bad, context(&bad), limits(timeout))
                .await
                .map(|r| r.value)
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(probe(&host, "tcp", &healthy).await, Ok(Outcome::Ready));
    bad_run.await.expect("the adversary's task")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_loop_is_stopped() {
    let started = Instant::now();
    let result = contained(json!({"mode": "loop"}), 1.0).await;
    let error = result.unwrap_err().to_string();
    // Starved of CPU (another test suite beside this one), the loop may not have
    // computed its whole second before the wall-clock deadline: stopped all the same.
    assert!(
        error
            == "plugin `adversary` computed for more than 1.0s without answering (an endless loop?)"
            || error == "plugin `adversary` did not answer within 1.0s",
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_memory_hog_hits_its_limit() {
    let result = contained(json!({"mode": "hog"}), 10.0).await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "plugin `adversary` ran out of memory (limit 256 MB)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_is_a_crash_of_that_check() {
    let error = contained(json!({"mode": "trap"}), 5.0).await.unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("plugin `adversary` crashed: wasm trap: "),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_output_is_cut() {
    let host = host();
    let adversary = load_fixture(&host, "adversary", Grants::default());
    let check = target(closed_port(), json!({"mode": "flood"}));
    let report = host
        .probe(&adversary, &check, context(&check), limits(20.0))
        .await
        .unwrap();
    let Outcome::NotReady(reason) = report.value else {
        panic!("{:?}", report.value)
    };
    assert_eq!(reason.len(), 512 + "… (8388096 bytes cut)".len());
    assert_eq!(report.logs.len(), 101);
    assert_eq!(report.logs[100].message, "9900 more lines were dropped");
    assert!(report.logs[0].message.len() < 1100);
}

#[tokio::test(flavor = "multi_thread")]
async fn connecting_outside_the_target_is_denied() {
    let other = tcp_server();
    let error = contained(
        json!({"mode": "connect", "address": format!("127.0.0.1:{other}")}),
        5.0,
    )
    .await
    .unwrap_err();
    let CallError::Denied { what, reach, .. } = &error else {
        panic!("{error}")
    };
    assert_eq!(what, &format!("connect to 127.0.0.1:{other}"));
    assert!(reach.starts_with("127.0.0.1 port "), "{reach}");
}

#[tokio::test(flavor = "multi_thread")]
async fn files_and_environment_are_invisible() {
    let read = contained(json!({"mode": "read-file", "path": "/etc/passwd"}), 5.0).await;
    let Ok(Outcome::NotReady(reason)) = read else {
        panic!("{read:?}")
    };
    assert!(reason.starts_with("read /etc/passwd: "), "{reason}");
    // SAFETY: set before any plugin runs in this test; no other thread reads it.
    unsafe { std::env::set_var("MAESTRO_TEST_SECRET", "hunter2") };
    let env = contained(json!({"mode": "read-env"}), 5.0).await;
    assert_eq!(env, Ok(Outcome::NotReady("0 variables: ".into())));
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_needs_a_grant() {
    let host = host();
    let refused = host
        .load_file(
            "sneaky-exec",
            fixture_path("sneaky-exec"),
            Grants::default(),
        )
        .err()
        .expect("refused");
    assert_eq!(
        refused.to_string(),
        "plugin `sneaky-exec`: it imports maestro:plugin/exec@0.1.0, the `exec` capability, \
         which is not granted (grant it with `plugins: {NAME: {grant: [exec]}}` in the environment file)"
    );
    let granted = load_fixture(&host, "sneaky-exec", grants(&[Capability::Exec]));
    let check = target(closed_port(), json!({}));
    let report = host
        .probe(&granted, &check, context(&check), limits(5.0))
        .await;
    assert_eq!(report.map(|r| r.value), Ok(Outcome::Ready));
}

#[tokio::test(flavor = "multi_thread")]
async fn worlds_are_checked() {
    let host = host();
    let generator = load_fixture(&host, "cluster-env", Grants::default());
    assert_eq!(generator.world.name(), "env-generator");
    let check = target(closed_port(), json!({}));
    let error = host
        .probe(&generator, &check, context(&check), limits(5.0))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "plugin `cluster-env` is not a check plugin (it is an env-generator plugin)"
    );
    let not_a_component = host
        .load(
            "junk",
            maestro::plugin::Origin::Builtin,
            b"\0asm\x0d\0\x01\0",
            Grants::default(),
        )
        .err()
        .expect("refused");
    assert!(
        not_a_component
            .to_string()
            .starts_with("plugin `junk`: it does not implement a maestro world"),
        "{not_a_component}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pinned_sha256_must_match() {
    let host = host();
    let pinned = Grants {
        sha256: Some("00".repeat(32)),
        ..Grants::default()
    };
    let error = host
        .load_file("adversary", fixture_path("adversary"), pinned)
        .err()
        .expect("refused");
    let actual = maestro::plugin::sha256_hex(&std::fs::read(fixture_path("adversary")).unwrap());
    assert_eq!(
        error.to_string(),
        format!(
            "plugin `adversary`: its sha256 is {actual}, but the environment file pins {}",
            "00".repeat(32)
        )
    );
    let right = Grants {
        sha256: Some(actual.to_uppercase()),
        ..Grants::default()
    };
    assert!(
        host.load_file("adversary", fixture_path("adversary"), right)
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn compiled_components_are_cached() {
    let dir = tempfile::tempdir().unwrap();
    let config = HostConfig {
        cache_dir: Some(dir.path().to_path_buf()),
    };
    let first = Host::new(config.clone()).unwrap();
    let plugin = builtin(&first, "tcp");
    let CacheState::Compiled {
        path: Some(path), ..
    } = &plugin.cache
    else {
        panic!("{:?}", plugin.cache)
    };
    assert!(path.is_file());
    let second = Host::new(config).unwrap();
    let again = builtin(&second, "tcp");
    assert_eq!(again.cache, CacheState::Hit { path: path.clone() });
    let check = target(tcp_server(), json!({"port": "web"}));
    let report = second
        .probe(&again, &check, context(&check), limits(5.0))
        .await;
    assert_eq!(report.map(|r| r.value), Ok(Outcome::Ready));
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_plugins_give_credentials_that_are_never_shown() {
    let host = host();
    let auth = load_fixture(&host, "static-auth", Grants::default());
    let request = |options: serde_json::Value| AuthRequest {
        registry: "private".into(),
        address: "127.0.0.1:5000".into(),
        image: "127.0.0.1:5000/app:1".into(),
        options: options.to_string(),
    };
    let login = host
        .credentials(
            &auth,
            &request(json!({"username": "ci", "token": "s3cret"})),
            limits(5.0),
        )
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(
        (login.username.as_str(), login.password.expose()),
        ("ci", "s3cret")
    );
    assert!(!format!("{login:?}").contains("s3cret"));
    let anonymous = host
        .credentials(&auth, &request(json!({})), limits(5.0))
        .await;
    assert!(anonymous.unwrap().value.is_none());
    let refused = host
        .credentials(&auth, &request(json!({"refuse": true})), limits(5.0))
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "plugin `static-auth`: no credentials for 127.0.0.1:5000/app:1"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn env_generators_see_the_cluster() {
    let host = host();
    let generator = load_fixture(&host, "cluster-env", Grants::default());
    let member = |container: &str, index: u32, sequence: u32| Member {
        service: "zk".into(),
        container: container.into(),
        ship: "s1".into(),
        address: "10.0.0.1".into(),
        ports: vec![maestro::plugin::Port {
            name: "client".into(),
            exposed: 2181,
            external: 2181 + index as u16,
            protocol: maestro::config::grammar::Protocol::Tcp,
        }],
        index,
        sequence,
    };
    let cluster = Cluster {
        environment: "test".into(),
        target: member("zk-2", 1, 4),
        peers: vec![member("zk-1", 0, 3), member("zk-2", 1, 4)],
        dependencies: vec![Member {
            service: "dns".into(),
            ..member("dns-1", 0, 0)
        }],
        env: vec![],
        options: "{}".into(),
    };
    let vars = host
        .generate(&generator, &cluster, limits(5.0))
        .await
        .unwrap()
        .value;
    assert_eq!(
        vars,
        [
            (
                "PEERS".to_string(),
                "10.0.0.1:2181,10.0.0.1:2182".to_string()
            ),
            ("MY_ID".to_string(), "5".to_string()),
            ("DEPENDS_ON".to_string(), "dns-1".to_string()),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_granted_directory_is_readable_and_only_that() {
    let granted = tempfile::tempdir().unwrap();
    let dir = granted.path().canonicalize().unwrap();
    std::fs::write(dir.join("config.txt"), "ok").unwrap();
    let host = host();
    let grants = Grants {
        read: vec![dir.clone()],
        ..Grants::default()
    };
    let adversary = host
        .load_file("adversary", fixture_path("adversary"), grants)
        .unwrap();
    let read = |path: String| {
        let check = target(closed_port(), json!({"mode": "read-file", "path": path}));
        let host = host.clone();
        let adversary = adversary.clone();
        async move {
            host.probe(&adversary, &check, context(&check), limits(5.0))
                .await
                .map(|r| r.value)
        }
    };
    let inside = dir.join("config.txt").display().to_string();
    assert_eq!(read(inside).await, Ok(Outcome::Ready));
    let outside = read("/etc/passwd".to_string()).await;
    let Ok(Outcome::NotReady(reason)) = outside else {
        panic!("{outside:?}")
    };
    assert!(reason.starts_with("read /etc/passwd: "), "{reason}");
}
