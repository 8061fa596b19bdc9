//! The notebook end to end: `bscript notebook` on the host device, driven in headless Chromium
//! through chromedriver (WebDriver, spoken here over loopback HTTP with a small client), and
//! the server's refusals checked with raw HTTP requests.
//!
//! Needs `chromium` and `chromium-driver` (scripts/setup.sh installs them). With
//! `BSCRIPT_SCREENSHOT=1` the test also writes its screenshot to docs/notebook.png (else to the
//! target folder). `BSCRIPT_NOTEBOOK_TARGET=qemu-mps2-an385` runs it on that device instead of
//! the host device.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Kills a child process when dropped.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request on loopback; the status and the body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("Host")) {
        req += &format!("Host: 127.0.0.1:{port}\r\n");
    }
    for (n, v) in headers {
        req += &format!("{n}: {v}\r\n");
    }
    if !body.is_empty() {
        req += &format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
    }
    req += "\r\n";
    req += body;
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
        if response_complete(&raw) {
            break;
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    // chromedriver answers with chunks when it does not give a length.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    (status, body)
}

/// Whether `raw` holds a whole response: its head and as much body as it announced (a
/// WebSocket's head alone; chromedriver keeps connections open).
fn response_complete(raw: &[u8]) -> bool {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    if head.starts_with("http/1.1 101") {
        return true;
    }
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse::<usize>().ok());
    match length {
        Some(n) => raw.len() >= end + 4 + n,
        None => false,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out += &tail[..n];
        rest = &tail[n + 2..];
    }
    out
}

/// A WebDriver session on chromedriver.
struct Browser {
    port: u16,
    session: String,
    _driver: Kill,
}

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is missing: scripts/setup.sh installs chromium-driver");
        let driver = Kill(driver);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1400,1000"],
            },
        }}});
        let (status, body) = http(port, "POST", "/session", &[], &caps.to_string());
        assert_eq!(status, 200, "cannot start Chromium: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let session = v["value"]["sessionId"].as_str().unwrap().to_string();
        Browser {
            port,
            session,
            _driver: driver,
        }
    }

    fn call(&self, method: &str, what: &str, body: Value) -> Value {
        if std::env::var_os("BSCRIPT_TEST_VERBOSE").is_some() {
            eprintln!("webdriver {method} {what} {body}");
        }
        let path = format!("/session/{}{what}", self.session);
        let body = if method == "GET" {
            String::new()
        } else {
            body.to_string()
        };
        let (status, text) = http(self.port, method, &path, &[], &body);
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(status, 200, "WebDriver {method} {what}: {text}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    fn js(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    /// Waits until `script` returns something truthy, and returns it.
    fn wait(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self.js(script);
            if !(v.is_null() || v == json!(false) || v == json!("") || v == json!(0)) {
                return v;
            }
            if Instant::now() > deadline {
                let page = self.js("return document.querySelector('#cells').innerText");
                panic!("timed out waiting for {what}; the cells show:\n{page}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn element(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("an element id")
            .to_string()
    }

    fn keys(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        );
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.call("POST", &format!("/element/{id}/click"), json!({}));
    }

    fn screenshot(&self) -> Vec<u8> {
        let v = self.call("GET", "/screenshot", Value::Null);
        base64_decode(v.as_str().unwrap())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = http(self.port, "DELETE", &path, &[], "");
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            _ => 63,
        }
    };
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

/// The device the test runs on.
fn target() -> String {
    std::env::var("BSCRIPT_NOTEBOOK_TARGET").unwrap_or_else(|_| "host".to_string())
}

/// The notebook server, started on the device of [`target`] in `dir` with the notebook `file`.
struct Notebook {
    port: u16,
    url: String,
    _child: Kill,
}

impl Notebook {
    fn start(dir: &Path, file: &Path) -> Notebook {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bscript"))
            .arg("--target")
            .arg(target())
            .arg("notebook")
            .arg("--no-browser")
            .arg(file)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start bscript notebook");
        let stdout = child.stdout.take().unwrap();
        let child = Kill(child);
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut line).unwrap();
        // The rest of its output is read (and dropped) so that its writes do not fail.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let url = line
            .trim()
            .strip_prefix("notebook: ")
            .unwrap_or_else(|| panic!("no address printed: {line:?}"))
            .to_string();
        let port = url
            .trim_start_matches("http://127.0.0.1:")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Notebook {
            port,
            url,
            _child: child,
        }
    }

    fn token(&self) -> &str {
        self.url.split("token=").nth(1).unwrap()
    }
}

/// Puts `code` into cell `n` (as if pasted) and runs it with Shift+Enter.
fn run_cell(b: &Browser, n: u32, code: &str) {
    b.wait(
        &format!("cell {n}"),
        &format!("return window.bsNotebook && window.bsNotebook.cells.has({n})"),
    );
    b.js(&format!(
        "const v = window.bsNotebook.cells.get({n}).view;
         v.dispatch({{changes: {{from: 0, to: v.state.doc.length, insert: {}}}}});",
        json!(code)
    ));
    b.keys(&cell_css(n, ".cm-content"), "\u{E008}\u{E007}\u{E000}");
}

fn cell_css(n: u32, inner: &str) -> String {
    format!(".cell[data-cell='{n}'] {inner}")
}

/// Waits until cell `n` has finished with `status`, and returns its output and error text.
fn finished(b: &Browser, n: u32, status: &str) -> (String, String) {
    let got = b.wait(
        &format!("cell {n} to finish"),
        &format!(
            "const c = document.querySelector(\"{}\");
             const s = c && c.dataset.status;
             return s && s !== 'queued' && s !== 'running' ? s : null",
            cell_css(n, "").trim()
        ),
    );
    let text = |part: &str| {
        b.js(&format!(
            "return document.querySelector(\"{}\").textContent",
            cell_css(n, part)
        ))
        .as_str()
        .unwrap_or("")
        .to_string()
    };
    let (out, err) = (text("pre.stdout"), text("pre.error"));
    assert_eq!(
        got, status,
        "cell {n} ended as {got}; output {out:?}, error {err:?}"
    );
    (out, err)
}

const SINE_FN: &str = "function sine(x: float): float {
  let t = x
  let s = x
  for (let k = 1; k < 12; k++) {
    t = -t * x * x / ((2 * k) * (2 * k + 1))
    s += t
  }
  return s
}";

