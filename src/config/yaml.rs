//! YAML text → a spanned document tree, read the way PyYAML's safe loader (YAML 1.1) reads it:
//! `yes`/`no`/`on`/`off` are booleans, `010` is octal, `1:30` is base 60, anchors and aliases
//! are resolved, merge keys (`<<`) are applied and a key written twice in one mapping is an
//! error. Every node keeps the line and column it was written at. Owns no file IO.

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// A place in the YAML text: line and column, both counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    fn of(span: &Span) -> Pos {
        Pos {
            line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
            col: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// One YAML value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
    /// The text of an unquoted scalar that YAML 1.1 read as a number (`012345` is
    /// 5349): kept to warn where it was probably meant as text.
    pub written: Option<Box<str>>,
}

/// The typed content of a node (YAML 1.1 core types; dates stay text).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// Why a YAML text could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

impl Node {
    /// The text of a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Looks a key up in a mapping by its Python `str()` form.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.key_text().as_deref() == Some(key))
            .map(|(_, v)| v)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The text a mapping key stands for, as Python's `str()` would give it (`None` for `null`).
    pub fn key_text(&self) -> Option<String> {
        self.python_str()
    }

    /// When an unquoted scalar was read as a number whose text differs from what was
    /// written (`012345` → `5349`, `1.10` → `1.1`, `0x1F` → `31`): both forms.
    pub fn converted(&self) -> Option<(&str, String)> {
        let written = self.written.as_deref()?;
        let read = self.python_str()?;
        (read != written).then_some((written, read))
    }

    /// Python's `str()` of the value PyYAML would have built; `None` for null.
    pub fn python_str(&self) -> Option<String> {
        match &self.value {
            Value::Null => None,
            Value::Str(s) => Some(s.clone()),
            _ => Some(self.python_repr()),
        }
    }

