//! sim-server specifics over real HTTP: the static file server, dropped responses closing the
//! connection, control endpoints, and the binary's ready line.
#![cfg(feature = "server")]
mod common;
use common::http::{send, OverHttp};
use common::*;
use licswap_core::graph::http::{HttpRequest, Method};
use licswap_sim::server::serve_static;
use serde_json::json;
use std::io::{BufRead, BufReader};

#[test]
fn static_files_with_content_types_and_index_fallback() {
    let dir = std::env::temp_dir().join(format!("licswap-sim-static-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>licswap</title>").unwrap();
    std::fs::write(dir.join("assets/app_bg.wasm"), [0u8, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]).unwrap();
    std::fs::write(dir.join("assets/app.js"), "export default 1;").unwrap();
    let s = serve_static(dir.clone(), 0).unwrap();
    let port = s.port();
    let r = send(port, &HttpRequest::get("/assets/app.js")).unwrap();
    assert_eq!((r.status, r.header("Content-Type")), (200, Some("text/javascript; charset=utf-8")));
    let r = send(port, &HttpRequest::get("/assets/app_bg.wasm")).unwrap();
    assert_eq!((r.status, r.header("Content-Type")), (200, Some("application/wasm")));
    assert_eq!(r.header("Content-Length"), Some("9"), "binary bodies are sent byte for byte");
    let r = send(port, &HttpRequest::get("/preview/abc")).unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<title>licswap</title>"), "client-side routes get index.html");
    assert_eq!(send(port, &HttpRequest::get("/missing.js")).unwrap().status, 404);
    assert_eq!(send(port, &HttpRequest::get("/../Cargo.toml")).unwrap().status, 404);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dropped_responses_close_the_connection_after_processing() {
    let mut h = OverHttp::new(demo_sim(demo_config()));
    let port = h.server.port();
    let r =
        send(port, &HttpRequest::post_json("/_sim/faults", json!({"dropRate": 1.0}).to_string())).unwrap();
    assert_eq!(r.status, 200);
    let user = user_id(&mut h, &is_plain_e1);
    let req =
        HttpRequest::post_json(format!("/v1.0/users/{user}/assignLicense"), swap_body(E3, E1).to_string());
    assert!(send(port, &req).is_err(), "no response");
    send(port, &HttpRequest::post_json("/_sim/faults", "{}")).unwrap();
    let (_, v) = get(&mut h, &format!("/v1.0/users/{user}?$select=assignedLicenses"));
    assert_eq!(skus_of(&v), vec![E3.to_string()], "processed before the response was dropped");
    let (_, stats) = get(&mut h, "/_sim/stats");
    assert_eq!(stats["licenseWrites"], 1);
    assert_eq!(stats["serviceLosses"], 0);
}

#[test]
fn control_endpoints_issue_tokens_and_set_the_throttle() {
    let mut h = OverHttp::new(demo_sim(licswap_sim::SimConfig { require_auth: true, ..demo_config() }));
    let (_, tok) = post(&mut h, "/_sim/token", &json!({"scopes": ["User.Read.All"]}));
    let tok = tok["access_token"].as_str().unwrap().to_string();
    let r = h.send(
        HttpRequest::get(url(&h, "/v1.0/users?$top=1")).with_header("Authorization", format!("Bearer {tok}")),
    );
    assert_eq!(r.status, 200);
    let (_, v) = post(&mut h, "/_sim/throttle", &json!({"writesPerSec": 50}));
    assert_eq!(v["writeCeilingPerSec"], 50.0);
    let r = h.send(licswap_core::graph::http::HttpRequest {
        method: Method::Get,
        url: url(&h, "/_sim/nothing"),
        headers: vec![],
        body: None,
    });
    assert_eq!(r.status, 404);
}

#[test]
fn binary_prints_the_ready_line_and_serves() {
    let exe = env!("CARGO_BIN_EXE_sim-server");
    let mut child = std::process::Command::new(exe)
        .args(["--port", "0", "--users", "2000", "--seed", "5", "--no-auth", "--throttle-per-sec", "100"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let result = (|| {
        let base = line
            .trim()
            .strip_prefix("sim-server listening on ")
            .ok_or(format!("ready line: {line}"))?
            .to_string();
        let port: u16 = base.rsplit(':').next().unwrap().parse().map_err(|e| format!("{e}"))?;
        let r = send(port, &HttpRequest::get("/v1.0/users?$top=999&$select=id"))?;
        let v: serde_json::Value = serde_json::from_str(&r.body).map_err(|e| e.to_string())?;
        if v["value"].as_array().map(Vec::len) != Some(999)
            || !v["@odata.nextLink"].as_str().unwrap_or("").starts_with(&base)
        {
            return Err(format!("unexpected page: {}", &r.body[..200.min(r.body.len())]));
        }
        Ok(())
    })();
    child.kill().unwrap();
    child.wait().unwrap();
    result.unwrap();
}

#[test]
fn binary_serves_the_app_beside_the_tenant() {
    let dir = std::env::temp_dir().join(format!("licswap-sim-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><p>app</p>").unwrap();
    let exe = env!("CARGO_BIN_EXE_sim-server");
    let mut child = std::process::Command::new(exe)
        .args(["--port", "0", "--static", dir.to_str().unwrap(), "--static-port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut first, mut second) = (String::new(), String::new());
    out.read_line(&mut first).unwrap();
    out.read_line(&mut second).unwrap();
    let port_of = |line: &str| line.trim().rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
    let result = (|| {
        let static_port =
            port_of(first.strip_prefix("sim-server static files on ").ok_or(first.clone())?).ok_or("port")?;
        let port =
            port_of(second.strip_prefix("sim-server listening on ").ok_or(second.clone())?).ok_or("port")?;
        let page = send(static_port, &HttpRequest::get("/"))?;
        if !page.body.contains("<p>app</p>") {
            return Err(page.body);
        }
        // The static origin is a registered redirect URI of the default client.
        let q = format!(
            "/common/oauth2/v2.0/authorize?client_id={}&response_type=code&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A{static_port}%2F",
            licswap_sim::DEFAULT_CLIENT_ID
        );
        let r = send(port, &HttpRequest::get(q))?;
        if r.status != 302 {
            return Err(format!("authorize answered {}: {}", r.status, r.body));
        }
        Ok(())
    })();
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(dir);
    result.unwrap();
}
