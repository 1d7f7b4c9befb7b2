//! Many ships at once, simulated (`support::simulated`): 300 containers over 12 ships,
//! 3 of them over TLS, started, listed, stopped and removed; every request maestro made
//! is one the simulation (and Docker) answers. The scale benchmark (`cargo bench
//! --bench scale`) runs the same at 10,000 containers.

use crate::support;

use std::time::Duration;
use support::simulated::{Latency, Simulation, environment};

#[test]
fn three_hundred_containers_over_twelve_simulated_ships() {
    let dir = tempfile::tempdir().expect("temp dir");
    let latency = Latency {
        per_call: Duration::from_millis(2),
        start: Duration::from_millis(20),
    };
    let simulation = Simulation::start(12, 4, latency, dir.path());
    let file = dir.path().join("maestro.yaml");
    std::fs::write(&file, environment(&simulation, "simulated", 30, 10)).expect("write");
    let file = file.to_str().expect("utf-8");
    let run = |args: &[&str]| {
        let mut all = vec!["-f", file];
        all.extend_from_slice(args);
        support::maestro_in(dir.path(), &all, &[], None)
    };

    let start = run(&["start"]);
    assert_eq!(start.code, 0, "{}", start.transcript());
    assert_eq!(
        start.stdout.matches(" started").count(),
        300,
        "{}",
        start.stdout
    );
    let status = run(&["status"]);
    assert_eq!(status.code, 0, "{}", status.transcript());
    assert_eq!(
        status.stdout.matches(" running for ").count(),
        300,
        "{}",
        status.stdout
    );
    let stop = run(&["stop", "-a"]);
    assert_eq!(stop.code, 0, "{}", stop.transcript());
    assert_eq!(
        stop.stdout.matches(" stopped").count(),
        300,
        "{}",
        stop.stdout
    );
    let clean = run(&["clean"]);
    assert_eq!(clean.code, 0, "{}", clean.transcript());
    assert_eq!(
        clean.stdout.matches(" removed").count(),
        300,
        "{}",
        clean.stdout
    );
    assert_eq!(
        simulation
            .counters
            .unexpected
            .load(std::sync::atomic::Ordering::Relaxed),
        0,
        "maestro made requests the simulation does not know"
    );
}