    /// Python's `repr()` of the value PyYAML would have built.
    pub fn python_repr(&self) -> String {
        match &self.value {
            Value::Null => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => python_float(*f),
            Value::Str(s) => python_quote(s),
            Value::Seq(items) => {
                let inner: Vec<String> = items.iter().map(Node::python_repr).collect();
                format!("[{}]", inner.join(", "))
            }
            Value::Map(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.python_repr(), v.python_repr()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }

    /// The value as JSON (check options and auditor settings are handed on as JSON;
    /// `dump -c` prints the document this way).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => i64::try_from(*i)
                .map(J::from)
                .unwrap_or_else(|_| J::String(i.to_string())),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.key_text().unwrap_or_else(|| "null".into()), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A short word for the node's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Python's `repr()` of a float: the shortest digits that read back, in Python's layout.
pub fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        return format!(
            "{sign}{first}{frac}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
    let point = exp + 1;
    if point <= 0 {
        let zeros = "0".repeat(usize::try_from(-point).unwrap_or(0));
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = usize::try_from(point).unwrap_or(0);
    if digits.len() <= point {
        format!("{sign}{digits}{}.0", "0".repeat(point - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

fn python_quote(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Reads one YAML document. An empty text is `null`, as in PyYAML.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let mut builder = Builder {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        depth: 0,
        size: Size::default(),
    };
    builder.document()
}

/// How deep collections may nest, and how many nodes and bytes of scalar text a document
/// may expand to (an alias counts again, whole, each time it is used): bounds that stop
/// hostile input early.
pub const MAX_DEPTH: usize = 200;
pub const MAX_NODES: usize = 2_000_000;
pub const MAX_TEXT_BYTES: usize = 32 << 20;

/// What a document (or one anchored node) expands to.
#[derive(Clone, Copy, Debug, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
}

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    /// Each anchor's node and what it expands to.
    anchors: HashMap<usize, (Node, Size)>,
    depth: usize,
    size: Size,
}

/// A mapping key's identity as a Python dict sees it: `1`, `1` and `true` are one key,
/// the text `'1'` another.
#[derive(Hash, PartialEq, Eq)]
enum KeyId {
    Text(String),
    Number(i128),
    Null,
    Other(String),
}

impl KeyId {
    fn of(key: &Node) -> KeyId {
        match &key.value {
            Value::Str(s) => KeyId::Text(s.clone()),
            Value::Int(i) => KeyId::Number(*i),
            Value::Bool(b) => KeyId::Number(i128::from(*b)),
            Value::Null => KeyId::Null,
            _ => KeyId::Other(key.python_repr()),
        }
    }
}

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        match self.parser.next_event() {
            Some(Ok(event)) => Ok(event),
            Some(Err(e)) => Err(YamlError {
                pos: Pos {
                    line: u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
                    col: u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
                },
                message: e.info().to_string(),
            }),
            None => Err(YamlError {
                pos: Pos::default(),
                message: "unexpected end of the YAML stream".into(),
            }),
        }
    }

    fn document(&mut self) -> Result<Node, YamlError> {
        let mut root = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::DocumentStart(_) if root.is_some() => {
                    return Err(YamlError {
                        pos: Pos::of(&span),
                        message: "expected a single document, found a second one".into(),
                    });
                }
                Event::DocumentStart(_) => root = Some(self.node()?),
                Event::StreamEnd => {
                    return Ok(root.unwrap_or(Node {
                        pos: Pos { line: 1, col: 1 },
                        value: Value::Null,
                        written: None,
                    }));
                }
                _ => {
                    return Err(YamlError {
                        pos: Pos::of(&span),
                        message: "unexpected YAML event outside a document".into(),
                    });
                }
            }
        }
    }

    /// Reads the node that starts with the next event.
    fn node(&mut self) -> Result<Node, YamlError> {
        let (event, span) = self.next()?;
        self.node_from(event, span)
    }

    fn count(&mut self, add: Size, pos: Pos) -> Result<(), YamlError> {
        self.size.nodes = self.size.nodes.saturating_add(add.nodes);
        self.size.bytes = self.size.bytes.saturating_add(add.bytes);
        let message = if self.size.nodes > MAX_NODES {
            format!("the document expands to more than {MAX_NODES} values (aliases included)")
        } else if self.size.bytes > MAX_TEXT_BYTES {
            format!(
                "the document expands to more than {} MiB of text (aliases included)",
                MAX_TEXT_BYTES >> 20
            )
        } else {
            return Ok(());
        };
        Err(YamlError { pos, message })
    }

    fn node_from(&mut self, event: Event<'a>, span: Span) -> Result<Node, YamlError> {
        let pos = Pos::of(&span);
        if matches!(event, Event::SequenceStart(..) | Event::MappingStart(..)) {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(YamlError {
                    pos,
                    message: format!("collections nest deeper than {MAX_DEPTH} levels"),
                });
            }
        }
        let first = self.size;
        let mut text_bytes = 0;
        let (node, anchor) = match event {
            Event::Alias(id) => {
                let (node, size) = self.anchors.get(&id).cloned().ok_or(YamlError {
                    pos,
                    message: "found an alias to an unknown anchor".into(),
                })?;
                self.count(size, pos)?;
                // The alias stands where it is written, so errors point at the use.
                return Ok(Node { pos, ..node });
            }
            Event::Scalar(text, style, anchor, tag) => {
                text_bytes = text.len();
                let value = resolve_scalar(&text, style, tag.as_deref(), pos)?;
                let converted = style == ScalarStyle::Plain
                    && tag.is_none()
                    && matches!(value, Value::Int(_) | Value::Float(_));
                (
                    Node {
                        pos,
                        value,
                        written: converted.then(|| text.as_ref().into()),
                    },
                    anchor,
                )
            }
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "seq", pos)?;
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node_from(event, span)?);
                }
                (
                    Node {
                        pos,
                        value: Value::Seq(items),
                        written: None,
                    },
                    anchor,
                )
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "map", pos)?;
                (
                    Node {
                        pos,
                        value: Value::Map(self.mapping()?),
                        written: None,
                    },
                    anchor,
                )
            }
            _ => {
                return Err(YamlError {
                    pos,
                    message: "unexpected YAML event".into(),
                });
            }
        };
        if matches!(node.value, Value::Seq(_) | Value::Map(_)) {
            self.depth -= 1;
        }
        self.count(
            Size {
                nodes: 1,
                bytes: text_bytes,
            },
            pos,
        )?;
        if anchor != 0 {
            let size = Size {
                nodes: self.size.nodes - first.nodes,
                bytes: self.size.bytes - first.bytes,
            };
            self.anchors.insert(anchor, (node.clone(), size));
        }
        Ok(node)
    }

    /// Reads a mapping's entries, applying merge keys and rejecting duplicate keys, in
    /// time linear in its size.
    fn mapping(&mut self) -> Result<Vec<(Node, Node)>, YamlError> {
        let mut explicit: Vec<(Node, Node)> = Vec::new();
        let mut written: HashMap<KeyId, usize> = HashMap::new();
        let mut merged = Merged::default();
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let is_merge =
                matches!(&event, Event::Scalar(t, ScalarStyle::Plain, _, None) if t == "<<");
            let key = self.node_from(event, span)?;
            let value = self.node()?;
            if is_merge {
                merged.add(value)?;
                continue;
            }
            if let Some(&index) = written.get(&KeyId::of(&key)) {
                let first = &explicit[index].0;
                return Err(YamlError {
                    pos: key.pos,
                    message: format!(
                        "found duplicate key {} (first written at line {}, column {})",
                        key.python_repr(),
                        first.pos.line,
                        first.pos.col
                    ),
                });
            }
            written.insert(KeyId::of(&key), explicit.len());
            explicit.push((key, value));
        }
        for (key, value) in merged.entries {
            if !written.contains_key(&KeyId::of(&key)) {
                explicit.push((key, value));
            }
        }
        Ok(explicit)
    }
}

