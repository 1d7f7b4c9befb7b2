//! Measuring a command the benchmarks run: wall time, and the CPU time and peak memory
//! of that process alone (`wait4`), shared by `compare` and `scale`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One run's figures: wall time, CPU time (user + system) and peak RSS.
#[derive(Clone, Copy, Default)]
pub struct Figure {
    pub wall: Duration,
    pub cpu: Duration,
    pub rss_kb: u64,
}

/// A process run to completion, with its CPU time and peak memory (wait4, which also
/// reaps it: hence no `Child::wait`).
#[allow(clippy::zombie_processes)]
pub fn run(mut command: Command) -> Figure {
    let started = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?} does not run: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut stderr = child.stderr.expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).ok();
        text
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; `status` and `usage` are valid.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    let errors = reader.join().unwrap_or_default();
    assert!(
        waited == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} failed: {errors}"
    );
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Figure {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        rss_kb: usage.ru_maxrss as u64,
    }
}
