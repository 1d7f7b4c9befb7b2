//! Jinja2's own filters and string methods where minijinja's differ or are missing, so
//! that a template MaestroNG rendered renders the same: `center`, `truncate` (arguments by
//! position), `urlencode` (Jinja2's quoting and order) and `str.zfill`. Each checked
//! against Jinja2 3.1.6's output in `render`'s tests. Hand-written: each is a few lines
//! of Jinja2's own definition.

use minijinja::{Environment, ErrorKind, Value};

/// Registers the filters (after minijinja-contrib's, which they replace).
pub fn add_to(jinja: &mut Environment) {
    jinja.add_filter("center", center);
    jinja.add_filter("truncate", truncate);
    jinja.add_filter("urlencode", urlencode);
}

/// Jinja2's `center(width)`: the text padded with spaces on both sides (the extra space,
/// if any, on the right), as Python's `str.center`.
fn center(text: String, width: Option<usize>) -> String {
    let width = width.unwrap_or(80);
    let length = text.chars().count();
    if width <= length {
        return text;
    }
    let total = width - length;
    // CPython's rule for where the odd space goes.
    let left = total / 2 + (total & width & 1);
    format!("{}{text}{}", " ".repeat(left), " ".repeat(total - left))
}

/// Jinja2's `truncate(length=255, killwords=False, end='...', leeway=5)`, taking its
/// arguments by position as Jinja2 does (minijinja-contrib's takes keywords only).
fn truncate(
    text: String,
    length: Option<usize>,
    killwords: Option<bool>,
    end: Option<String>,
    leeway: Option<usize>,
) -> String {
    let (length, end, leeway) = (
        length.unwrap_or(255),
        end.unwrap_or_else(|| "...".into()),
        leeway.unwrap_or(5),
    );
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= length + leeway {
        return text;
    }
    let kept: String = chars[..length.saturating_sub(end.chars().count())]
        .iter()
        .collect();
    if killwords.unwrap_or(false) {
        return kept + &end;
    }
    let words = kept
        .rsplit_once(' ')
        .map_or(kept.as_str(), |(head, _)| head);
    format!("{words}{end}")
}

/// Jinja2's `urlencode`: a string quoted with `/` kept; a mapping (or list of pairs)
/// as a query string, `key=value` joined by `&`, spaces as `+`, in written order.
fn urlencode(value: Value) -> Result<String, minijinja::Error> {
    if let Some(text) = value.as_str() {
        return Ok(url_quote(text, false));
    }
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let pairs: Vec<(Value, Value)> = if value.kind() == minijinja::value::ValueKind::Map {
        value
            .try_iter()?
            .map(|key| {
                let item = value.get_item(&key).unwrap_or_default();
                (key, item)
            })
            .collect()
    } else {
        value
            .try_iter()?
            .map(|pair| {
                (
                    pair.get_item_by_index(0).unwrap_or_default(),
                    pair.get_item_by_index(1).unwrap_or_default(),
                )
            })
            .collect()
    };
    Ok(pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                url_quote(&text(k), true),
                url_quote(&text(v), true)
            )
        })
        .collect::<Vec<_>>()
        .join("&"))
}

/// Jinja2's `url_quote`: UTF-8 bytes outside letters, digits and `_.-~` (and `/` unless
/// for a query string) as `%XX`; in a query string a space is `+`.
fn url_quote(text: &str, for_query: bool) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(byte))
            }
            b'/' if !for_query => out.push('/'),
            b' ' if for_query => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Python's `str.zfill(width)`: zeros after the sign up to `width`.
pub fn zfill(text: &str, args: &[Value]) -> Result<Value, minijinja::Error> {
    let width = args
        .first()
        .and_then(|w| usize::try_from(w.clone()).ok())
        .ok_or_else(|| minijinja::Error::new(ErrorKind::InvalidOperation, "zfill takes a width"))?;
    let length = text.chars().count();
    if width <= length {
        return Ok(Value::from(text));
    }
    let (sign, digits) = match text.chars().next() {
        Some(c @ ('+' | '-')) => (c.to_string(), &text[1..]),
        _ => (String::new(), text),
    };
    Ok(Value::from(format!(
        "{sign}{}{digits}",
        "0".repeat(width - length)
    )))
}
