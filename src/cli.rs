//! The command line, MaestroNG-compatible: the same commands, flags and defaults.
//! Declarations only; `commands` does the work.

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
pub use maestro_guest::cli::GuestFunction;

/// Orchestrates Docker containers across many hosts from a MaestroNG environment file.
#[derive(Debug, Parser)]
#[command(
    name = "maestro",
    version = crate::version::LONG,
    disable_version_flag = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Read the environment description from FILE (- for stdin)
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        default_value = "maestro.yaml",
        global = true
    )]
    pub file: String,

    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,

    /// Look for plugins in DIR first (repeatable; then MAESTRO_PLUGIN_PATH, the
    /// plugins/ folder beside the environment file, $XDG_DATA_HOME/maestro/plugins)
    #[arg(long = "plugin-dir", value_name = "DIR", global = true)]
    pub plugin_dirs: Vec<std::path::PathBuf>,

    /// When to use colours
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,

    /// How a play's progress is shown: `auto` (live on a terminal, else `final`),
    /// `tty` (rows rewritten in place), `final` (one line per container once it is
    /// final, in row order), `plain` (a line per change)
    #[arg(long, value_enum, default_value_t = ProgressChoice::Auto, global = true, value_name = "MODE")]
    pub progress: ProgressChoice,

    /// Show check attempts and plugin log lines under their container
    #[arg(short = 'V', long, global = true)]
    pub verbose: bool,

    /// Show the program version and exit
    #[arg(short = 'v', long = "version", action = ArgAction::Version)]
    pub version: Option<bool>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProgressChoice {
    Auto,
    Tty,
    Final,
    Plain,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Display container status
    Status(StatusArgs),
    /// Start services and containers
    Start(StartArgs),
    /// Stop services and containers
    Stop(StopArgs),
    /// Kill services and containers
    Kill(StopArgs),
    /// Restart services and containers
    Restart(RestartArgs),
    /// Pull container images from registry
    Pull(PullArgs),
    /// Cleanup and remove stopped containers
    Clean(PullArgs),
    /// Show the logs of containers (several: prefixed with their names)
    Logs(LogsArgs),
    /// Display the service dependency tree
    Deptree(DeptreeArgs),
    /// Dump the environment and every container's settings as JSON
    Dump(DumpArgs),
    /// Check the environment file and report every problem
    Validate,
    /// Shell auto-completion helper
    Complete(CompleteArgs),
    /// Print a shell completion script (bash, zsh or fish)
    Completion(CompletionArgs),
    /// Guest functions for scripts inside containers
    Guest(GuestArgs),
    /// List and inspect WebAssembly plugins (checks, auth providers, env generators)
    Plugins(PluginsArgs),
    /// Show the version, the commit, the wasmtime and the plugin WIT package (also --json)
    Version,
    /// Print maestro's manual page (roff): `maestro man > maestro.1`; with a command,
    /// that command's page (`maestro man start > maestro-start.1`)
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct PluginsArgs {
    #[command(subcommand)]
    pub command: PluginsCommand,
}

#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// List the built-in plugins and those found on the search path
    List,
    /// Show a plugin's world, imports, grants and cache state
    Inspect {
        /// The plugin's name (a check type, or NAME of NAME.wasm)
        name: String,
    },
}

