//! Sessions on the real host device over a link paced to a UART's rate (`SessionOptions::
//! link_rate`): inputs work as on the bare pipes, and take at least the time their bytes need
//! on the line.

use std::time::{Duration, Instant};

use bs_session::{Outcome, Session, SessionOptions};

/// Runs `source`, and returns its output, the time it took, and the bytes it sent and received.
fn eval(session: &mut Session, source: &str) -> (String, Duration, u64, u64) {
    let before = session.link_stats();
    let mut out = Vec::new();
    let started = Instant::now();
    let (outcome, _) = session.eval("<test>", source, &mut |_, b| out.extend_from_slice(b));
    let took = started.elapsed();
    assert!(matches!(outcome, Outcome::Ok), "{source}: {outcome:?}");
    let after = session.link_stats();
    (
        String::from_utf8_lossy(&out).into_owned(),
        took,
        after.bytes_sent - before.bytes_sent,
        after.bytes_received - before.bytes_received,
    )
}

fn repl_at(baud: u32) {
    let options = SessionOptions {
        link_rate: Some(baud),
        ..Default::default()
    };
    let mut session = Session::start(&options).expect("the host device starts");
    assert!(
        session
            .device_description()
            .contains(&format!("{baud} baud")),
        "{}",
        session.device_description()
    );
    let mut longest_line = Duration::ZERO;
    for (source, expected) in [
        ("let n: integer = 6", ""),
        ("function twice(x: integer): integer { return x * 2 }", ""),
        ("print(twice(n) + 1)", "13\n"),
        (
            "for (let k = 0; k < 3; k++) { n += k } print('n = ' + n)",
            "n = 9\n",
        ),
    ] {
        let (output, took, sent, received) = eval(&mut session, source);
        assert_eq!(output, expected, "{source}");
        // The host's bytes cross the line one after another before the device answers: the
        // input takes at least their time. (Not so the device's: some of the bytes received
        // during the input may have been on the line before it began, such as a repetition of
        // the previous input's last reply.)
        let line = bs_transport::line_time(sent, baud);
        assert!(
            took >= line,
            "`{source}` took {took:?}, less than its {sent} + {received} bytes' {line:?} at {baud} baud"
        );
        longest_line = longest_line.max(line);
    }
    // At 9600 baud every input's bytes take tens of milliseconds: the pacing is not vanishing.
    if baud == 9_600 {
        assert!(longest_line > Duration::from_millis(30), "{longest_line:?}");
    }
}

#[test]
fn repl_inputs_work_at_9600_baud() {
    repl_at(9_600);
}

#[test]
fn repl_inputs_work_at_115200_baud() {
    repl_at(115_200);
}
