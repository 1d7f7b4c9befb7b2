//! A plugin call's store data: the deny-by-default WASI context, the HTTP policy,
//! the memory limits, the journal of what the plugin logged and tried, and the host
//! side of maestro's own imports (`log`, `exec`, `container-exec`).

use super::bindings::{self, container_exec, exec, log, types};
use super::exec::{ContainerRunner, run_local};
use super::policy::{Capability, Reach};
use super::types::LogLine;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::sockets::SocketAddrUse;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

/// The most lines a plugin may log in one call, and the longest line kept.
const MAX_LOG_LINES: usize = 100;
const MAX_LOG_LINE: usize = 1000;

/// What a plugin logged and tried during one call, shared with the socket policy.
#[derive(Debug, Default)]
pub struct Journal {
    logs: Mutex<Vec<LogLine>>,
    dropped_logs: Mutex<usize>,
    denials: Mutex<Vec<String>>,
}

impl Journal {
    fn log(&self, level: &'static str, message: &str) {
        let mut logs = self.logs.lock().unwrap_or_else(|e| e.into_inner());
        if logs.len() >= MAX_LOG_LINES {
            *self.dropped_logs.lock().unwrap_or_else(|e| e.into_inner()) += 1;
            return;
        }
        logs.push(LogLine {
            level,
            message: truncate(message, MAX_LOG_LINE),
        });
    }

    fn deny(&self, what: String) {
        let mut denials = self.denials.lock().unwrap_or_else(|e| e.into_inner());
        if denials.len() < 10 && !denials.contains(&what) {
            denials.push(what);
        }
    }

    /// The logged lines, with a last line counting those dropped.
    pub fn take_logs(&self) -> Vec<LogLine> {
        let mut logs = std::mem::take(&mut *self.logs.lock().unwrap_or_else(|e| e.into_inner()));
        let dropped = *self.dropped_logs.lock().unwrap_or_else(|e| e.into_inner());
        if dropped > 0 {
            logs.push(LogLine {
                level: "warn",
                message: format!("{dropped} more lines were dropped"),
            });
        }
        logs
    }

    /// What the plugin tried and was denied.
    pub fn denials(&self) -> Vec<String> {
        self.denials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes cut)", &text[..end], text.len() - end)
}

/// Everything a call may use beyond pure computation.
pub struct Allowances {
    pub capabilities: BTreeSet<Capability>,
    pub reach: Reach,
    pub read: Vec<std::path::PathBuf>,
    pub memory: usize,
    /// The checked container's environment, for `exec`.
    pub container_env: Vec<(String, String)>,
    /// Runs commands in the checked container, for `container-exec`.
    pub container_runner: Option<Arc<dyn ContainerRunner>>,
    /// The longest an HTTP connection or response may take.
    pub http_timeout: Duration,
}

/// The data of one call's store.
pub struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: HttpPolicy,
    table: ResourceTable,
    pub limits: MemoryLimit,
    pub journal: Arc<Journal>,
    capabilities: BTreeSet<Capability>,
    container_env: Vec<(String, String)>,
    container_runner: Option<Arc<dyn ContainerRunner>>,
    /// Epoch ticks seen while the plugin was computing: its CPU time, roughly.
    pub cpu_ticks: u64,
}

impl State {
    pub fn new(allowances: Allowances) -> wasmtime::Result<State> {
        let journal = Arc::new(Journal::default());
        let reach = Arc::new(allowances.reach);
        let mut wasi = WasiCtxBuilder::new();
        wasi.allow_tcp(reach.address.is_some())
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        {
            let reach = reach.clone();
            let journal = journal.clone();
            wasi.socket_addr_check(move |addr, use_| {
                let allowed = socket_allowed(&reach, addr, use_);
                if !allowed {
                    journal.deny(socket_denial(addr, use_));
                }
                Box::pin(async move { allowed })
            });
        }
        for dir in &allowances.read {
            let guest = dir.to_string_lossy().into_owned();
            wasi.preopened_dir(dir, guest, FsPerms::ReadOnly)?;
        }
        let limits = MemoryLimit {
            bytes: allowances.memory,
            exceeded: false,
        };
        Ok(State {
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            hooks: HttpPolicy {
                reach,
                journal: journal.clone(),
                timeout: allowances.http_timeout,
            },
            table: ResourceTable::new(),
            limits,
            journal,
            capabilities: allowances.capabilities,
            container_env: allowances.container_env,
            container_runner: allowances.container_runner,
            cpu_ticks: 0,
        })
    }
}

