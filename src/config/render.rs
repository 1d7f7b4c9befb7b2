//! The environment file is a Jinja template first, as in MaestroNG: `{{ env.HOME }}`,
//! filters such as `default`, `{% include %}` relative to the file's folder. Rendered with
//! minijinja plus its Python-compatibility methods (`str.format`, `dict.items`, …);
//! undefined names render as empty strings, as in Jinja2.

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};
use std::collections::BTreeMap;
use std::path::Path;

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
    jinja.set_loader(minijinja::path_loader(base_dir));
    jinja.set_auto_escape_callback(|_| AutoEscape::None);
    jinja.set_undefined_behavior(UndefinedBehavior::Lenient);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .build()
    {
        jinja.set_syntax(syntax);
    }
    jinja.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    let fail = |e: minijinja::Error| describe(&e, name);
    let template = jinja.template_from_named_str(name, source).map_err(fail)?;
    template
        .render(minijinja::context! { env => Value::from(env.clone()) })
        .map_err(fail)
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
        let out = render(
            "{{ '{}:{}'.format('zk', 2181) }} {{ 'a-b'.upper() }}",
            "m.yaml",
            Path::new("."),
            &env(&[]),
        )
        .unwrap();
        assert_eq!(out, "zk:2181 A-B");
    }

    #[test]
    fn list_append_is_a_clear_error_with_a_line() {
        let err = render(
            "a: 1\n{% set l = [] %}{{ l.append(1) }}\n",
            "m.yaml",
            Path::new("."),
            &env(&[]),
        )
        .unwrap_err();
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

    #[test]
    fn syntax_errors_have_a_line() {
        let err = render("a: 1\nb: {% if %}\n", "m.yaml", Path::new("."), &env(&[])).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.starts_with("syntax error"), "{}", err.message);
    }
}
