//! The built-in `rexec` check (MaestroNG's): runs `command` inside the container
//! (`docker exec`) through the host's `container-exec` capability; ready when it
//! exits with 0. Options: `command` (a string split like a shell would, or a list).

use maestro_plugin_support::{Options, describe_exit};

wit_bindgen::generate!({ path: "../../wit", world: "container-check" });

use exports::maestro::plugin::probe::{Guest, Outcome};
use maestro::plugin::container_exec::run;
use maestro::plugin::types::Target;

struct Rexec;

impl Guest for Rexec {
    fn probe(target: Target) -> Outcome {
        let command = match Options::parse(&target.options).and_then(|o| o.command("command")) {
            Ok(command) => command,
            Err(reason) => return Outcome::Failed(reason),
        };
        match run(&command) {
            Ok(done) if done.exit_code == 0 => Outcome::Ready,
            Ok(done) => Outcome::NotReady(describe_exit(&command[0], done.exit_code, &done.output)),
            Err(reason) => Outcome::Failed(reason),
        }
    }
}

export!(Rexec);