impl State {
    /// Did the plugin try to grow its memory past the limit?
    pub fn limits_hit(&self) -> bool {
        self.limits.exceeded
    }
}

/// The memory limit of a call; growing past it traps, and is remembered so the
/// failure can say so.
pub struct MemoryLimit {
    bytes: usize,
    exceeded: bool,
}

/// The most table elements a plugin may have (CPython's tables are large).
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

impl wasmtime::ResourceLimiter for MemoryLimit {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.bytes {
            self.exceeded = true;
            wasmtime::bail!("memory limit of {} MB reached", self.bytes >> 20);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

fn socket_allowed(reach: &Reach, addr: SocketAddr, use_: SocketAddrUse) -> bool {
    match use_ {
        // Every connect first binds the wildcard address to an ephemeral port.
        SocketAddrUse::TcpBind => addr.ip().is_unspecified() && addr.port() == 0,
        SocketAddrUse::TcpConnect => reach.allows_connect(addr),
        _ => false,
    }
}

fn socket_denial(addr: SocketAddr, use_: SocketAddrUse) -> String {
    match use_ {
        SocketAddrUse::TcpConnect => format!("connect to {addr}"),
        SocketAddrUse::TcpBind => format!("bind {addr}"),
        SocketAddrUse::TcpListen => format!("listen on {addr}"),
        _ => format!("UDP with {addr}"),
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// Lets HTTP requests through to the target's address and ports only.
struct HttpPolicy {
    reach: Arc<Reach>,
    journal: Arc<Journal>,
    timeout: Duration,
}

type ResponseFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<wasmtime_wasi_http::WasiBody>,
                Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for HttpPolicy {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> ResponseFuture {
        let uri = request.uri();
        let tls = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        let host = uri.host().unwrap_or("").to_string();
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        if !self.reach.allows_http(&host, port) {
            self.journal.deny(format!("HTTP request to {host}:{port}"));
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        let cap = |d: Option<Duration>| Some(d.map_or(self.timeout, |d| d.min(self.timeout)));
        let options = wasmtime_wasi_http::RequestOptions {
            connect_timeout: cap(options.and_then(|o| o.connect_timeout)),
            first_byte_timeout: cap(options.and_then(|o| o.first_byte_timeout)),
            between_bytes_timeout: cap(options.and_then(|o| o.between_bytes_timeout)),
        };
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) =
                wasmtime_wasi_http::default_send_request(request, Some(options)).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

impl types::Host for State {}

impl log::Host for State {
    async fn write(&mut self, level: log::Level, message: String) {
        self.journal.log(bindings::level(level), &message);
    }
}

impl exec::Host for State {
    async fn run(
        &mut self,
        command: Vec<String>,
        delivery: exec::EnvDelivery,
    ) -> Result<types::Completion, String> {
        if !self.capabilities.contains(&Capability::Exec) {
            return Err("the exec capability is not granted to this plugin".to_string());
        }
        let as_stdin = matches!(delivery, exec::EnvDelivery::StdinJson);
        let done = run_local(&command, &self.container_env, as_stdin).await?;
        Ok(bindings::completion(&done))
    }
}

impl container_exec::Host for State {
    async fn run(&mut self, command: Vec<String>) -> Result<types::Completion, String> {
        if !self.capabilities.contains(&Capability::ContainerExec) {
            return Err("the container-exec capability is not granted to this plugin".to_string());
        }
        let Some(runner) = self.container_runner.clone() else {
            return Err("this call has no container to run commands in".to_string());
        };
        let done = runner.run(command).await?;
        Ok(bindings::completion(&done))
    }
}
