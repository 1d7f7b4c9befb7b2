//! The play as JSON lines (`--json`): one object per event, each with `"schema": 1`
//! and `"event"`; the README's "JSON API" lists every event and field, and a test
//! checks real output against that list. Strings stay as they came: JSON escapes
//! control characters itself.

use super::Board;
use crate::engine::{Event, Reporter};
use crate::output::json::{event, write_line};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Mutex;

/// Renders a play as JSON lines.
pub struct JsonReporter<W: Write + Send> {
    sheet: Mutex<(W, Board)>,
    /// The ship of each container, for the `result` event.
    ships: std::collections::HashMap<String, String>,
}

impl<W: Write + Send> JsonReporter<W> {
    pub fn new(out: W, ships: std::collections::HashMap<String, String>) -> JsonReporter<W> {
        JsonReporter {
            sheet: Mutex::new((out, Board::default())),
            ships,
        }
    }

    /// The writer, once the play is over (tests read what was written).
    pub fn into_inner(self) -> W {
        self.sheet.into_inner().unwrap_or_else(|p| p.into_inner()).0
    }
}

impl<W: Write + Send> Reporter for JsonReporter<W> {
    fn report(&self, e: Event) {
        let mut sheet = self.sheet.lock().unwrap_or_else(|p| p.into_inner());
        let (out, board) = &mut *sheet;
        let value = match e {
            Event::Begin { action, rows } => {
                board.begin(action, &rows);
                event("play", json!({"action": action.name(), "containers": rows}))
            }
            Event::Update(update) => {
                let Some(at) = board.apply(update) else {
                    return;
                };
                let line = &board.lines[at];
                let mut fields = json!({
                    "container": line.row.container,
                    "service": line.row.service,
                    "ship": line.row.ship,
                    "image": line.row.image,
                    "final": line.state.is_final(),
                });
                if let Value::Object(state) = serde_json::to_value(&line.state).unwrap_or_default()
                {
                    fields.as_object_mut().expect("object").extend(state);
                }
                if let Some(id) = &line.container_id {
                    fields["container_id"] = id.clone().into();
                }
                if let Some(id) = &line.image_id {
                    fields["image_id"] = id.clone().into();
                }
                event("container", fields)
            }
            Event::PluginLog(log) => {
                event("plugin_log", serde_json::to_value(log).unwrap_or_default())
            }
            Event::Interrupted { signal } => event("interrupted", json!({"signal": signal})),
            Event::Ports {
                container,
                image,
                image_id,
                ports,
            } => event(
                "ports",
                json!({"container": container, "image": image, "image_id": image_id, "ports": ports}),
            ),
            Event::End(outcome) => super::result_json(&outcome, &self.ships),
        };
        write_line(out, &value);
    }
}
