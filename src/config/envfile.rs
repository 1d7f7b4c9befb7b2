//! User-given environment variables: `envfile` files (Docker's `KEY=VALUE` format) and
//! `env` mappings, merged in MaestroNG's order (later sources win, lists are flattened and
//! joined with spaces, values written as Python's `str()` would).
//!
//! Fixed MaestroNG bugs: a blank line in an envfile is skipped instead of fatal, and
//! `env: [A=1, B=2]` sets variables instead of looking for a file named `A=1`.

use super::diagnostics::{Diagnostics, Fields, items};
use super::yaml::{Node, Value};
use crate::model::{EnvMap, EnvValue};
use std::path::Path;

/// Why one line of an envfile was refused: where, never what (an envfile holds secrets,
/// and a path mistaken for one may be any file).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line} is not KEY=VALUE (its text is not shown: it may be a secret)")]
pub struct EnvFileError {
    pub line: usize,
}

/// Parses an envfile: each line is stripped and split at the first `=` (spaces around it are
/// kept, as docker-py keeps them); blank lines and lines starting with `#` are skipped.
pub fn parse_env_file(text: &str) -> Result<Vec<(String, String)>, EnvFileError> {
    let mut vars = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('=') {
            Some((key, value)) if !key.is_empty() => {
                vars.push((key.to_string(), value.to_string()))
            }
            _ => {
                return Err(EnvFileError { line: i + 1 });
            }
        }
    }
    Ok(vars)
}

/// A YAML value as the string Docker receives: lists flattened and joined by spaces,
/// scalars as Python's `str()`, null as a bare `KEY`.
pub fn env_value(node: &Node) -> EnvValue {
    match &node.value {
        Value::Null => None,
        Value::Seq(_) => {
            let mut parts = Vec::new();
            flatten(node, &mut parts);
            Some(parts.join(" "))
        }
        _ => node.python_str(),
    }
}

fn flatten(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|item| flatten(item, out)),
        _ => out.push(node.python_str().unwrap_or_else(|| "None".into())),
    }
}

/// The variables an entry's `envfile` then `env` keys give (later wins).
pub fn user_env(diags: &mut Diagnostics, base_dir: &Path, fields: &Fields) -> EnvMap {
    let mut env = EnvMap::new();
    merge_sources(
        diags,
        base_dir,
        fields.some("envfile"),
        fields.some("env"),
        &mut env,
    );
    env
}

/// Merges `envfile` (a path or a list of paths, relative to `base_dir`) then `env`
/// into `into`, recording every problem.
pub fn merge_sources(
    diags: &mut Diagnostics,
    base_dir: &Path,
    envfile: Option<(&Node, String)>,
    env: Option<(&Node, String)>,
    into: &mut EnvMap,
) {
    if let Some((node, path)) = envfile {
        for (item, item_path) in items(node, &path) {
            if let Some(file) = diags.text(item, &item_path) {
                read_env_file(diags, base_dir, &file, item, &item_path, into);
            }
        }
    }
    let Some((node, path)) = env else { return };
    match &node.value {
        Value::Seq(_) => {
            for (item, item_path) in items(node, &path) {
                let Some(text) = diags.text(item, &item_path) else {
                    continue;
                };
                match text.split_once('=') {
                    Some((key, value)) if !key.is_empty() => {
                        into.insert(key.to_string(), Some(value.to_string()));
                    }
                    _ => {
                        diags.warn(
                            item.pos,
                            &item_path,
                            format!("{text:?} has no '=': read as an envfile name, as MaestroNG did; use `envfile:` for files"),
                        );
                        read_env_file(diags, base_dir, &text, item, &item_path, into);
                    }
                }
            }
        }
        _ => {
            if let Some(entries) = diags.mapping(node, &path) {
                for (key, _, value) in entries {
                    if let Some((written, read)) = value.converted() {
                        diags.warn(
                            value.pos,
                            &super::diagnostics::join(&path, &key),
                            format!("`{written}` unquoted is read by YAML 1.1 as the number {read}, and the container gets {read:?}: quote it to pass {written:?}"),
                        );
                    }
                    into.insert(key, env_value(value));
                }
            }
        }
    }
}

fn read_env_file(
    diags: &mut Diagnostics,
    base_dir: &Path,
    file: &str,
    node: &Node,
    path: &str,
    into: &mut EnvMap,
) {
    let full = base_dir.join(file);
    match super::input::read_file(&full) {
        Ok(text) => match parse_env_file(&text) {
            Ok(vars) => into.extend(vars.into_iter().map(|(k, v)| (k, Some(v)))),
            Err(e) => diags.error(
                node.pos,
                path,
                format!("invalid envfile {}: {e}", full.display()),
            ),
        },
        Err(e) => diags.error(node.pos, path, format!("envfile {} {e}", full.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_parse_like_docker_py() {
        let vars = |t: &str| parse_env_file(t).unwrap();
        assert_eq!(
            vars("A=1\nB=x=y"),
            [("A".into(), "1".into()), ("B".into(), "x=y".into())]
        );
        assert_eq!(vars("# c\nA=1"), [("A".into(), "1".into())]);
        assert_eq!(vars("SPACED = v w"), [("SPACED ".into(), " v w".into())]);
        // Fixed: blank lines and indented comments no longer abort the whole run.
        assert_eq!(
            vars("A=1\n\nB=2\n  # indented\n"),
            [("A".into(), "1".into()), ("B".into(), "2".into())]
        );
        assert_eq!(
            parse_env_file("A=1\nnot a pair\n").unwrap_err().to_string(),
            "line 2 is not KEY=VALUE (its text is not shown: it may be a secret)"
        );
    }

    #[test]
    fn values_are_written_as_python_would() {
        let node = crate::config::yaml::parse(
            "{A: '1', LIST: [a, [b, c]], N: 42, B: true, NONE: null, F: 1.5, Y: yes}",
        )
        .unwrap();
        let got: Vec<(String, EnvValue)> = node
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.key_text().unwrap(), env_value(v)))
            .collect();
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            got,
            [
                ("A".into(), s("1")),
                ("LIST".into(), s("a b c")),
                ("N".into(), s("42")),
                ("B".into(), s("True")),
                ("NONE".into(), None),
                ("F".into(), s("1.5")),
                ("Y".into(), s("True")),
            ]
        );
    }
}
