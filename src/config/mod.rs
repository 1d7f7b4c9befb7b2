//! Loading an environment file: read (`-f FILE` or `-f -`), render the Jinja template,
//! parse the YAML, validate into a `model::Environment`. Thin IO around pure steps;
//! every error names the file, line, column and key.

pub mod audit;
pub mod diagnostics;
pub mod envfile;
pub mod grammar;
pub mod input;
pub mod instance;
pub mod jinja2;
pub mod lifecycle;
pub mod plugins;
pub mod render;
pub mod services;
pub mod ships;
pub mod suggest;
pub mod validate;
pub mod yaml;

pub use diagnostics::{Diagnostic, NamedPlugin};
pub use validate::Validated;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The text of an environment file and where it came from.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name used in messages: the path as given, or `<stdin>`.
    pub name: String,
    pub text: String,
    /// Where includes, envfiles and TLS files are looked up.
    pub base_dir: PathBuf,
}

/// Why an environment file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    Read {
        file: String,
        cause: input::InputError,
    },
    Template {
        file: String,
        error: render::TemplateError,
    },
    Yaml {
        file: String,
        error: yaml::YamlError,
    },
    Invalid {
        file: String,
        errors: Vec<Diagnostic>,
        warnings: Vec<Diagnostic>,
        /// The plugins the file names, for looking them up with its other problems.
        named_plugins: Vec<NamedPlugin>,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Read {
                file,
                cause: input::InputError::NotFound,
            } => write!(f, "{file}: environment file not found"),
            LoadError::Read { file, cause } => write!(f, "{file}: the environment file {cause}"),
            LoadError::Template { error, .. } => match error.line {
                Some(line) => write!(
                    f,
                    "{}:{line}: template error: {}",
                    error.template, error.message
                ),
                None => write!(f, "{}: template error: {}", error.template, error.message),
            },
            LoadError::Yaml { file, error } => {
                write!(f, "{file}:{}: invalid YAML: {}", error.pos, error.message)
            }
            LoadError::Invalid { file, errors, .. } => {
                for e in errors {
                    writeln!(f, "{e}")?;
                }
                let s = if errors.len() == 1 { "" } else { "s" };
                write!(f, "{} problem{s} found in {file}", errors.len())
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads `-f FILE`, or standard input for `-` (bounded: see `input`).
pub fn read_source(file: &str) -> Result<Source, LoadError> {
    let read_error = |cause| LoadError::Read {
        file: file.to_string(),
        cause,
    };
    if file == "-" {
        let text = input::read_stdin().map_err(|cause| LoadError::Read {
            file: "<stdin>".into(),
            cause,
        })?;
        let base_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        return Ok(Source {
            name: "<stdin>".into(),
            text,
            base_dir,
        });
    }
    let text = input::read_file(Path::new(file)).map_err(read_error)?;
    let base_dir = match Path::new(file).parent() {
        Some(p) => p.to_path_buf(),
        None => PathBuf::new(),
    };
    Ok(Source {
        name: file.to_string(),
        text,
        base_dir,
    })
}

/// Renders and parses a source into its YAML tree (no validation).
pub fn parse(source: &Source, vars: &BTreeMap<String, String>) -> Result<yaml::Node, LoadError> {
    let template_name = Path::new(&source.name)
        .file_name()
        .map_or(source.name.clone(), |n| n.to_string_lossy().into_owned());
    let rendered =
        render::render(&source.text, &template_name, &source.base_dir, vars).map_err(|error| {
            LoadError::Template {
                file: source.name.clone(),
                error: render::TemplateError {
                    template: if error.template == template_name {
                        source.name.clone()
                    } else {
                        error.template.clone()
                    },
                    ..error
                },
            }
        })?;
    yaml::parse(&rendered).map_err(|error| LoadError::Yaml {
        file: source.name.clone(),
        error,
    })
}

/// Renders, parses and validates a source, keeping the parsed document too.
pub fn load_document(
    source: &Source,
    vars: &BTreeMap<String, String>,
) -> Result<(yaml::Node, Validated), LoadError> {
    let doc = parse(source, vars)?;
    let validated = validate::validate(&doc, &source.name, &source.base_dir).map_err(|d| {
        LoadError::Invalid {
            file: source.name.clone(),
            errors: d.errors,
            warnings: d.warnings,
            named_plugins: d.named_plugins,
        }
    })?;
    Ok((doc, validated))
}

/// Renders, parses and validates a source.
pub fn load_source(
    source: &Source,
    vars: &BTreeMap<String, String>,
) -> Result<Validated, LoadError> {
    load_document(source, vars).map(|(_, validated)| validated)
}

/// The process environment, as the template's `env`.
pub fn process_vars() -> BTreeMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// Reads, renders, parses and validates `-f FILE`.
pub fn load(file: &str) -> Result<Validated, LoadError> {
    load_source(&read_source(file)?, &process_vars())
}
