//! The environment file is a Jinja template first, as in MaestroNG: `{{ env.HOME }}`,
//! filters such as `default`, `{% include %}` relative to the file's folder. Rendered with
//! minijinja plus its Python-compatibility methods (`str.format`, `dict.items`, …);
//! undefined names render as empty strings, as in Jinja2.
//!
//! Bounded: includes are read by `input` (regular files, 16 MiB), the engine stops after
//! [`MAX_TEMPLATE_STEPS`] instructions (minijinja's fuel) and the rendered text may not
//! exceed [`MAX_RENDERED_BYTES`]; each limit hit is a template error naming it.

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How many template instructions one render may run (minijinja's fuel): a generated
/// environment of 50,000 services takes about a tenth of it.
pub const MAX_TEMPLATE_STEPS: u64 = 50_000_000;

/// The most text one render may produce.
pub const MAX_RENDERED_BYTES: usize = super::input::MAX_FILE_BYTES as usize;

/// A template that could not be rendered: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    /// The template the error is in (the file itself or an included one).
    pub template: String,
    pub line: Option<usize>,
    pub message: String,
}

/// Renders `source` (named `name`, includes resolved from `base_dir`) with `env` as the
/// only variable.
pub fn render(
    source: &str,
    name: &str,
    base_dir: &Path,
    env: &BTreeMap<String, String>,
) -> Result<String, TemplateError> {
    if !source.contains("{{") && !source.contains("{%") && !source.contains("{#") {
        return Ok(source.to_string());
    }
    let mut jinja = Environment::new();
    jinja.set_loader(include_loader(base_dir.to_path_buf()));
    jinja.set_fuel(Some(MAX_TEMPLATE_STEPS));
    jinja.set_auto_escape_callback(|_| AutoEscape::None);
    jinja.set_undefined_behavior(UndefinedBehavior::Lenient);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
    {
        jinja.set_syntax(syntax);
    }
    minijinja_contrib::add_to_environment(&mut jinja);
    super::jinja2::add_to(&mut jinja);
    jinja.set_unknown_method_callback(|state, value, method, args| {
        match (value.as_str(), method) {
            (Some(text), "zfill") => super::jinja2::zfill(text, args),
            _ => minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args),
        }
    });
    let fail = |e: minijinja::Error| describe(&e, name);
    let template = jinja.template_from_named_str(name, source).map_err(fail)?;
    let mut out = Capped::default();
    match template.render_captured_to(
        minijinja::context! { env => Value::from(env.clone()) },
        &mut out,
    ) {
        Ok(_) => String::from_utf8(out.bytes).map_err(|_| TemplateError {
            template: name.to_string(),
            line: None,
            message: "the rendered text is not UTF-8".into(),
        }),
        Err(_) if out.overflowed => Err(TemplateError {
            template: name.to_string(),
            line: None,
            message: format!(
                "the rendered text exceeds {} MiB, the most a template may produce",
                MAX_RENDERED_BYTES >> 20
            ),
        }),
        Err(e) => Err(fail(e)),
    }
}

/// `{% include %}`: a name relative to the environment file's folder (no `..`, no hidden
/// files, as minijinja's own path loader), read under `input`'s bounds.
fn include_loader(
    base_dir: PathBuf,
) -> impl Fn(&str) -> Result<Option<String>, minijinja::Error> + Send + Sync + 'static {
    move |name| {
        let mut path = base_dir.clone();
        for segment in name.split('/') {
            if segment.starts_with('.') || segment.contains('\\') {
                return Ok(None);
            }
            path.push(segment);
        }
        match super::input::read_file(&path) {
            Ok(text) => Ok(Some(text)),
            Err(super::input::InputError::NotFound) => Ok(None),
            Err(e) => Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                format!("the included file {name} {e}"),
            )),
        }
    }
}

