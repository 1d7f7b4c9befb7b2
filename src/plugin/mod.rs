//! `plugin`: the WebAssembly plugin host, the only module that uses wasmtime.
//!
//! One `Host` per run: one engine (pooling allocator, epoch interruption), one
//! linker, the compiled-component cache. `Host::load` turns a component into a
//! `Plugin`: compiled (or taken from the cache), its world found from its exports,
//! its imports checked against what the environment file grants, pre-instantiated.
//! Every call then gets a fresh store, memory limits, a CPU budget, a wall-clock
//! timeout and its own task; whatever the plugin does, the call ends with a value or
//! a `CallError` that names the plugin, and maestro goes on.

mod bindings;
mod cache;
pub mod discovery;
mod exec;
pub mod policy;
mod state;
mod types;

pub use cache::{CacheState, sha256_hex};
pub use exec::ContainerRunner;
pub use policy::{Capability, Grants, Reach};
pub use types::{AuthRequest, Cluster, Completion, LogLine, Login, Member, Outcome, Port, Target};

use bindings::{credentials, generate, probe};
use cache::Cache;
use state::{Allowances, State, truncate};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wasmtime::component::{InstancePre, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

/// The built-in plugins, embedded by build.rs.
mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_plugins.rs"));
}

/// The names of the built-in checks.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    builtin::BUILTIN.iter().map(|(name, _)| *name)
}

/// The component of a built-in check.
pub fn builtin_component(name: &str) -> Option<&'static [u8]> {
    builtin::BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

/// How often the epoch advances: the granularity of CPU budgets and yields.
const TICK: Duration = Duration::from_millis(10);
/// The default memory limit of a plugin.
pub const DEFAULT_MEMORY: u64 = 256 << 20;
/// The largest memory limit a grant may ask for.
pub const MAX_MEMORY: u64 = 2 << 30;
/// The longest an error or reason from a plugin may be when shown.
const MAX_REASON: usize = 512;

/// What a plugin is for, found from its exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum World {
    Check,
    Auth,
    EnvGenerator,
}

impl World {
    pub const ALL: [World; 3] = [World::Check, World::Auth, World::EnvGenerator];

    pub fn name(self) -> &'static str {
        match self {
            World::Check => "check",
            World::Auth => "auth",
            World::EnvGenerator => "env-generator",
        }
    }

    /// The world with its article, for messages: `a check plugin`, `an auth plugin`.
    pub fn described(self) -> &'static str {
        match self {
            World::Check => "a check plugin",
            World::Auth => "an auth plugin",
            World::EnvGenerator => "an env-generator plugin",
        }
    }

    /// The interface a plugin of this world exports.
    fn export(self) -> &'static str {
        match self {
            World::Check => "probe",
            World::Auth => "credentials",
            World::EnvGenerator => "generator",
        }
    }
}

/// Where a plugin came from.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "kebab-case")]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

/// A loaded plugin, ready to be called.
pub struct Plugin {
    pub name: String,
    pub origin: Origin,
    pub world: World,
    pub version: String,
    pub sha256: String,
    pub size: usize,
    pub imports: Vec<String>,
    pub grants: Grants,
    pub cache: CacheState,
    pre: InstancePre<State>,
    entry: Entry,
}

/// The export a plugin's world calls, looked up (and type-checked) once at load.
enum Entry {
    Probe(probe::GuestIndices),
    Credentials(credentials::GuestIndices),
    Generate(generate::GuestIndices),
}

/// Why a plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("plugin `{name}`: cannot read {path}: {source}")]
    Read {
        name: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("plugin `{name}`: its sha256 is {actual}, but the environment file pins {pinned}")]
    Pin {
        name: String,
        actual: String,
        pinned: String,
    },
    #[error("plugin `{name}`: not a valid WebAssembly component: {cause}")]
    Compile { name: String, cause: String },
    #[error("plugin `{name}`: {problem}")]
    Refused { name: String, problem: String },
}

/// Why a call did not produce a value. Each names the plugin.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("plugin `{plugin}` did not answer within {seconds:.1}s")]
    Timeout { plugin: String, seconds: f64 },
    #[error(
        "plugin `{plugin}` computed for more than {seconds:.1}s without answering (an endless loop?)"
    )]
    Cpu { plugin: String, seconds: f64 },
    #[error("plugin `{plugin}` ran out of memory (limit {limit_mb} MB)")]
    Memory { plugin: String, limit_mb: u64 },
    #[error("plugin `{plugin}` crashed: {reason}")]
    Trap { plugin: String, reason: String },
    #[error("plugin `{plugin}` was denied: {what} (it may reach only {reach})")]
    Denied {
        plugin: String,
        what: String,
        reach: String,
    },
    #[error("plugin `{plugin}` is not {} (it is {})", .expected.described(), .actual.described())]
    WrongWorld {
        plugin: String,
        expected: World,
        actual: World,
    },
    #[error("plugin `{plugin}`: {reason}")]
    Host { plugin: String, reason: String },
}

