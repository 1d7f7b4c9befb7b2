//! Fuzzes what maestro reads from a user: the Jinja template step, the YAML reader, the
//! validator, envfiles and the port, restart, size and image grammars. Any input must
//! give a value or a clear error within the documented bounds, never a panic, a hang or
//! a blow-up (libFuzzer's -timeout and -rss_limit_mb catch the last two).

#![no_main]

use libfuzzer_sys::fuzz_target;
use maestro::config::{envfile, grammar, render, validate, yaml};
use std::collections::BTreeMap;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = grammar::parse_port_pair(text);
    let _ = grammar::parse_restart(text);
    let _ = grammar::parse_size(text);
    let _ = grammar::ImageRef::parse(text).short().len();
    let _ = envfile::parse_env_file(text);
    let nowhere = Path::new("/nonexistent");
    let vars = BTreeMap::from([("HOME".to_string(), "/root".to_string())]);
    let rendered = render::render(text, "fuzz.yaml", nowhere, &vars);
    // The template's output (or the text itself when it is not a template) is then read
    // as the environment file it would be.
    let document = rendered.as_deref().unwrap_or(text);
    if let Ok(doc) = yaml::parse(document) {
        let _ = validate::validate(&doc, "fuzz.yaml", nowhere);
    }
});
