//! Signals end a play cleanly: the first halts it and cuts a long stop short (left to
//! the daemon), a second exits at once, SIGTERM behaves as Ctrl-C and leaves no
//! container created but not started. Each run's progress is read line by line
//! (`--progress plain`) to send the signal at the right step; nothing sleeps.

use crate::support::docker::{Env, SLEEPER, run_prefix};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A container that ignores SIGTERM: `docker stop` waits its whole `stop_timeout`.
const STUBBORN: &str = "[sh, -c, \"trap '' TERM; while true; do sleep 1; done\"]";

/// Past this, maestro is stuck: far below the 30 s stop timeout.
const DEADLINE: Duration = Duration::from_secs(15);

/// `maestro --progress plain ARGS…` in the background, its stdout and stderr lines on
/// a channel as they come.
struct Background {
    child: Child,
    lines: mpsc::Receiver<(bool, String)>,
    out: Vec<String>,
    err: Vec<String>,
}

impl Background {
    fn start(env: &Env, args: &[&str]) -> Background {
        let file = env.file();
        let mut child = Command::new(env!("CARGO_BIN_EXE_maestro"))
            .args(["-f", file.to_str().expect("utf-8"), "--progress", "plain"])
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("maestro runs");
        let (send, lines) = mpsc::channel();
        let forward = |pipe: Box<dyn Read + Send>, is_err: bool| {
            let send = send.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if send.send((is_err, line)).is_err() {
                        break;
                    }
                }
            });
        };
        forward(Box::new(child.stdout.take().expect("stdout")), false);
        forward(Box::new(child.stderr.take().expect("stderr")), true);
        Background {
            child,
            lines,
            out: Vec::new(),
            err: Vec::new(),
        }
    }

    fn keep(&mut self, (is_err, line): (bool, String)) {
        if is_err {
            self.err.push(line);
        } else {
            self.out.push(line);
        }
    }

    /// Waits (up to the deadline) for a line of either stream containing `text`.
    fn wait_for(&mut self, text: &str) {
        loop {
            match self.lines.recv_timeout(DEADLINE) {
                Ok(line) => {
                    let found = line.1.contains(text);
                    self.keep(line);
                    if found {
                        return;
                    }
                }
                Err(e) => panic!(
                    "no line with {text:?} ({e:?}): {:#?} {:#?}",
                    self.out, self.err
                ),
            }
        }
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid");
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Waits (up to the deadline) for the exit: its code, all of stdout, all of stderr.
    fn finish(mut self) -> (i32, String, String) {
        let status = crate::support::wait_within(&mut self.child, DEADLINE);
        // The readers end with the pipes: every line is in.
        while let Ok(line) = self.lines.recv_timeout(DEADLINE) {
            self.keep(line);
        }
        let text = |lines: &[String]| lines.iter().map(|l| format!("{l}\n")).collect();
        (
            status.code().unwrap_or(-1),
            text(&self.out),
            text(&self.err),
        )
    }
}

