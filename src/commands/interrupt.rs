//! The signals that end a play: SIGINT (Ctrl-C), SIGTERM (what CI systems and process
//! managers send to cancel) and SIGHUP (a closed terminal) all mean "stop": the first
//! halts the play (nothing new is scheduled; work in flight is cut short and reported),
//! a second exits at once. The exit code is 128 + the first signal's number, as shells
//! expect.

use crate::engine::{Event, Halt, Reporter};
use crate::output::Printer;
use std::sync::{Arc, OnceLock};
use tokio::signal::unix::{SignalKind, signal};

/// The first signal received, once there is one.
#[derive(Default)]
pub struct Interrupts {
    first: OnceLock<i32>,
}

impl Interrupts {
    /// The exit code for an interrupted command: 128 + the first signal (130 for Ctrl-C).
    pub fn exit_code(&self) -> u8 {
        let signal = self.first.get().copied().unwrap_or(libc::SIGINT);
        u8::try_from(128 + signal).unwrap_or(130)
    }
}

/// Listens for the three signals until the returned task is aborted.
pub fn watch(
    halt: Arc<Halt>,
    reporter: Arc<dyn Reporter>,
    printer: Printer,
) -> std::io::Result<(Arc<Interrupts>, tokio::task::JoinHandle<()>)> {
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let interrupts = Arc::new(Interrupts::default());
    let seen = interrupts.clone();
    let task = tokio::spawn(async move {
        loop {
            let (number, name) = tokio::select! {
                _ = int.recv() => (libc::SIGINT, "SIGINT"),
                _ = term.recv() => (libc::SIGTERM, "SIGTERM"),
                _ = hup.recv() => (libc::SIGHUP, "SIGHUP"),
            };
            if seen.first.set(number).is_ok() {
                halt.interrupt();
                reporter.report(Event::Interrupted { signal: name });
                continue;
            }
            let code = seen.exit_code();
            printer.error(
                "interrupted again: exiting at once; what the daemons were doing is left to them",
                code,
            );
            std::process::exit(i32::from(code));
        }
    });
    Ok((interrupts, task))
}
