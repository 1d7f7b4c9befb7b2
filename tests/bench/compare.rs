//! Benchmark (not a test): the same environments started by maestro, by MaestroNG
//! 0.8.3, by Docker Compose v2 and by raw API calls (the lower bound: the same
//! containers created and started through the API at full concurrency, level by level
//! for the chains, each level's ports polled every 5 ms), in one run. Prints medians
//! and ratios. Run it with `bench/run` (it installs the peers and starts the ships);
//! `bench/run --quick` does one run per row instead of three; `--only=flat,chain`
//! runs only the rows of those keys (flat, chain, late, spread; the CLI rows need flat).
//!
//! Rows: 20 independent containers; 5 services × 4 chained by tcp running checks
//! (Compose: a healthcheck + `depends_on: condition: service_healthy`); the same chain
//! with ports opening 300 ms after start; 200 containers over 3 ships; `status` of 20
//! containers and `deptree` (CPU time and peak memory of the process).

#[path = "measure.rs"]
mod measure;

use maestro::docker::{Fleet, create_spec};
use maestro::model::Environment;
use measure::{Figure, run};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const IMAGE: &str = "maestro-test/busybox:latest";
const SLEEPER: &str = "[sh, -c, \"trap 'exit 0' TERM; sleep 600 & wait\"]";
/// The extra ships of `tests/ships` used for the 200-container row.
const REMOTE_SHIPS: [(&str, &str); 2] = [("tcp", "10.213.0.11"), ("tcp2", "10.213.0.14")];

/// Where the peers are (`bench/run` installs them there).
struct Peers {
    maestro_ng: PathBuf,
    compose: PathBuf,
}

/// A service: its name, its instances as (name, ship), and the base of its host ports
/// (instance i publishes port 7000 on base + i) when it has running checks.
type Service = (String, Vec<(String, String)>, Option<u16>);

/// A scenario: its instances by ship, their dependency levels, and whether the ports
/// open late.
struct Scenario {
    key: &'static str,
    label: &'static str,
    services: Vec<Service>,
    late_ms: u64,
    chained: bool,
}

fn flat(count: usize) -> Vec<(String, String)> {
    (1..=count)
        .map(|i| (format!("bf-{i:03}"), "local".to_string()))
        .collect()
}

fn scenarios() -> Vec<Scenario> {
    let chain = |key: &'static str, label: &'static str, late_ms: u64, base: u16| Scenario {
        key,
        label,
        services: (0..5)
            .map(|level| {
                let instances = (1..=4)
                    .map(|i| (format!("{key}-{level}-{i}"), "local".to_string()))
                    .collect();
                (
                    format!("{key}-l{level}"),
                    instances,
                    Some(base + level * 10),
                )
            })
            .collect(),
        late_ms,
        chained: true,
    };
    let spread = (1..=200)
        .map(|i| {
            let ship = match i % 3 {
                0 => "local",
                1 => REMOTE_SHIPS[0].0,
                _ => REMOTE_SHIPS[1].0,
            };
            (format!("bs-{i:03}"), ship.to_string())
        })
        .collect();
    vec![
        Scenario {
            key: "flat",
            label: "20 independent containers",
            services: vec![("flat".into(), flat(20), None)],
            late_ms: 0,
            chained: false,
        },
        chain("chain", "5x4 chain, tcp checks", 0, 47000),
        chain("late", "5x4 chain, ports 300 ms late", 300, 48000),
        Scenario {
            key: "spread",
            label: "200 containers, 3 ships",
            services: vec![("spread".into(), spread, None)],
            late_ms: 0,
            chained: false,
        },
    ]
}

/// The command of an instance: a sleeper, or a listener on 7000 after `late_ms`.
fn command(s: &Scenario, port: Option<u16>) -> String {
    match port {
        None => SLEEPER.to_string(),
        Some(_) if s.late_ms > 0 => format!(
            "[sh, -c, \"trap 'exit 0' TERM; sleep {:.1}; nc -ll -p 7000 -e true & wait\"]",
            s.late_ms as f64 / 1000.0
        ),
        Some(_) => "[sh, -c, \"trap 'exit 0' TERM; nc -ll -p 7000 -e true & wait\"]".into(),
    }
}

/// The environment file maestro and MaestroNG both read.
fn maestro_file(s: &Scenario, host: &str) -> String {
    let mut text = format!(
        "__maestro: {{schema: 2}}\nname: bench-{}\nships:\n  local: {{ip: {host}, socket_path: /var/run/docker.sock, timeout: 60}}\n",
        s.key
    );
    for (ship, ip) in REMOTE_SHIPS {
        let _ = writeln!(
            text,
            "  {ship}: {{ip: {ip}, docker_port: 2375, timeout: 60}}"
        );
    }
    text.push_str("services:\n");
    for (index, (service, instances, base)) in s.services.iter().enumerate() {
        let _ = writeln!(text, "  {service}:\n    image: {IMAGE}");
        if s.chained && index > 0 {
            let _ = writeln!(text, "    requires: [{}]", s.services[index - 1].0);
        }
        text.push_str("    instances:\n");
        for (i, (name, ship)) in instances.iter().enumerate() {
            let port = base.map(|b| b + i as u16 + 1);
            let _ = write!(
                text,
                "      {name}: {{ship: {ship}, command: {}",
                command(s, port)
            );
            if let Some(port) = port {
                let _ = write!(
                    text,
                    ", ports: {{app: \"7000:{port}\"}}, lifecycle: {{running: [{{type: tcp, port: app}}]}}"
                );
            }
            text.push_str("}\n");
        }
    }
    text
}

