//! Simulated ships for scale: many Docker daemons on loopback that speak the subset of
//! the Engine API maestro uses — version, container inspect, create, start, stop, kill,
//! remove, top and wait, image inspect — keeping containers in memory, with a latency
//! per call and a start time that are set, not measured. One tokio runtime on a thread
//! of its own serves every ship; some ships speak TLS. A request outside the subset is
//! answered 500 and counted, so a benchmark or test can insist there were none.
//!
//! Hand-written HTTP/1.1 (keep-alive, `Content-Length` bodies only): maestro's client
//! sends nothing else, and a server crate would add a dependency to the package for
//! the benefit of one benchmark.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// How slow the simulated daemons are.
#[derive(Clone, Copy, Debug)]
pub struct Latency {
    /// Added to every call.
    pub per_call: Duration,
    /// Added to a start, as the daemon's own work to start a process.
    pub start: Duration,
}

/// What every ship of a simulation counted.
#[derive(Default)]
pub struct Counters {
    /// Requests outside the subset (each answered 500).
    pub unexpected: AtomicU64,
    /// Sum of the latency served, in microseconds, per ship.
    pub busy_micros: Mutex<Vec<u64>>,
}

/// One simulated ship.
pub struct Ship {
    pub port: u16,
    pub tls: bool,
}

/// Running simulated ships; they serve until the process ends.
pub struct Simulation {
    pub ships: Vec<Ship>,
    pub counters: Arc<Counters>,
    /// The CA that signed the TLS ships' certificate (for `tls_ca_cert`).
    pub ca: Option<std::path::PathBuf>,
}

impl Simulation {
    /// `count` ships, every `tls_every`-th over TLS (0: none), certificates written in `dir`.
    pub fn start(count: usize, tls_every: usize, latency: Latency, dir: &Path) -> Simulation {
        let counters = Arc::new(Counters::default());
        *counters.busy_micros.lock().unwrap() = vec![0; count];
        let tls = (tls_every > 0).then(|| certificates(dir));
        let acceptor = tls.as_ref().map(|(_, acceptor)| acceptor.clone());
        let (sender, receiver) = std::sync::mpsc::channel();
        let served = counters.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let mut ships = Vec::new();
                for index in 0..count {
                    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
                    let port = listener.local_addr().expect("address").port();
                    let secure = tls_every > 0 && index % tls_every == tls_every - 1;
                    let daemon = Arc::new(Daemon {
                        index,
                        latency,
                        counters: served.clone(),
                        state: Mutex::default(),
                    });
                    let acceptor = secure.then(|| acceptor.clone().expect("certificates"));
                    tokio::spawn(accept(listener, daemon, acceptor));
                    ships.push(Ship { port, tls: secure });
                }
                sender.send(ships).expect("the caller waits");
                std::future::pending::<()>().await;
            });
        });
        Simulation {
            ships: receiver.recv().expect("the ships start"),
            counters,
            ca: tls.map(|(ca, _)| ca),
        }
    }

    /// The longest any one ship was kept busy by simulated latency, divided by the
    /// requests maestro keeps in flight per ship: no client could finish sooner.
    pub fn bound(&self, in_flight_per_ship: u32) -> Duration {
        let busiest = self
            .counters
            .busy_micros
            .lock()
            .unwrap()
            .iter()
            .copied()
            .max()
            .unwrap_or(0);
        Duration::from_micros(busiest) / in_flight_per_ship
    }

    /// Resets the latency sums (between commands).
    pub fn reset(&self) {
        for busy in self.counters.busy_micros.lock().unwrap().iter_mut() {
            *busy = 0;
        }
    }
}

#[derive(Clone)]
struct Container {
    id: String,
    name: String,
    image: String,
    labels: Value,
    running: bool,
    pid: u32,
    exit_code: i64,
    started_at: Option<String>,
    finished_at: Option<String>,
}

#[derive(Default)]
struct State {
    containers: HashMap<String, Container>,
    ids: HashMap<String, String>,
    next: u64,
}

struct Daemon {
    index: usize,
    latency: Latency,
    counters: Arc<Counters>,
    state: Mutex<State>,
}

async fn accept(
    listener: TcpListener,
    daemon: Arc<Daemon>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let (daemon, tls) = (daemon.clone(), tls.clone());
        tokio::spawn(async move {
            match tls {
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        serve(stream, daemon).await;
                    }
                }
                None => serve(stream, daemon).await,
            }
        });
    }
}

