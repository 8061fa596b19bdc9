//! Tests of [`ProcessLink`] against ordinary programs: `cat` echoes, `false` and a failing shell
//! script are reported as a closed device with their exit status and standard error.

use std::time::{Duration, Instant};

use bs_transport::{Device, Link, LinkError, ProcessLink, STDERR_TAIL_BYTES};

fn recv_exactly(link: &mut impl Link, n: usize) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while got.len() < n {
        assert!(
            Instant::now() < deadline,
            "only {} of {n} bytes came back",
            got.len()
        );
        let k = link.recv(&mut buf, Duration::from_millis(200)).unwrap();
        got.extend_from_slice(&buf[..k]);
    }
    got
}

#[test]
fn cat_echoes_bytes() {
    let mut link = ProcessLink::spawn("/bin/cat", [] as [&str; 0]).unwrap();
    assert!(link.describe().contains("/bin/cat"), "{}", link.describe());
    let bytes: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    // Send in pieces, reading back as we go so neither pipe fills up.
    let mut echoed = Vec::new();
    for chunk in bytes.chunks(1000) {
        link.send(chunk).unwrap();
        echoed.extend(recv_exactly(&mut link, chunk.len()));
    }
    assert_eq!(echoed, bytes);
    // Nothing more: a timeout is Ok(0), and cat is still running.
    let mut buf = [0u8; 16];
    assert_eq!(link.recv(&mut buf, Duration::from_millis(20)).unwrap(), 0);
    assert!(link.try_exit_status().unwrap().is_none());
}

#[test]
fn false_is_reported_as_closed_with_its_status() {
    let link = ProcessLink::spawn("/bin/false", [] as [&str; 0]).unwrap();
    let err = Device::connect(link, Duration::from_secs(5)).unwrap_err();
    match err {
        LinkError::Closed { detail } => {
            assert!(detail.contains("/bin/false"), "{detail}");
            assert!(detail.contains("exited with status 1"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn exit_status_and_stderr_tail_are_reported() {
    let mut link = ProcessLink::spawn(
        "/bin/sh",
        ["-c", "echo 'runtime: cannot map code region' >&2; exit 3"],
    )
    .unwrap();
    let status = link
        .wait_exit(Duration::from_secs(5))
        .unwrap()
        .expect("exited");
    assert_eq!(status.code(), Some(3));
    assert_eq!(
        link.try_exit_status().unwrap().map(|s| s.code()),
        Some(Some(3))
    );
    let mut buf = [0u8; 16];
    let err = link.recv(&mut buf, Duration::from_secs(5)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    let msg = err.to_string();
    assert!(msg.contains("exited with status 3"), "{msg}");
    assert!(msg.contains("runtime: cannot map code region"), "{msg}");
    // Sending to it fails the same way.
    let err = link.send(&[0; 100_000]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    assert!(err.to_string().contains("status 3"), "{err}");
}

#[test]
fn stderr_tail_keeps_only_the_end() {
    let mut link = ProcessLink::spawn(
        "/bin/sh",
        ["-c", "i=0; while [ $i -lt 1000 ]; do echo \"line $i of noise\" >&2; i=$((i+1)); done; echo THE-END >&2"],
    )
    .unwrap();
    link.wait_exit(Duration::from_secs(10))
        .unwrap()
        .expect("exited");
    // Reading the closed output waits for the stderr reader to finish.
    let mut buf = [0u8; 16];
    assert!(link.recv(&mut buf, Duration::from_secs(5)).is_err());
    let tail = link.stderr_tail();
    assert!(tail.len() <= STDERR_TAIL_BYTES);
    assert!(tail.len() > STDERR_TAIL_BYTES - 100, "{}", tail.len());
    assert!(tail.ends_with("THE-END\n"), "{tail:?}");
    assert!(!tail.contains("line 0 of noise"));
}

#[test]
fn missing_program_is_a_spawn_error() {
    let err = ProcessLink::spawn("/nonexistent/bs-device", [] as [&str; 0]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    assert!(err.to_string().contains("/nonexistent/bs-device"), "{err}");
}

#[test]
fn drop_kills_the_child() {
    let link = ProcessLink::spawn("/bin/sleep", ["30"]).unwrap();
    let pid = link.pid();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    let started = Instant::now();
    drop(link);
    assert!(started.elapsed() < Duration::from_secs(5));
    // Killed and reaped: the process is gone.
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
}

#[test]
fn explicit_kill_reports_the_signal() {
    let mut link = ProcessLink::spawn("/bin/sleep", ["30"]).unwrap();
    link.kill().unwrap();
    let status = link.try_exit_status().unwrap().expect("reaped");
    assert!(!status.success());
    let mut buf = [0u8; 4];
    let err = link.recv(&mut buf, Duration::from_secs(5)).unwrap_err();
    assert!(err.to_string().contains("was killed"), "{err}");
}
