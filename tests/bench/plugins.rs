//! Benchmark (not a test) of the plugin host. Run with `cargo bench --bench plugins`
//! (after `tests/run` has installed the Python and JavaScript toolchains). Prints:
//! - per plugin (built-ins and the Rust, Python and JavaScript examples): its size, a
//!   cold compile, and a load from the disk cache (median of 20);
//! - one attempt of the built-in tcp check (fresh instance + call, median of 2,000)
//!   against a native `TcpStream::connect` to the same listener, in this run;
//! - how soon the check runner sees a port that opens 300 ms after the check starts,
//!   against MaestroNG's fixed one-second step.

#[path = "../support/examples.rs"]
mod examples;
#[path = "../support/http.rs"]
#[allow(dead_code)]
mod http;
#[path = "../support/plugins.rs"]
mod plugins;

use maestro::plugin::{CacheState, CallLimits, Grants, Host, HostConfig, Outcome};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Each plugin: name, language, and its file (built-ins are embedded: `None`).
fn components() -> Vec<(String, &'static str, Option<PathBuf>)> {
    let mut list: Vec<(String, &'static str, Option<PathBuf>)> = maestro::plugin::builtin_names()
        .map(|n| (n.to_string(), "Rust (built-in)", None))
        .collect();
    let dir: PathBuf = examples::plugin_home().join("plugins");
    for (name, language) in examples::EXAMPLES {
        list.push((
            name.to_string(),
            language,
            Some(dir.join(format!("{name}.wasm"))),
        ));
    }
    list
}

/// Loads a plugin the way a run does: a built-in from the binary, a file from disk.
fn load(
    host: &Host,
    name: &str,
    file: &Option<PathBuf>,
) -> std::sync::Arc<maestro::plugin::Plugin> {
    match file {
        None => host.load_builtin(name).unwrap().unwrap(),
        Some(path) => host
            .load_file(name, path.clone(), Grants::default())
            .unwrap(),
    }
}

fn loads() {
    let cache = tempfile::tempdir().unwrap();
    let config = HostConfig {
        cache_dir: Some(cache.path().to_path_buf()),
    };
    println!(
        "{:<15} {:<16} {:>9} {:>14} {:>14}",
        "plugin", "language", "size", "cold compile", "cached load"
    );
    for (name, language, file) in components() {
        let cold_host = Host::new(config.clone()).unwrap();
        let plugin = load(&cold_host, &name, &file);
        let CacheState::Compiled { millis, .. } = plugin.cache else {
            panic!("{name} was already cached")
        };
        let warm_host = Host::new(config.clone()).unwrap();
        let samples: Vec<Duration> = (0..20)
            .map(|_| {
                let started = Instant::now();
                let plugin = load(&warm_host, &name, &file);
                assert!(matches!(plugin.cache, CacheState::Hit { .. }));
                started.elapsed()
            })
            .collect();
        println!(
            "{name:<15} {language:<16} {:>6} KB {:>11} ms {:>14}",
            plugin.size / 1024,
            millis,
            ms(median(samples))
        );
    }
}

fn tcp_attempts(runtime: &tokio::runtime::Runtime) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || for _ in listener.incoming() {});
    let host = Host::new(HostConfig::default()).unwrap();
    let plugin = host.load_builtin("tcp").unwrap().unwrap();
    let target = plugins::target(port, serde_json::json!({"port": "web"}));
    let context = plugins::context(&target);
    let limits = CallLimits {
        timeout: Duration::from_secs(5),
    };
    const N: usize = 2000;
    let attempts = runtime.block_on(async {
        let mut samples = Vec::with_capacity(N);
        for _ in 0..N {
            let started = Instant::now();
            let report = host
                .probe(&plugin, &target, context.clone(), limits.clone())
                .await
                .unwrap();
            samples.push(started.elapsed());
            assert_eq!(report.value, Outcome::Ready);
        }
        samples
    });
    let native: Vec<Duration> = (0..N)
        .map(|_| {
            let started = Instant::now();
            drop(TcpStream::connect(("127.0.0.1", port)).unwrap());
            started.elapsed()
        })
        .collect();
    let (a, n) = (median(attempts), median(native));
    println!();
    println!(
        "tcp check attempt (instantiate + call), median of {N}: {}",
        us(a)
    );
    println!(
        "native TcpStream::connect, median of {N}:              {}",
        us(n)
    );
    println!(
        "overhead of the sandbox per attempt:                    {}",
        us(a.saturating_sub(n))
    );
}

fn late_port(runtime: &tokio::runtime::Runtime) {
    let text = "name: bench\nships: {local: {ip: 127.0.0.1}}\nservices:\n  app:\n    image: app\n    ports: {web: PORT}\n    lifecycle: {running: [{type: tcp, port: web}]}\n    instances: {app-1: {ship: local}}\n";
    let mut runs = Vec::new();
    for _ in 0..5 {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let source = maestro::config::Source {
            name: "bench.yaml".into(),
            text: text.replace("PORT", &port.to_string()),
            base_dir: std::env::temp_dir(),
        };
        let env = maestro::config::load_source(&source, &Default::default())
            .unwrap()
            .environment;
        let host = Host::new(HostConfig::default()).unwrap();
        let search = maestro::checks::search_path(&env, &[]);
        let plugins = maestro::checks::prepare(&host, &env, &search).unwrap();
        let container = &env.containers["app-1"];
        let vars = maestro::env::generate(&env, container);
        let opened = Instant::now() + Duration::from_millis(300);
        std::thread::spawn(move || {
            std::thread::sleep(opened - Instant::now());
            let l = TcpListener::bind(("127.0.0.1", port)).unwrap();
            for _ in l.incoming() {}
        });
        runtime
            .block_on(maestro::checks::run_state(
                &plugins,
                &env,
                container,
                &vars,
                maestro::model::LifecycleState::Running,
                maestro::checks::Probe::default(),
            ))
            .unwrap();
        runs.push(Instant::now() - opened);
    }
    println!();
    println!(
        "port opening 300 ms after the check starts: passed {} after it opened (median of 5);",
        ms(median(runs))
    );
    println!(
        "MaestroNG's fixed 1 s step passes 700 ms after it opens (first attempt at 0, next at 1 s)."
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    loads();
    tcp_attempts(&runtime);
    late_port(&runtime);
}
