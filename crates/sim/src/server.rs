//! sim-server's HTTP layer (feature `server`, native only): a small HTTP/1.1 server on
//! 127.0.0.1 with real time and a mutex around the simulator, plus an optional static file
//! server for the built app. Written on std::net rather than a framework so a "dropped response"
//! fault can close the connection without answering, as a real lost response looks.
//!
//! Besides Graph and Entra it answers a few control endpoints for tests and benchmarks:
//! `GET /_sim/stats`, `POST /_sim/faults` `{"serverErrorRate","dropRate","latencyMs":[lo,hi],"readLagMs":[lo,hi]}`,
//! `POST /_sim/throttle` `{"writesPerSec"}` (0 = off), `POST /_sim/token` `{"scopes":[...]}`,
//! `POST /_sim/consent` `{"grant":bool,"scopes":[...]}`, `POST /_sim/roles` `{"roles":[...]}`,
//! `POST /_sim/reprocess` `{"group":id}`, `POST /_sim/pace` `{"pace":"entra","faster":K}` or
//! `{"pace":"fixed","delayMs":N}`.
use crate::{Sim, ThrottleConfig};
use licswap_core::graph::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MAX_BODY: usize = 16 * 1024 * 1024;

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// A running server; stops when dropped or on [`Server::stop`].
pub struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn stop(&self) {
        if !self.stop.swap(true, Ordering::SeqCst) {
            // Wake the accept loop so it sees the flag.
            let _ = TcpStream::connect(("127.0.0.1", self.port));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A response as bytes (static files are binary).
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl From<HttpResponse> for Raw {
    fn from(r: HttpResponse) -> Self {
        Raw { status: r.status, headers: r.headers, body: r.body.into_bytes() }
    }
}

/// What one connection's requests are answered by; `None` drops the response.
type Handler = Arc<dyn Fn(HttpRequest) -> Option<Raw> + Send + Sync>;

fn listen(port: u16, handler: Handler) -> std::io::Result<Server> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let port = listener.local_addr()?.port();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            if let Ok(stream) = conn {
                let h = handler.clone();
                std::thread::spawn(move || serve_connection(stream, port, h));
            }
        }
    });
    Ok(Server { port, stop })
}

/// Serve the simulator on `127.0.0.1:port` (0 picks a free port).
pub fn serve_sim(sim: Arc<Mutex<Sim>>, port: u16) -> std::io::Result<Server> {
    serve_sim_at(sim, port, Arc::new(now_ms))
}

/// The simulator's idea of "now" in milliseconds since the Unix epoch.
pub type NowFn = Arc<dyn Fn() -> u64 + Send + Sync>;

/// [`serve_sim`] with its own clock: tests pass a virtual one so timing over HTTP (group
/// processing, token expiry, throttle refill) is as exact as in process.
pub fn serve_sim_at(sim: Arc<Mutex<Sim>>, port: u16, now: NowFn) -> std::io::Result<Server> {
    let handler: Handler = Arc::new(move |req| handle_sim(&sim, req, &now).map(Raw::from));
    listen(port, handler)
}

/// Serve `dir` as static files on `127.0.0.1:port`; unknown paths without an extension get
/// `index.html` (client-side routing).
pub fn serve_static(dir: PathBuf, port: u16) -> std::io::Result<Server> {
    let handler: Handler = Arc::new(move |req| Some(static_file(&dir, &req)));
    listen(port, handler)
}

fn handle_sim(sim: &Arc<Mutex<Sim>>, req: HttpRequest, now: &NowFn) -> Option<HttpResponse> {
    let path = crate::wire::Target::parse(&req.url).path;
    if let Some(ctl) = path.strip_prefix("/_sim/") {
        let mut s = sim.lock().unwrap_or_else(|e| e.into_inner());
        return Some(control(&mut s, ctl, &req, now()));
    }
    let delivery = sim.lock().unwrap_or_else(|e| e.into_inner()).delivery(&req);
    if delivery.latency_ms > 0 {
        std::thread::sleep(Duration::from_millis(delivery.latency_ms));
    }
    let resp = sim.lock().unwrap_or_else(|e| e.into_inner()).handle(&req, now());
    (!delivery.drop_response).then_some(resp)
}

