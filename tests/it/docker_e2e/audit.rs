//! Auditors run, and say what MaestroNG 0.8.3 said: the same log lines (levels and
//! texts; timestamps cut, a daemon error's wording aside) and byte-identical webhook
//! bodies over start, restart, stop, a failing start, status and clean — compared with
//! `tests/fixtures/audit/`, recorded from MaestroNG on the same files (see its header).

use crate::support::docker::{Env, SLEEPER, run_prefix};
use crate::support::fixtures;
use std::net::TcpListener;

/// A webhook receiver on a free port: keeps each request's body, answers 200.
fn hook() -> (u16, crate::support::http::Log) {
    crate::support::http::serve(|_| crate::support::http::answer(200, &[], ""))
}

/// The fixture's lines, sorted (tasks of one play run at once, in any order).
fn recorded(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(fixtures().join("audit").join(name)).expect("fixture");
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

#[test]
fn auditors_say_what_maestrong_said() {
    let p = run_prefix();
    let (port, bodies) = hook();
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("audit.log");
    let body = format!(
        r#"audit:
  - {{type: log, file: {log}, level: debug}}
  - {{type: http, endpoint: "http://127.0.0.1:{port}/hook", method: POST, headers: {{X-Test: yes-please}}, payload: {{text: "{{who}} | {{action}} | {{what}} | {{message}}"}}}}
services:
  {p}-aud-web:
    image: IMAGE
    instances:
      {p}-aud-web-1: {{ship: local, command: {SLEEPER}}}
      {p}-aud-web-2: {{ship: local, command: {SLEEPER}}}
  {p}-aud-bad:
    image: maestro-test/nonexistent:1
    instances:
      {p}-aud-bad-1: {{ship: local}}
"#,
        log = log.display()
    );
    let env = Env::new(&format!("audit-{p}"), &body);
    let (web1, web2, bad) = (
        format!("{p}-aud-web-1"),
        format!("{p}-aud-web-2"),
        format!("{p}-aud-bad-1"),
    );
    let web = [web1.as_str(), web2.as_str()];
    let steps: [(&str, &[&str], i32); 6] = [
        ("start", &web, 0),
        ("restart", &web, 0),
        ("stop", &web, 0),
        ("start", &[bad.as_str()], 1),
        ("status", &web, 0),
        ("clean", &web, 0),
    ];
    for (command, things, code) in steps {
        let mut args = vec![command];
        args.extend_from_slice(things);
        let run = env.maestro_with(&args, &[("LOGNAME", "alice")]);
        assert_eq!(run.code, code, "{args:?}: {}", run.transcript());
    }
    let ours = |text: &str| text.replace(&format!("{p}-"), "");
    let failed = "ERROR: Failed to start aud-bad-1! (message: ";
    let mut lines: Vec<String> = std::fs::read_to_string(&log)
        .expect("the log auditor wrote its file")
        .lines()
        .map(|line| {
            // `2026-12-01 19:38:56,990 INFO: …`: the time is cut.
            let line = ours(line.splitn(3, ' ').nth(2).unwrap_or_default());
            match line.strip_prefix(failed) {
                Some(_) => format!("{failed}…)"),
                None => line,
            }
        })
        .collect();
    lines.sort();
    assert_eq!(lines, recorded("maestrong.log"));
    let mut sent: Vec<String> = bodies
        .lock()
        .expect("bodies")
        .iter()
        .map(|r| ours(&r.body))
        .collect();
    sent.sort();
    assert_eq!(sent, recorded("maestrong-webhook.txt"));
}

/// An auditor that cannot deliver is a note after the table, never a failure.
#[test]
fn an_auditor_that_fails_is_a_note() {
    let p = run_prefix();
    let closed = TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("address")
        .port();
    let body = format!(
        "audit:\n  - {{type: http, endpoint: \"http://user:secret-token@127.0.0.1:{closed}/hook/secret-path\"}}\n  \
         - {{type: log, file: /nonexistent/dir/audit.log}}\n\
         services:\n  {p}-af:\n    image: IMAGE\n    instances:\n      {p}-af-1: {{ship: local, command: {SLEEPER}}}\n"
    );
    let env = Env::new(&format!("audit-fails-{p}"), &body);
    let run = env.maestro(&["start"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(!run.transcript().contains("secret"), "{}", run.transcript());
    let mut notes: Vec<&str> = run.stderr.lines().collect();
    notes.sort();
    assert_eq!(
        notes,
        [
            format!("note: the http auditor cannot reach http://127.0.0.1:{closed}: Connection refused (os error 111)"),
            "note: the log auditor cannot write /nonexistent/dir/audit.log: No such file or directory (os error 2)".to_string(),
        ]
    );
}

/// The exec auditor runs its script on the play's success, with MaestroNG's arguments
/// and the containers as JSON on stdin.
#[test]
fn the_exec_auditor_runs_its_script_on_success() {
    let p = run_prefix();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("seen");
    let script = dir.path().join("notify");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s|' \"$@\" > {out}\necho >> {out}\ncat >> {out}\n",
            out = out.display()
        ),
    )
    .expect("script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let body = format!(
        "audit:\n  - {{type: exec, script: {}, args: \"{{action}} {{what}}\"}}\n\
         services:\n  {p}-ex:\n    image: IMAGE\n    instances:\n      {p}-ex-1: {{ship: local, command: {SLEEPER}}}\n",
        script.display()
    );
    let env = Env::new(&format!("audit-exec-{p}"), &body);
    let run = env.maestro(&["start"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        std::fs::read_to_string(&out).expect("the script ran"),
        format!(
            "start|[{p}-ex-1|(on|local)]|\n{{\"{p}-ex-1\": {{\"ship\": \"127.0.0.1\", \"service\": \"{p}-ex\"}}}}"
        )
    );
}

/// The slack auditor posts MaestroNG's attachment (here to a Slack-compatible endpoint).
#[test]
fn the_slack_auditor_posts_maestrong_s_attachment() {
    let p = run_prefix();
    let (port, bodies) = hook();
    let body = format!(
        "audit:\n  - {{type: slack, channel: '#ops', token: xoxb-test, endpoint: \"http://127.0.0.1:{port}/api/chat.postMessage\"}}\n\
         services:\n  {p}-sl:\n    image: IMAGE\n    instances:\n      {p}-sl-1: {{ship: local, command: {SLEEPER}}}\n"
    );
    let env = Env::new(&format!("audit-slack-{p}"), &body);
    let run = env.maestro_with(&["start"], &[("LOGNAME", "alice")]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let sent: Vec<serde_json::Value> = bodies
        .lock()
        .expect("bodies")
        .iter()
        .map(|r| serde_json::from_str(&r.body).expect("JSON"))
        .collect();
    let attachment = |text: String, color: &str| {
        serde_json::json!({
            "channel": "#ops", "username": "maestro-ng", "icon_url": null,
            "attachments": [{"fallback": text, "text": text, "color": color, "fields": []}],
        })
    };
    assert_eq!(
        sent,
        [
            attachment(format!("alice is starting {p}-sl-1."), "#1dc7d3"),
            attachment(format!("Start of {p}-sl-1 succeeded."), "good"),
        ]
    );
}
