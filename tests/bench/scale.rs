//! Scale past one machine, by simulation (`cargo bench --bench scale`): `start`,
//! `status` and `stop -a` of 1,000 containers over 10 simulated ships and of 10,000
//! over 100 (every tenth ship over TLS), each ship a simulated Docker daemon
//! (`tests/support/simulated.rs`) with a set latency per call and per start. For each
//! command: the wall time beside the bound the simulated latencies set (the busiest
//! ship's latency over the requests maestro keeps in flight per ship), maestro's own CPU
//! time and peak memory, per container, and between the two sizes (the cost of each
//! container added: growth worse than linear shows there).
//!
//! `cargo bench --bench scale -- CONTAINERS SHIPS` runs one size; `MAESTRO_BIN` runs
//! another build of maestro (`cargo build --profile profiling`, for `perf record`).

#[path = "measure.rs"]
mod measure;
#[path = "../support/simulated.rs"]
mod simulated;

use maestro::docker::IN_FLIGHT_PER_SHIP;
use measure::Figure;
use simulated::{Latency, Simulation, environment};
use std::process::Command;
use std::time::Duration;

/// Instances per service: services come in chains of ten (`simulated::environment`),
/// so each container is told of up to 100 others, as MaestroNG injects every transitive
/// dependency's instances.
const INSTANCES: usize = 10;

const LATENCY: Latency = Latency {
    per_call: Duration::from_millis(2),
    start: Duration::from_millis(50),
};

/// One command's figures, and the bound the simulated latencies set.
struct Figures {
    measured: Figure,
    bound: Duration,
}

/// Runs maestro (or `MAESTRO_BIN`: another build, `--profile profiling` for perf) to its end.
fn measure(file: &str, args: &[&str]) -> Figure {
    let binary =
        std::env::var_os("MAESTRO_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_maestro").into());
    let mut command = Command::new(binary);
    command.arg("-f").arg(file).args(args);
    measure::run(command)
}

/// `start`, `status`, `stop -a` (then `clean`, unmeasured) of `containers` containers
/// over `ships` simulated ships.
fn run_size(containers: usize, ships: usize) -> Vec<(&'static str, Figures)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let simulation = Simulation::start(ships, 10, LATENCY, dir.path());
    let file = dir.path().join("maestro.yaml");
    let text = environment(&simulation, "scale", containers / INSTANCES, INSTANCES);
    std::fs::write(&file, text).expect("write the environment");
    let file = file.to_str().expect("utf-8 path");
    let mut rows = Vec::new();
    for (label, args) in [
        ("start", &["start"][..]),
        ("status", &["status"]),
        ("stop -a", &["stop", "-a"]),
    ] {
        simulation.reset();
        let measured = measure(file, args);
        let bound = simulation.bound(IN_FLIGHT_PER_SHIP as u32);
        rows.push((label, Figures { measured, bound }));
    }
    measure(file, &["clean"]);
    let unexpected = simulation
        .counters
        .unexpected
        .load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(unexpected, 0, "requests the simulation does not know");
    rows
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = match args.as_slice() {
        [containers, ships] => vec![(*containers, *ships)],
        _ => vec![(1_000, 10), (10_000, 100)],
    };
    println!(
        "scale: simulated ships ({} ms per call, +{} ms per start; every tenth over TLS); maestro keeps {IN_FLIGHT_PER_SHIP} requests in flight per ship",
        LATENCY.per_call.as_millis(),
        LATENCY.start.as_millis()
    );
    println!(
        "{:>10} {:>5}  {:<8} {:>9} {:>9} {:>9} {:>12} {:>9} {:>11}",
        "containers",
        "ships",
        "command",
        "wall",
        "bound",
        "CPU",
        "CPU/contnr",
        "peak RSS",
        "RSS/contnr"
    );
    let mut results = Vec::new();
    for (containers, ships) in sizes {
        let rows = run_size(containers, ships);
        for (label, f) in &rows {
            println!(
                "{:>10} {:>5}  {:<8} {:>9} {:>9} {:>9} {:>9.3} ms {:>6} MB {:>8} KB",
                containers,
                ships,
                label,
                seconds(f.measured.wall),
                seconds(f.bound),
                seconds(f.measured.cpu),
                f.measured.cpu.as_secs_f64() * 1000.0 / containers as f64,
                f.measured.rss_kb / 1024,
                f.measured.rss_kb / containers as u64,
            );
        }
        results.push((containers, rows));
    }
    // What each container added between the two sizes.
    if let [(small, few), (large, many)] = results.as_slice() {
        let added = (large - small) as f64;
        for ((label, a), (_, b)) in few.iter().zip(many) {
            let cpu =
                (b.measured.cpu.as_secs_f64() - a.measured.cpu.as_secs_f64()) * 1000.0 / added;
            let memory = (b.measured.rss_kb as f64 - a.measured.rss_kb as f64) / added;
            println!(
                "each container added ({small} → {large}), {label}: {cpu:.3} ms CPU, {memory:.1} KB"
            );
        }
    }
    println!(
        "goals: status of 10,000 ≤ 2 s; CPU ≤ 0.5 ms per container per play; memory ≤ 50 KB per container"
    );
}