/// One connection: requests answered in turn until the client closes it.
async fn serve(stream: impl AsyncRead + AsyncWrite + Unpin, daemon: Arc<Daemon>) {
    let mut stream = BufReader::new(stream);
    loop {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            match stream.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        if stream.read_exact(&mut body).await.is_err() {
            return;
        }
        let mut words = head.split_whitespace();
        let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        let (status, answer) = daemon.answer(method, target, &body).await;
        let reason = match status {
            200 => "OK",
            201 => "Created",
            204 => "No Content",
            304 => "Not Modified",
            404 => "Not Found",
            409 => "Conflict",
            _ => "Internal Server Error",
        };
        let text = if status == 204 || status == 304 {
            String::new()
        } else {
            answer.to_string()
        };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        let stream = stream.get_mut();
        if stream.write_all(response.as_bytes()).await.is_err() || stream.flush().await.is_err() {
            return;
        }
    }
}

fn message(text: String) -> Value {
    json!({ "message": text })
}

impl Daemon {
    async fn answer(&self, method: &str, target: &str, body: &[u8]) -> (u16, Value) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        // `/v1.41/containers/…` → `/containers/…`
        let path = match path.strip_prefix("/v1.") {
            Some(rest) => rest.find('/').map_or(path, |at| &rest[at..]),
            None => path,
        };
        let mut delay = self.latency.per_call;
        let parts: Vec<&str> = path.trim_start_matches('/').splitn(3, '/').collect();
        if method == "POST" && parts.len() == 3 && parts[0] == "containers" && parts[2] == "start" {
            delay += self.latency.start;
        }
        {
            let mut busy = self.counters.busy_micros.lock().unwrap();
            busy[self.index] += delay.as_micros() as u64;
        }
        tokio::time::sleep(delay).await;
        match (method, parts.as_slice()) {
            ("GET", ["version"]) => (
                200,
                json!({"ApiVersion": "1.41", "MinAPIVersion": "1.12", "Version": "20.10.99-simulated", "Os": "linux", "Arch": "amd64"}),
            ),
            ("GET", ["_ping"]) => (200, json!("OK")),
            ("GET", ["images", ..]) if path.ends_with("/json") => {
                let name = &path["/images/".len()..path.len() - "/json".len()];
                (200, json!({"Id": image_id(name), "RepoTags": [name]}))
            }
            ("POST", ["containers", "create"]) => self.create(query, body),
            ("GET", ["containers", name, "json"]) => self.with(name, |c| (200, inspect(c))),
            ("POST", ["containers", name, "start"]) => self.with(name, |c| {
                if c.running {
                    return (304, Value::Null);
                }
                c.running = true;
                c.pid = 1000 + (c.id.len() as u32);
                c.started_at = Some(now());
                (204, Value::Null)
            }),
            ("POST", ["containers", name, "stop" | "kill"]) => self.with(name, |c| {
                if !c.running {
                    return (304, Value::Null);
                }
                c.running = false;
                c.exit_code = if parts[2] == "kill" { 137 } else { 0 };
                c.finished_at = Some(now());
                (204, Value::Null)
            }),
            ("GET", ["containers", name, "top"]) => self.with(name, |c| {
                if c.running {
                    (
                        200,
                        json!({"Titles": ["PID"], "Processes": [[c.pid.to_string()]]}),
                    )
                } else {
                    (409, message(format!("container {} is not running", c.name)))
                }
            }),
            ("POST", ["containers", name, "wait"]) => self.wait(name).await,
            ("DELETE", ["containers", name]) => {
                let mut state = self.state.lock().unwrap();
                match resolve(&state, name) {
                    Some(name) => {
                        if let Some(c) = state.containers.remove(&name) {
                            state.ids.remove(&c.id);
                        }
                        (204, Value::Null)
                    }
                    None => (404, message(format!("No such container: {name}"))),
                }
            }
            _ => {
                self.counters.unexpected.fetch_add(1, Ordering::Relaxed);
                (
                    500,
                    message(format!(
                        "the simulated daemon does not implement {method} {path}"
                    )),
                )
            }
        }
    }

    fn create(&self, query: &str, body: &[u8]) -> (u16, Value) {
        let Some(name) = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("name="))
            .map(str::to_string)
        else {
            return (500, message("a create without a name".into()));
        };
        let spec: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let mut state = self.state.lock().unwrap();
        if state.containers.contains_key(&name) {
            return (
                409,
                message(format!(
                    "Conflict. The container name \"/{name}\" is already in use"
                )),
            );
        }
        state.next += 1;
        let id = format!("{:016x}{:048x}", self.index, state.next);
        let container = Container {
            id: id.clone(),
            name: name.clone(),
            image: spec["Image"].as_str().unwrap_or("").to_string(),
            labels: spec["Labels"].clone(),
            running: false,
            pid: 0,
            exit_code: 0,
            started_at: None,
            finished_at: None,
        };
        state.ids.insert(id.clone(), name.clone());
        state.containers.insert(name, container);
        (201, json!({"Id": id, "Warnings": []}))
    }

    /// Runs `act` on the container `name` (or ID); 404 when there is none.
    fn with(&self, name: &str, act: impl FnOnce(&mut Container) -> (u16, Value)) -> (u16, Value) {
        let mut state = self.state.lock().unwrap();
        match resolve(&state, name) {
            Some(name) => act(state.containers.get_mut(&name).expect("resolved")),
            None => (404, message(format!("No such container: {name}"))),
        }
    }

    /// Answers once the container is not running (they only stop when told to).
    async fn wait(&self, name: &str) -> (u16, Value) {
        loop {
            let stopped = {
                let state = self.state.lock().unwrap();
                match resolve(&state, name) {
                    None => return (404, message(format!("No such container: {name}"))),
                    Some(name) => {
                        let c = &state.containers[&name];
                        (!c.running).then_some(c.exit_code)
                    }
                }
            };
            if let Some(code) = stopped {
                return (200, json!({"StatusCode": code}));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A container's name from its name or ID.
fn resolve(state: &State, name: &str) -> Option<String> {
    if state.containers.contains_key(name) {
        return Some(name.to_string());
    }
    state.ids.get(name).cloned()
}

fn inspect(c: &Container) -> Value {
    let status = match (c.running, &c.started_at) {
        (true, _) => "running",
        (false, Some(_)) => "exited",
        (false, None) => "created",
    };
    json!({
        "Id": c.id,
        "Name": format!("/{}", c.name),
        "Image": image_id(&c.image),
        "RestartCount": 0,
        "State": {
            "Status": status,
            "Running": c.running,
            "Pid": if c.running { c.pid } else { 0 },
            "ExitCode": c.exit_code,
            "Error": "",
            "StartedAt": c.started_at.clone().unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
            "FinishedAt": c.finished_at.clone().unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
        },
        "Config": {"Image": c.image, "Labels": c.labels},
        "NetworkSettings": {"Networks": {}},
    })
}

/// A stable image ID for a reference.
fn image_id(reference: &str) -> String {
    use sha2::Digest;
    format!("sha256:{:x}", sha2::Sha256::digest(reference.as_bytes()))
}

/// Now, as Docker writes it: RFC 3339 in UTC with nanoseconds.
fn now() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since.as_secs() as i64;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:09}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_nanos()
    )
}