/// The entries merge keys (`<<`) bring into a mapping; the first source to give a key
/// wins, as in PyYAML.
#[derive(Default)]
struct Merged {
    entries: Vec<(Node, Node)>,
    keys: HashSet<KeyId>,
}

impl Merged {
    /// Adds the entries of a merge value: a mapping or a list of mappings.
    fn add(&mut self, value: Node) -> Result<(), YamlError> {
        let sources = match value.value {
            Value::Map(entries) => vec![entries],
            Value::Seq(items) => {
                let mut maps = Vec::new();
                for item in items {
                    match item.value {
                        Value::Map(entries) => maps.push(entries),
                        _ => return Err(merge_error(item.pos)),
                    }
                }
                maps
            }
            _ => return Err(merge_error(value.pos)),
        };
        for (key, value) in sources.into_iter().flatten() {
            if self.keys.insert(KeyId::of(&key)) {
                self.entries.push((key, value));
            }
        }
        Ok(())
    }
}

fn merge_error(pos: Pos) -> YamlError {
    YamlError {
        pos,
        message: "a merge key (<<) takes a mapping or a list of mappings".into(),
    }
}

fn check_collection_tag(tag: Option<&Tag>, expected: &str, pos: Pos) -> Result<(), YamlError> {
    match tag {
        None => Ok(()),
        Some(t) if is_core(t) && t.suffix == expected => Ok(()),
        Some(t) => Err(unsupported_tag(t, pos)),
    }
}

fn is_core(tag: &Tag) -> bool {
    tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!"
}

fn unsupported_tag(tag: &Tag, pos: Pos) -> YamlError {
    YamlError {
        pos,
        message: format!(
            "unsupported YAML tag {}{} (only the safe core tags are read)",
            tag.handle, tag.suffix
        ),
    }
}

fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    pos: Pos,
) -> Result<Value, YamlError> {
    if let Some(tag) = tag {
        if !is_core(tag) {
            return Err(unsupported_tag(tag, pos));
        }
        let bad = |what: &str| YamlError {
            pos,
            message: format!("{text:?} is not a valid {what}"),
        };
        return match tag.suffix.as_str() {
            "str" => Ok(Value::Str(text.to_string())),
            "int" => int_value(text).map(Value::Int).ok_or_else(|| bad("!!int")),
            "float" => float_value(text)
                .or_else(|| int_value(text).map(|i| i as f64))
                .map(Value::Float)
                .ok_or_else(|| bad("!!float")),
            "bool" => bool_value(text)
                .map(Value::Bool)
                .ok_or_else(|| bad("!!bool")),
            "null" => Ok(Value::Null),
            _ => Err(unsupported_tag(tag, pos)),
        };
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::Str(text.to_string()));
    }
    Ok(resolve_plain(text))
}

