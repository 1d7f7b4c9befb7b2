//! The Docker create request built from an instance (pure: no daemon): every option
//! MaestroNG supports, maestro's labels, and a configuration hash that changes with
//! the configuration and only with it.

use crate::support;

use maestro::docker::{LABEL_CONFIG, LABEL_ENVIRONMENT, LABEL_SERVICE, create_spec};
use serde_json::json;

#[test]
fn every_option_reaches_the_request() {
    let env = support::load_env("create-options.yaml");
    let c = &env.containers["app-1"];
    let vars = maestro::env::generate(&env, c);
    let spec = create_spec(&env.name, c, &vars);
    let body = serde_json::to_value(&spec.body).unwrap();
    assert_eq!(body["Image"], "registry.local:5000/team/app:2.1");
    assert_eq!(body["Hostname"], "app-1");
    assert_eq!(body["User"], "app");
    assert_eq!(body["WorkingDir"], "/srv");
    assert_eq!(body["Cmd"], json!(["run", "--fast"]));
    assert_eq!(body["StopTimeout"], 3);
    assert_eq!(body["ExposedPorts"], json!({"53/udp": {}, "80/tcp": {}}));
    assert_eq!(
        body["Volumes"],
        json!({"/cache": {}, "/data": {}, "/logs": {}})
    );
    let env_list: Vec<&str> = body["Env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(env_list.contains(&"MODE=fast"));
    assert!(env_list.contains(&"CONTAINER_HOST_ADDRESS=192.168.10.2"));
    assert!(env_list.contains(&"APP_APP_1_HTTP_PORT=8080"));
    let labels = &body["Labels"];
    assert_eq!(labels["team"], "core");
    assert_eq!(labels[LABEL_ENVIRONMENT], "create-options");
    assert_eq!(labels[LABEL_SERVICE], "app");
    assert_eq!(labels[LABEL_CONFIG], spec.config_hash.as_str());
    let host = &body["HostConfig"];
    assert_eq!(
        host["PortBindings"],
        json!({
            "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}],
            "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "5353"}]
        })
    );
    assert_eq!(
        host["Binds"],
        json!(["/srv/data:/data:ro", "/srv/logs:/logs:rw"])
    );
    assert_eq!(host["Privileged"], true);
    assert_eq!(host["CapAdd"], json!(["NET_ADMIN"]));
    assert_eq!(host["CapDrop"], json!(["MKNOD"]));
    assert_eq!(host["ExtraHosts"], json!(["db.local:10.0.0.5"]));
    assert_eq!(
        host["RestartPolicy"],
        json!({"Name": "on-failure", "MaximumRetryCount": 3})
    );
    assert_eq!(host["Dns"], json!(["1.1.1.1"]));
    assert_eq!(host["SecurityOpt"], json!(["no-new-privileges"]));
    assert_eq!(host["CpuShares"], 512);
    assert_eq!(host["Memory"], 256 * 1024 * 1024);
    assert_eq!(host["MemorySwap"], 512 * 1024 * 1024);
    assert_eq!(
        host["Ulimits"],
        json!([{"Name": "nofile", "Soft": 1024, "Hard": 1024}])
    );
    assert_eq!(
        host["LogConfig"],
        json!({"Type": "json-file", "Config": {"max-size": "10m"}})
    );
}

#[test]
fn the_configuration_hash_follows_the_configuration() {
    let env = support::load_env("create-options.yaml");
    let c = &env.containers["app-1"];
    let vars = maestro::env::generate(&env, c);
    let first = create_spec(&env.name, c, &vars).config_hash;
    assert_eq!(first.len(), 64);
    assert_eq!(create_spec(&env.name, c, &vars).config_hash, first);
    let mut changed = vars.clone();
    changed.insert("MODE".into(), Some("slow".into()));
    assert_ne!(create_spec(&env.name, c, &changed).config_hash, first);
    let mut other = c.clone();
    other.stop_timeout = 4;
    assert_ne!(create_spec(&env.name, &other, &vars).config_hash, first);
}
