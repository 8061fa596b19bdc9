//! The notebook's HTTP and WebSocket server: the page and its assets (embedded in the binary),
//! and `/ws`, the WebSocket on which the page sends requests and receives the session's events.
//! Every request is checked first (`refusal`): the token, the `Host` and the `Origin`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tungstenite::{Message, WebSocket, protocol::Role};

use super::Shared;

const INDEX_HTML: &str = include_str!("../../../../web/index.html");
const NOTEBOOK_JS: &str = include_str!("../../../../web/dist/notebook.js");
const NOTEBOOK_CSS: &str = include_str!("../../../../web/notebook.css");
const UPLOT_CSS: &str = include_str!("../../../../web/dist/uplot.css");

/// The longest request head read.
const MAX_HEAD: usize = 16 * 1024;

pub(super) fn serve(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(&shared);
        let _ = std::thread::Builder::new()
            .name("notebook-connection".to_string())
            .spawn(move || {
                let _ = connection(stream, &shared);
            });
    }
}

/// One request's head.
struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k == name).then_some(v)
        })
    }
}

/// Reads a request head (up to the blank line).
fn read_head(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so that nothing after the head is consumed (a WebSocket's first frames).
    while !buf.ends_with(b"\r\n\r\n") {
        if buf.len() >= MAX_HEAD || stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        headers,
    })
}

/// Compares two strings in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Why a request is refused, if it is.
fn refusal(req: &Request, shared: &Shared, websocket: bool) -> Option<&'static str> {
    if !req
        .param("token")
        .is_some_and(|t| same_secret(t, &shared.token))
    {
        return Some("the request lacks the notebook's token");
    }
    if req.header("Host") != Some(shared.host.as_str()) {
        return Some("the request names another host");
    }
    match req.header("Origin") {
        Some(origin) if origin != shared.origin => Some("the request comes from another origin"),
        // A browser always names the origin of a WebSocket.
        None if websocket => Some("the WebSocket request names no origin"),
        _ => None,
    }
}

fn respond(stream: &mut TcpStream, status: &str, kind: &str, body: &[u8]) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
         Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    stream.flush()
}

fn connection(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(req) = read_head(&mut stream) else {
        return Ok(());
    };
    let websocket = req
        .header("Upgrade")
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    if let Some(why) = refusal(&req, shared, websocket) {
        return respond(
            &mut stream,
            "403 Forbidden",
            "text/plain; charset=utf-8",
            format!("refused: {why}\n").as_bytes(),
        );
    }
    if req.method != "GET" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"only GET\n",
        );
    }
    if websocket && req.path == "/ws" {
        return websocket_session(stream, &req, shared);
    }
    let (kind, body): (&str, String) = match req.path.as_str() {
        "/" | "/index.html" => (
            "text/html; charset=utf-8",
            INDEX_HTML.replace("{{TOKEN}}", &shared.token),
        ),
        "/notebook.js" => ("text/javascript; charset=utf-8", NOTEBOOK_JS.to_string()),
        "/notebook.css" => ("text/css; charset=utf-8", NOTEBOOK_CSS.to_string()),
        "/uplot.css" => ("text/css; charset=utf-8", UPLOT_CSS.to_string()),
        _ => {
            return respond(
                &mut stream,
                "404 Not Found",
                "text/plain; charset=utf-8",
                b"not found\n",
            );
        }
    };
    respond(&mut stream, "200 OK", kind, body.as_bytes())
}

/// Answers the upgrade, then passes messages both ways until the page goes away.
fn websocket_session(mut stream: TcpStream, req: &Request, shared: &Shared) -> std::io::Result<()> {
    let Some(key) = req.header("Sec-WebSocket-Key") else {
        return respond(&mut stream, "400 Bad Request", "text/plain", b"no key\n");
    };
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    write!(
        stream,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    )?;
    stream.flush()?;
    // Reads wait briefly, so that events are passed on while the page is quiet.
    stream.set_read_timeout(Some(Duration::from_millis(15)))?;
    let events = shared.subscribe();
    let mut ws = WebSocket::from_raw_socket(stream, Role::Server, None);
    let mut outgoing = vec![shared.hello()];
    loop {
        for event in outgoing.drain(..) {
            if ws.send(Message::text(event.to_string())).is_err() {
                return Ok(());
            }
        }
        while let Ok(event) = events.try_recv() {
            if ws.send(Message::text(event)).is_err() {
                return Ok(());
            }
        }
        match ws.read() {
            Ok(Message::Text(text)) => {
                shared.handle(text.as_str(), &mut |v: Value| outgoing.push(v));
            }
            Ok(Message::Close(_)) => return Ok(()),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Ok(()),
        }
    }
}
