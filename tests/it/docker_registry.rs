//! Authenticated pulls from a real registry (Distribution with htpasswd, on
//! loopback): credentials from `registries`, from the Docker configuration, a wrong
//! password, none at all. The password never appears in any output.

use crate::support;

use std::path::Path;
use std::process::{Command, Stdio};
use support::docker::{IMAGE, docker, ready};
use support::plugins::closed_port;

const USER: &str = "alice";
const PASSWORD: &str = "s3cret-pass-4f1b";

/// A registry requiring `USER`/`PASSWORD`, holding `IMAGE` as `REPO:1`.
struct Registry {
    served: support::registry::Registry,
    _auth: tempfile::TempDir,
}

impl Registry {
    fn start() -> Registry {
        ready();
        let auth_dir = tempfile::tempdir().unwrap();
        let htpasswd = auth_dir.path().join("htpasswd");
        let made = Command::new("htpasswd")
            .args(["-Bbc", htpasswd.to_str().unwrap(), USER, PASSWORD])
            .stderr(Stdio::null())
            .status()
            .expect("htpasswd (apache2-utils) is installed");
        assert!(made.success());
        let served = support::registry::Registry::serve(
            "127.0.0.1",
            closed_port(),
            &format!(
                "auth:\n  htpasswd:\n    realm: maestro-test\n    path: {}\n",
                htpasswd.display()
            ),
        );
        let registry = Registry {
            served,
            _auth: auth_dir,
        };
        registry.push();
        registry
    }

    fn repo(&self) -> String {
        format!("127.0.0.1:{}/maestro/busybox", self.served.port)
    }

    fn docker_config(&self) -> std::path::PathBuf {
        self.served.dir.path().join("docker-config")
    }