/// Compose files, one per ship: each instance a service; chains gated by healthchecks.
fn compose_files(s: &Scenario) -> BTreeMap<String, String> {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for (index, (_, instances, base)) in s.services.iter().enumerate() {
        for (i, (name, ship)) in instances.iter().enumerate() {
            let text = files
                .entry(ship.clone())
                .or_insert_with(|| "services:\n".to_string());
            let port = base.map(|b| b + i as u16 + 1);
            let _ = writeln!(
                text,
                "  {name}:\n    image: {IMAGE}\n    container_name: {name}\n    command: {}",
                command(s, port)
            );
            if let Some(port) = port {
                let _ = writeln!(
                    text,
                    "    ports: [\"{port}:7000\"]\n    healthcheck: {{test: [CMD, sh, -c, \"echo | nc 127.0.0.1 7000\"], interval: 1s, timeout: 1s, retries: 60}}"
                );
            }
            if s.chained && index > 0 {
                text.push_str("    depends_on:\n");
                for (dependency, _) in &s.services[index - 1].1 {
                    let _ = writeln!(text, "      {dependency}: {{condition: service_healthy}}");
                }
            }
        }
    }
    files
}

fn docker_host(ship: &str) -> String {
    match REMOTE_SHIPS.iter().find(|(name, _)| *name == ship) {
        Some((_, ip)) => format!("tcp://{ip}:2375"),
        None => "unix:///var/run/docker.sock".into(),
    }
}

