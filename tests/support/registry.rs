//! A Distribution registry (Debian's `docker-registry`) for the tests: served on
//! `address:port` from a temporary directory, stopped when dropped.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

pub struct Registry {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Registry {
    /// Serves on `address:port`; `extra` is appended to the configuration (`auth:` …).
    pub fn serve(address: &str, port: u16, extra: &str) -> Registry {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {address}:{port}\n{extra}",
                dir.path().join("data").display(),
            ),
        )
        .expect("write the registry configuration");
        let child = Command::new("docker-registry")
            .args(["serve", config.to_str().expect("utf-8 path")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry (Debian) is installed");
        for _ in 0..100 {
            if TcpStream::connect((address, port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Registry { child, port, dir }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
