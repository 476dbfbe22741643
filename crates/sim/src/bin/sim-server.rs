//! sim-server: the simulated tenant on 127.0.0.1 for end-to-end tests and benchmarks.
//!
//! Prints `sim-server listening on http://127.0.0.1:PORT` once ready (after the static server,
//! when there is one). Run with `--help` for options.
use licswap_sim::server::{serve_sim, serve_static};
use licswap_sim::{fixtures, ClientApp, Sim, SimConfig, ThrottleConfig, DEFAULT_CLIENT_ID};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const USAGE: &str = "usage: sim-server [options]
  --port P                  Graph/Entra port (default 8089; 0 = any free port)
  --client-id ID            registered SPA client id (default 11111111-2222-4333-8444-555555555555)
  --redirect-uri URI        registered redirect URI (repeatable; default http://localhost:8080/ and
                            http://127.0.0.1:8080/, plus the static server's own origin)
  --users N                 a generated tenant of N users instead of the demo tenant
  --seed S                  seed for the generated tenant, tokens and faults (default 1)
  --token-lifetime-secs N   access token lifetime (default 3600)
  --throttle-per-sec N      write ceiling per second (default: Graph's 3000 per 150 s); 0 = off
  --group-delay-ms N        group license processing delay (default 5000)
  --group-pace entra[/K]    process groups at Entra's pace instead (1 min queue + 1.44 s per member,
                            groups one after another), K times faster (e.g. entra/1000)
  --no-auth                 Graph calls need no token
  --signed-in-roles LIST    the signed-in user's directory roles, comma-separated (default
                            \"Global Administrator\"; e.g. \"License Administrator\": sign-in then
                            needs an administrator's consent first, as in Entra)
  --errors-stay-until-reprocessed  group license errors stay until reprocessed, as in Entra
                            (default: healed when the user's licenses change, as older tests expect)
  --admin-consent           the app starts with tenant-wide admin consent to its configured permissions
  --cors-expose-headers H   Access-Control-Expose-Headers (default: Graph's, without Retry-After)
  --fault-5xx RATE          probability of an injected 503 per Graph request (default 0)
  --fault-drop RATE         probability that a response is dropped after processing (default 0)
  --latency-ms LO[-HI]      injected latency per request
  --read-lag-ms LO[-HI]     reads see the tenant as it was LO..HI ms earlier (default 0: read-your-writes)
  --static DIR              also serve DIR (the built app) as static files
  --static-port P           port for --static (default 8080)";

fn main() {
    if let Err(e) = run() {
        eprintln!("sim-server: {e}\n{USAGE}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut cfg = SimConfig::default();
    let (mut port, mut users, mut client_id) = (8089u16, None::<usize>, DEFAULT_CLIENT_ID.to_string());
    let (mut redirects, mut static_dir, mut static_port) = (Vec::new(), None::<PathBuf>, 8080u16);
    let (mut roles, mut admin_consent) = (None::<String>, false);
    let num = |v: Option<String>, name: &str| -> Result<u64, String> {
        v.ok_or(format!("{name} needs a value"))?.parse::<u64>().map_err(|e| format!("{name}: {e}"))
    };
    let rate = |v: Option<String>, name: &str| -> Result<f64, String> {
        v.ok_or(format!("{name} needs a value"))?.parse::<f64>().map_err(|e| format!("{name}: {e}"))
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = num(args.next(), "--port")? as u16,
            "--client-id" => client_id = args.next().ok_or("--client-id needs a value")?,
            "--redirect-uri" => redirects.push(args.next().ok_or("--redirect-uri needs a value")?),
            "--users" => users = Some(num(args.next(), "--users")? as usize),
            "--seed" => cfg.seed = num(args.next(), "--seed")?,
            "--token-lifetime-secs" => {
                cfg.token_lifetime_ms = num(args.next(), "--token-lifetime-secs")? * 1000
            }
            "--throttle-per-sec" => {
                cfg.throttle = match num(args.next(), "--throttle-per-sec")? {
                    0 => ThrottleConfig::off(),
                    n => ThrottleConfig::writes_per_sec(n),
                }
            }
            "--group-delay-ms" => cfg.group_delay_ms = num(args.next(), "--group-delay-ms")?,
            "--group-pace" => {
                let v = args.next().ok_or("--group-pace needs a value")?;
                let (name, k) = v.split_once('/').unwrap_or((&v, "1"));
                if name != "entra" {
                    return Err(format!("--group-pace: unknown pace '{name}' (entra)"));
                }
                let k = k.parse::<u64>().map_err(|e| format!("--group-pace: {e}"))?;
                cfg.group_pace = Some(licswap_sim::GroupPace::entra().faster(k));
            }
            "--no-auth" => cfg.require_auth = false,
            "--signed-in-roles" => roles = Some(args.next().ok_or("--signed-in-roles needs a value")?),
            "--admin-consent" => admin_consent = true,
            // Entra's rule: an error stays until the member is processed again
            // (https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems).
            "--errors-stay-until-reprocessed" => cfg.errors_stay_until_reprocessed = true,
            "--cors-expose-headers" => {
                cfg.cors_expose_headers = args.next().ok_or("--cors-expose-headers needs a value")?
            }
            "--fault-5xx" => cfg.faults.server_error_rate = rate(args.next(), "--fault-5xx")?,
            "--fault-drop" => cfg.faults.drop_rate = rate(args.next(), "--fault-drop")?,
            "--latency-ms" => {
                let v = args.next().ok_or("--latency-ms needs a value")?;
                let (lo, hi) = v.split_once('-').unwrap_or((&v, &v));
                let p = |s: &str| s.parse::<u64>().map_err(|e| format!("--latency-ms: {e}"));
                cfg.faults.latency_ms = (p(lo)?, p(hi)?);
            }
            "--read-lag-ms" => {
                let v = args.next().ok_or("--read-lag-ms needs a value")?;
                let (lo, hi) = v.split_once('-').unwrap_or((&v, &v));
                let p = |s: &str| s.parse::<u64>().map_err(|e| format!("--read-lag-ms: {e}"));
                cfg.read_lag_ms = (p(lo)?, p(hi)?.max(p(lo)?));
            }
            "--static" => static_dir = Some(PathBuf::from(args.next().ok_or("--static needs a value")?)),
            "--static-port" => static_port = num(args.next(), "--static-port")? as u16,
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    let started = Instant::now();
    let tenant = match users {
        Some(n) => fixtures::generate(cfg.seed, n),
        None => fixtures::demo(),
    };
    let built_ms = started.elapsed().as_millis();
    if redirects.is_empty() {
        redirects = cfg.clients[0].redirect_uris.clone();
    }
    let _static_server = match &static_dir {
        Some(dir) => {
            let s = serve_static(dir.clone(), static_port)
                .map_err(|e| format!("static port {static_port}: {e}"))?;
            redirects.push(format!("http://127.0.0.1:{}/", s.port()));
            redirects.push(format!("http://localhost:{}/", s.port()));
            println!("sim-server static files on http://127.0.0.1:{}", s.port());
            Some(s)
        }
        None => None,
    };
    cfg.clients = vec![ClientApp { client_id, redirect_uris: redirects }];
    let n_users = tenant.users.len();
    let client = cfg.clients[0].client_id.clone();
    let mut sim = Sim::new(tenant, cfg);
    if let Some(r) = &roles {
        let list: Vec<&str> = r.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        sim.set_signed_in_roles(&list);
    }
    if admin_consent {
        sim.grant_admin_consent(&client, &[]);
    }
    let sim = Arc::new(Mutex::new(sim));
    let server = serve_sim(sim, port).map_err(|e| format!("port {port}: {e}"))?;
    eprintln!(
        "sim-server: tenant of {n_users} users built in {built_ms} ms; ready {} ms after start",
        started.elapsed().as_millis()
    );
    println!("sim-server listening on {}", server.base_url());
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}
