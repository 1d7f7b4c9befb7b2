//! The JSON API's envelope: every object maestro prints with `--json` is one line
//! with `"schema"` (this version) and `"event"` first. The README lists the events.

use serde_json::{Map, Value};
use std::io::Write;

/// The version of the JSON API: raised only when a field changes meaning or goes
/// away; new events and fields may be added within a version.
pub const SCHEMA: u64 = 1;

/// An event: `{"schema": 1, "event": name, …fields}`.
pub fn event(name: &str, fields: Value) -> Value {
    let mut object = Map::new();
    object.insert("schema".into(), SCHEMA.into());
    object.insert("event".into(), name.into());
    if let Value::Object(fields) = fields {
        object.extend(fields);
    }
    Value::Object(object)
}

/// Writes `value` as one line; false when it could not be written.
pub fn write_line(out: &mut impl Write, value: &Value) -> bool {
    let mut line = value.to_string();
    line.push('\n');
    super::written(out.write_all(line.as_bytes()).and_then(|()| out.flush()))
}
