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

#[path = "../support/simulated.rs"]
mod simulated;

use simulated::{Latency, Simulation, environment};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Requests maestro keeps in flight per ship (`src/docker/ship.rs`).
const IN_FLIGHT_PER_SHIP: u32 = 8;

/// Instances per service: services come in chains of ten (`simulated::environment`),
/// so each container is told of up to 100 others, as MaestroNG injects every transitive
/// dependency's instances.
const INSTANCES: usize = 10;

const LATENCY: Latency = Latency {
    per_call: Duration::from_millis(2),
    start: Duration::from_millis(50),
};

/// One command's figures.
struct Figures {
    wall: Duration,
    bound: Duration,
    cpu: Duration,
    peak_kb: u64,
}

/// Runs maestro to its end; its wall time, CPU time (user + system) and peak RSS.
#[expect(
    clippy::zombie_processes,
    reason = "reaped by wait4, which also gives its resource usage"
)]
fn measure(file: &str, args: &[&str]) -> (Duration, Duration, u64) {
    let started = Instant::now();
    // MAESTRO_BIN: another build of maestro (`--profile profiling`, for perf).
    let binary =
        std::env::var_os("MAESTRO_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_maestro").into());
    let child = Command::new(binary)
        .arg("-f")
        .arg(file)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("maestro runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, with valid pointers.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(waited, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "maestro {args:?} failed (status {status})"
    );
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (
        wall,
        time(usage.ru_utime) + time(usage.ru_stime),
        usage.ru_maxrss as u64,
    )
}

/// `start`, `status`, `stop -a` (then `clean`, unmeasured) of `containers` containers
/// over `ships` simulated ships.
fn run(containers: usize, ships: usize) -> Vec<(&'static str, Figures)> {
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
        let (wall, cpu, peak_kb) = measure(file, args);
        let bound = simulation.bound(IN_FLIGHT_PER_SHIP);
        rows.push((
            label,
            Figures {
                wall,
                bound,
                cpu,
                peak_kb,
            },
        ));
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
        let rows = run(containers, ships);
        for (label, f) in &rows {
            println!(
                "{:>10} {:>5}  {:<8} {:>9} {:>9} {:>9} {:>9.3} ms {:>6} MB {:>8} KB",
                containers,
                ships,
                label,
                seconds(f.wall),
                seconds(f.bound),
                seconds(f.cpu),
                f.cpu.as_secs_f64() * 1000.0 / containers as f64,
                f.peak_kb / 1024,
                f.peak_kb / containers as u64,
            );
        }
        results.push((containers, rows));
    }
    // What each container added between the two sizes.
    if let [(small, few), (large, many)] = results.as_slice() {
        let added = (large - small) as f64;
        for ((label, a), (_, b)) in few.iter().zip(many) {
            let cpu = (b.cpu.as_secs_f64() - a.cpu.as_secs_f64()) * 1000.0 / added;
            let memory = (b.peak_kb as f64 - a.peak_kb as f64) / added;
            println!(
                "each container added ({small} → {large}), {label}: {cpu:.3} ms CPU, {memory:.1} KB"
            );
        }
    }
    println!(
        "goals: status of 10,000 ≤ 2 s; CPU ≤ 0.5 ms per container per play; memory ≤ 50 KB per container"
    );
}
