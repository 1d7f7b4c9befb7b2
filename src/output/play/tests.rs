//! The renderers fed a play's events: the live one through a terminal emulator
//! (`vt100`) at 80×24 and 160×40 — no wrapped row, every visible row in its final
//! state, nothing forged by escapes in a reason — and the plain one line by line.

use super::{LiveReporter, PlainReporter};
use crate::engine::{AbortReason, Event, Outcome, PluginLog, Reporter, Row, State, Step, Update};
use crate::model::LifecycleState;
use crate::planner::Action;

fn rows(n: usize) -> Vec<Row> {
    (1..=n)
        .map(|i| Row {
            number: i,
            container: format!("frontend-web-server-{i}"),
            service: "frontend-web-server".into(),
            ship: "production-ship-eu-west-1a".into(),
            image: "registry.example.com/team/frontend:2026.12".into(),
            tag: "2026.12".into(),
            short_image: "team/frontend:2026.12".into(),
        })
        .collect()
}

fn update(container: &str, state: State, id: Option<&str>) -> Event {
    Event::Update(Update {
        container: container.into(),
        state,
        container_id: id.map(str::to_string),
        image_id: None,
    })
}

fn started() -> State {
    State::Running {
        since: None,
        changed: true,
        drifted: false,
    }
}

/// A start of `n` containers: each pulls, creates, starts, is checked (the reason of
/// one attempt tries to forge a row and clear the screen), then runs; the last fails.
fn play(n: usize) -> Vec<Event> {
    let mut events = vec![Event::Begin {
        action: Action::Start,
        rows: rows(n),
    }];
    for i in 1..=n {
        let name = format!("frontend-web-server-{i}");
        let id = format!("{i:0>12}abcdef");
        events.push(update(
            &name,
            State::Pulling {
                done: 10,
                total: 100,
            },
            None,
        ));
        events.push(update(&name, State::Creating, None));
        events.push(update(&name, State::Starting, Some(&id)));
        events.push(update(
            &name,
            State::Checking {
                lifecycle: LifecycleState::Running,
                check: Some("http".into()),
                attempt: Some(2),
                reason: Some(
                    "\x1b[2J\x1b[H  1. frontend-web-server-1 forged started\r\n a very long reason that goes on and on past any terminal's width without stopping for breath".into(),
                ),
            },
            None,
        ));
        events.push(Event::PluginLog(PluginLog {
            container: name.clone(),
            check: "http".into(),
            level: "info",
            message: "\x1b]0;owned\x07title".into(),
        }));
    }
    for i in 1..=n {
        let name = format!("frontend-web-server-{i}");
        let state = if i == n {
            State::Failed {
                step: Step::Start,
                cause: "the container exited at once\nsecond line".into(),
            }
        } else {
            started()
        };
        events.push(update(&name, state, None));
    }
    events.push(Event::End(Outcome::default()));
    events
}

/// The screen after a live rendering of `events` on a `width`×`height` terminal.
fn screen(events: Vec<Event>, width: usize, height: usize, verbose: bool) -> vt100::Parser {
    let live = LiveReporter::new(Vec::new(), Box::new(move || (width, height)), true, verbose);
    for e in events {
        live.report(e);
    }
    let bytes = live.into_inner();
    // The only sequences written are the table's own: no title (OSC), no clear screen.
    assert!(
        !bytes.windows(2).any(|w| w == b"\x1b]"),
        "an OSC sequence was written"
    );
    assert!(
        !bytes.windows(4).any(|w| w == b"\x1b[2J"),
        "the screen was cleared"
    );
    let size = |n: usize| std::num::NonZeroU16::new(n as u16).expect("non-zero");
    let mut parser = vt100::Parser::new(size(height), size(width), 10_000);
    parser.process(&bytes);
    parser
}

fn lines(parser: &vt100::Parser) -> Vec<String> {
    parser
        .screen()
        .rows(0, parser.screen().size().1.get())
        .map(|l| l.trim_end().to_string())
        .collect()
}

fn assert_final_and_unwrapped(parser: &vt100::Parser, n: usize) {
    let screen = parser.screen();
    let (height, _) = screen.size();
    for row in 0..height.get() {
        assert!(
            !screen.row_wrapped(row),
            "row {row} wrapped:\n{}",
            screen.contents()
        );
    }
    let shown = lines(parser);
    for line in shown.iter().filter(|l| l.contains("frontend-web-server-")) {
        let number: usize = line
            .trim_start()
            .split('.')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        if number == n {
            assert!(line.contains("failed to start"), "{line}");
        } else {
            assert!(line.ends_with("started"), "{line}");
        }
        assert!(!line.contains("forged"), "{line}");
    }
    assert!(
        !screen.contents().contains("forged started\n"),
        "{}",
        screen.contents()
    );
}