/// A call's value and what the plugin logged meanwhile.
#[derive(Debug)]
pub struct Report<T> {
    pub value: T,
    pub logs: Vec<LogLine>,
}

/// The limits of one call.
#[derive(Clone, Debug)]
pub struct CallLimits {
    /// Wall-clock time for the whole call.
    pub timeout: Duration,
}

/// What a check call may reach and use.
#[derive(Clone, Default)]
pub struct CheckContext {
    pub reach: Reach,
    pub container_runner: Option<Arc<dyn ContainerRunner>>,
}

/// The configuration of a host.
#[derive(Clone, Debug, Default)]
pub struct HostConfig {
    /// Where compiled components are kept; `None` compiles every time.
    pub cache_dir: Option<PathBuf>,
}

/// The plugin host. Cheap to clone; calls may run concurrently.
#[derive(Clone)]
pub struct Host {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<State>,
    cache: Cache,
    ticker: Arc<AtomicBool>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.ticker.store(true, Ordering::Relaxed);
    }
}

impl Host {
    pub fn new(config: HostConfig) -> Result<Host, String> {
        let engine = engine().map_err(|e| format!("cannot start the plugin engine: {e}"))?;
        let linker = linker(&engine).map_err(|e| format!("cannot link plugin imports: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        {
            let engine = engine.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("maestro-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(TICK);
                        engine.increment_epoch();
                    }
                })
                .map_err(|e| format!("cannot start the plugin clock: {e}"))?;
        }
        Ok(Host {
            inner: Arc::new(Inner {
                engine,
                linker,
                cache: Cache::new(config.cache_dir),
                ticker: stop,
            }),
        })
    }

    /// The host of a command: compiled components cached in the user's cache directory.
    pub fn with_user_cache() -> Result<Host, String> {
        Host::new(HostConfig {
            cache_dir: Cache::default_dir(),
        })
    }

    /// Loads a plugin from its component bytes and checks it against its grants.
    pub fn load(
        &self,
        name: &str,
        origin: Origin,
        bytes: &[u8],
        grants: Grants,
    ) -> Result<Arc<Plugin>, LoadError> {
        let sha256 = sha256_hex(bytes);
        if let Some(pinned) = &grants.sha256
            && !pinned.eq_ignore_ascii_case(&sha256)
        {
            return Err(LoadError::Pin {
                name: name.to_string(),
                actual: sha256,
                pinned: pinned.clone(),
            });
        }
        let compiled = self.inner.cache.load(&self.inner.engine, bytes, &sha256);
        self.finish_load(name, origin, sha256, bytes.len(), compiled, grants)
    }

    /// Checks and pre-instantiates a compiled component.
    fn finish_load(
        &self,
        name: &str,
        origin: Origin,
        sha256: String,
        size: usize,
        compiled: wasmtime::Result<(wasmtime::component::Component, CacheState)>,
        grants: Grants,
    ) -> Result<Arc<Plugin>, LoadError> {
        let engine = &self.inner.engine;
        let (component, cache) = compiled.map_err(|e| LoadError::Compile {
            name: name.to_string(),
            cause: first_line(&e),
        })?;
        let refuse = |problem: String| LoadError::Refused {
            name: name.to_string(),
            problem,
        };
        let ty = component.component_type();
        let exports: Vec<String> = ty.exports(engine).map(|(n, _)| n.to_string()).collect();
        let imports: Vec<String> = ty.imports(engine).map(|(n, _)| n.to_string()).collect();
        let (world, version) = world_of(&exports).map_err(refuse)?;
        check_imports(&imports, &grants).map_err(refuse)?;
        let pre = self.inner.linker.instantiate_pre(&component).map_err(|e| {
            refuse(format!(
                "it needs an import maestro does not provide: {}",
                first_line(&e)
            ))
        })?;
        let wrong_export = |e: wasmtime::Error| {
            refuse(format!(
                "its {} export does not match maestro:plugin@{}: {}",
                world.export(),
                policy::VERSION,
                first_line(&e)
            ))
        };
        let entry = match world {
            World::Check => Entry::Probe(probe::GuestIndices::new(&pre).map_err(wrong_export)?),
            World::Auth => {
                Entry::Credentials(credentials::GuestIndices::new(&pre).map_err(wrong_export)?)
            }
            World::EnvGenerator => {
                Entry::Generate(generate::GuestIndices::new(&pre).map_err(wrong_export)?)
            }
        };
        Ok(Arc::new(Plugin {
            name: name.to_string(),
            origin,
            world,
            version,
            sha256,
            size,
            imports,
            grants,
            cache,
            pre,
            entry,
        }))
    }

    /// Loads a plugin file.
    pub fn load_file(
        &self,
        name: &str,
        path: PathBuf,
        grants: Grants,
    ) -> Result<Arc<Plugin>, LoadError> {
        // A file seen before (same path, size, time and inode) whose compiled form is
        // cached loads without being read: its content hash is remembered. A pinned
        // plugin is always read and hashed.
        if grants.sha256.is_none()
            && let Some((sha256, size)) = self.inner.cache.remembered(&path)
            && let Some(hit) = self.inner.cache.cached(&self.inner.engine, &sha256)
        {
            return self.finish_load(name, Origin::File(path), sha256, size, Ok(hit), grants);
        }
        let bytes = std::fs::read(&path).map_err(|source| LoadError::Read {
            name: name.to_string(),
            path: path.clone(),
            source,
        })?;
        let plugin = self.load(name, Origin::File(path.clone()), &bytes, grants)?;
        self.inner.cache.remember(&path, &plugin.sha256);
        Ok(plugin)
    }

    /// Loads a built-in check.
    pub fn load_builtin(&self, name: &str) -> Option<Result<Arc<Plugin>, LoadError>> {
        let bytes = builtin_component(name)?;
        Some(self.load(name, Origin::Builtin, bytes, Grants::builtin(name)))
    }

    /// One attempt of a check.
    pub async fn probe(
        &self,
        plugin: &Arc<Plugin>,
        target: &Target,
        context: CheckContext,
        limits: CallLimits,
    ) -> Result<Report<Outcome>, CallError> {
        let allowances = Allowances {
            capabilities: plugin.grants.capabilities.clone(),
            reach: context.reach,
            read: plugin.grants.read.clone(),
            memory: memory_of(plugin),
            // Only `exec` hands the environment to a program; other checks read it
            // from the target, so the copy is made only where it is used.
            container_env: if plugin.grants.capabilities.contains(&Capability::Exec) {
                target.env.clone()
            } else {
                Vec::new()
            },
            container_runner: context.container_runner,
            http_timeout: limits.timeout,
        };
        let request = Request::Probe(bindings::target(target));
        match self
            .call(plugin, World::Check, allowances, limits, request)
            .await?
        {
            (Response::Probe(outcome), logs) => Ok(Report {
                value: match bindings::outcome(outcome) {
                    Outcome::NotReady(r) => Outcome::NotReady(truncate(&r, MAX_REASON)),
                    Outcome::Failed(r) => Outcome::Failed(truncate(&r, MAX_REASON)),
                    Outcome::Ready => Outcome::Ready,
                },
                logs,
            }),
            _ => unreachable!("a probe request answers with a probe response"),
        }
    }

    /// Credentials for a pull, from an auth plugin.
    pub async fn credentials(
        &self,
        plugin: &Arc<Plugin>,
        request: &AuthRequest,
        limits: CallLimits,
    ) -> Result<Report<Option<Login>>, CallError> {
        let allowances = self.quiet_allowances(plugin, &limits);
        let request = Request::Credentials(bindings::auth_request(request));
        match self
            .call(plugin, World::Auth, allowances, limits, request)
            .await?
        {
            (Response::Credentials(Ok(login)), logs) => Ok(Report {
                value: login.map(bindings::login),
                logs,
            }),
            (Response::Credentials(Err(reason)), _) => Err(CallError::Host {
                plugin: plugin.name.clone(),
                reason: truncate(&reason, MAX_REASON),
            }),
            _ => unreachable!("a credentials request answers with credentials"),
        }
    }

    /// Extra environment variables for a container, from an env generator.
    pub async fn generate(
        &self,
        plugin: &Arc<Plugin>,
        cluster: &Cluster,
        limits: CallLimits,
    ) -> Result<Report<Vec<(String, String)>>, CallError> {
        let allowances = self.quiet_allowances(plugin, &limits);
        let request = Request::Generate(bindings::cluster(cluster));
        match self
            .call(plugin, World::EnvGenerator, allowances, limits, request)
            .await?
        {
            (Response::Generate(Ok(vars)), logs) => Ok(Report {
                value: bindings::generated(vars),
                logs,
            }),
            (Response::Generate(Err(reason)), _) => Err(CallError::Host {
                plugin: plugin.name.clone(),
                reason: truncate(&reason, MAX_REASON),
            }),
            _ => unreachable!("a generate request answers with variables"),
        }
    }

    /// Auth and env-generator plugins get no network and no container.
    fn quiet_allowances(&self, plugin: &Plugin, limits: &CallLimits) -> Allowances {
        Allowances {
            capabilities: plugin.grants.capabilities.clone(),
            reach: Reach::none(),
            read: plugin.grants.read.clone(),
            memory: memory_of(plugin),
            container_env: Vec::new(),
            container_runner: None,
            http_timeout: limits.timeout,
        }
    }

    /// Runs one call in its own task, with a fresh store and every limit.
    async fn call(
        &self,
        plugin: &Arc<Plugin>,
        expected: World,
        allowances: Allowances,
        limits: CallLimits,
        request: Request,
    ) -> Result<(Response, Vec<LogLine>), CallError> {
        if plugin.world != expected {
            return Err(CallError::WrongWorld {
                plugin: plugin.name.clone(),
                expected,
                actual: plugin.world,
            });
        }
        let name = plugin.name.clone();
        let host_error = |reason: String| CallError::Host {
            plugin: name.clone(),
            reason,
        };
        let memory_limit = allowances.memory as u64;
        let reach = allowances.reach.describe();
        let state = State::new(allowances).map_err(|e| host_error(first_line(&e)))?;
        let journal = state.journal.clone();
        let mut store = Store::new(&self.inner.engine, state);
        store.limiter(|s| &mut s.limits);
        // Below the wall-clock limit, so that a plugin that computes without end is
        // named as such rather than as merely slow.
        let cpu_ticks = (limits.timeout.as_millis() * 9 / 10 / TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |mut ctx| {
            let state = ctx.data_mut();
            state.cpu_ticks += 1;
            if state.cpu_ticks > cpu_ticks {
                Err(wasmtime::Error::new(CpuExhausted))
            } else {
                Ok(wasmtime::UpdateDeadline::Yield(1))
            }
        });
        let called = plugin.clone();
        let task = tokio::spawn(async move {
            let result = run(&mut store, &called, request).await;
            let memory_exhausted = store.data().limits_hit();
            (result, memory_exhausted)
        });
        let abort = task.abort_handle();
        let outcome = tokio::time::timeout(limits.timeout, task).await;
        let logs = journal.take_logs();
        let denials = journal.denials();
        let (result, memory_exhausted) = match outcome {
            Err(_) => {
                abort.abort();
                return Err(CallError::Timeout {
                    plugin: plugin.name.clone(),
                    seconds: limits.timeout.as_secs_f64(),
                });
            }
            Ok(Err(join)) => return Err(host_error(format!("the call's task failed: {join}"))),
            Ok(Ok(done)) => done,
        };
        if let Some(what) = denials.into_iter().next() {
            return Err(CallError::Denied {
                plugin: plugin.name.clone(),
                what,
                reach,
            });
        }
        match result {
            Ok(response) => Ok((response, logs)),
            Err(e) if e.downcast_ref::<CpuExhausted>().is_some() => Err(CallError::Cpu {
                plugin: plugin.name.clone(),
                seconds: limits.timeout.as_secs_f64(),
            }),
            Err(_) if memory_exhausted => Err(CallError::Memory {
                plugin: plugin.name.clone(),
                limit_mb: memory_limit >> 20,
            }),
            Err(e) => Err(CallError::Trap {
                plugin: plugin.name.clone(),
                reason: truncate(&trap_reason(&e), MAX_REASON),
            }),
        }
    }
}

