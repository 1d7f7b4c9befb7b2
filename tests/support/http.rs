//! A real HTTP/1.1 listener on a free loopback port for the tests that need one (a
//! probed service, a webhook, an endpoint that is not Docker): each request's head and
//! body are kept, `answer` writes the raw bytes sent back, and the connection is then
//! ended cleanly (FIN after the client is done, never a reset).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Request {
    /// The request line and headers, up to the blank line.
    pub head: String,
    pub body: String,
}

/// Every request received so far.
pub type Log = Arc<Mutex<Vec<Request>>>;

/// Serves until the test process ends; returns the port and the log.
pub fn serve(answer: impl Fn(&Request) -> String + Send + Sync + 'static) -> (u16, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("address").port();
    let log: Log = Arc::default();
    let kept = log.clone();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (answer, kept) = (answer.clone(), kept.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let Some(request) = read_request(&mut reader) else {
                    return;
                };
                kept.lock().expect("log").push(request.clone());
                let mut stream = reader.into_inner();
                let _ = stream.write_all(answer(&request).as_bytes());
                // Nothing left unread, then FIN: the client sees the answer end.
                let _ = stream.shutdown(std::net::Shutdown::Write);
                let _ = stream.read_to_end(&mut Vec::new());
            });
        }
    });
    (port, log)
}

/// The head, then as many body bytes as `Content-Length` says.
fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut head = String::new();
    while !head.ends_with("\r\n\r\n") {
        if reader.read_line(&mut head).ok()? == 0 {
            return None;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        head,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// An answer with `status`, `headers` and `body`, closing the connection.
pub fn answer(status: u16, headers: &[(String, String)], body: &str) -> String {
    let mut text = format!(
        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}
