//! Problems found in an environment file, each with its place (file, line, column) and
//! the path of keys that leads to it, e.g.
//! `maestro.yaml:14:9: services.kafka.instances.kafka-1.ship: unknown ship "vm9"`.
//! Also the typed readers the validator uses, which record a problem instead of failing.

use super::yaml::{Node, Pos, Value};
use std::fmt;

/// One problem, or one warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub pos: Pos,
    /// Dotted key path, e.g. `services.kafka.instances.kafka-1.ship`; may be empty.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.pos)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// A plugin the file names (a check type that is not built in, an env generator), and
/// where: looked for with the file's other problems when it has some.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedPlugin {
    pub name: String,
    pub world: crate::plugin::World,
    pub pos: Pos,
    pub path: String,
}

/// Collects every problem of one validation run.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub file: String,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub named_plugins: Vec<NamedPlugin>,
}

/// Builds `parent.child`.
pub fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

impl Diagnostics {
    pub fn new(file: &str) -> Diagnostics {
        Diagnostics {
            file: file.to_string(),
            ..Diagnostics::default()
        }
    }

    pub fn error(&mut self, pos: Pos, path: &str, message: impl Into<String>) {
        self.errors.push(Diagnostic {
            file: self.file.clone(),
            pos,
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// Records that the file names plugin `name` as a `world` at `pos`.
    pub fn name_plugin(&mut self, name: &str, world: crate::plugin::World, pos: Pos, path: &str) {
        self.named_plugins.push(NamedPlugin {
            name: name.to_string(),
            world,
            pos,
            path: path.to_string(),
        });
    }

    pub fn warn(&mut self, pos: Pos, path: &str, message: impl Into<String>) {
        self.warnings.push(Diagnostic {
            file: self.file.clone(),
            pos,
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn expected(&mut self, node: &Node, path: &str, what: &str) {
        self.error(
            node.pos,
            path,
            format!("expected {what}, found {}", describe(node)),
        );
    }

    /// The entries of a mapping; `null` is an empty mapping.
    pub fn mapping<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
    ) -> Option<Vec<(String, &'n Node, &'n Node)>> {
        match &node.value {
            Value::Null => Some(Vec::new()),
            Value::Map(entries) => Some(
                entries
                    .iter()
                    .map(|(k, v)| (k.key_text().unwrap_or_else(|| "null".into()), k, v))
                    .collect(),
            ),
            _ => {
                self.expected(node, path, "a mapping");
                None
            }
        }
    }

    /// The fields of a mapping, warning about keys not in `known`.
    pub fn fields<'n>(&mut self, node: &'n Node, path: &str, known: &[&str]) -> Fields<'n> {
        let entries = self.mapping(node, path).unwrap_or_default();
        for (key, key_node, _) in &entries {
            if !known.contains(&key.as_str()) {
                let hint = super::suggest::did_you_mean(key, known.iter().copied());
                self.warn(
                    key_node.pos,
                    &join(path, key),
                    format!("unknown key, ignored{hint}"),
                );
            }
        }
        Fields {
            pos: node.pos,
            path: path.to_string(),
            entries,
        }
    }

    /// A string; numbers and booleans are accepted and written as Python would print them.
    pub fn text(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => {
                let text = if *b { "True" } else { "False" };
                self.warn(node.pos, path, format!("read as the boolean {b} and used as {text:?} (YAML 1.1 reads yes/no/on/off as booleans): quote it to mean the word"));
                node.python_str()
            }
            Value::Int(_) | Value::Float(_) => {
                if let Some((written, read)) = node.converted() {
                    self.warn(
                        node.pos,
                        path,
                        format!("`{written}` unquoted is read by YAML 1.1 as the number {read} and used as {read:?}: quote it to mean {written:?}"),
                    );
                }
                node.python_str()
            }
            _ => {
                self.expected(node, path, "a string");
                None
            }
        }
    }

    /// `text` for a secret (a password): the same warnings, never quoting the value.
    pub fn secret_text(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Int(_) | Value::Float(_) | Value::Bool(_)
                if node.converted().is_some() || matches!(node.value, Value::Bool(_)) =>
            {
                self.warn(
                    node.pos,
                    path,
                    "unquoted, YAML 1.1 read it as a number or a boolean and changed it (leading zeros, 0x, `:`, yes/no…): quote it",
                );
                node.python_str()
            }
            Value::Int(_) | Value::Float(_) => node.python_str(),
            _ => self.text(node, path),
        }
    }

    /// A non-empty string with no surrounding blanks, for names and addresses.
    pub fn name(&mut self, node: &Node, path: &str) -> Option<String> {
        let text = self.text(node, path)?;
        if text.trim().is_empty() || text.trim() != text {
            self.error(
                node.pos,
                path,
                format!("{text:?} is not a valid name (empty, or blanks around it)"),
            );
            return None;
        }
        Some(text)
    }

    pub fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            Value::Null => Some(false),
            _ => {
                self.expected(node, path, "true or false");
                None
            }
        }
    }

    /// A whole number within `min..=max`; digit strings are accepted.
    pub fn integer(&mut self, node: &Node, path: &str, min: i128, max: i128) -> Option<i128> {
        let value = match &node.value {
            Value::Int(i) => Some(*i),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        };
        match value {
            Some(v) if (min..=max).contains(&v) => Some(v),
            Some(v) => {
                self.error(
                    node.pos,
                    path,
                    format!("{v} is out of range ({min} to {max})"),
                );
                None
            }
            None => {
                self.expected(node, path, "a whole number");
                None
            }
        }
    }

    /// A number of seconds (whole or not).
    pub fn seconds(&mut self, node: &Node, path: &str) -> Option<f64> {
        match node.value {
            Value::Int(i) if i >= 0 => Some(i as f64),
            Value::Float(f) if f >= 0.0 && f.is_finite() => Some(f),
            _ => {
                self.expected(node, path, "a number of seconds");
                None
            }
        }
    }

    /// A string or a list of strings (MaestroNG accepts both for `requires`, `dns`…).
    pub fn texts(&mut self, node: &Node, path: &str) -> Vec<String> {
        match &node.value {
            Value::Null => Vec::new(),
            Value::Seq(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| self.text(item, &format!("{path}[{i}]")))
                .collect(),
            _ => self.text(node, path).into_iter().collect(),
        }
    }
}