fn control(sim: &mut Sim, what: &str, req: &HttpRequest, now: u64) -> HttpResponse {
    let body: Value = serde_json::from_str(req.body.as_deref().unwrap_or("{}")).unwrap_or(Value::Null);
    let ok = |v: Value| HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: v.to_string(),
    };
    match (what, &req.method) {
        ("stats", Method::Get) => {
            let s = &sim.stats;
            ok(json!({
                "requests": s.requests, "graphRequests": s.graph_requests, "batches": s.batches,
                "throttled": s.throttled, "injected5xx": s.injected_5xx, "licenseWrites": s.license_writes,
                "users": sim.tenant().users.len(), "historyEntries": sim.history().len(),
                "serviceLosses": sim.service_losses().len(), "processingPending": sim.processing_pending(),
                "writeCeilingPerSec": sim.config.throttle.write_ceiling_per_sec(),
            }))
        }
        ("faults", Method::Post) => {
            let f = &mut sim.config.faults;
            f.server_error_rate = body["serverErrorRate"].as_f64().unwrap_or(0.0);
            f.drop_rate = body["dropRate"].as_f64().unwrap_or(0.0);
            let lat = |i: usize| body["latencyMs"][i].as_u64().unwrap_or(0);
            f.latency_ms = (lat(0), lat(1).max(lat(0)));
            // `readLagMs`: a number or [lo, hi]; absent turns lagging reads off like the rest.
            sim.config.read_lag_ms = match &body["readLagMs"] {
                Value::Number(n) => (n.as_u64().unwrap_or(0), n.as_u64().unwrap_or(0)),
                Value::Array(a) => {
                    let at = |i: usize| a.get(i).and_then(Value::as_u64).unwrap_or(0);
                    (at(0), at(1).max(at(0)))
                }
                _ => (0, 0),
            };
            ok(json!({"ok": true}))
        }
        ("throttle", Method::Post) => {
            sim.config.throttle = match body["writesPerSec"].as_u64() {
                Some(0) => ThrottleConfig::off(),
                Some(n) => ThrottleConfig::writes_per_sec(n),
                None => ThrottleConfig::default(),
            };
            ok(
                json!({"writeCeilingPerSec": sim.config.throttle.write_ceiling_per_sec(), "enabled": sim.config.throttle.enabled}),
            )
        }
        ("token", Method::Post) => {
            let scopes: Vec<String> = body["scopes"]
                .as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
                .unwrap_or_default();
            let refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let client = sim.config.clients.first().map(|c| c.client_id.clone()).unwrap_or_default();
            let tok = sim.issue_token(&client, &refs, now);
            ok(json!({"access_token": tok}))
        }
        ("consent", Method::Post) => {
            // {"grant": true, "scopes": [...]} grants tenant-wide admin consent (the configured
            // permissions when no scopes); {"grant": false} withdraws every consent.
            let client = sim.config.clients.first().map(|c| c.client_id.clone()).unwrap_or_default();
            if body["grant"].as_bool().unwrap_or(true) {
                let scopes: Vec<String> = body["scopes"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                let refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
                sim.grant_admin_consent(&client, &refs);
            } else {
                sim.revoke_consent(&client);
            }
            ok(json!({"ok": true}))
        }
        ("pace", Method::Post) => {
            // {"pace":"entra","faster":K} or {"pace":"fixed","delayMs":N}.
            if body["pace"] == "entra" {
                let k = body["faster"].as_u64().unwrap_or(1);
                sim.config.group_pace = Some(crate::GroupPace::entra().faster(k));
            } else {
                sim.config.group_pace = None;
                if let Some(d) = body["delayMs"].as_u64() {
                    sim.config.group_delay_ms = d;
                }
            }
            ok(json!({"ok": true}))
        }
        ("reprocess", Method::Post) => {
            // {"group": id}: the admin center's "Reprocess" button.
            let done = sim.reprocess_group(body["group"].as_str().unwrap_or(""), now);
            ok(json!({"ok": done}))
        }
        ("roles", Method::Post) => {
            // {"roles": ["License Administrator"]}: the signed-in user's directory roles.
            let roles: Vec<&str> = body["roles"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            sim.set_signed_in_roles(&roles);
            ok(json!({"ok": true}))
        }
        _ => HttpResponse { status: 404, headers: Vec::new(), body: String::new() },
    }
}

/// Read requests off one connection and answer each until the client closes it; a `None`
/// answer (a dropped response) closes the connection without a word.
fn serve_connection(stream: TcpStream, port: u16, handler: Handler) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(120)));
    // The head and the body go out in two writes: with Nagle on, the body waits for the client's
    // delayed ACK, 40 ms on every keep-alive response after the first.
    let _ = stream.set_nodelay(true);
    let Ok(write_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    let mut out = write_half;
    while let Some((req, keep_alive)) = read_request(&mut reader, &mut out, port) {
        let resp = match req {
            Ok(req) => handler(req),
            Err(method) => Some(Raw {
                status: 405,
                headers: vec![("Content-Type".into(), "text/plain".into())],
                body: format!("method {method} is not supported").into_bytes(),
            }),
        };
        let Some(resp) = resp else {
            let _ = out.shutdown(Shutdown::Both);
            return;
        };
        if write_response(&mut out, &resp, keep_alive).is_err() || !keep_alive {
            break;
        }
    }
    let _ = out.shutdown(Shutdown::Both);
}

