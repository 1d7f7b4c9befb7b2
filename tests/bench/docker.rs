//! Benchmark (not a test): `maestro start` / `stop` / `status` against the real daemon,
//! next to the raw engine bound measured in the same run — the same containers
//! created and started straight through the API at the same concurrency (level by
//! level for the chain), with no inspection, checks or scheduling.
//!
//! Scenarios: (a) 20 independent containers; (b) a chain of 5 services × 4 instances,
//! each gated by a tcp running check. Run with `cargo bench --bench docker` (needs the
//! daemon and the test image: `tests/docker-up`). Prints medians of 3 runs.

use maestro::docker::{Fleet, create_spec};
use maestro::model::Environment;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 3;
const STATUS_RUNS: usize = 15;
const IMAGE: &str = "maestro-test/busybox:latest";
const SLEEPER: &str = "[sh, -c, \"trap 'exit 0' TERM; sleep 600 & wait\"]";

fn flat() -> String {
    let mut text = String::from("services:\n  bench-flat:\n    image: IMAGE\n    instances:\n");
    for i in 1..=20 {
        text.push_str(&format!(
            "      bf-{i:02}: {{ship: local, command: {SLEEPER}}}\n"
        ));
    }
    text
}

fn chain() -> String {
    let mut text = String::from("services:\n");
    for level in 0..5 {
        text.push_str(&format!("  bench-l{level}:\n    image: IMAGE\n"));
        if level > 0 {
            text.push_str(&format!("    requires: [bench-l{}]\n", level - 1));
        }
        text.push_str("    instances:\n");
        for i in 1..=4 {
            let port = 47000 + level * 10 + i;
            text.push_str(&format!(
                "      bc-{level}-{i}: {{ship: local, command: [sh, -c, \"trap 'exit 0' TERM; nc -ll -p 7000 -e true & wait\"], ports: {{app: \"7000:{port}\"}}, lifecycle: {{running: [{{type: tcp, port: app}}]}}}}\n"
            ));
        }
    }
    text
}

fn write_env(dir: &Path, name: &str, body: &str) -> String {
    let file = dir.join(format!("{name}.yaml"));
    let text = format!(
        "__maestro: {{schema: 2}}\nname: bench-{name}\nships:\n  local: {{ip: 127.0.0.1, socket_path: /var/run/docker.sock}}\n{}",
        body.replace("IMAGE", IMAGE)
    );
    std::fs::write(&file, text).unwrap();
    file.to_string_lossy().into_owned()
}

fn maestro(file: &str, args: &[&str]) -> Duration {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_maestro"))
        .args(["-f", file])
        .args(args)
        .output()
        .expect("maestro runs");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "maestro {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn remove_all(name: &str) {
    let filter = format!("label=maestro.environment=bench-{name}");
    let out = Command::new("docker")
        .args(["ps", "-aq", "--filter", &filter])
        .output()
        .unwrap();
    let ids = String::from_utf8_lossy(&out.stdout).into_owned();
    let ids: Vec<&str> = ids.split_whitespace().collect();
    if !ids.is_empty() {
        Command::new("docker")
            .args(["rm", "-f", "-v"])
            .args(&ids)
            .output()
            .unwrap();
    }
}

fn load(file: &str) -> Environment {
    let source = maestro::config::read_source(file).unwrap();
    maestro::config::load_source(&source, &Default::default())
        .unwrap()
        .environment
}

/// Create + start every container of each level at once, level after level.
fn raw(runtime: &tokio::runtime::Runtime, env: &Environment, levels: &[Vec<String>]) -> Duration {
    let fleet = Fleet::new(env);
    let ship = fleet.ship("local").unwrap().clone();
    runtime.block_on(async {
        ship.docker().await.unwrap();
        let started = Instant::now();
        for level in levels {
            let mut tasks = tokio::task::JoinSet::new();
            for name in level {
                let c = env.containers[name].clone();
                let spec = create_spec(&env.name, &c, &maestro::env::generate(env, &c));
                let ship = ship.clone();
                tasks.spawn(async move {
                    ship.create(&c.name, &spec).await.unwrap();
                    ship.start(&c.name).await.unwrap();
                });
            }
            while let Some(done) = tasks.join_next().await {
                done.unwrap();
            }
        }
        started.elapsed()
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let status =
        Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images/busybox/build"))
            .stdout(std::process::Stdio::null())
            .status()
            .expect("the image build script runs (needs Docker: tests/docker-up)");
    assert!(status.success());
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let scenarios = [
        (
            "flat",
            "20 independent containers",
            write_env(dir.path(), "flat", &flat()),
        ),
        (
            "chain",
            "5 services x 4, tcp checks",
            write_env(dir.path(), "chain", &chain()),
        ),
    ];
    println!(
        "{:<30} {:>12} {:>12} {:>12} {:>8}",
        "scenario", "maestro", "raw API", "stop", "ratio"
    );
    let mut status_runs = Vec::new();
    for (name, label, file) in &scenarios {
        let env = load(file);
        let levels: Vec<Vec<String>> = if *name == "flat" {
            vec![env.containers.keys().cloned().collect()]
        } else {
            (0..5)
                .map(|l| env.services[&format!("bench-l{l}")].instances.clone())
                .collect()
        };
        let (mut starts, mut stops, mut raws) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RUNS {
            remove_all(name);
            starts.push(maestro(file, &["start"]));
            if *name == "flat" {
                for _ in 0..STATUS_RUNS {
                    status_runs.push(maestro(file, &["status"]));
                }
            }
            stops.push(maestro(file, &["stop", "-a"]));
            remove_all(name);
            raws.push(raw(&runtime, &env, &levels));
            remove_all(name);
        }
        let (start, raw) = (median(starts), median(raws));
        println!(
            "{:<30} {:>12} {:>12} {:>12} {:>7.2}x",
            label,
            ms(start),
            ms(raw),
            ms(median(stops)),
            start.as_secs_f64() / raw.as_secs_f64()
        );
    }
    println!(
        "{:<30} {:>12}   (median of {STATUS_RUNS} runs; target < 50 ms)",
        "status of 20 containers",
        ms(median(status_runs))
    );
}
