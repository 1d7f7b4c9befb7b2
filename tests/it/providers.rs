//! Env generators and auth providers named by an environment file: found in the
//! `plugins/` folder beside it, loaded for their world, run over the real model.

use crate::support;

use maestro::checks::{prepare, search_path};
use maestro::model::Environment;
use maestro::plugin::{Host, HostConfig};
use support::plugins::fixture_path;

const ENVIRONMENT: &str = r#"
name: providers
ships: {s1: {ip: 10.0.0.1}, s2: {ip: 10.0.0.2}}
registries:
  private:
    registry: 127.0.0.1:5000
    plugin: static-auth
    options: {username: ci, token: s3cret}
services:
  dns:
    image: dns
    ports: {dns: 53/udp}
    instances: {dns-1: {ship: s1}}
  zk:
    image: zk
    requires: [dns]
    ports: {client: 2181}
    env_generators:
      - {type: cluster-env}
      - {type: cluster-env, clobber: true}
    instances:
      zk-1: {ship: s1}
      zk-2: {ship: s2, ports: {client: 2182}}
  web:
    image: web
    env_generators:
      - {type: cluster-env, clobber: true, override: true}
    instances: {web-1: {ship: s2}}
"#;

/// The environment, in a directory whose `plugins/` holds the two fixtures.
fn environment(text: &str) -> (tempfile::TempDir, Environment) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("plugins")).unwrap();
    for name in ["cluster-env", "static-auth"] {
        std::fs::copy(
            fixture_path(name),
            dir.path().join(format!("plugins/{name}.wasm")),
        )
        .unwrap();
    }
    let file = dir.path().join("maestro.yaml");
    std::fs::write(&file, text).unwrap();
    let env = maestro::config::load(file.to_str().unwrap())
        .unwrap_or_else(|e| panic!("{e}"))
        .environment;
    (dir, env)
}

#[tokio::test(flavor = "multi_thread")]
async fn generators_add_variables_without_replacing_maestros() {
    let (_dir, env) = environment(ENVIRONMENT);
    let host = Host::new(HostConfig::default()).unwrap();
    let plugins = prepare(&host, &env, &search_path(&env, &[])).unwrap();
    let zk2 = &env.containers["zk-2"];
    let mut vars = maestro::env::generate(&env, zk2);
    let notes = maestro::providers::generate_env(&plugins, &env, zk2, &mut vars)
        .await
        .unwrap();
    let get = |vars: &maestro::model::EnvMap, k: &str| vars[k].clone().unwrap();
    assert_eq!(get(&vars, "PEERS"), "10.0.0.1:2181,10.0.0.2:2182");
    // zk-2 is the fourth container by name (dns-1, web-1, zk-1, zk-2).
    assert_eq!(get(&vars, "MY_ID"), "4");
    assert_eq!(get(&vars, "DEPENDS_ON"), "dns-1");
    assert_eq!(get(&vars, "SERVICE_NAME"), "zk");
    assert_eq!(
        notes,
        [
            "container `zk-2`: plugin `cluster-env` may not replace SERVICE_NAME (set `override: true` to allow it)"
        ]
    );
    let web = &env.containers["web-1"];
    let mut vars = maestro::env::generate(&env, web);
    let notes = maestro::providers::generate_env(&plugins, &env, web, &mut vars)
        .await
        .unwrap();
    assert_eq!(
        (get(&vars, "SERVICE_NAME"), notes.len()),
        ("clobbered".to_string(), 0)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn registries_get_credentials_from_their_plugin() {
    let (_dir, env) = environment(ENVIRONMENT);
    let host = Host::new(HostConfig::default()).unwrap();
    let plugins = prepare(&host, &env, &search_path(&env, &[])).unwrap();
    let registry = &env.registries["private"];
    let login = maestro::providers::credentials(&plugins, registry, "127.0.0.1:5000/app:1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (login.username.as_str(), login.password.expose()),
        ("ci", "s3cret")
    );
    let dump = serde_json::to_string(registry).unwrap();
    assert!(!dump.contains("s3cret"), "{dump}");
}

#[test]
fn a_plugin_of_the_wrong_world_is_refused_where_it_is_named() {
    let text = ENVIRONMENT.replace("plugin: static-auth", "plugin: cluster-env");
    let (_dir, env) = environment(&text);
    let host = Host::new(HostConfig::default()).unwrap();
    let errors = prepare(&host, &env, &search_path(&env, &[])).err().unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].ends_with(
            ":7:13: registries.private.plugin: plugin `cluster-env` is an env-generator plugin, not an auth plugin"
        ),
        "{}",
        errors[0]
    );
}

#[test]
fn a_registry_plugin_excludes_a_password() {
    let text = ENVIRONMENT.replace(
        "plugin: static-auth",
        "plugin: static-auth\n    password: x",
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("maestro.yaml");
    std::fs::write(&file, text).unwrap();
    let error = maestro::config::load(file.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(":8:5: registries.private.password: a registry with an auth plugin gets its credentials from the plugin: remove username and password"),
        "{error}"
    );
}

/// `dump` shows the environment a container really gets: the generators' variables too.
#[test]
fn dump_includes_what_generators_add() {
    let (dir, _env) = environment(ENVIRONMENT);
    let run = support::maestro_in(
        dir.path(),
        &["-f", "maestro.yaml", "dump", "zk-2"],
        &[],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let dump: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let env = &dump["containers"]["zk-2"]["env"];
    assert_eq!(env["PEERS"], "10.0.0.1:2181,10.0.0.2:2182");
    assert_eq!(env["MY_ID"], "4");
    assert_eq!(env["SERVICE_NAME"], "zk");
    assert_eq!(
        run.stderr,
        "note: container `zk-2`: plugin `cluster-env` may not replace SERVICE_NAME (set `override: true` to allow it)\n"
    );
}