/// A request to one of the three worlds.
enum Request {
    Probe(bindings::types::Target),
    Credentials(credentials::Request),
    Generate(generate::Cluster),
}

enum Response {
    Probe(probe::Outcome),
    Credentials(Result<Option<credentials::Login>, String>),
    Generate(Result<Vec<bindings::types::Variable>, String>),
}

async fn run(
    store: &mut Store<State>,
    plugin: &Plugin,
    request: Request,
) -> wasmtime::Result<Response> {
    let instance = plugin.pre.instantiate_async(&mut *store).await?;
    Ok(match (request, &plugin.entry) {
        (Request::Probe(target), Entry::Probe(indices)) => {
            let guest = indices.load(&mut *store, &instance)?;
            Response::Probe(guest.call_probe(&mut *store, &target).await?)
        }
        (Request::Credentials(request), Entry::Credentials(indices)) => {
            let guest = indices.load(&mut *store, &instance)?;
            Response::Credentials(guest.call_credentials(&mut *store, &request).await?)
        }
        (Request::Generate(cluster), Entry::Generate(indices)) => {
            let guest = indices.load(&mut *store, &instance)?;
            Response::Generate(guest.call_generate(&mut *store, &cluster).await?)
        }
        _ => wasmtime::bail!("the request does not match the plugin's world"),
    })
}

