//! Text for a terminal: the one function that makes untrusted text inert (every
//! printer calls it on what came from outside — plugin reasons and logs, container
//! output, daemon and registry messages), display widths (`unicode-width`, so that
//! wide characters count as two columns) and cutting to a width with `…`.

use std::borrow::Cow;
use std::fmt::Write as _;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` with every control character — C0 (escape, carriage return, newline,
/// tab…), DEL, C1 — and every bidirectional override written as a visible escape
/// (`\x1b`, `\r`, `\u{202e}`), so it can neither move the cursor, recolour, retitle
/// the terminal nor reorder what is shown around it.
pub fn inert(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The number of terminal columns `text` takes.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to at most `max` columns, ending with `…` when it was cut.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// `text` cut or padded with spaces to exactly `columns` columns.
pub fn fit(text: &str, columns: usize) -> String {
    let cut = cut(text, columns);
    let pad = columns.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(pad))
}

/// MaestroNG's `time_ago`: ` for 59s`, ` for 1m0s`, ` for 1h0m`, ` for 1d0h0m`;
/// nothing for a time in the future or unknown.
pub fn time_ago(since: Option<i64>, now: i64) -> String {
    let Some(since) = since else {
        return String::new();
    };
    let s = now - since;
    if s < 0 {
        return String::new();
    }
    let (d, h, m, sec) = (s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
    if d > 0 {
        format!(" for {d}d{h}h{m}m")
    } else if h > 0 {
        format!(" for {h}h{m}m")
    } else if m > 0 {
        format!(" for {m}m{sec}s")
    } else {
        format!(" for {sec}s")
    }
}

/// Bytes as people read them: `512 B`, `1.5 kB`, `12.0 MB`, `1.2 GB` (powers of 1000,
/// as Docker shows pulls).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_is_inert() {
        assert_eq!(inert("plain text ✓"), "plain text ✓");
        assert_eq!(
            inert("\x1b[2J\x1b]0;owned\x07\rstarted\n"),
            "\\x1b[2J\\x1b]0;owned\\x07\\rstarted\\n"
        );
        assert_eq!(inert("a\u{9b}31mb\u{7f}"), "a\\u{9b}31mb\\x7f");
        assert_eq!(inert("abc\u{202e}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn cuts_by_columns() {
        assert_eq!(cut("hello", 5), "hello");
        assert_eq!(cut("hello world", 6), "hello…");
        assert_eq!(cut("日本語テキスト", 7), "日本語…");
        assert_eq!(width(&cut("日本語テキスト", 7)), 7);
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(cut("x", 0), "");
    }

    #[test]
    fn times_ago_like_maestro() {
        let base = 1_000_000;
        let cases = [
            (-5, ""),
            (0, " for 0s"),
            (59, " for 59s"),
            (60, " for 1m0s"),
            (3599, " for 59m59s"),
            (3600, " for 1h0m"),
            (86399, " for 23h59m"),
            (86400, " for 1d0h0m"),
        ];
        for (ago, expected) in cases {
            assert_eq!(time_ago(Some(base - ago), base), expected, "{ago}");
        }
        assert_eq!(time_ago(None, base), "");
    }

    #[test]
    fn byte_counts() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1500), "1.5 kB");
        assert_eq!(bytes(12_000_000), "12.0 MB");
        assert_eq!(bytes(1_234_000_000), "1.2 GB");
    }
}