    /// Pushes the test image with the docker CLI (logged in through its own config).
    fn push(&self) {
        let tag = format!("{}:1", self.repo());
        let config = self.docker_config();
        let cli = |args: &[&str], input: Option<&str>| {
            let mut child = Command::new("docker")
                .env("DOCKER_CONFIG", &config)
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            if let Some(input) = input {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(input.as_bytes())
                    .unwrap();
            }
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "docker {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let server = format!("127.0.0.1:{}", self.served.port);
        cli(
            &["login", &server, "-u", USER, "--password-stdin"],
            Some(PASSWORD),
        );
        cli(&["tag", IMAGE, &tag], None);
        cli(&["push", &tag], None);
        self.forget();
    }

    /// Removes the pulled image from the daemon, so the next pull has to fetch it.
    fn forget(&self) {
        let tag = format!("{}:1", self.repo());
        let _ = Command::new("docker").args(["rmi", &tag]).output();
    }

    fn env_file(&self, dir: &Path, credentials: &str) -> std::path::PathBuf {
        let file = dir.join("maestro.yaml");
        std::fs::write(
            &file,
            format!(
                "name: e2e-registry\nregistries:\n  mine:\n    registry: http://127.0.0.1:{}/v2\n{credentials}ships:\n  local: {{ip: 127.0.0.1, socket_path: /var/run/docker.sock}}\nservices:\n  reg:\n    image: {}:1\n    instances:\n      reg-1: {{ship: local}}\n",
                self.served.port,
                self.repo()
            ),
        )
        .unwrap();
        file
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.forget();
    }
}

fn pull(file: &Path, docker_config: &Path) -> support::Run {
    support::maestro_in(
        file.parent().unwrap(),
        &["-f", file.to_str().unwrap(), "pull"],
        &[("DOCKER_CONFIG", docker_config.to_str().unwrap())],
        None,
    )
}

#[test]
fn authenticated_pulls() {
    let registry = Registry::start();
    let work = tempfile::tempdir().unwrap();
    let empty_config = work.path().join("no-docker-config");
    let image = format!("{}:1", registry.repo());

    // No credentials anywhere: the registry refuses, and says so.
    let file = registry.env_file(work.path(), "");
    let none = pull(&file, &empty_config);
    assert_eq!(none.code, 1, "{}", none.transcript());
    assert!(
        none.stderr.starts_with(&format!(
            "error: container `reg-1` (ship `local`) failed to pull: image `{image}`: "
        )),
        "{}",
        none.stderr
    );
    assert!(
        none.stderr.contains("no basic auth credentials"),
        "{}",
        none.stderr
    );

    // A wrong password: a clear error that does not show it.
    let file = registry.env_file(
        work.path(),
        &format!("    username: {USER}\n    password: wrong-{PASSWORD}\n"),
    );
    let wrong = pull(&file, &empty_config);
    assert_eq!(wrong.code, 1, "{}", wrong.transcript());
    assert!(
        wrong
            .stderr
            .contains("unauthorized: authentication required"),
        "{}",
        wrong.stderr
    );
    assert!(
        !wrong.transcript().contains(PASSWORD),
        "{}",
        wrong.transcript()
    );

    // The right one, from the environment file.
    let file = registry.env_file(
        work.path(),
        &format!("    username: {USER}\n    password: {PASSWORD}\n"),
    );
    let good = pull(&file, &empty_config);
    assert_eq!(good.code, 0, "{}", good.transcript());
    assert!(good.stdout.ends_with(" done\n"), "{}", good.stdout);
    assert!(!good.transcript().contains(PASSWORD));
    docker(&["image", "inspect", &image]);
    registry.forget();

    // From the user's Docker configuration (`docker login`'s `auths`).
    let file = registry.env_file(work.path(), "");
    let from_config = pull(&file, &registry.docker_config());
    assert_eq!(from_config.code, 0, "{}", from_config.transcript());
    docker(&["image", "inspect", &image]);
    registry.forget();

    // A user without a password (MaestroNG #187): what `docker login` stored is used.
    for credentials in [
        format!("    username: {USER}\n"),
        format!("    username: {USER}\n    password: null\n"),
    ] {
        let file = registry.env_file(work.path(), &credentials);
        let reused = pull(&file, &registry.docker_config());
        assert_eq!(reused.code, 0, "{}", reused.transcript());
        registry.forget();
        // And when nothing was stored, the error says where maestro looked.
        let missing = pull(&file, &empty_config);
        assert_eq!(
            missing.stderr,
            format!(
                "error: container `reg-1` (ship `local`) failed to get registry credentials: \
                 registry `mine` names user `{USER}` without a password, and no Docker login for \
                 127.0.0.1:{} was found (looked in {})\n",
                registry.served.port,
                empty_config.join("config.json").display()
            ),
            "{}",
            missing.transcript()
        );
    }

    // A credential helper (`credHelpers`), and one that fails: reported, not swallowed.
    let helpers = work.path().join("helpers");
    std::fs::create_dir_all(&helpers).unwrap();
    let script = |name: &str, body: &str| {
        use std::os::unix::fs::PermissionsExt;
        let path = helpers.join(format!("docker-credential-{name}"));
        std::fs::write(&path, format!("#!/bin/sh\ncat >/dev/null\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    script(
        "maestro-ok",
        &format!("echo '{{\"Username\": \"{USER}\", \"Secret\": \"{PASSWORD}\"}}'"),
    );
    script(
        "maestro-locked",
        "echo 'the keychain is locked' >&2; exit 1",
    );
    let path = format!(
        "{}:{}",
        helpers.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let file = registry.env_file(work.path(), "");
    for (helper, ok) in [("maestro-ok", true), ("maestro-locked", false)] {
        let config = work.path().join(format!("config-{helper}"));
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(
            config.join("config.json"),
            format!(
                "{{\"credHelpers\": {{\"127.0.0.1:{}\": \"{helper}\"}}}}",
                registry.served.port
            ),
        )
        .unwrap();
        let run = support::maestro_in(
            work.path(),
            &["-f", file.to_str().unwrap(), "pull"],
            &[("DOCKER_CONFIG", config.to_str().unwrap()), ("PATH", &path)],
            None,
        );
        if ok {
            assert_eq!(run.code, 0, "{}", run.transcript());
            registry.forget();
        } else {
            assert_eq!(
                run.stderr,
                format!(
                    "error: container `reg-1` (ship `local`) failed to get registry credentials: \
                     docker-credential-maestro-locked failed for 127.0.0.1:{} (exit status: 1): \
                     the keychain is locked\n",
                    registry.served.port
                ),
                "{}",
                run.transcript()
            );
        }
        assert!(!run.transcript().contains(PASSWORD), "{}", run.transcript());
    }

    // `dump` never shows a registry password either.
    let dump = support::maestro_in(
        work.path(),
        &[
            "-f",
            registry
                .env_file(
                    work.path(),
                    &format!("    username: {USER}\n    password: {PASSWORD}\n"),
                )
                .to_str()
                .unwrap(),
            "dump",
        ],
        &[],
        None,
    );
    assert!(
        !dump.transcript().contains(PASSWORD),
        "{}",
        dump.transcript()
    );
}