#[test]
fn fits_an_80_column_terminal() {
    let parser = screen(play(5), 80, 24, false);
    assert_final_and_unwrapped(&parser, 5);
    let shown = lines(&parser);
    assert_eq!(
        shown[0],
        "  #  INSTANCE         SERVICE  SHIP     CONTAINER       STATUS"
    );
    assert_eq!(
        shown[1],
        "  1. frontend-web-se… fronten… product… 2026.12:0000000 started"
    );
    assert_eq!(
        shown[5],
        "  5. frontend-web-se… fronten… product… 2026.12:0000000 failed to start: the c…"
    );
    assert!(shown[6].is_empty(), "{shown:?}");
}

#[test]
fn fits_a_160_column_terminal() {
    let parser = screen(play(5), 160, 40, false);
    assert_final_and_unwrapped(&parser, 5);
    let shown = lines(&parser);
    assert_eq!(
        shown[1],
        "  1. frontend-web-server-1 frontend-web-server  production-ship-eu-west-1a 2026.12:0000000           started"
    );
    assert_eq!(
        shown[5],
        "  5. frontend-web-server-5 frontend-web-server  production-ship-eu-west-1a 2026.12:0000000           failed to start: the container exited at once"
    );
}

#[test]
fn more_rows_than_the_screen_has_lines() {
    let n = 60;
    let mut parser = screen(play(n), 80, 24, false);
    assert_final_and_unwrapped(&parser, n);
    // Every row was written once in its final state, in order, scrollback included.
    let height = parser.screen().size().0.get() as usize;
    parser.screen_mut().set_scrollback(usize::MAX);
    let mut back = parser.screen().scrollback();
    let mut all = Vec::new();
    loop {
        parser.screen_mut().set_scrollback(back);
        let page = lines(&parser);
        // The rows of this page that are not on the next one down.
        all.extend(page.into_iter().take(back.min(height)));
        if back == 0 {
            all.extend(lines(&parser));
            break;
        }
        back = back.saturating_sub(height);
    }
    parser.screen_mut().set_scrollback(0);
    for i in 1..=n {
        let prefix = format!("{i:>3}. ");
        let shown: Vec<&String> = all.iter().filter(|l| l.starts_with(&prefix)).collect();
        assert!(
            !shown.is_empty(),
            "row {i} never shown in full:\n{}",
            all.join("\n")
        );
        let final_text = if i == n { "failed to start" } else { "started" };
        assert!(
            shown.iter().all(|l| l.contains(final_text)),
            "row {i} left stale: {shown:?}"
        );
    }
    let visible = lines(&parser);
    assert!(
        visible.iter().any(|l| l.starts_with(" 60. ")),
        "{visible:?}"
    );
}

#[test]
fn verbose_lines_are_inert_and_above_the_table() {
    let parser = screen(play(2), 80, 24, true);
    let contents = parser.screen().contents();
    assert!(
        contents.contains("frontend-web-server-1 │ http info: \\x1b]0;owned\\x07title"),
        "{contents}"
    );
    assert!(
        contents.contains("frontend-web-server-2 │ http attempt 2: \\x1b[2J\\x1b[H  1. fr"),
        "{contents}"
    );
    // The table is still whole under them.
    let shown = lines(&parser);
    assert!(
        shown
            .iter()
            .any(|l| l.starts_with("  2. ") && l.contains("failed to start"))
    );
}

#[test]
fn plain_lines_are_final_and_in_row_order() {
    let plain = PlainReporter::new(Vec::new(), false, false, false);
    let mut events = play(3);
    // The second row finishes first: it is written after the first.
    let end = events.pop().unwrap();
    let finals: Vec<Event> = events.split_off(events.len() - 3);
    for e in events {
        plain.report(e);
    }
    for i in [1, 0, 2] {
        plain.report(finals[i].clone());
    }
    plain.report(end);
    let text = String::from_utf8(plain.into_inner()).unwrap();
    assert_eq!(
        text,
        "  #  INSTANCE              SERVICE              SHIP                       CONTAINER                 STATUS
  1. frontend-web-server-1 frontend-web-server  production-ship-eu-west-1a 2026.12:0000000           started
  2. frontend-web-server-2 frontend-web-server  production-ship-eu-west-1a 2026.12:0000000           started
  3. frontend-web-server-3 frontend-web-server  production-ship-eu-west-1a 2026.12:0000000           failed to start: the container exited at once
"
    );
}

#[test]
fn plain_progress_shows_every_change() {
    let plain = PlainReporter::new(Vec::new(), true, false, false);
    plain.report(Event::Begin {
        action: Action::Stop,
        rows: rows(1)[..1].to_vec(),
    });
    plain.report(update(
        "frontend-web-server-1",
        State::Stopping,
        Some("abcdef0123456"),
    ));
    plain.report(update(
        "frontend-web-server-1",
        State::Aborted {
            reason: AbortReason::Interrupted,
        },
        None,
    ));
    plain.report(Event::End(Outcome::default()));
    let text = String::from_utf8(plain.into_inner()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].ends_with("abcdef0           stopping service..."),
        "{text}"
    );
    assert!(lines[2].ends_with("aborted: interrupted"), "{text}");
}
