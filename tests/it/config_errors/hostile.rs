//! Hostile input is refused within bounds: each file is generated here, `maestro validate`
//! must exit 2 with the exact located message, run under a 300 MB cap on its address space
//! (`setrlimit`: past it an allocation fails and maestro dies, failing the test) and end
//! before a watchdog's deadline kills it.

use super::support::Run;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Past this, maestro is held hostage: the watchdog kills it and the test fails.
const DEADLINE: Duration = Duration::from_secs(60);
/// The address-space cap for hostile input (an empty environment needs about 65 MB).
const HOSTILE_MB: u64 = 300;

/// What standard input carries.
enum Input {
    Nothing,
    /// `yes`: the same line written until maestro stops reading.
    Endless(&'static str),
}

/// Runs `maestro ARGS` in `dir` with at most `cap_mb` of address space.
fn bounded(dir: &Path, args: &[&str], input: Input, cap_mb: u64) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_maestro"));
    let cap = cap_mb << 20;
    // SAFETY: setrlimit is async-signal-safe and touches nothing of the parent's.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: cap,
                rlim_max: cap,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let mut child = command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .stdin(match input {
            Input::Nothing => Stdio::null(),
            Input::Endless(_) => Stdio::piped(),
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the maestro binary runs");
    if let (Input::Endless(line), Some(mut stdin)) = (input, child.stdin.take()) {
        std::thread::spawn(move || while stdin.write_all(line.as_bytes()).is_ok() {});
    }
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let status = super::support::wait_within(&mut child, DEADLINE);
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    };
    assert!(
        status.signal().is_none(),
        "maestro {args:?} died of signal {:?} (over its {cap_mb} MB cap?):\n{}",
        status.signal(),
        run.stderr
    );
    run
}

/// `maestro -f FILE validate` on hostile `text` written to a fresh folder (plus `extra`
/// links).
fn validate(text: &str, extra: &[(&str, &str)]) -> Run {
    validate_within(text, extra, HOSTILE_MB)
}

fn validate_within(text: &str, extra: &[(&str, &str)], cap_mb: u64) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("m.yaml"), text).expect("write");
    for (name, target) in extra {
        std::os::unix::fs::symlink(target, dir.path().join(name)).expect("symlink");
    }
    bounded(
        dir.path(),
        &["-f", "m.yaml", "validate"],
        Input::Nothing,
        cap_mb,
    )
}

fn refused(run: &Run, stderr: &str) {
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (2, "", stderr),
        "{}",
        run.transcript()
    );
}

const HEAD: &str = "name: hostile\nships: {local: {ip: 127.0.0.1}}\n";

#[test]
fn an_alias_of_a_large_string_used_thousands_of_times_is_refused() {
    let big = "y".repeat(1_000_000);
    let mut text =
        format!("_big: &big \"{big}\"\n{HEAD}services:\n  web:\n    image: busybox\n    env:\n");
    for i in 0..3_000 {
        text.push_str(&format!("      K{i}: *big\n"));
    }
    text.push_str("    instances:\n");
    for i in 0..20 {
        text.push_str(&format!("      web-{i}: {{ship: local}}\n"));
    }
    // The anchor and 32 aliases stay within 32 MiB; the 33rd (line 40) passes it.
    refused(
        &validate(&text, &[]),
        "error: m.yaml:40:12: invalid YAML: the document expands to more than 32 MiB of text (aliases included)\n",
    );
}

#[test]
fn templates_that_run_or_grow_without_end_are_stopped() {
    let grows = "{% for a in range(100000) %}{% for b in range(100000) %}{{ \"x\" * 1000 }}{% endfor %}{% endfor %}";
    refused(
        &validate(grows, &[]),
        "error: m.yaml: template error: the rendered text exceeds 16 MiB, the most a template may produce\n",
    );
    let steps = "error: m.yaml:1: template error: the template ran more than 50000000 steps, the most a template may run (a loop too large?)\n";
    let spins = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}";
    refused(&validate(spins, &[]), steps);
    let three = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}";
    refused(&validate(three, &[]), steps);
}

#[test]
fn devices_fifos_and_endless_input_are_refused() {
    let not_a_file = |what: &str| {
        format!(
            "the environment file is {what}, not a regular file: maestro reads only regular files"
        )
    };
    for device in ["/dev/zero", "/dev/urandom"] {
        let run = bounded(
            Path::new("/"),
            &["-f", device, "validate"],
            Input::Nothing,
            HOSTILE_MB,
        );
        refused(
            &run,
            &format!("error: {device}: {}\n", not_a_file("a device")),
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo.yaml");
    let path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let run = bounded(
        dir.path(),
        &["-f", "fifo.yaml", "validate"],
        Input::Nothing,
        HOSTILE_MB,
    );
    refused(
        &run,
        &format!("error: fifo.yaml: {}\n", not_a_file("a FIFO")),
    );
    let run = bounded(
        dir.path(),
        &["-f", "-", "validate"],
        Input::Endless("# c\n"),
        HOSTILE_MB,
    );
    refused(
        &run,
        "error: <stdin>: the environment file is larger than 16 MiB, the most maestro reads from one file\n",
    );
}

#[test]
fn envfiles_and_includes_that_are_devices_are_located_errors() {
    let text = format!(
        "{HEAD}services:\n  web:\n    image: busybox\n    envfile: zero.env\n    instances:\n      web-1: {{ship: local}}\n"
    );
    let run = validate(&text, &[("zero.env", "/dev/zero")]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .starts_with("error: m.yaml:6:14: services.web.envfile: envfile ")
            && run
                .stderr
                .contains("zero.env is a device, not a regular file"),
        "{}",
        run.stderr
    );
    let include = format!("{HEAD}{{% include 'zero.yaml' %}}\n");
    refused(
        &validate(&include, &[("zero.yaml", "/dev/zero")]),
        "error: m.yaml:3: template error: invalid operation: the included file zero.yaml is a device, not a regular file: maestro reads only regular files\n",
    );
}

/// Large but honest files load (how fast: `cargo bench --bench load`); a debug build
/// needs about 260 MB of address space for the 50,000 services.
#[test]
fn a_mapping_of_100000_keys_and_50000_services_load() {
    let mut keys = format!("{HEAD}services:\n  web:\n    image: busybox\n    env:\n");
    for i in 0..100_000 {
        keys.push_str(&format!("      K{i}: v\n"));
    }
    keys.push_str("    instances:\n      web-1: {ship: local}\n");
    let run = validate(&keys, &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let mut services = format!("{HEAD}services:\n");
    for i in 0..50_000 {
        services.push_str(&format!(
            "  s{i}:\n    image: busybox\n    instances:\n      s{i}-1: {{ship: local}}\n"
        ));
    }
    let run = validate_within(&services, &[], 600);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("50000 services, 50000 containers"),
        "{}",
        run.stdout
    );
    let mut twice = keys.clone();
    twice.push_str("  web:\n    image: busybox\n");
    refused(
        &validate(&twice, &[]),
        "error: m.yaml:100009:3: invalid YAML: found duplicate key 'web' (first written at line 4, column 3)\n",
    );
}