const SINE_LOOP: &str = "for (let i = 0; i < 50; i++) {
  print('sine: ' + sine(i * 0.2))
}";

/// An endless loop that prints now and then.
const LOOP: &str = "let n = 0
while (true) {
  n++
  if (n % 1000000 == 0) print('looping ' + n)
}";

const RUNTIME_ERROR: &str = "let a = [1, 2]\nlet i = 5\nprint(a[i])";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bs-notebook-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn requests_without_the_token_or_from_elsewhere_are_refused() {
    let dir = temp_dir("refusals");
    let nb = Notebook::start(&dir, &dir.join("n.md"));
    let port = nb.port;
    let own = format!("http://127.0.0.1:{port}");
    let with_token = format!("/?token={}", nb.token());
    let ws = format!("/ws?token={}", nb.token());
    let upgrade = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    fn with<'a>(extra: &[(&'a str, &'a str)], origin: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
        let mut h = extra.to_vec();
        if let Some(o) = origin {
            h.push(("Origin", o));
        }
        h
    }
    // The page and the WebSocket with the token, from the server's own origin: accepted.
    assert_eq!(http(port, "GET", &with_token, &[], "").0, 200);
    assert_eq!(
        http(port, "GET", &ws, &with(&upgrade, Some(&own)), "").0,
        101
    );
    // Without the token, or with a wrong one.
    assert_eq!(http(port, "GET", "/", &[], "").0, 403);
    assert_eq!(http(port, "GET", "/notebook.js", &[], "").0, 403);
    assert_eq!(http(port, "GET", "/?token=00", &[], "").0, 403);
    assert_eq!(
        http(port, "GET", "/ws", &with(&upgrade, Some(&own)), "").0,
        403
    );
    // From another origin, or naming another host (DNS rebinding), even with the token.
    assert_eq!(
        http(
            port,
            "GET",
            &with_token,
            &[("Origin", "http://evil.example")],
            ""
        )
        .0,
        403
    );
    assert_eq!(
        http(
            port,
            "GET",
            &ws,
            &with(&upgrade, Some("http://evil.example")),
            ""
        )
        .0,
        403
    );
    assert_eq!(http(port, "GET", &ws, &with(&upgrade, None), "").0, 403);
    assert_eq!(
        http(port, "GET", &with_token, &[("Host", "evil.example:80")], "").0,
        403
    );
}

