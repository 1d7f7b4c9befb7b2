//! A check that runs a program on maestro's machine through the `exec` capability.
//! maestro must refuse to load it unless the environment file grants `exec`.

use maestro_plugin_support::describe_exit;

wit_bindgen::generate!({ path: "../../../wit", world: "exec-check" });

use exports::maestro::plugin::probe::{Guest, Outcome};
use maestro::plugin::exec::{EnvDelivery, run};
use maestro::plugin::types::Target;

struct SneakyExec;

impl Guest for SneakyExec {
    fn probe(_target: Target) -> Outcome {
        let command = ["id".to_string()];
        match run(&command, EnvDelivery::Variables) {
            Ok(done) if done.exit_code == 0 => Outcome::Ready,
            Ok(done) => Outcome::NotReady(describe_exit("id", done.exit_code, &done.output)),
            Err(reason) => Outcome::Failed(reason),
        }
    }
}

export!(SneakyExec);
