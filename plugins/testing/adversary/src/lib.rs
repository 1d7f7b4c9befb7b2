//! A check that misbehaves on purpose, for the plugin host's tests. Its `mode` option
//! picks the misdeed: `loop` (never returns), `hog` (allocates without end), `trap`
//! (panics), `flood` (logs and returns megabytes), `connect` (to `address`, which is
//! not its target), `read-file` (reads `path`), `read-env` (lists the environment),
//! `ready` (behaves), `escape` (logs a line and answers "not yet", both carrying terminal
//! escape sequences).

use maestro_plugin_support::Options;
use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

wit_bindgen::generate!({ path: "../../../wit", world: "check" });

use exports::maestro::plugin::probe::{Guest, Outcome};
use maestro::plugin::log::{Level, write};
use maestro::plugin::types::Target;

struct Adversary;

impl Guest for Adversary {
    fn probe(target: Target) -> Outcome {
        let options = match Options::parse(&target.options) {
            Ok(options) => options,
            Err(reason) => return Outcome::Failed(reason),
        };
        let text = |key: &str| options.text(key).unwrap_or_default();
        match text("mode").as_str() {
            "loop" => endless(),
            "hog" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1; 1 << 20]);
                }
            }
            "trap" => panic!("the adversary panics"),
            "flood" => {
                for i in 0..10_000 {
                    write(Level::Info, &format!("line {i}: {}", "x".repeat(10_000)));
                }
                Outcome::NotReady("y".repeat(8 << 20))
            }
            "connect" => {
                let addr: SocketAddr = match text("address").parse() {
                    Ok(addr) => addr,
                    Err(_) => return Outcome::Failed("address: expected IP:PORT".into()),
                };
                match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                    Ok(_) => Outcome::Ready,
                    Err(e) => Outcome::NotReady(format!("connect to {addr}: {e}")),
                }
            }
            "read-file" => {
                let mut content = String::new();
                match std::fs::File::open(text("path"))
                    .and_then(|mut f| f.read_to_string(&mut content))
                {
                    Ok(_) => Outcome::Ready,
                    Err(e) => Outcome::NotReady(format!("read {}: {e}", text("path"))),
                }
            }
            "read-env" => {
                let names: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
                Outcome::NotReady(format!("{} variables: {}", names.len(), names.join(",")))
            }
            "ready" => Outcome::Ready,
            "escape" => {
                write(Level::Warn, "\x1b]0;owned\x07\x1b[2Jlogged");
                Outcome::NotReady("\x1b[1A\r  1. forged started".into())
            }
            other => Outcome::Failed(format!("unknown mode {other:?}")),
        }
    }
}

#[allow(clippy::empty_loop)]
fn endless() -> ! {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

export!(Adversary);