#[test]
fn cells_run_in_the_browser() {
    let dir = temp_dir("browser");
    let file = dir.join("demo.md");
    let nb = Notebook::start(&dir, &file);
    let b = Browser::start();
    b.go(&nb.url);
    b.wait(
        "the connection",
        "return document.querySelector('#status').textContent === 'ready'",
    );

    // Typed into the editor and run with Shift+Enter.
    b.keys(&cell_css(1, ".cm-content"), "print(1 + 2");
    b.keys(&cell_css(1, ".cm-content"), "\u{E008}\u{E007}\u{E000}");
    let (out, _) = finished(&b, 1, "ok");
    assert_eq!(out, "3\n");
    let times = b.js(&format!(
        "return document.querySelector(\"{}\").textContent",
        cell_css(1, ".times")
    ));
    let times = times.as_str().unwrap();
    for stage in ["compile", "link", "transfer", "run"] {
        assert!(times.contains(stage), "stage times: {times}");
    }

    // A compile error is underlined in the editor and rendered below it.
    run_cell(&b, 2, "let s: string = 1");
    let (_, err) = finished(&b, 2, "compile-error");
    assert!(err.contains("cell 2:1:"), "{err}");
    let underlined = b.wait(
        "the underline",
        &format!(
            "const u = document.querySelector(\"{}\"); return u && u.textContent",
            cell_css(2, ".cm-lintRange-error")
        ),
    );
    assert_eq!(underlined, json!("1"));

    // A run-time error names its line.
    run_cell(&b, 3, RUNTIME_ERROR);
    let (_, err) = finished(&b, 3, "runtime-error");
    assert!(err.starts_with("run-time error at line 3, column"), "{err}");
    assert!(err.contains("array index out of range"), "{err}");

    // A sine over 50 points makes a chart of 50 points.
    run_cell(&b, 4, SINE_FN);
    finished(&b, 4, "ok");
    run_cell(&b, 5, SINE_LOOP);
    finished(&b, 5, "ok");
    let points = b.wait(
        "the chart",
        "const c = document.querySelector('.chart[data-series=\"sine\"]');
         return c && c.querySelector('canvas') && c.dataset.points === '50' && c.dataset.points",
    );
    assert_eq!(points, json!("50"));

    // The memory panel shows what .mem shows in the REPL after the same inputs.
    let panel = b
        .wait(
            "the memory panel",
            "const t = document.querySelector('#mem-text').textContent;
             return t.includes('code: ') && !t.includes('code: 0 of') && t",
        )
        .as_str()
        .unwrap()
        .to_string();
    // The same units: each of these is one REPL input, as each cell was one.
    let repl_input = format!(
        "print(1 + 2)\nlet s: string = 1\n{}\n{SINE_FN}\n{SINE_LOOP}\n.mem\n",
        RUNTIME_ERROR.replace('\n', "; "),
    );
    let repl = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .arg("--target")
        .arg(target())
        .arg("repl")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    repl.stdin
        .as_ref()
        .unwrap()
        .write_all(repl_input.as_bytes())
        .unwrap();
    let out = repl.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    let mem: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("heap: ") || l.starts_with("code: ") || l.starts_with("data: "))
        .collect();
    assert_eq!(mem.len(), 3, "REPL output: {out}");
    assert_eq!(panel, mem.join("\n"));
    let units = b.js("return document.querySelector('#units tbody').textContent");
    assert!(
        units.as_str().unwrap().contains("sine"),
        "the units table names the functions: {units}"
    );

    // The interrupt button stops an endless loop, and the next cell runs.
    // Its output arrives while it runs (the device sends what it printed at a newline, at
    // most every 20 ms).
    run_cell(&b, 6, LOOP);
    b.wait(
        "the loop's output while it runs",
        &format!(
            "const c = document.querySelector(\"{}\");
             return c.dataset.status === 'running'
                    && c.querySelector('pre.stdout').textContent.startsWith('looping 1000000\\n')",
            cell_css(6, "").trim()
        ),
    );
    std::thread::sleep(Duration::from_millis(300));
    b.click("#interrupt");
    let (_, err) = finished(&b, 6, "runtime-error");
    assert!(err.contains("interrupted"), "{err}");
    run_cell(&b, 7, "print(7)");
    assert_eq!(finished(&b, 7, "ok").0, "7\n");

    // An earlier cell edited and run again is a new input.
    run_cell(&b, 1, "print(40 + 2)");
    assert_eq!(finished(&b, 1, "ok").0, "42\n");

    // Saved as Markdown with one code block per cell.
    b.click("#save");
    b.wait(
        "the save",
        "return document.querySelector('#status').textContent === 'saved'",
    );
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(
        saved.contains("```bs\nprint(40 + 2)\n```\n\n```bs\nlet s: string = 1\n```"),
        "{saved}"
    );
    assert!(saved.contains(&format!("```bs\n{LOOP}\n```")), "{saved}");

    // Exported as a project (the folder is asked for in a prompt).
    b.click("#export");
    let project = dir.join("exported");
    b.call(
        "POST",
        "/alert/text",
        json!({ "text": project.display().to_string() }),
    );
    b.call("POST", "/alert/accept", json!({}));
    b.wait(
        "the export",
        "return document.querySelector('#status').textContent.startsWith('exported to')",
    );
    let config = std::fs::read_to_string(project.join("bsconfig.json")).unwrap();
    assert!(
        config.contains("\"entryFile\": \"./src/index.bs\""),
        "{config}"
    );
    let program = std::fs::read_to_string(project.join("src/index.bs")).unwrap();
    assert!(
        program.starts_with("// cell 1\nprint(40 + 2)\n\n// cell 2\n"),
        "{program}"
    );

    let png = b.screenshot();

    // Reset forgets what the cells declared.
    b.click("#reset");
    b.wait(
        "the reset",
        "return document.querySelector('#status').textContent === 'device reset'",
    );
    run_cell(&b, 8, "print(sine(1.0))");
    let (_, err) = finished(&b, 8, "compile-error");
    assert!(err.contains("sine"), "{err}");

    // What timer callbacks print after their cell ended shows under it and feeds its plots.
    run_cell(
        &b,
        9,
        "let n = 0; const id = setInterval(() => { n++; print('tick: ' + n); \
         if (n == 5) { clearInterval(id) } }, 30)",
    );
    finished(&b, 9, "ok");
    let ticks = b.wait(
        "the ticks of a timer",
        &format!(
            "const o = document.querySelector(\"{}\").textContent;
             const c = document.querySelector('.chart[data-series=\"tick\"]');
             return o.includes('tick: 5') && c && c.dataset.points === '5' && o",
            cell_css(9, "pre.stdout")
        ),
    );
    assert_eq!(
        ticks,
        json!("tick: 1\ntick: 2\ntick: 3\ntick: 4\ntick: 5\n")
    );

    // The saved file is loaded by a notebook started on it.
    let again = Notebook::start(&dir, &file);
    b.go(&again.url);
    b.wait(
        "the loaded notebook",
        "return document.querySelector('#status').textContent === 'ready'
                && window.bsNotebook.cells.size === 8",
    );
    let first = b.js("return window.bsNotebook.cells.get(1).view.state.doc.toString()");
    assert_eq!(first, json!("print(40 + 2)"));

    // The screenshot for the README: the chart and the memory panel in view.
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let shot = if std::env::var_os("BSCRIPT_SCREENSHOT").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/notebook.png")
    } else {
        dir.join("notebook.png")
    };
    std::fs::write(&shot, png).unwrap();
}