/// The YAML 1.1 implicit typing of a plain scalar, as PyYAML's resolver does it.
pub fn resolve_plain(text: &str) -> Value {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Value::Null;
    }
    if let Some(b) = bool_value(text) {
        return Value::Bool(b);
    }
    if let Some(i) = int_value(text) {
        return Value::Int(i);
    }
    if let Some(f) = float_value(text) {
        return Value::Float(f);
    }
    Value::Str(text.to_string())
}

fn bool_value(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn split_sign(text: &str) -> (i128, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    }
}

fn all(text: &str, ok: impl Fn(char) -> bool) -> bool {
    !text.is_empty() && text.chars().all(ok)
}

/// PyYAML's int forms: `0b1010`, `0o`-less octal `017`, decimal, `0x1F`, base 60 `1:30`.
fn int_value(text: &str) -> Option<i128> {
    let (sign, body) = split_sign(text);
    let digits = |s: &str, radix: u32| -> Option<i128> {
        let cleaned: String = s.chars().filter(|c| *c != '_').collect();
        if cleaned.is_empty() {
            return Some(0);
        }
        i128::from_str_radix(&cleaned, radix).ok()
    };
    let value = if let Some(bin) = body.strip_prefix("0b") {
        all(bin, |c| c == '0' || c == '1' || c == '_').then(|| digits(bin, 2))??
    } else if let Some(hex) = body.strip_prefix("0x") {
        all(hex, |c| c.is_ascii_hexdigit() || c == '_').then(|| digits(hex, 16))??
    } else if body == "0" {
        0
    } else if let Some(oct) = body.strip_prefix('0') {
        all(oct, |c| ('0'..='7').contains(&c) || c == '_').then(|| digits(oct, 8))??
    } else if body.contains(':') {
        sexagesimal(body)?
    } else if body.starts_with(|c: char| c.is_ascii_digit())
        && all(body, |c| c.is_ascii_digit() || c == '_')
    {
        digits(body, 10)?
    } else {
        return None;
    };
    Some(sign * value)
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+`, e.g. `1:30` = 90 (YAML 1.1 base 60).
fn sexagesimal(body: &str) -> Option<i128> {
    let mut parts = body.split(':');
    let head = parts.next()?;
    if !head.starts_with(|c: char| ('1'..='9').contains(&c))
        || !all(head, |c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let mut value: i128 = head.replace('_', "").parse().ok()?;
    for part in parts {
        let ok = match part.as_bytes() {
            [d] => d.is_ascii_digit(),
            [a, b] => (b'0'..=b'5').contains(a) && b.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return None;
        }
        value = value
            .checked_mul(60)?
            .checked_add(part.parse::<i128>().ok()?)?;
    }
    Some(value)
}

/// PyYAML's float forms: a dot is required (`1.5`, `.5`, `1.0e+3`), plus `.inf` and `.nan`.
fn float_value(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let (_, body) = split_sign(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.')?;
    let int_ok = int_part.is_empty() && text.starts_with('.')
        || int_part.starts_with(|c: char| c.is_ascii_digit())
            && int_part.chars().all(|c| c.is_ascii_digit() || c == '_');
    let frac_ok = frac_part.chars().all(|c| c.is_ascii_digit() || c == '_')
        && (!int_part.is_empty() || !frac_part.is_empty());
    let exp_ok = match exponent {
        None => true,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']);
            matches!(digits, Some(d) if all(d, |c| c.is_ascii_digit()))
        }
    };
    if !(int_ok && frac_ok && exp_ok) {
        return None;
    }
    text.replace('_', "").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Value {
        parse(text).unwrap().value
    }

    #[test]
    fn yaml_1_1_scalars_are_typed_like_pyyaml() {
        let cases: &[(&str, Value)] = &[
            ("no", Value::Bool(false)),
            ("yes", Value::Bool(true)),
            ("On", Value::Bool(true)),
            ("OFF", Value::Bool(false)),
            ("010", Value::Int(8)),
            ("0x1F", Value::Int(31)),
            ("0b101", Value::Int(5)),
            ("1_000", Value::Int(1000)),
            ("-42", Value::Int(-42)),
            ("1:30", Value::Int(90)),
            ("25:25", Value::Int(1525)),
            ("80:8080", Value::Str("80:8080".into())),
            ("080", Value::Str("080".into())),
            ("08", Value::Str("08".into())),
            ("1.5", Value::Float(1.5)),
            (".5", Value::Float(0.5)),
            ("1.0e+3", Value::Float(1000.0)),
            ("1e3", Value::Str("1e3".into())),
            ("~", Value::Null),
            ("", Value::Null),
            ("'no'", Value::Str("no".into())),
            ("\"010\"", Value::Str("010".into())),
            ("!!str 42", Value::Str("42".into())),
            ("53/udp", Value::Str("53/udp".into())),
            ("2001-12-14", Value::Str("2001-12-14".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(&value(text), expected, "for {text:?}");
        }
    }

    #[test]
    fn python_str_matches_python() {
        let cases = [
            ("true", Some("True")),
            ("42", Some("42")),
            ("1.5", Some("1.5")),
            ("1.0e+16", Some("1e+16")),
            ("0.00001", Some("1e-05")),
            ("100.0", Some("100.0")),
            ("~", None),
            (
                "{name: on-failure, maximum_retry_count: 3}",
                Some("{'name': 'on-failure', 'maximum_retry_count': 3}"),
            ),
            ("[/b, /c]", Some("['/b', '/c']")),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse(text).unwrap().python_str().as_deref(),
                expected,
                "for {text:?}"
            );
        }
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let doc =
            parse("base: &b {image: x, env: {A: 1}}\nsvc:\n  <<: *b\n  image: y\nlist: [*b]\n")
                .unwrap();
        let svc = doc.get("svc").unwrap();
        assert_eq!(svc.get("image").unwrap().as_str(), Some("y"));
        assert_eq!(
            svc.get("env").unwrap().get("A").unwrap().value,
            Value::Int(1)
        );
        assert_eq!(svc.get("image").unwrap().pos, Pos { line: 4, col: 10 });
        let merged_list = parse("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n").unwrap();
        let c = merged_list.get("c").unwrap();
        assert_eq!(c.get("x").unwrap().value, Value::Int(1));
        assert_eq!(c.get("y").unwrap().value, Value::Int(2));
    }

    #[test]
    fn duplicate_keys_are_rejected_with_both_places() {
        let err = parse("services:\n  a: 1\n  b: 2\n  a: 3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "4:3: found duplicate key 'a' (first written at line 2, column 3)"
        );
    }

    #[test]
    fn syntax_errors_have_a_place() {
        let err = parse("a: {b: 1\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err}");
        let err = parse("a: !!python/object:os.system x\n").unwrap_err();
        assert!(err.message.contains("unsupported YAML tag"), "{err}");
    }

    #[test]
    fn hostile_documents_stop_with_an_error() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        // The parser's own recursion limit or ours: an error either way, never a stack overflow.
        assert!(parse(&deep).is_err());
        let nested = format!("{}{}", "[".repeat(220), "]".repeat(220));
        assert!(
            parse(&nested).unwrap_err().message.contains("nest deeper"),
            "{:?}",
            parse(&nested)
        );
        let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            laughs.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        assert!(
            parse(&laughs)
                .unwrap_err()
                .message
                .contains("expands to more than")
        );
    }

    #[test]
    fn empty_document_is_null() {
        assert_eq!(value(""), Value::Null);
        assert_eq!(value("# only a comment\n"), Value::Null);
    }
}