/// The next request on the connection (`Err` with the method when it is one the simulator does
/// not know) and whether to keep the connection open; `None` when the client is gone.
fn read_request(
    r: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
    port: u16,
) -> Option<(Result<HttpRequest, String>, bool)> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next().unwrap_or("HTTP/1.1"));
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let find = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.clone());
    let len: usize = find("Content-Length").and_then(|v| v.parse().ok()).unwrap_or(0);
    if len > MAX_BODY {
        return None;
    }
    if find("Expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        // curl asks before sending a body over 1 KiB.
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").ok()?;
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).ok()?;
    let keep_alive = match find("Connection").map(|c| c.to_ascii_lowercase()) {
        Some(c) if c.contains("close") => false,
        Some(c) if c.contains("keep-alive") => true,
        _ => version != "HTTP/1.0",
    };
    let host = find("Host").unwrap_or_else(|| format!("127.0.0.1:{port}"));
    let url = if target.starts_with("http") { target.to_string() } else { format!("http://{host}{target}") };
    let Some(method) = Method::parse(method) else { return Some((Err(method.to_string()), keep_alive)) };
    let body = (len > 0).then(|| String::from_utf8_lossy(&body).into_owned());
    Some((Ok(HttpRequest { method, url, headers, body }), keep_alive))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        424 => "Failed Dependency",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn write_response(w: &mut TcpStream, resp: &Raw, keep_alive: bool) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        if !k.eq_ignore_ascii_case("content-length") && !k.eq_ignore_ascii_case("connection") {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    head.push_str(if keep_alive { "Connection: keep-alive\r\n\r\n" } else { "Connection: close\r\n\r\n" });
    w.write_all(head.as_bytes())?;
    w.write_all(&resp.body)?;
    w.flush()
}

/// Content types by extension, `application/wasm` included (browsers require it for streaming
/// compilation).
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn static_file(dir: &Path, req: &HttpRequest) -> Raw {
    let path = crate::wire::Target::parse(&req.url).path;
    let rel = Path::new(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) && !rel.as_os_str().is_empty() {
        return Raw { status: 404, headers: Vec::new(), body: Vec::new() };
    }
    let mut file = dir.join(rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    if !file.is_file() && rel.extension().is_none() {
        file = dir.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(body) => {
            // no-cache: a rebuilt app is picked up by the next test run without stale assets.
            let headers = vec![
                ("Content-Type".into(), content_type(&file).into()),
                ("Cache-Control".into(), "no-cache".into()),
            ];
            Raw { status: 200, headers, body }
        }
        Err(_) => Raw {
            status: 404,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: b"not found".to_vec(),
        },
    }
}
