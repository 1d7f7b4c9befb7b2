//! How a play ended, for people (the lines after the table, on stderr) and for
//! scripts (the `result` event): every failure with its container, ship, step and
//! cause, the container's exit code and last output when it exited, what was not
//! run, and whether the play was interrupted.

use super::step_name;
use crate::engine::Outcome;
use crate::output::json::event;
use crate::output::text::inert;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The report's lines: each failure (`container `x` (ship `s`) failed to start: …`,
/// then the container's last output indented under it), what was not run because
/// of it, and the interruption. The first line of each failure is an error; the
/// indented lines are its detail.
pub fn report_text(outcome: &Outcome, ships: &HashMap<String, String>) -> Vec<(bool, String)> {
    let mut lines = Vec::new();
    for (container, e) in &outcome.failures {
        let ship = ships.get(container).map_or("?", String::as_str);
        let mut cause = inert(&e.cause).into_owned();
        if let Some(code) = e.exit_code {
            cause.push_str(&format!(" with code {code}"));
        }
        if !e.output.is_empty() {
            cause.push_str("; its last output:");
        }
        lines.push((
            true,
            format!(
                "container `{}` (ship `{}`) failed to {}: {cause}",
                inert(container),
                inert(ship),
                step_name(e.step)
            ),
        ));
        for out in &e.output {
            lines.push((false, format!("    {}", inert(out))));
        }
    }
    if outcome.interrupted {
        let n = outcome.aborted.len();
        lines.push((
            true,
            format!(
                "interrupted: {n} container{} not acted on",
                if n == 1 { "" } else { "s" }
            ),
        ));
    } else if !outcome.failures.is_empty() && !outcome.aborted.is_empty() {
        lines.push((
            true,
            format!("not run because of that: {}", outcome.aborted.join(", ")),
        ));
    }
    lines
}

/// What a command says of a foreign container it left alone.
pub fn left_alone_note(container: &str, owner: Option<&str>) -> String {
    let whose = match owner {
        Some(other) => format!("it belongs to environment `{}`", inert(other)),
        None => {
            "maestro did not create it (no environment label); `start --adopt` replaces it".into()
        }
    };
    format!("container `{}` was left alone: {whose}", inert(container))
}

/// The `result` event.
pub fn result_json(outcome: &Outcome, ships: &HashMap<String, String>) -> Value {
    let failures: Vec<Value> = outcome
        .failures
        .iter()
        .map(|(container, e)| {
            let mut failure = json!({
                "container": container,
                "ship": ships.get(container),
                "step": e.step,
                "cause": e.cause,
            });
            if let Some(code) = e.exit_code {
                failure["exit_code"] = code.into();
            }
            if !e.output.is_empty() {
                failure["output"] = e.output.clone().into();
            }
            failure
        })
        .collect();
    event(
        "result",
        json!({
            "ok": outcome.failures.is_empty() && !outcome.interrupted,
            "failures": failures,
            "aborted": outcome.aborted,
            "interrupted": outcome.interrupted,
            "notes": outcome.notes,
            "left_alone": outcome
                .left_alone
                .iter()
                .map(|(container, owner)| json!({"container": container, "owner": owner}))
                .collect::<Vec<_>>(),
        }),
    )
}