/// The epoch callback's error when a call used up its CPU budget.
#[derive(Debug)]
struct CpuExhausted;

impl std::fmt::Display for CpuExhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CPU budget exhausted")
    }
}

impl std::error::Error for CpuExhausted {}

fn memory_of(plugin: &Plugin) -> usize {
    plugin
        .grants
        .memory
        .unwrap_or(DEFAULT_MEMORY)
        .min(MAX_MEMORY) as usize
}

/// The world a component implements, from its exports, and its interface version.
fn world_of(exports: &[String]) -> Result<(World, String), String> {
    for world in World::ALL {
        let found = exports
            .iter()
            .find(|e| policy::interface_name(e) == Some(world.export()));
        if let Some(export) = found {
            let version = policy::interface_version(export).unwrap_or("").to_string();
            if version != policy::VERSION {
                return Err(format!(
                    "it implements {}@{version}, but this maestro supports {}@{}",
                    policy::PACKAGE,
                    policy::PACKAGE,
                    policy::VERSION
                ));
            }
            return Ok((world, version));
        }
    }
    let expected: Vec<String> = World::ALL
        .iter()
        .map(|w| {
            format!(
                "{}/{}@{} ({})",
                policy::PACKAGE,
                w.export(),
                policy::VERSION,
                w.name()
            )
        })
        .collect();
    let found = if exports.is_empty() {
        "nothing".to_string()
    } else {
        exports.join(", ")
    };
    Err(format!(
        "it does not implement a maestro world: it should export one of {}; it exports {found}",
        expected.join(", ")
    ))
}

