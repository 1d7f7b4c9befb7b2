//! The built-in `exec` check (MaestroNG's): runs `command` on the machine that runs
//! maestro, through the host's `exec` capability; ready when it exits with 0.
//! Options: `command` (a string split like a shell would, or a list), `envfrom`
//! (`env`: the container's environment as variables; `stdin`: as JSON on stdin).

use maestro_plugin_support::{Options, describe_exit};

wit_bindgen::generate!({ path: "../../wit", world: "exec-check" });

use exports::maestro::plugin::probe::{Guest, Outcome};
use maestro::plugin::exec::{EnvDelivery, run};
use maestro::plugin::types::Target;

struct Exec;

impl Guest for Exec {
    fn probe(target: Target) -> Outcome {
        let options = match Options::parse(&target.options) {
            Ok(options) => options,
            Err(reason) => return Outcome::Failed(reason),
        };
        let command = match options.command("command") {
            Ok(command) => command,
            Err(reason) => return Outcome::Failed(reason),
        };
        let delivery = match options.text("envfrom").as_deref() {
            None | Some("env") => EnvDelivery::Variables,
            Some("stdin") => EnvDelivery::StdinJson,
            Some(other) => {
                return Outcome::Failed(format!("envfrom {other:?}: choose env or stdin"));
            }
        };
        match run(&command, delivery) {
            Ok(done) if done.exit_code == 0 => Outcome::Ready,
            Ok(done) => Outcome::NotReady(describe_exit(&command[0], done.exit_code, &done.output)),
            Err(reason) => Outcome::Failed(reason),
        }
    }
}

export!(Exec);
