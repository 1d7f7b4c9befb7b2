//! How long a check may take, and how often it tries: MaestroNG's limits, with the
//! fixed one-second step replaced by a quick start and a backoff.

use crate::config::lifecycle::HOST_OPTIONS;
use crate::model::CheckSpec;
use serde_json::Value;
use std::time::Duration;

/// The first pause between two attempts.
pub const FIRST_DELAY: Duration = Duration::from_millis(25);
/// The longest pause between two attempts (MaestroNG's fixed step).
pub const MAX_DELAY: Duration = Duration::from_secs(1);
/// How long one attempt may take unless `attempt_timeout` says otherwise.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Commands get longer.
pub const COMMAND_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// A plugin check's deadline unless `max_wait` says otherwise.
pub const PLUGIN_MAX_WAIT: f64 = 180.0;

/// The limits of one check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// The check fails when it is not ready by then.
    pub deadline: Duration,
    /// The longest one attempt may take.
    pub attempt_timeout: Duration,
}

/// MaestroNG's limits for a check: `tcp` `max_wait` (attempts one second apart, so
/// seconds; default 180, 0 also 180), `http` `max_wait` (seconds, 300), `exec` and
/// `rexec` `attempts` (one second apart, 180), `sleep` its `wait`; a plugin check
/// `max_wait` seconds (180) or `attempts`.
pub fn timing(spec: &CheckSpec) -> Timing {
    let number = |key: &str| spec.options.get(key).and_then(Value::as_f64);
    let positive = |key: &str, default: f64| match number(key) {
        Some(n) if n > 0.0 => n,
        _ => default,
    };
    let seconds = match spec.kind.as_str() {
        "tcp" => positive("max_wait", 180.0),
        "http" => positive("max_wait", 300.0),
        "exec" | "rexec" => positive("attempts", 180.0),
        "sleep" => {
            let wait = Duration::from_secs_f64(number("wait").unwrap_or(0.0).max(0.0));
            let limit = wait + ATTEMPT_TIMEOUT;
            return Timing {
                deadline: limit,
                attempt_timeout: limit,
            };
        }
        _ => match number("max_wait") {
            Some(n) if n > 0.0 => n,
            _ => positive("attempts", PLUGIN_MAX_WAIT),
        },
    };
    let deadline = Duration::from_secs_f64(seconds);
    let default_attempt = match spec.kind.as_str() {
        "exec" | "rexec" => COMMAND_ATTEMPT_TIMEOUT,
        _ => ATTEMPT_TIMEOUT,
    };
    let attempt_timeout = match number("attempt_timeout") {
        Some(n) if n > 0.0 => Duration::from_secs_f64(n),
        _ => default_attempt,
    };
    Timing {
        deadline,
        attempt_timeout,
    }
}

/// The options a plugin receives: all but `type` and maestro's own.
pub fn plugin_options(spec: &CheckSpec) -> String {
    let options: serde_json::Map<String, Value> = spec
        .options
        .iter()
        .filter(|(k, _)| !HOST_OPTIONS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(options).to_string()
}

/// The pauses between attempts: 25 ms, then half as long again each time, up to 1 s.
pub fn backoff() -> impl Iterator<Item = Duration> {
    std::iter::successors(Some(FIRST_DELAY), |d| Some((*d * 3 / 2).min(MAX_DELAY)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(kind: &str, options: Value) -> CheckSpec {
        CheckSpec {
            kind: kind.into(),
            options: options.as_object().unwrap().clone(),
            at: String::new(),
        }
    }

    #[test]
    fn maestro_ng_limits() {
        let secs = |kind: &str, options| timing(&spec(kind, options)).deadline.as_secs_f64();
        assert_eq!(secs("tcp", json!({})), 180.0);
        assert_eq!(secs("tcp", json!({"max_wait": 0})), 180.0);
        assert_eq!(secs("tcp", json!({"max_wait": 5})), 5.0);
        assert_eq!(secs("http", json!({})), 300.0);
        assert_eq!(secs("exec", json!({"attempts": 3})), 3.0);
        assert_eq!(secs("redis-ping", json!({})), 180.0);
        assert_eq!(secs("redis-ping", json!({"max_wait": 2.5})), 2.5);
        assert_eq!(secs("sleep", json!({"wait": 2})), 12.0);
        let attempt = timing(&spec("tcp", json!({"attempt_timeout": 0.5}))).attempt_timeout;
        assert_eq!(attempt, Duration::from_millis(500));
    }

    #[test]
    fn plugins_do_not_see_maestros_options() {
        let s = spec("x", json!({"max_wait": 3, "host": "h", "key": 1}));
        assert_eq!(plugin_options(&s), r#"{"key":1}"#);
    }

    #[test]
    fn backoff_starts_fast_and_settles_at_one_second() {
        let delays: Vec<u128> = backoff().take(12).map(|d| d.as_millis()).collect();
        assert_eq!(
            delays,
            [25, 37, 56, 84, 126, 189, 284, 427, 640, 961, 1000, 1000]
        );
    }
}