/// How a node is described in "expected X, found Y".
fn describe(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("the string {s:?}"),
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => {
            format!("the boolean {b} (YAML 1.1 reads yes/no/on/off as booleans: quote it)")
        }
        Value::Int(_) | Value::Float(_) => format!("the number {}", node.python_repr()),
        _ => node.type_name().to_string(),
    }
}

/// The entries of one mapping, looked up by key.
pub struct Fields<'n> {
    pub pos: Pos,
    pub path: String,
    pub entries: Vec<(String, &'n Node, &'n Node)>,
}

impl<'n> Fields<'n> {
    /// The value of `key` and its path, if present.
    pub fn get(&self, key: &str) -> Option<(&'n Node, String)> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, v)| (*v, join(&self.path, key)))
    }

    /// The value of `key` when present and not null.
    pub fn some(&self, key: &str) -> Option<(&'n Node, String)> {
        self.get(key).filter(|(v, _)| !v.is_null())
    }

    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, k, _)| k.pos)
    }

    /// Records a missing required key and returns `None`.
    pub fn required(&self, diags: &mut Diagnostics, key: &str) -> Option<(&'n Node, String)> {
        let found = self.some(key);
        if found.is_none() {
            // A mistyped key next to the missing one is probably it.
            let written = self.entries.iter().map(|(k, _, _)| k.as_str());
            let hint = match super::suggest::closest(key, written) {
                Some(typo) => {
                    let pos = self.key_pos(typo).unwrap_or(self.pos);
                    format!(
                        " (`{typo}` at line {}, column {} is probably it)",
                        pos.line, pos.col
                    )
                }
                None => String::new(),
            };
            diags.error(
                self.pos,
                &self.path,
                format!("missing required key {key:?}{hint}"),
            );
        }
        found
    }
}

/// The options of a typed entry (a check, an auditor): every key but `reserved`, as JSON.
/// Keys outside `known` are errors (or warnings when `strict` is false); each of
/// `required` must be present and not null. Returns the options and whether all was well.
pub struct OptionRules<'a> {
    /// What the entry is, for messages: `the tcp check`.
    pub what: &'a str,
    pub reserved: &'a [&'a str],
    pub known: &'a [&'a str],
    pub required: &'a [&'a str],
    pub strict: bool,
}

pub fn options(
    diags: &mut Diagnostics,
    node: &Node,
    path: &str,
    entries: &[(String, &Node, &Node)],
    rules: &OptionRules,
) -> (serde_json::Map<String, serde_json::Value>, bool) {
    let mut options = serde_json::Map::new();
    let mut ok = true;
    for (key, key_node, value) in entries {
        if rules.reserved.contains(&key.as_str()) {
            continue;
        }
        if !rules.known.contains(&key.as_str()) {
            let hint = if key == "cmd" {
                " (the key is `command`)"
            } else {
                ""
            };
            let message = format!(
                "unknown option of {}{hint}; known: {}",
                rules.what,
                rules.known.join(", ")
            );
            if rules.strict {
                diags.error(key_node.pos, &join(path, key), message);
                ok = false;
            } else {
                diags.warn(
                    key_node.pos,
                    &join(path, key),
                    format!("{message}; ignored"),
                );
            }
            continue;
        }
        options.insert(key.clone(), value.to_json());
    }
    for key in rules.required {
        if options.get(*key).is_none_or(|v| v.is_null()) {
            diags.error(node.pos, path, format!("{} needs {key:?}", rules.what));
            ok = false;
        }
    }
    (options, ok)
}

/// The items of a list, or the node itself when it is not a list.
pub fn items<'n>(node: &'n Node, path: &str) -> Vec<(&'n Node, String)> {
    match &node.value {
        Value::Null => Vec::new(),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (item, format!("{path}[{i}]")))
            .collect(),
        _ => vec![(node, path.to_string())],
    }
}
