//! An environment generator for the tests, in the manner of Ochopod's
//! `configure(cluster)`: `PEERS` (every instance of the service as `ip:port`, by
//! index), `MY_ID` (sequence + 1) and `DEPENDS_ON` (the dependencies' containers).
//! With the option `clobber: true` it also tries to replace `SERVICE_NAME`.

use maestro_plugin_support::Options;

wit_bindgen::generate!({ path: "../../../wit", world: "env-generator" });

use exports::maestro::plugin::generator::{Cluster, Guest, Member};
use maestro::plugin::types::Variable;

struct ClusterEnv;

fn endpoint(member: &Member) -> String {
    match member.ports.first() {
        Some(port) => format!("{}:{}", member.address, port.external),
        None => member.address.clone(),
    }
}

impl Guest for ClusterEnv {
    fn generate(cluster: Cluster) -> Result<Vec<Variable>, String> {
        let options = Options::parse(&cluster.options)?;
        let var = |name: &str, value: String| Variable {
            name: name.into(),
            value,
        };
        let peers: Vec<String> = cluster.peers.iter().map(endpoint).collect();
        let deps: Vec<String> = cluster
            .dependencies
            .iter()
            .map(|m| m.container.clone())
            .collect();
        let mut vars = vec![
            var("PEERS", peers.join(",")),
            var("MY_ID", (cluster.target.sequence + 1).to_string()),
            var("DEPENDS_ON", deps.join(",")),
        ];
        if options.text("clobber").as_deref() == Some("true") {
            vars.push(var("SERVICE_NAME", "clobbered".into()));
        }
        Ok(vars)
    }
}

export!(ClusterEnv);
