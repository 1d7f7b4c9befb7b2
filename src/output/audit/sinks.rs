//! Where audit calls go: MaestroNG's `log` (a line `%(asctime)s %(levelname)s:
//! %(message)s` appended to `file`), `http` (a webhook per `action`, its payload
//! template filled and sent as Python's `json.dumps` would write it) and `exec` (the
//! script, on a play's success, with the targets as JSON on stdin). A sink that cannot
//! deliver says so in words; the endpoint is shown without its path, query or userinfo
//! (a webhook's URL is often its secret).

use super::Level;
use super::text::{Call, Kind, who};
use crate::model::Auditor;
use serde_json::Value;
use std::io::Write;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How one delivery went.
pub enum Delivery {
    Done,
    Failed(String),
    /// A webhook or script still running: its problem, if any, once done.
    Running(JoinHandle<Option<String>>),
}

/// One auditor of the file.
pub enum Sink {
    Log {
        file: String,
        level: Level,
    },
    Http {
        endpoint: String,
        method: String,
        headers: Vec<(String, String)>,
        payload: Value,
        timeout: Duration,
        level: Level,
    },
    Exec {
        script: String,
        args: String,
        level: Level,
    },
    /// Slack's `chat.postMessage` (or `endpoint`: a Slack-compatible one).
    Slack {
        endpoint: String,
        channel: String,
        token: String,
        name: String,
        icon: Option<String>,
        level: Level,
    },
    /// MaestroNG's test auditor: every call fails.
    Fail,
}

impl Sink {
    /// The sink of an auditor; `None` (with a note) for one that cannot be delivered.
    pub fn of(auditor: &Auditor, notes: &mut Vec<String>) -> Option<Sink> {
        let level = if auditor.level == "debug" {
            Level::Debug
        } else {
            Level::Info
        };
        let text = |key: &str| {
            auditor.options.get(key).and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| (!v.is_null()).then(|| v.to_string()))
            })
        };
        match auditor.kind.as_str() {
            "log" => Some(Sink::Log {
                file: text("file")?,
                level,
            }),
            "http" => Some(Sink::Http {
                endpoint: text("endpoint")?,
                method: text("method")
                    .unwrap_or_else(|| "POST".into())
                    .to_ascii_uppercase(),
                headers: auditor
                    .options
                    .get("headers")
                    .and_then(Value::as_object)
                    .map(|h| {
                        h.iter()
                            .map(|(k, v)| {
                                (
                                    k.clone(),
                                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                payload: auditor
                    .options
                    .get("payload")
                    .cloned()
                    .unwrap_or(Value::Null),
                timeout: Duration::from_secs_f64(
                    auditor
                        .options
                        .get("timeout")
                        .and_then(Value::as_f64)
                        .unwrap_or(3.0)
                        .max(0.001),
                ),
                level,
            }),
            "exec" => Some(Sink::Exec {
                script: text("script")?,
                args: text("args").unwrap_or_default(),
                level,
            }),
            "slack" => Some(Sink::Slack {
                endpoint: text("endpoint")
                    .unwrap_or_else(|| "https://slack.com/api/chat.postMessage".into()),
                channel: text("channel")?,
                token: text("token")?,
                name: text("name").unwrap_or_else(|| "maestro-ng".into()),
                icon: text("icon"),
                level,
            }),
            "_fail" => Some(Sink::Fail),
            other => {
                notes.push(format!(
                    "the {other} auditor is not delivered by this version of maestro"
                ));
                None
            }
        }
    }

    pub fn deliver(&self, call: &Call) -> Delivery {
        match self {
            Sink::Log { file, level } if call.level >= *level => {
                match append(file, &call.log_text(&who()), call.level) {
                    Ok(()) => Delivery::Done,
                    Err(e) => Delivery::Failed(format!("the log auditor cannot write {file}: {e}")),
                }
            }
            Sink::Http {
                endpoint,
                method,
                headers,
                payload,
                timeout,
                level,
            } if call.kind == Kind::Action && call.level >= *level => {
                let body = python_json(&fill(payload, call).unwrap_or(Value::Null));
                let (endpoint, method, headers, timeout) =
                    (endpoint.clone(), method.clone(), headers.clone(), *timeout);
                Delivery::Running(tokio::spawn(async move {
                    post("http", &endpoint, &method, &headers, body, timeout).await
                }))
            }
            Sink::Exec {
                script,
                args,
                level,
            } if call.kind == Kind::Success && call.play && call.level >= *level => {
                let argv: Vec<String> = format_fields(args, call, &call.what_repr(), "None")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
                let input = targets_json(call);
                let script = script.clone();
                Delivery::Running(tokio::spawn(async move {
                    run_script(&script, &argv, input).await
                }))
            }
            Sink::Slack {
                endpoint,
                channel,
                token,
                name,
                icon,
                level,
            } if call.kind.is_error() || call.level >= *level => {
                let body = python_json(&slack_message(call, channel, name, icon.as_deref()));
                let headers = vec![("Authorization".to_string(), format!("Bearer {token}"))];
                let endpoint = endpoint.clone();
                Delivery::Running(tokio::spawn(async move {
                    post(
                        "slack",
                        &endpoint,
                        "POST",
                        &headers,
                        body,
                        Duration::from_secs(3),
                    )
                    .await
                }))
            }
            Sink::Fail => Delivery::Failed("the _fail auditor failed, as it always does".into()),
            _ => Delivery::Done,
        }
    }
}

/// Sends one webhook; what went wrong, in words, if anything.
async fn post(
    auditor: &str,
    endpoint: &str,
    method: &str,
    headers: &[(String, String)],
    body: String,
    timeout: Duration,
) -> Option<String> {
    let sent =
        tokio::time::timeout(timeout, super::http::send(endpoint, method, headers, body)).await;
    let shown = super::http::shown(endpoint);
    match sent {
        Ok(Ok(status)) if status < 400 => None,
        Ok(Ok(status)) => Some(format!(
            "the {auditor} auditor's webhook {shown} answered HTTP {status}"
        )),
        Ok(Err(e)) => Some(format!("the {auditor} auditor cannot reach {shown}: {e}")),
        Err(_) => Some(format!(
            "the {auditor} auditor's webhook {shown} did not answer within {timeout:?}"
        )),
    }
}

/// MaestroNG's Slack message: one attachment (`#1dc7d3` for an action, `good`, `danger`
/// with the error as a field), a `Targets` field when the text counts the containers.
fn slack_message(call: &Call, channel: &str, name: &str, icon: Option<&str>) -> Value {
    let mut fields = Vec::new();
    if let Kind::Error { message } = &call.kind {
        fields.push(serde_json::json!({"title": "Error", "value": message, "short": true}));
    }
    if !call.fits_compact() {
        fields.push(serde_json::json!({"title": "Targets", "value": call.what()}));
    }
    let text = call.text(&who(), &call.what_compact());
    let color = match call.kind {
        Kind::Action => "#1dc7d3",
        Kind::Success => "good",
        Kind::Error { .. } => "danger",
    };
    serde_json::json!({
        "channel": channel,
        "username": name,
        "icon_url": icon,
        "attachments": [{"fallback": text, "text": text, "color": color, "fields": fields}],
    })
}

/// Appends one line in Python logging's format: `2026-12-01 19:34:13,123 INFO: text`.
fn append(file: &str, text: &str, level: Level) -> std::io::Result<()> {
    let name = match level {
        Level::Debug => "DEBUG",
        Level::Info => "INFO",
        Level::Error => "ERROR",
    };
    let line = format!("{} {name}: {text}\n", asctime());
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)?
        .write_all(line.as_bytes())
}

/// Python logging's `asctime`: local time, `%Y-%m-%d %H:%M:%S,mmm`.
fn asctime() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = libc::time_t::try_from(now.as_secs()).unwrap_or(0);
    // SAFETY: localtime_r writes into the struct it is given and nothing else.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&seconds, &mut tm);
        tm
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
    )
}

