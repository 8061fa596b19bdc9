//! Timers in a session, as the REPL's poller sees them, on the host device and (when QEMU and
//! the ARM compiler are installed) on `qemu-mps2-an385`: a timer's output is fetched by
//! `poll_events` between two inputs, a later input runs while the interval goes on, redefining
//! the function a timer calls takes effect at its next tick, a callback's error is located at
//! its line and clears its interval, `clearInterval` from a later input stops a timer, an input
//! that fails leaves no timer behind, and `reset` clears every timer.

use std::time::{Duration, Instant};

use bs_session::{Outcome, Session, SessionOptions};

fn eval(session: &mut Session, source: &str) -> (Outcome, String) {
    let mut out = Vec::new();
    let (outcome, _) = session.eval("<test>", source, &mut |_, b| out.extend_from_slice(b));
    (outcome, String::from_utf8_lossy(&out).into_owned())
}

fn ok(session: &mut Session, source: &str) -> String {
    let (outcome, out) = eval(session, source);
    assert!(matches!(outcome, Outcome::Ok), "{source}: {outcome:?}");
    out
}

/// Polls until `done` holds for everything fetched so far (or 10 s pass): the output, and the
/// errors' messages and lines.
fn poll_until(
    session: &mut Session,
    done: impl Fn(&str, &[(String, u32)]) -> bool,
) -> (String, Vec<(String, u32)>, bs_session::EventPoll) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let start = Instant::now();
    loop {
        let poll = session.poll_events(&mut |_, b| out.extend_from_slice(b));
        for e in &poll.errors {
            match e {
                Outcome::RuntimeError(f) => {
                    errors.push((f.message.clone(), f.location.as_ref().map_or(0, |l| l.line)))
                }
                other => panic!("not a run-time error: {other:?}"),
            }
        }
        let text = String::from_utf8_lossy(&out).into_owned();
        if done(&text, &errors) {
            return (text, errors, poll);
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "gave up waiting; fetched {text:?} {errors:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn timers_in_a_session(session: &mut Session) {
    assert!(!session.events_active());
    ok(
        session,
        "let n = 0;\nfunction tick(): void { n = n + 1; print(\"tick \" + n); }\nlet id = setInterval(tick, 20);",
    );
    assert!(session.events_active(), "RESULT says a timer is active");
    let (out, _, poll) = poll_until(session, |out, _| out.contains("tick 2\n"));
    assert!(out.starts_with("tick 1\ntick 2\n"), "{out:?}");
    assert_eq!(poll.timers, 1);
    assert!(poll.active);
    // Another input runs while the interval goes on.
    assert_eq!(ok(session, "print(n > 0);"), "true\n");
    // Redefinition takes effect at the next tick.
    ok(
        session,
        "function tick(): void { n = n + 1; print(\"new \" + n); }",
    );
    let (out, _, _) = poll_until(session, |out, _| out.contains("new "));
    assert!(out.contains("new "), "{out:?}");
    // clearInterval from a later input stops it: nothing more comes.
    ok(session, "clearInterval(id);");
    let (_, _, poll) = poll_until(session, |_, _| true);
    assert_eq!(poll.timers, 0);
    assert!(!poll.active);
    assert!(!session.events_active());
    std::thread::sleep(Duration::from_millis(60));
    let mut late = Vec::new();
    let poll = session.poll_events(&mut |_, b| late.extend_from_slice(b));
    assert!(late.is_empty(), "{}", String::from_utf8_lossy(&late));
    assert!(poll.errors.is_empty());

    // A callback's error names its line; its interval is cleared; the session goes on.
    ok(
        session,
        "let k = 0;\nsetInterval(() => {\n  k = k + 1;\n  print(100 / (k - 2));\n}, 10);",
    );
    let (out, errors, poll) = poll_until(session, |_, errors| !errors.is_empty());
    assert!(out.starts_with("-100\n"), "{out:?}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "division by zero");
    assert_eq!(errors[0].1, 4, "the line of the division");
    assert_eq!(poll.timers, 0, "the failing interval was cleared");
    assert_eq!(ok(session, "print(k);"), "2\n");

    // An input that fails leaves no timer behind: the session is as it was.
    let (outcome, _) = eval(
        session,
        "setInterval(() => { print(\"ghost\"); }, 5);\nlet zero = 0;\nprint(1 / zero);",
    );
    assert!(matches!(outcome, Outcome::RuntimeError(_)), "{outcome:?}");
    std::thread::sleep(Duration::from_millis(30));
    let mut ghost = Vec::new();
    let poll = session.poll_events(&mut |_, b| ghost.extend_from_slice(b));
    assert!(ghost.is_empty(), "{}", String::from_utf8_lossy(&ghost));
    assert_eq!(poll.timers, 0);

    // reset clears every timer.
    ok(session, "setInterval(() => { print(\"x\"); }, 10);");
    session.reset().expect("reset works");
    assert!(!session.events_active());
    let poll = session.poll_events(&mut |_, _| {});
    assert_eq!(poll.timers, 0);
    assert!(!poll.active);
}

#[test]
fn timers_on_the_host_device() {
    let mut session = Session::start(&SessionOptions::default()).expect("the host device starts");
    timers_in_a_session(&mut session);
}

#[test]
fn timers_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if bs_session::find_program(tool).is_none() {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    let options = SessionOptions {
        target: "qemu-mps2-an385".to_string(),
        ..Default::default()
    };
    let mut session = Session::start(&options).expect("the QEMU device starts");
    timers_in_a_session(&mut session);
}

/// What does not fit is counted, not silently lost: a callback that prints more than the event
/// buffer holds, and posts that find the queue full.
fn overflow_is_counted(session: &mut Session) {
    ok(
        session,
        "setTimeout(() => {\n  let line = \"0123456789012345678901234567890123456789012345678901234567890123456789\";\n  for (let i = 0; i < 200; i++) { print(line); }\n}, 1);",
    );
    let total = 200 * 71;
    let mut kept = 0;
    let mut dropped = 0;
    let start = Instant::now();
    while kept + dropped < total {
        let poll = session.poll_events(&mut |_, b| kept += b.len());
        dropped += poll.dropped_output_bytes as usize;
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{kept} + {dropped}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(kept + dropped, total);
    assert!(
        dropped > 0,
        "the event buffer is smaller than {total} bytes"
    );
    assert!(kept > 0, "what fits is kept");

    // 100 posts while an input runs (and no callback can): the queue keeps what fits.
    ok(
        session,
        "let posts = 0;\nfunction counted(): void { posts = posts + 1; }\nlet f: () => void = counted;\nfor (let i = 0; i < 100; i++) {\n  code`bs_event_post(${f});`;\n}",
    );
    let (_, _, poll) = poll_until(session, |_, _| true);
    let ran: u32 = ok(session, "print(posts);").trim().parse().unwrap();
    assert!(ran > 0 && poll.dropped_events > 0, "{ran} ran, {poll:?}");
    assert_eq!(ran + poll.dropped_events, 100);
}

#[test]
fn overflow_on_the_host_device() {
    let mut session = Session::start(&SessionOptions::default()).expect("the host device starts");
    overflow_is_counted(&mut session);
}

#[test]
fn overflow_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if bs_session::find_program(tool).is_none() {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    let options = SessionOptions {
        target: "qemu-mps2-an385".to_string(),
        ..Default::default()
    };
    let mut session = Session::start(&options).expect("the QEMU device starts");
    overflow_is_counted(&mut session);
}

/// A device that dies while timers run: the poll says so once (the device was started afresh,
/// everything declared is gone), polling stops, and the next input runs.
#[test]
fn a_device_that_dies_while_timers_run_is_started_afresh() {
    let mut session = Session::start(&SessionOptions::default()).expect("the host device starts");
    ok(
        &mut session,
        "let k = 5;\nsetInterval(() => { print(\"t\"); }, 10);",
    );
    assert!(session.events_active());
    let pid = session.device_process_id();
    assert!(
        std::process::Command::new("kill")
            .arg(pid.to_string())
            .status()
            .unwrap()
            .success()
    );
    let start = Instant::now();
    let failure = loop {
        let poll = session.poll_events(&mut |_, _| {});
        if let Some(e) = poll.errors.last() {
            if matches!(e, Outcome::DeviceError { .. }) {
                assert!(!poll.active);
                break e.clone();
            }
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{poll:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        matches!(
            failure,
            Outcome::DeviceError {
                restarted: true,
                ..
            }
        ),
        "{failure:?}"
    );
    assert!(!session.events_active());
    assert_ne!(session.device_process_id(), pid);
    let (outcome, _) = eval(&mut session, "print(k);");
    assert!(matches!(outcome, Outcome::CompileError(_)), "{outcome:?}");
    assert_eq!(ok(&mut session, "print(1 + 1);"), "2\n");
}
