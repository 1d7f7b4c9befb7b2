//! Ships that are not (or stop being) Docker daemons, served by a fake endpoint on a free
//! port: one answers HTTP 404 with no body, one closes the connection in the middle of
//! its answer, one answers the version request and then dies mid-answer. Each failure
//! names its step and cause in words.

use super::support::maestro_in;

/// How the fake endpoint answers each request.
#[derive(Clone, Copy)]
enum Behaviour {
    NotFound,
    CutShort,
    DiesAfterVersion,
}

/// Serves `behaviour` on a free port of 127.0.0.1 until the test process ends.
fn serve(behaviour: Behaviour) -> u16 {
    let version = r#"{"ApiVersion":"1.41","Version":"20.10.0"}"#;
    super::support::http::serve(move |request| match behaviour {
        Behaviour::NotFound => super::support::http::answer(404, &[], ""),
        Behaviour::DiesAfterVersion if request.head.contains("/version ") => {
            super::support::http::answer(200, &[], version)
        }
        // Promises 100 bytes, sends 5, hangs up.
        Behaviour::CutShort | Behaviour::DiesAfterVersion => {
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Id\"".to_string()
        }
    })
    .0
}

#[test]
fn a_ship_that_is_not_docker_or_goes_away_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "name: fake\nships:\n  web: {{ip: 127.0.0.1, docker_port: {}, timeout: 10}}\n  \
         cut: {{ip: 127.0.0.1, docker_port: {}, timeout: 10}}\n  \
         dies: {{ip: 127.0.0.1, docker_port: {}, timeout: 10}}\n\
         services:\n  s:\n    image: busybox\n    instances:\n      \
         s-1: {{ship: web}}\n      s-2: {{ship: cut}}\n      s-3: {{ship: dies}}\n",
        serve(Behaviour::NotFound),
        serve(Behaviour::CutShort),
        serve(Behaviour::DiesAfterVersion),
    );
    std::fs::write(dir.path().join("m.yaml"), text).expect("write");
    let run = maestro_in(dir.path(), &["-f", "m.yaml", "status"], &[], None);
    let gone = "the connection to the Docker daemon closed mid-request: the daemon (or the SSH \
                tunnel to it) went away (error reading a body from connection: end of file before \
                message length reached)";
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            1,
            format!(
                "error: container `s-1` (ship `web`) failed to connect: the endpoint is not a \
                 Docker daemon: it answered HTTP 404 to the version request (HTTP 404 Not Found, \
                 without a message); check the ship's address and port\n\
                 error: container `s-2` (ship `cut`) failed to connect: {gone}\n\
                 error: container `s-3` (ship `dies`) failed to inspect: {gone}\n"
            )
            .as_str()
        ),
        "{}",
        run.stdout
    );
}