/// `str.format(what=…, action=…, who=…, message=…)` on a template string (`{{`, `}}`
/// are braces). The webhook's `what` is the names; the exec auditor's is Python's
/// `str()` of the targets, and its `who` is `None`.
fn format_fields(template: &str, call: &Call, what: &str, who_text: &str) -> String {
    let message = call.text(&who(), &call.what_repr());
    template
        .replace("{{", "\u{0}")
        .replace("}}", "\u{1}")
        .replace("{what}", what)
        .replace("{action}", call.action)
        .replace("{who}", who_text)
        .replace("{message}", &message)
        .replace('\u{0}', "{")
        .replace('\u{1}', "}")
}

/// The webhook payload: every string of the template filled; empty strings, lists and
/// mappings dropped, as MaestroNG's `_prepare_payload` drops them.
fn fill(template: &Value, call: &Call) -> Option<Value> {
    let filled = match template {
        Value::String(s) => Value::String(format_fields(s, call, &call.what(), &who())),
        Value::Array(items) => Value::Array(items.iter().filter_map(|i| fill(i, call)).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), fill(v, call)?)))
                .collect(),
        ),
        other => other.clone(),
    };
    let empty = match &filled {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Null | Value::Bool(false) => true,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Bool(true) => false,
    };
    (!empty).then_some(filled)
}

/// What the exec auditor's script reads: `{"c1": {"ship": "10.0.0.1", "service": "web"}}`.
/// Written by hand: the keys keep MaestroNG's order (`ship`, then `service`).
fn targets_json(call: &Call) -> String {
    let text = |s: &str| python_json(&Value::String(s.to_string()));
    let entries: Vec<String> = call
        .targets
        .iter()
        .map(|t| {
            format!(
                "{}: {{\"ship\": {}, \"service\": {}}}",
                text(&t.name),
                text(&t.ship_ip),
                text(&t.service)
            )
        })
        .collect();
    format!("{{{}}}", entries.join(", "))
}

async fn run_script(script: &str, argv: &[String], input: String) -> Option<String> {
    use tokio::io::AsyncWriteExt;
    let mut child = match tokio::process::Command::new(script)
        .args(argv)
        .stdin(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => return Some(format!("the exec auditor cannot run {script}: {e}")),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes()).await;
    }
    match child.wait().await {
        Ok(status) if status.success() => None,
        Ok(status) => Some(format!("the exec auditor's {script} ended with {status}")),
        Err(e) => Some(format!("the exec auditor's {script}: {e}")),
    }
}

/// Python's `json.dumps` with its defaults: `", "` and `": "` between items, non-ASCII
/// escaped as `\uXXXX`.
pub fn python_json(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let mut out = String::from('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                        let mut units = [0u16; 2];
                        for unit in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(python_json).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        python_json(&Value::String(k.clone())),
                        python_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_as_python_writes_it() {
        // (A mapping's keys come in serde_json's order: sorted.)
        let value = serde_json::json!({"text": "é \"x\"", "n": [1, true, null]});
        assert_eq!(
            python_json(&value),
            "{\"n\": [1, true, null], \"text\": \"\\u00e9 \\\"x\\\"\"}"
        );
    }
}
