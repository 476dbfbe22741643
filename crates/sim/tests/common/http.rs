//! The over-HTTP half of the harness: sim-server's server on an ephemeral port, real time, and
//! a minimal HTTP/1.1 client on std::net.
use super::Harness;
use licswap_core::graph::http::{HttpRequest, HttpResponse};
use licswap_sim::server::{serve_sim_at, Server};
use licswap_sim::Sim;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The server runs on a virtual clock that only [`Harness::wait`] moves, so timing is exact.
pub struct OverHttp {
    pub sim: Arc<Mutex<Sim>>,
    pub server: Server,
    pub now: Arc<AtomicU64>,
}

impl OverHttp {
    pub fn new(sim: Sim) -> Self {
        let sim = Arc::new(Mutex::new(sim));
        let now = Arc::new(AtomicU64::new(super::START_MS));
        let clock = now.clone();
        let server = serve_sim_at(sim.clone(), 0, Arc::new(move || clock.load(Ordering::SeqCst)))
            .expect("bind an ephemeral port");
        OverHttp { sim, server, now }
    }
}

impl Harness for OverHttp {
    fn send(&mut self, req: HttpRequest) -> HttpResponse {
        send(self.server.port(), &req).expect("the server answers")
    }
    fn wait(&mut self, ms: u64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }
    fn with_sim(&mut self, f: &mut dyn FnMut(&mut Sim)) {
        f(&mut self.sim.lock().unwrap())
    }
    fn base(&self) -> String {
        self.server.base_url()
    }
}

/// One request on its own connection; `Err` when the connection closes without a response.
pub fn send(port: u16, req: &HttpRequest) -> Result<HttpResponse, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let target = match req.url.find("://") {
        Some(i) => req.url[i + 3..].find('/').map_or("/".to_string(), |j| req.url[i + 3 + j..].to_string()),
        None => req.url.clone(),
    };
    let body = req.body.clone().unwrap_or_default();
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n",
        req.method.as_str()
    );
    for (k, v) in &req.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    s.write_all(body.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").ok_or("connection closed without a response")?;
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or("bad status line")?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Ok(HttpResponse { status, headers, body: body.to_string() })
}