/// The containers or services to act on.
#[derive(Debug, Args, Clone, Default)]
pub struct Things {
    /// Container(s) or service(s) to act on
    #[arg(value_name = "thing")]
    pub things: Vec<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Concurrency {
    /// Limit how many containers can be acted on at the same time
    #[arg(short = 'c', long = "concurrency", value_name = "LIMIT", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// Include dependencies
    #[arg(short = 'd', long = "with-dependencies")]
    pub with_dependencies: bool,
    /// Ignore dependency order
    #[arg(short = 'i', long = "ignore-dependencies")]
    pub ignore_dependencies: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Filters {
    /// Filter for container names (fnmatch semantics)
    #[arg(
        short = 'C',
        long = "container-filter",
        value_name = "CONTAINER_FILTER"
    )]
    pub container_filter: Option<String>,
    /// Filter for container names by ship name (fnmatch semantics)
    #[arg(short = 'S', long = "ship-filter", value_name = "SHIP_FILTER")]
    pub ship_filter: Option<String>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Expand {
    /// Expand service names to containers
    #[arg(short = 's', long = "expand-services")]
    pub expand_services: bool,
    /// No arguments means all containers
    #[arg(short = 'a', long = "all")]
    pub all: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Refresh {
    /// Force refresh of container images from registry
    #[arg(short = 'r', long = "refresh-images", conflicts_with = "reuse")]
    pub refresh_images: bool,
    /// Reuse existing container if it exists
    #[arg(long)]
    pub reuse: bool,
    /// Take over containers of an instance's name that maestro did not create (no
    /// label, e.g. MaestroNG's): they are replaced by this environment's
    #[arg(long)]
    pub adopt: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub things: Things,
    #[command(flatten)]
    pub concurrency: Concurrency,
    #[command(flatten)]
    pub filters: Filters,
    /// Show full status with port state
    #[arg(short = 'F', long)]
    pub full: bool,
    /// Show hostnames instead of ships names
    #[arg(short = 'H', long = "show-hosts")]
    pub show_hosts: bool,
}

#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub things: Things,
    #[command(flatten)]
    pub concurrency: Concurrency,
    #[command(flatten)]
    pub refresh: Refresh,
    #[command(flatten)]
    pub filters: Filters,
}

#[derive(Debug, Args)]
pub struct StopArgs {
    #[command(flatten)]
    pub things: Things,
    #[command(flatten)]
    pub concurrency: Concurrency,
    #[command(flatten)]
    pub expand: Expand,
    #[command(flatten)]
    pub filters: Filters,
}

#[derive(Debug, Args)]
pub struct RestartArgs {
    #[command(flatten)]
    pub things: Things,
    #[command(flatten)]
    pub concurrency: Concurrency,
    #[command(flatten)]
    pub expand: Expand,
    #[command(flatten)]
    pub refresh: Refresh,
    #[command(flatten)]
    pub filters: Filters,
    /// Delay, in seconds, between each container
    #[arg(long = "step-delay", value_name = "STEP_DELAY", default_value_t = 0)]
    pub step_delay: u64,
    /// Delay, in seconds, between stopping and starting each container
    #[arg(
        long = "stop-start-delay",
        value_name = "STOP_START_DELAY",
        default_value_t = 0
    )]
    pub stop_start_delay: u64,
    /// Only restart if the container image was updated
    #[arg(long = "only-if-changed")]
    pub only_if_changed: bool,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    #[command(flatten)]
    pub things: Things,
    #[command(flatten)]
    pub concurrency: Concurrency,
    #[command(flatten)]
    pub filters: Filters,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub things: Things,
    /// Follow logs as they are generated
    #[arg(short = 'F', long)]
    pub follow: bool,
    /// Only show the last LINES lines for logs
    #[arg(short = 'n', value_name = "LINES")]
    pub lines: Option<u64>,
    /// Show the daemon's timestamp of every line
    #[arg(short = 't', long)]
    pub timestamps: bool,
}

#[derive(Debug, Args)]
pub struct DeptreeArgs {
    #[command(flatten)]
    pub things: Things,
    /// Show dependencies recursively (possible duplicates)
    #[arg(short = 'r', long)]
    pub recursive: bool,
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    #[command(flatten)]
    pub things: Things,
    /// Also include the parsed configuration
    #[arg(short = 'c', long)]
    pub config: bool,
}

#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// The command line so far, the word being completed last
    #[arg(
        value_name = "tokens",
        allow_hyphen_values = true,
        trailing_var_arg = true
    )]
    pub tokens: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to print a completion script for
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
pub struct GuestArgs {
    #[command(subcommand)]
    pub function: GuestFunction,
}