/// Refuses imports of capabilities that were not granted.
fn check_imports(imports: &[String], grants: &Grants) -> Result<(), String> {
    for import in imports {
        if let Some(capability) = Capability::of_import(import)
            && !grants.capabilities.contains(&capability)
        {
            return Err(format!(
                "it imports {import}, the `{capability}` capability, which is not granted \
                 (grant it with `plugins: {{NAME: {{grant: [{capability}]}}}}` in the environment file)"
            ));
        }
    }
    Ok(())
}

/// The first line of an error chain, for messages.
fn first_line(e: &wasmtime::Error) -> String {
    let text = format!("{e:#}");
    text.lines().next().unwrap_or("").to_string()
}

/// What a trap says, without wasmtime's backtrace.
fn trap_reason(e: &wasmtime::Error) -> String {
    if let Some(trap) = e.downcast_ref::<wasmtime::Trap>() {
        return format!("wasm trap: {trap}");
    }
    first_line(e)
}

fn engine() -> wasmtime::Result<Engine> {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(1000)
        .total_core_instances(5000)
        .total_memories(1000)
        .total_tables(2000)
        .total_stacks(1000)
        .max_memory_size(MAX_MEMORY as usize)
        .table_elements(100_000)
        .max_core_instance_size(16 << 20)
        .max_component_instance_size(16 << 20)
        .max_core_instances_per_component(100)
        .max_memories_per_component(20)
        .max_tables_per_component(100)
        // Reuse warm slots by clearing their first pages instead of unmapping them:
        // a check attempt is an instantiation, so this is on the hot path.
        .linear_memory_keep_resident(1 << 20)
        .table_keep_resident(1 << 16);
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .epoch_interruption(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config)
}

fn linker(engine: &Engine) -> wasmtime::Result<Linker<State>> {
    use wasmtime::component::HasSelf;
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    bindings::types::add_to_linker::<State, HasSelf<State>>(&mut linker, |s| s)?;
    bindings::log::add_to_linker::<State, HasSelf<State>>(&mut linker, |s| s)?;
    bindings::exec::add_to_linker::<State, HasSelf<State>>(&mut linker, |s| s)?;
    bindings::container_exec::add_to_linker::<State, HasSelf<State>>(&mut linker, |s| s)?;
    Ok(linker)
}