/// The rendered text, refusing to grow past [`MAX_RENDERED_BYTES`].
#[derive(Default)]
struct Capped {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_RENDERED_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("rendered text too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn describe(error: &minijinja::Error, name: &str) -> TemplateError {
    let mut message = match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    };
    if error.kind() == ErrorKind::UnknownMethod && message.contains("append") {
        message.push_str(
            " (lists cannot be changed in place here: build them with a loop, `+` or a filter)",
        );
    }
    if error.kind() == ErrorKind::InvalidOperation
        && message.contains("tried to use % operator on unsupported types string")
    {
        message.push_str(
            " (Python's `'%s-%d' % (a, b)` is written `'%s-%d' | format(a, b)` here: the `format` filter does the same formatting)",
        );
    }
    if error.kind() == ErrorKind::OutOfFuel {
        message = format!(
            "the template ran more than {MAX_TEMPLATE_STEPS} steps, the most a template may run (a loop too large?)"
        );
    }
    if error.kind() == ErrorKind::TemplateNotFound {
        message.push_str(" (includes are looked up next to the environment file)");
    }
    let mut source = Some(error as &dyn std::error::Error);
    while let Some(e) = source.and_then(|e| e.source()) {
        message.push_str(&format!(": {e}"));
        source = Some(e);
    }
    TemplateError {
        template: error.name().unwrap_or(name).to_string(),
        line: error.line(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Renders `template` with no variables and no includes.
    fn plain(template: &str) -> Result<String, TemplateError> {
        render(template, "m.yaml", Path::new("."), &env(&[]))
    }

    #[test]
    fn env_and_filters() {
        let vars = env(&[("BAR", "bar")]);
        let out = render(
            "foo: {{ env.BAR }}\nx: {{ env.NOPE | default('y') }}\nz: '{{ env.NOPE }}'\n",
            "m.yaml",
            Path::new("."),
            &vars,
        )
        .unwrap();
        assert_eq!(out, "foo: bar\nx: y\nz: ''\n");
    }

    #[test]
    fn python_string_methods_work() {
        let out = plain("{{ '{}:{}'.format('zk', 2181) }} {{ 'a-b'.upper() }}").unwrap();
        assert_eq!(out, "zk:2181 A-B");
    }

    #[test]
    fn list_append_is_a_clear_error_with_a_line() {
        let err = plain("a: 1\n{% set l = [] %}{{ l.append(1) }}\n").unwrap_err();
        assert_eq!(err.template, "m.yaml");
        assert_eq!(err.line, Some(2));
        assert!(
            err.message
                .starts_with("unknown method: sequence has no method named append"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("lists cannot be changed in place"),
            "{}",
            err.message
        );
    }

    /// Each expected output recorded from Jinja2 3.1.6 (MaestroNG's template engine).
    #[test]
    fn filters_and_methods_render_as_jinja2() {
        let cases = [
            (
                "{{ {'a': 1, 'b': [1, 2]} | tojson }}",
                "{\"a\": 1, \"b\": [1, 2]}",
            ),
            (
                "{{ 'hello world, a long sentence' | truncate(12) }}",
                "hello...",
            ),
            (
                "{{ 'hello world, a long sentence' | truncate(12, True) }}",
                "hello wor...",
            ),
            ("[{{ 'ab' | center(6) }}]", "[  ab  ]"),
            ("[{{ 'abc' | center(6) }}]", "[ abc  ]"),
            ("[{{ 'ab' | center(5) }}]", "[  ab ]"),
            ("[{{ 'abc' | center(4) }}]", "[abc ]"),
            ("{{ 'one two three' | wordcount }}", "3"),
            ("{{ 'a b&c/d' | urlencode }}", "a%20b%26c/d"),
            ("{{ {'q': 'a b', 'n': 1} | urlencode }}", "q=a+b&n=1"),
            ("{{ 1500 | filesizeformat }}", "1.5 kB"),
            ("{{ 1500000 | filesizeformat(True) }}", "1.4 MiB"),
            ("{{ [7] | random }}", "7"),
            ("{{ '42'.zfill(5) }}", "00042"),
            ("{{ '-42'.zfill(5) }}", "-0042"),
            ("{{ '12345'.zfill(3) }}", "12345"),
        ];
        for (template, jinja2) in cases {
            let out = plain(template).unwrap();
            assert_eq!(out, jinja2, "{template}");
        }
        let lipsum = plain("{{ lipsum(1) }}").unwrap();
        assert!(lipsum.split_whitespace().count() > 5, "{lipsum}");
    }

    #[test]
    fn percent_formatting_points_at_the_format_filter() {
        let err = plain("a: {{ '%s-%d' % ('x', 1) }}\n").unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(
            err.message.ends_with("is written `'%s-%d' | format(a, b)` here: the `format` filter does the same formatting)"),
            "{}",
            err.message
        );
        let out = plain("{{ '%s-%03d' | format('x', 7) }}");
        assert_eq!(out.unwrap(), "x-007");
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let err = plain("a: 1\nb: {% if %}\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.starts_with("syntax error"), "{}", err.message);
    }
}