/// Removes every container of the scenario on every ship (by name: MaestroNG does not
/// label its containers) and Compose's networks.
fn clean(s: &Scenario, compose: &Path, dir: &Path) {
    let mut by_ship: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (_, instances, _) in &s.services {
        for (name, ship) in instances {
            by_ship.entry(ship).or_default().push(name);
        }
    }
    for (ship, names) in by_ship {
        let _ = Command::new("docker")
            .args(["-H", &docker_host(ship), "rm", "-f", "-v"])
            .args(&names)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let file = dir.join(format!("compose-{}-{ship}.yaml", s.key));
        if file.exists() {
            let _ = Command::new(compose)
                .args(["-p", &format!("bench-{}", s.key), "-f"])
                .arg(&file)
                .args(["down", "--remove-orphans"])
                .env("DOCKER_HOST", docker_host(ship))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Creates and starts every container of each level at once, level after level; a
/// level with ports is done when each port accepts (polled every 5 ms).
fn raw(runtime: &tokio::runtime::Runtime, env: &Environment, s: &Scenario, host: &str) -> Duration {
    let fleet = Fleet::new(env);
    runtime.block_on(async {
        for ship in env.ships.keys() {
            fleet.ship(ship).unwrap().docker().await.unwrap();
        }
        let started = Instant::now();
        for (service, _, base) in &s.services {
            let mut tasks = tokio::task::JoinSet::new();
            for (i, name) in env.services[service].instances.iter().enumerate() {
                let c = env.containers[name].clone();
                let spec = create_spec(&env.name, &c, &maestro::env::generate(env, &c));
                let ship = fleet.ship(&c.ship).unwrap().clone();
                let port = base.map(|b| b + i as u16 + 1);
                let host = host.to_string();
                tasks.spawn(async move {
                    ship.create(&c.name, &spec).await.unwrap();
                    ship.start(&c.name).await.unwrap();
                    if let Some(port) = port {
                        while tokio::net::TcpStream::connect((host.as_str(), port))
                            .await
                            .is_err()
                        {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                    }
                });
            }
            while let Some(done) = tasks.join_next().await {
                done.unwrap();
            }
        }
        started.elapsed()
    })
}

fn median(mut v: Vec<Figure>) -> Figure {
    v.sort_by_key(|f| f.wall);
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn maestro_cmd(file: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_maestro"));
    c.arg("-f").arg(file).args(args).env("NO_COLOR", "1");
    c
}

fn maestro_ng_cmd(peers: &Peers, file: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(&peers.maestro_ng);
    c.arg("-f").arg(file).args(args);
    c
}

/// Compose: one `up -d` per ship, all at once; the wall time of the slowest.
fn compose_up(peers: &Peers, s: &Scenario, dir: &Path) -> Figure {
    let started = Instant::now();
    let runs: Vec<_> = compose_files(s)
        .keys()
        .map(|ship| {
            let file = dir.join(format!("compose-{}-{ship}.yaml", s.key));
            let mut c = Command::new(&peers.compose);
            c.args(["-p", &format!("bench-{}", s.key), "-f"])
                .arg(file)
                .args(["up", "-d", "--quiet-pull"])
                .env("DOCKER_HOST", docker_host(ship));
            std::thread::spawn(move || run(c))
        })
        .collect();
    let mut cpu = Duration::ZERO;
    let mut rss_kb = 0;
    for r in runs {
        let f = r.join().expect("compose runs");
        cpu += f.cpu;
        rss_kb = rss_kb.max(f.rss_kb);
    }
    Figure {
        wall: started.elapsed(),
        cpu,
        rss_kb,
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let only: Option<Vec<String>> = std::env::args().find_map(|a| {
        a.strip_prefix("--only=")
            .map(|k| k.split(',').map(String::from).collect())
    });
    let runs = if quick { 1 } else { 3 };
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    let peers = Peers {
        maestro_ng: tools.join("maestro-ng/bin/maestro"),
        compose: tools.join("compose/bin/docker-compose"),
    };
    for tool in [&peers.maestro_ng, &peers.compose] {
        assert!(
            tool.exists(),
            "{} is missing: run bench/run",
            tool.display()
        );
    }
    // The ship address maestro and MaestroNG both use: this machine's address on its
    // default route, so that checks reach the containers through Docker's DNAT (on
    // loopback, docker-proxy accepts before the service listens).
    let host = maestro::config::ships::outward_address();
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    println!(
        "medians of {runs} run(s); ships: local (unix socket, {host}), tcp, tcp2 (tests/ships)"
    );
    println!(
        "{:<30} {:>10} {:>10} {:>10} {:>10} {:>9} {:>9} {:>9}",
        "row", "raw API", "maestro", "MaestroNG", "Compose", "m/raw", "NG/m", "C/m"
    );
    let mut status_file = None;
    for s in scenarios().into_iter().filter(|s| {
        only.as_ref()
            .is_none_or(|keys| keys.iter().any(|k| k == s.key))
    }) {
        let file = dir.path().join(format!("{}.yaml", s.key));
        std::fs::write(&file, maestro_file(&s, &host)).unwrap();
        for (ship, text) in compose_files(&s) {
            std::fs::write(
                dir.path().join(format!("compose-{}-{ship}.yaml", s.key)),
                text,
            )
            .unwrap();
        }
        let env = maestro::config::load_source(
            &maestro::config::read_source(file.to_str().unwrap()).unwrap(),
            &Default::default(),
        )
        .unwrap()
        .environment;
        let (mut raws, mut ours, mut ng, mut composed) = (vec![], vec![], vec![], vec![]);
        for _ in 0..runs {
            clean(&s, &peers.compose, dir.path());
            raws.push(Figure {
                wall: raw(&runtime, &env, &s, &host),
                ..Figure::default()
            });
            clean(&s, &peers.compose, dir.path());
            ours.push(run(maestro_cmd(&file, &["start"])));
            clean(&s, &peers.compose, dir.path());
            ng.push(run(maestro_ng_cmd(&peers, &file, &["start"])));
            clean(&s, &peers.compose, dir.path());
            composed.push(compose_up(&peers, &s, dir.path()));
        }
        clean(&s, &peers.compose, dir.path());
        let (r, m, n, c) = (median(raws), median(ours), median(ng), median(composed));
        let ratio = |a: Figure, b: Figure| a.wall.as_secs_f64() / b.wall.as_secs_f64();
        println!(
            "{:<30} {:>10} {:>10} {:>10} {:>10} {:>8.2}x {:>8.2}x {:>8.2}x",
            s.label,
            ms(r.wall),
            ms(m.wall),
            ms(n.wall),
            ms(c.wall),
            ratio(m, r),
            ratio(n, m),
            ratio(c, m)
        );
        if s.key == "flat" {
            status_file = Some(file);
        }
    }

    // The CLI rows: 20 running containers' status, and deptree (no Docker at all).
    let Some(file) = status_file else {
        return;
    };
    let flat = &scenarios()[0];
    clean(flat, &peers.compose, dir.path());
    run(maestro_cmd(&file, &["start"]));
    let cli_runs = if quick { 3 } else { 15 };
    println!(
        "\n{:<30} {:>10} {:>10} {:>10}   {:>10} {:>10} {:>10}",
        "CLI row (median)", "maestro", "CPU", "peak RSS", "MaestroNG", "CPU", "peak RSS"
    );
    for (label, args) in [
        ("status of 20 containers", &["status"][..]),
        ("deptree", &["deptree"][..]),
    ] {
        let ours = median(
            (0..cli_runs)
                .map(|_| run(maestro_cmd(&file, args)))
                .collect(),
        );
        let theirs = median(
            (0..cli_runs)
                .map(|_| run(maestro_ng_cmd(&peers, &file, args)))
                .collect(),
        );
        println!(
            "{:<30} {:>10} {:>10} {:>7} MB   {:>10} {:>10} {:>7} MB",
            label,
            ms(ours.wall),
            ms(ours.cpu),
            ours.rss_kb / 1024,
            ms(theirs.wall),
            ms(theirs.cpu),
            theirs.rss_kb / 1024
        );
    }
    clean(flat, &peers.compose, dir.path());
}
