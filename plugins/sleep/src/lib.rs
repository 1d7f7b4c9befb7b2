//! The built-in `sleep` check: waits `wait` seconds, then passes. maestro gives this
//! check a deadline long enough for its wait.

use maestro_plugin_support::Options;
use std::time::Duration;

wit_bindgen::generate!({ path: "../../wit", world: "check" });

use exports::maestro::plugin::probe::{Guest, Outcome};
use maestro::plugin::types::Target;

struct Sleep;

impl Guest for Sleep {
    fn probe(target: Target) -> Outcome {
        let wait = Options::parse(&target.options).map(|o| o.number("wait"));
        match wait {
            Ok(Some(seconds)) if seconds.is_finite() && seconds >= 0.0 => {
                std::thread::sleep(Duration::from_secs_f64(seconds));
                Outcome::Ready
            }
            Ok(_) => Outcome::Failed("option \"wait\" must be a number of seconds".into()),
            Err(reason) => Outcome::Failed(reason),
        }
    }
}

export!(Sleep);
