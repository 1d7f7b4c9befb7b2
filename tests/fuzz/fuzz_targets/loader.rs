//! Fuzzes the YAML reader, the validator and the port, restart, size and image grammars:
//! any input must give a value or a clear error, never a panic, a hang or a blow-up.

#![no_main]

use libfuzzer_sys::fuzz_target;
use maestro::config::{grammar, validate, yaml};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = grammar::parse_port_pair(text);
    let _ = grammar::parse_restart(text);
    let _ = grammar::parse_size(text);
    let _ = grammar::ImageRef::parse(text).short().len();
    if let Ok(doc) = yaml::parse(text) {
        let _ = validate::validate(&doc, "fuzz.yaml", std::path::Path::new("/nonexistent"));
    }
});
