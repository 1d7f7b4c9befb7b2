//! A registry authentication plugin for the tests: answers with the `username` and
//! `password` of its options (the password comes from the environment file, which
//! maestro passes through `options` only to the plugin), anonymous when there is none.

use maestro_plugin_support::Options;

wit_bindgen::generate!({ path: "../../../wit", world: "auth" });

use exports::maestro::plugin::credentials::{Guest, Login, Request};

struct StaticAuth;

impl Guest for StaticAuth {
    fn credentials(request: Request) -> Result<Option<Login>, String> {
        let options = Options::parse(&request.options)?;
        if options.text("refuse").is_some() {
            return Err(format!("no credentials for {}", request.image));
        }
        Ok(options.text("username").map(|username| Login {
            username,
            password: options.text("token").unwrap_or_default(),
            identity_token: None,
        }))
    }
}

export!(StaticAuth);
