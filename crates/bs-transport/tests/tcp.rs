//! Tests of [`TcpLink`] against servers on 127.0.0.1: an echo server, a server that starts
//! listening late (the link retries until it does), an address where nothing ever listens (the
//! link gives up at its deadline), and servers that close the connection.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bs_transport::{Device, Link, LinkError, TcpLink};

/// Echoes every byte of one connection back, then ends when the client closes.
fn echo_server() -> (SocketAddr, JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        echo(&mut stream)
    });
    (addr, server)
}

/// Echoes until the other end closes; returns the number of bytes echoed.
fn echo(stream: &mut TcpStream) -> usize {
    let mut buf = [0u8; 1024];
    let mut total = 0;
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return total,
            Ok(n) => {
                stream.write_all(&buf[..n]).unwrap();
                total += n;
            }
        }
    }
}

/// A loopback address where nothing listens (a port the kernel just handed out and took back).
fn unused_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

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
fn bytes_come_back_from_an_echo_server() {
    let (addr, server) = echo_server();
    let mut link = TcpLink::connect(addr, Duration::from_secs(5)).unwrap();
    assert_eq!(link.peer_addr().unwrap(), addr);
    assert!(
        link.describe().contains(&addr.to_string()),
        "{}",
        link.describe()
    );
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let mut echoed = Vec::new();
    for chunk in bytes.chunks(1034) {
        link.send(chunk).unwrap();
        echoed.extend(recv_exactly(&mut link, chunk.len()));
    }
    assert_eq!(echoed, bytes);
    // Nothing more: a timeout is Ok(0).
    let mut buf = [0u8; 16];
    assert_eq!(link.recv(&mut buf, Duration::from_millis(20)).unwrap(), 0);
    drop(link);
    assert_eq!(server.join().unwrap(), bytes.len());
}

#[test]
fn connecting_retries_until_the_server_listens() {
    let addr = unused_addr();
    let server = thread::spawn(move || {
        thread::sleep(Duration::from_millis(150));
        let listener = TcpListener::bind(addr).unwrap();
        let (mut stream, _) = listener.accept().unwrap();
        echo(&mut stream)
    });
    let started = Instant::now();
    let mut link = TcpLink::connect(addr, Duration::from_secs(10)).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));
    link.send(b"late").unwrap();
    assert_eq!(recv_exactly(&mut link, 4), b"late");
    drop(link);
    assert_eq!(server.join().unwrap(), 4);
}

#[test]
fn connecting_gives_up_at_the_deadline() {
    let addr = unused_addr();
    let started = Instant::now();
    let err = TcpLink::connect(addr, Duration::from_millis(200)).unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
    assert!(took >= Duration::from_millis(200), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn connecting_stops_when_told_to() {
    let addr = unused_addr();
    let mut calls = 0;
    let started = Instant::now();
    let err = TcpLink::connect_while(addr, Duration::from_secs(30), &mut || {
        calls += 1;
        if calls == 3 {
            Err(io::Error::other("the emulator exited"))
        } else {
            Ok(())
        }
    })
    .unwrap_err();
    assert_eq!(calls, 3);
    assert!(err.to_string().contains("the emulator exited"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_closed_connection_ends_the_link_after_its_last_bytes() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.write_all(b"last words").unwrap();
        // Dropping the stream closes the connection.
    });
    let mut link = TcpLink::connect(addr, Duration::from_secs(5)).unwrap();
    server.join().unwrap();
    assert_eq!(recv_exactly(&mut link, 10), b"last words");
    let mut buf = [0u8; 16];
    let err = link.recv(&mut buf, Duration::from_secs(5)).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}

#[test]
fn a_server_that_hangs_up_is_a_closed_device() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        // Read the HELLO, then hang up without a reply.
        let mut buf = [0u8; 64];
        let _ = stream.read(&mut buf);
    });
    let link = TcpLink::connect(addr, Duration::from_secs(5)).unwrap();
    let err = Device::connect(link, Duration::from_secs(5)).unwrap_err();
    server.join().unwrap();
    assert!(matches!(err, LinkError::Closed { .. }), "{err:?}");
}
