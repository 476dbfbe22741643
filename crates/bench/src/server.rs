//! A sim-server process for one measurement: started on a free port, stopped on drop.
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct SimServer {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl SimServer {
    /// Starts `binary --port 0 --no-auth <args>` and waits for its ready line.
    pub fn start(binary: &Path, args: &[String]) -> Result<SimServer, String> {
        let mut child = Command::new(binary)
            .args(["--port", "0", "--no-auth"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("sim-server has no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("sim-server listening on ") {
                        break url.trim().to_string();
                    }
                }
                _ => {
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = e.read_to_string(&mut err);
                    }
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("sim-server exited before it was ready: {err}"));
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
        }
        Ok(SimServer { child, url })
    }

    pub fn graph_base(&self) -> String {
        format!("{}/v1.0", self.url)
    }

    /// sim-server's counters (`GET /_sim/stats`).
    pub fn stats(&self) -> Result<serde_json::Value, String> {
        let mut resp = ureq::get(&format!("{}/_sim/stats", self.url)).call().map_err(|e| e.to_string())?;
        let body = resp.body_mut().read_to_string().map_err(|e| e.to_string())?;
        serde_json::from_str(&body).map_err(|e| e.to_string())
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