/// One container `{p}-{tag}-1` that ignores SIGTERM with a 30 s `stop_timeout`, started.
fn stubborn_env(p: &str, tag: &str) -> Env {
    let body = format!(
        "services:\n  {p}-{tag}:\n    image: IMAGE\n    instances:\n      {p}-{tag}-1: \
         {{ship: local, stop_timeout: 30, command: {STUBBORN}}}\n"
    );
    let env = Env::new(&format!("{tag}-{p}"), &body);
    let run = env.maestro(&["start"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    env
}

/// Ctrl-C, and SIGHUP alike (a closed terminal), during a `stop` of 30 s.
#[test]
fn ctrl_c_during_a_long_stop_leaves_it_to_the_daemon() {
    let p = run_prefix();
    for (signal, name, code) in [(libc::SIGINT, "SIGINT", 130), (libc::SIGHUP, "SIGHUP", 129)] {
        let tag = format!("once{code}");
        let env = stubborn_env(&p, &tag);
        let mut stop = Background::start(&env, &["stop", "-a"]);
        stop.wait_for("stopping");
        stop.signal(signal);
        let (exit, stdout, stderr) = stop.finish();
        assert_eq!(exit, code, "{stdout}{stderr}");
        assert!(
            stdout.lines().any(|l| l.contains(&format!("{p}-{tag}-1 "))
                && l.ends_with(
                    " aborted: interrupted while stopping; the daemon finishes the stop"
                )),
            "{stdout}"
        );
        assert_eq!(
            stderr,
            format!(
                "interrupted ({name}): finishing what is in flight; interrupt again to exit at once\n\
                 error: interrupted: 1 container not acted on\n"
            ),
            "{stdout}"
        );
    }
}

#[test]
fn a_second_signal_exits_at_once() {
    let p = run_prefix();
    let env = stubborn_env(&p, "twice");
    let mut stop = Background::start(&env, &["stop", "-a"]);
    stop.wait_for("stopping");
    stop.signal(libc::SIGINT);
    stop.wait_for("interrupt again to exit at once");
    stop.signal(libc::SIGINT);
    let (code, stdout, stderr) = stop.finish();
    assert_eq!(
        (code, stderr.as_str()),
        (
            130,
            "interrupted (SIGINT): finishing what is in flight; interrupt again to exit at once\n\
             error: interrupted again: exiting at once; what the daemons were doing is left to them\n"
        ),
        "{stdout}"
    );
    // It did not wait for the stop's grace: the row never became final.
    assert!(!stdout.contains("aborted"), "{stdout}");
}

#[test]
fn sigterm_during_start_leaves_no_container_created_but_not_started() {
    let p = run_prefix();
    let mut body = format!("services:\n  {p}-tm:\n    image: IMAGE\n    instances:\n");
    for i in 1..=12 {
        body.push_str(&format!(
            "      {p}-tm-{i}: {{ship: local, command: {SLEEPER}}}\n"
        ));
    }
    let env = Env::new(&format!("sigterm-{p}"), &body);
    let mut start = Background::start(&env, &["start", "-c", "2"]);
    start.wait_for("creating");
    start.signal(libc::SIGTERM);
    let (code, stdout, stderr) = start.finish();
    assert_eq!(code, 143, "{stdout}{stderr}");
    assert!(
        stderr.starts_with(
            "interrupted (SIGTERM): finishing what is in flight; interrupt again to exit at once\n"
        ) && stderr.ends_with("not acted on\n"),
        "{stderr}"
    );
    assert!(stdout.contains("aborted: interrupted"), "{stdout}");
    for (name, state) in env.containers() {
        assert_eq!(
            state, "running",
            "{name} was left {state}:\n{stdout}{stderr}"
        );
    }
}

#[test]
fn ctrl_c_during_running_checks_starts_no_dependent() {
    let p = run_prefix();
    let body = format!(
        r#"services:
  {p}-slow:
    image: IMAGE
    instances:
      {p}-slow-1:
        ship: local
        command: {SLEEPER}
        lifecycle: {{running: [{{type: exec, command: "false", attempts: 100000}}]}}
  {p}-next:
    image: IMAGE
    requires: [{p}-slow]
    instances:
      {p}-next-1: {{ship: local, command: {SLEEPER}}}
"#
    );
    let env = Env::new(&format!("checks-{p}"), &body);
    let mut start = Background::start(&env, &["start"]);
    start.wait_for("running checks");
    start.signal(libc::SIGINT);
    let (code, stdout, stderr) = start.finish();
    assert_eq!(code, 130, "{stdout}");
    assert_eq!(
        stderr,
        format!(
            "interrupted (SIGINT): finishing what is in flight; interrupt again to exit at once\n\
             error: container `{p}-slow-1` (ship `local`) failed to pass running checks: interrupted\n\
             error: interrupted: 1 container not acted on\n"
        )
    );
    // The started container stays (it ran); its dependent was never created.
    assert_eq!(
        env.containers(),
        [(format!("{p}-slow-1"), "running".to_string())]
    );
}
