//! The only module that talks to Docker (through bollard). A `Fleet` holds one
//! connection per ship, opened on first use; operations speak the model's types and
//! fail with a `DockerError` naming the operation, the container or image, and the
//! ship.

mod connect_error;
mod container;
mod create;
mod error;
mod image;
mod logs;
mod settle;
mod ship;
mod ssh;
mod tls;
mod transport;

pub use connect_error::{ConnectError, SshError, TlsSetupError};
pub use container::{Observed, short_id, unix_nanos, unix_now, unix_seconds};
pub use create::{CreateSpec, LABEL_CONFIG, LABEL_ENVIRONMENT, LABEL_SERVICE, create_spec};
pub use error::{Cause, DockerError};
pub use image::PullAuth;
pub use logs::{LogLine, LogRange};
pub use settle::Settled;
pub use ship::{IN_FLIGHT_PER_SHIP, ShipClient};

use crate::model::Environment;
use crate::plugin::{Completion, ContainerRunner};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Every ship of an environment, each connected on first use.
pub struct Fleet {
    ships: BTreeMap<String, Arc<ShipClient>>,
}

impl Fleet {
    pub fn new(environment: &Environment) -> Fleet {
        Fleet {
            ships: environment
                .ships
                .values()
                .map(|s| (s.name.clone(), Arc::new(ShipClient::new(s.clone()))))
                .collect(),
        }
    }

    /// The ship called `name` (every container's ship is one: validation says so).
    pub fn ship(&self, name: &str) -> Option<&Arc<ShipClient>> {
        self.ships.get(name)
    }
}

/// Runs commands inside one container, for `rexec` checks and `container-exec` plugins.
pub struct DockerRunner {
    pub ship: Arc<ShipClient>,
    pub container: String,
}

impl ContainerRunner for DockerRunner {
    fn run(
        &self,
        command: Vec<String>,
    ) -> Pin<Box<dyn Future<Output = Result<Completion, String>> + Send + 'static>> {
        let ship = self.ship.clone();
        let container = self.container.clone();
        Box::pin(async move {
            ship.exec(&container, command)
                .await
                .map(|(code, output)| Completion {
                    exit_code: code as i32,
                    output,
                })
                .map_err(|e| e.to_string())
        })
    }
}