/// A CA and a server certificate for 127.0.0.1 (by the openssl CLI, into `dir`): the
/// CA's path, and an acceptor presenting the certificate.
fn certificates(dir: &Path) -> (std::path::PathBuf, tokio_rustls::TlsAcceptor) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let run = |args: &[&str]| {
        let status = std::process::Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("the openssl CLI runs");
        assert!(status.success(), "openssl {args:?} failed");
    };
    let key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    run(&[
        &[
            "req",
            "-new",
            "-x509",
            "-days",
            "30",
            "-subj",
            "/CN=simulated CA",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
        ][..],
        &key[..],
    ]
    .concat());
    run(&[
        &[
            "req",
            "-new",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server-key.pem",
            "-out",
            "server.csr",
        ][..],
        &key[..],
    ]
    .concat());
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca-key.pem",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .expect("server.pem")
        .map(|c| c.expect("a certificate"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("server-key.pem")).expect("server-key.pem");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a server certificate");
    (
        dir.join("ca.pem"),
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    )
}

/// An environment file over the simulation's ships: `services` services of `instances`
/// instances each, spread over the ships in turn; every service but each tenth requires
/// the one before it (chains of ten, as deep as real dependency trees get).
pub fn environment(
    simulation: &Simulation,
    name: &str,
    services: usize,
    instances: usize,
) -> String {
    use std::fmt::Write as _;
    let mut text = format!("__maestro: {{schema: 2}}\nname: {name}\nships:\n");
    for (index, ship) in simulation.ships.iter().enumerate() {
        let _ = write!(
            text,
            "  s{index}: {{ip: 127.0.0.1, docker_port: {}, timeout: 30",
            ship.port
        );
        if ship.tls {
            let ca = simulation.ca.as_ref().expect("a CA for the TLS ships");
            let _ = write!(
                text,
                ", tls: true, tls_verify: true, tls_ca_cert: {}",
                ca.display()
            );
        }
        text.push_str("}\n");
    }
    text.push_str("services:\n");
    let ships = simulation.ships.len();
    for service in 0..services {
        let _ = writeln!(
            text,
            "  svc{service}:\n    image: maestro-test/busybox:latest"
        );
        if service % 10 != 0 {
            let _ = writeln!(text, "    requires: [svc{}]", service - 1);
        }
        text.push_str("    instances:\n");
        for instance in 0..instances {
            let ship = (service * instances + instance) % ships;
            let _ = writeln!(text, "      svc{service}-{instance}: {{ship: s{ship}}}");
        }
    }
    text
}
