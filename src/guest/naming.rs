//! The names of the variables MaestroNG injects into every container: made here and
//! only here. `maestro`'s `env` writes through these functions and the guest functions
//! read through them, so the two cannot drift apart.

/// MaestroNG's name transform: every character that is not a letter, digit or `_`
/// (Unicode-aware, like Python 3's `\w`) becomes `_`, then the whole is upper-cased.
pub fn env_name(text: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    replaced.to_uppercase()
}

/// `NAME(service)_NAME(container)`.
pub fn link_prefix(service: &str, container: &str) -> String {
    format!("{}_{}", env_name(service), env_name(container))
}

/// `<SERVICE>_<CONTAINER>_HOST`.
pub fn host_var(service: &str, container: &str) -> String {
    format!("{}_HOST", link_prefix(service, container))
}

/// `<SERVICE>_<CONTAINER>_<PORT>_PORT` (the external port).
pub fn port_var(service: &str, container: &str, port: &str) -> String {
    format!(
        "{}_{}_PORT",
        link_prefix(service, container),
        env_name(port)
    )
}

/// `<SERVICE>_<CONTAINER>_<PORT>_INTERNAL_PORT` (the exposed port; own service only).
pub fn internal_port_var(service: &str, container: &str, port: &str) -> String {
    format!(
        "{}_{}_INTERNAL_PORT",
        link_prefix(service, container),
        env_name(port)
    )
}

/// `<SERVICE>_INSTANCES`.
pub fn instances_var(service: &str) -> String {
    format!("{}_INSTANCES", env_name(service))
}
