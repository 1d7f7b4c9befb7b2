//! What maestro says is what happened: a crash is never `started` however busy the
//! machine, a running container is not `up` until its checks pass, and a busy daemon
//! is not a failure. Names carry this run's prefix; no host port is fixed.

use crate::support::docker::{Env, SLEEPER, run_prefix};

/// Spins `n` threads until dropped: a busy machine beside the test.
struct BusyLoops {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl BusyLoops {
    fn new(n: usize) -> BusyLoops {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let threads = (0..n)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                    }
                })
            })
            .collect();
        BusyLoops { stop, threads }
    }
}

impl Drop for BusyLoops {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

#[test]
fn a_crash_is_never_reported_started_on_a_busy_machine() {
    let p = run_prefix();
    let body = format!(
        "services:\n  {p}-crash:\n    image: IMAGE\n    instances:\n      {p}-crash-1: \
         {{ship: local, command: [sh, -c, \"echo boom >&2; exit 3\"]}}\n"
    );
    let env = Env::new(&format!("crash-{p}"), &body);
    let _busy = BusyLoops::new(8);
    // (The start's own questions share its deadline: on a machine loaded past the
    // ship's 5 s `timeout`, with another test suite beside these loops, they still do.)
    let crashed = format!(
        "error: container `{p}-crash-1` (ship `local`) failed to start: the container \
         exited at once with code 3; its last output:\n    boom\n"
    );
    for round in 0..20 {
        let run = env.maestro(&["start"]);
        assert_eq!(run.code, 1, "round {round}: {}", run.transcript());
        assert_eq!(run.stderr, crashed, "round {round}");
        assert!(
            run.stdout
                .ends_with("failed to start: the container exited at once\n"),
            "round {round}: {}",
            run.stdout
        );
    }
}

#[test]
fn a_running_container_whose_checks_fail_is_checked_again() {
    // `db` runs, but its running check never passes: it is left running.
    let p = run_prefix();
    let body = format!(
        r#"services:
  {p}-db:
    image: IMAGE
    instances:
      {p}-db-1:
        ship: local
        command: {SLEEPER}
        lifecycle: {{running: [{{type: exec, command: "false", attempts: 1}}]}}
  {p}-app:
    image: IMAGE
    requires: [{p}-db]
    instances:
      {p}-app-1: {{ship: local, command: {SLEEPER}}}
"#
    );
    let env = Env::new(&format!("recheck-{p}"), &body);
    let failed =
        format!("error: container `{p}-db-1` (ship `local`) failed to pass running checks: ");
    let first = env.maestro(&["start"]);
    assert_eq!(first.code, 1, "{}", first.transcript());
    assert!(first.stderr.starts_with(&failed), "{}", first.stderr);
    assert_eq!(
        env.containers(),
        [(format!("{p}-db-1"), "running".to_string())]
    );
    // Again: it runs, but it is not `up` until its checks pass; its dependent waits.
    let again = env.maestro(&["start"]);
    assert_eq!(again.code, 1, "{}", again.transcript());
    assert!(again.stderr.starts_with(&failed), "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains("aborted: a dependency did not succeed"),
        "{}",
        again.stdout
    );
    assert_eq!(env.containers().len(), 1);
}

#[test]
fn sixty_containers_on_a_busy_daemon_with_the_default_timeout() {
    let p = run_prefix();
    let service = |name: &str, n: usize| {
        let mut text = format!("services:\n  {name}:\n    image: IMAGE\n    instances:\n");
        for i in 1..=n {
            text.push_str(&format!(
                "      {name}-{i}: {{ship: local, command: {SLEEPER}}}\n"
            ));
        }
        text
    };
    let many = Env::new(&format!("sixty-{p}"), &service(&format!("{p}-sx"), 60));
    let beside = Env::new(&format!("beside-{p}"), &service(&format!("{p}-bx"), 30));
    // Another play on the same daemon at the same time.
    let other = std::thread::spawn(move || {
        let run = beside.maestro(&["start"]);
        (run, beside)
    });
    let run = many.maestro(&["start"]);
    let (other_run, beside) = other.join().unwrap();
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(other_run.code, 0, "{}", other_run.transcript());
    assert_eq!(
        run.stdout.matches(" started\n").count(),
        60,
        "{}",
        run.stdout
    );
    assert_eq!(many.containers().len(), 60);
    assert_eq!(beside.containers().len(), 30);
}
