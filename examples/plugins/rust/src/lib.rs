//! banner: a maestro lifecycle check written in Rust.
//!
//! Ready when the service greets a new connection with the expected banner, as SSH
//! (`SSH-2.0-…`), SMTP (`220 …`), FTP or POP3 servers do: a service that accepts
//! connections before it can talk is not ready yet. One attempt per call: maestro
//! owns the retries and the deadline.
//!
//! Options (in the environment file, next to `type: banner`):
//!   port:   the name of one of the container's ports (required)
//!   expect: the text the first line must start with (required)

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::time::Duration;

wit_bindgen::generate!({ path: "../../../wit", world: "check" });

use exports::maestro::plugin::probe::{Guest, Outcome};
use maestro::plugin::log::{Level, write};
use maestro::plugin::types::Target;

struct Banner;

impl Guest for Banner {
    fn probe(target: Target) -> Outcome {
        let options: Value = match serde_json::from_str(&target.options) {
            Ok(options) => options,
            Err(e) => return Outcome::Failed(format!("bad options: {e}")),
        };
        let text = |key: &str| match &options[key] {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        };
        let (Some(name), Some(expect)) = (text("port"), text("expect")) else {
            return Outcome::Failed("the banner check needs `port` and `expect`".into());
        };
        let Some(port) = target.ports.iter().find(|p| p.name == name) else {
            return Outcome::Failed(format!("the container has no port named {name:?}"));
        };
        let address = format!("{}:{}", target.address, port.external);
        let stream = match TcpStream::connect(&address) {
            Ok(stream) => stream,
            Err(e) => return Outcome::NotReady(format!("{address}: {e}")),
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let mut line = String::new();
        if let Err(e) = BufReader::new(stream).read_line(&mut line) {
            return Outcome::NotReady(format!("{address}: no banner: {e}"));
        }
        let line = line.trim_end();
        write(Level::Debug, &format!("{address} says {line:?}"));
        if line.starts_with(&expect) {
            Outcome::Ready
        } else if line.is_empty() {
            Outcome::NotReady(format!("{address} closed without a banner"))
        } else {
            Outcome::NotReady(format!("{address} says {line:?}, expected {expect:?}…"))
        }
    }
}

export!(Banner);
