//! `licswap-bench <command> [options]`: one measurement, repeated, printed as `RESULT` lines
//! with every sample and the median. Run by `cargo xtask bench`; usable on its own.
use licswap_bench::apply::{run_executor, run_sequential, ApplySetup};
use licswap_bench::load::{load, minimum_requests, sku_id};
use licswap_bench::measure::{field, median, print_result, proc_status_bytes, reset_peak_rss, CountingAlloc};
use licswap_bench::server::SimServer;
use licswap_core::plan::{PlanOptions, Scope, Snapshot};
use licswap_planner::{plan, testgen};
use std::path::PathBuf;
use std::time::Instant;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const USAGE: &str = "usage: licswap-bench <command> [options]
  plan-memory --users N                 planner peak memory on testgen's tenant of N users
  snapshot --users N --dir DIR [--bundle]
                                        testgen's tenant of N users as Graph pages and member lists
                                        (DIR/snap-N.{skus,users,groups}.json, DIR/snap-N.members.txt);
                                        --bundle: the bundle tenant (DIR/bundle-N.*, see testgen)
  load --sim PATH --users N [--runs R] [--latency LO-HI] [--partitioned]
                                        load N users from sim-server over HTTP (with Graph's
                                        pace modelled, holders read in partitions)
  apply --sim PATH [--swaps N] [--runs R] [--per-sec W] [--latency LO-HI] [--tenant-users U]
  sequential --sim PATH [--sample M] [--runs R] [same tenant options as apply]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("plan-memory") => plan_memory(&args[1..]),
        Some("snapshot") => snapshot(&args[1..]),
        Some("load") => load_cmd(&args[1..]),
        Some("apply") => apply_cmd(&args[1..], false),
        Some("sequential") => apply_cmd(&args[1..], true),
        _ => Err(USAGE.to_string()),
    };
    if let Err(e) = result {
        eprintln!("licswap-bench: {e}");
        std::process::exit(1);
    }
}

/// `--name value` options.
struct Opts<'a>(&'a [String]);

impl Opts<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.windows(2).find(|w| w[0] == name).map(|w| w[1].as_str())
    }

    fn num(&self, name: &str, default: u64) -> Result<u64, String> {
        self.get(name).map_or(Ok(default), |v| v.parse().map_err(|e| format!("{name} {v}: {e}")))
    }

    fn path(&self, name: &str) -> Result<PathBuf, String> {
        self.get(name).map(PathBuf::from).ok_or_else(|| format!("{name} is required\n{USAGE}"))
    }
}

fn plan_memory(args: &[String]) -> Result<(), String> {
    let o = Opts(args);
    let users = o.num("--users", 100_000)? as usize;
    // Decoded from JSON, as the page holds a tenant it read from Graph's pages.
    let json = serde_json::to_vec(&testgen::tenant(users, 1)).map_err(|e| e.to_string())?;
    let snap: Snapshot = serde_json::from_slice(&json).map_err(|e| e.to_string())?;
    drop(json);
    let request = testgen::e1_to_e3();
    let before_live = CountingAlloc::live();
    let before_rss = proc_status_bytes("VmRSS").unwrap_or(0);
    CountingAlloc::reset_peak();
    let reset = reset_peak_rss();
    let start = Instant::now();
    let p = plan(&snap, &request).map_err(|e| e.to_string())?;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let heap_peak = CountingAlloc::peak();
    let plan_heap = CountingAlloc::live() - before_live;
    let hwm = proc_status_bytes("VmHWM").unwrap_or(0);
    print_result(
        "plan-memory",
        &[
            field("users", users),
            field("actions", p.actions().count()),
            field("once_ms", format!("{ms:.1}")),
            field("snapshot_heap_bytes", before_live),
            field("planner_heap_peak_bytes", heap_peak - before_live),
            // What the finished plan keeps; the rest of the peak was the planner's scratch.
            field("plan_heap_bytes", plan_heap),
            field("rss_before_bytes", before_rss),
            field("peak_rss_bytes", hwm),
            field("peak_rss_reset", reset),
        ],
    );
    Ok(())
}

fn snapshot(args: &[String]) -> Result<(), String> {
    let o = Opts(args);
    let users = o.num("--users", 100_000)? as usize;
    let dir = o.path("--dir")?;
    let bundle = args.iter().any(|a| a == "--bundle");
    // The page plans these requests (src/bench_hook.rs builds them): keep both in step.
    let r = if bundle { testgen::e5_ems_to_m365_e5_unbundled() } else { testgen::e1_to_e3() };
    let (source, target): (&[&str], &[&str]) = if bundle {
        (&["ENTERPRISEPREMIUM", "EMS"], &["O365_w/o_Teams_Bundle_M5", "Microsoft_Teams_EEA_New"])
    } else {
        (&["STANDARDPACK"], &["ENTERPRISEPACK"])
    };
    let same = r.source.as_slice() == source
        && r.target.as_slice() == target
        && r.scope == Scope::AllHolders
        && r.options == PlanOptions::default();
    if !same {
        return Err("testgen's bench request changed: update src/bench_hook.rs to plan the same request".into());
    }
    let (snap, prefix) =
        if bundle { (testgen::bundle_tenant(users, 1), "bundle") } else { (testgen::tenant(users, 1), "snap") };
    let write = |ext: &str, body: String| {
        let path = dir.join(format!("{prefix}-{users}.{ext}"));
        std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))
    };
    let page = |v: serde_json::Result<serde_json::Value>| -> Result<String, String> {
        Ok(serde_json::json!({ "value": v.map_err(|e| e.to_string())? }).to_string())
    };
    write("skus.json", page(serde_json::to_value(&snap.skus))?)?;
    write("users.json", page(serde_json::to_value(&snap.users))?)?;
    let groups: Vec<_> = snap.groups.iter().map(|g| &g.group).collect();
    write("groups.json", page(serde_json::to_value(&groups))?)?;
    let members: Vec<String> = snap.groups.iter().map(|g| g.member_ids.join(" ")).collect();
    write("members.txt", members.join("\n"))
}

fn load_cmd(args: &[String]) -> Result<(), String> {
    let o = Opts(args);
    let sim = o.path("--sim")?;
    let users = o.num("--users", 100_000)?;
    let runs = o.num("--runs", 3)?.max(1);
    let partitioned = args.iter().any(|a| a == "--partitioned");
    let mut sim_args = vec!["--users".to_string(), users.to_string()];
    if let Some(l) = o.get("--latency") {
        sim_args.extend(["--latency-ms".to_string(), l.to_string()]);
    }
    let server = SimServer::start(&sim, &sim_args)?;
    let (mut walls, mut reqs, mut minimum, mut loaded, mut peak) = (Vec::new(), Vec::new(), 0, 0, 0);
    // The client's heap at its highest during a load, and what the snapshot keeps after it: the
    // page's memory never shrinks, so a load's peak is paid for the whole session.
    let (mut heap_peak, mut heap_kept) = (0usize, 0usize);
    for _ in 0..runs {
        let before = CountingAlloc::live();
        CountingAlloc::reset_peak();
        let l = load(&server.graph_base(), "STANDARDPACK", partitioned)?;
        heap_peak = heap_peak.max(CountingAlloc::peak().saturating_sub(before));
        heap_kept = CountingAlloc::live().saturating_sub(before);
        peak = peak.max(l.peak_in_flight);
        minimum = minimum_requests(&l.snapshot, &sku_id(&l.snapshot, "STANDARDPACK")?);
        loaded = l.snapshot.users.len();
        walls.push(l.wall_ms);
        reqs.push(l.requests as f64);
    }
    // A paced or partitioned load is its own row; the plain one is judged on the fewest requests.
    let name = if o.get("--latency").is_some() || partitioned { "load-paced" } else { "load" };
    print_result(
        name,
        &[
            field("users", users),
            field("users_loaded", loaded),
            field("requests", median(&reqs)),
            field("minimum_requests", minimum),
            field("wall_ms", format!("{:.0}", median(&walls))),
            field("wall_ms_samples", samples(&walls)),
            field("latency_ms", o.get("--latency").unwrap_or("0")),
            field("partitioned", partitioned),
            field("peak_in_flight", peak),
            field("heap_peak_bytes", heap_peak),
            field("heap_kept_bytes", heap_kept),
        ],
    );
    Ok(())
}

fn apply_cmd(args: &[String], sequential: bool) -> Result<(), String> {
    let o = Opts(args);
    let sim = o.path("--sim")?;
    let latency = o.get("--latency").unwrap_or("15-25");
    let (lo, hi) = latency.split_once('-').unwrap_or((latency, latency));
    let lat = |s: &str| s.parse::<u64>().map_err(|e| format!("--latency {latency}: {e}"));
    let setup = ApplySetup {
        swaps: o.num("--swaps", 10_000)? as usize,
        tenant_users: o.num("--tenant-users", 30_000)? as usize,
        writes_per_sec: o.num("--per-sec", 200)?,
        latency_ms: (lat(lo)?, lat(hi)?),
        seed: o.num("--seed", 7)?,
    };
    let runs = o.num("--runs", 3)?.max(1);
    let sample = o.num("--sample", 500)? as usize;
    let (mut fractions, mut rates, mut secs, mut lost, mut last) = (vec![], vec![], vec![], 0, None);
    for _ in 0..runs {
        let r = if sequential { run_sequential(&sim, &setup, sample)? } else { run_executor(&sim, &setup)? };
        let rate = r.actions as f64 / r.secs;
        // The sequential sample runs at a steady pace: its fraction is that of the whole plan
        // done at that pace.
        let fraction = if sequential {
            setup.fraction_of_ceiling(setup.swaps, setup.swaps as f64 / rate)
        } else {
            setup.fraction_of_ceiling(r.actions, r.secs)
        };
        fractions.push(fraction);
        rates.push(rate);
        secs.push(r.secs);
        lost += r.lost;
        last = Some(r);
    }
    let r = last.ok_or("no run")?;
    print_result(
        if sequential { "sequential" } else { "apply" },
        &[
            field("swaps", setup.swaps),
            field("actions_run", r.actions),
            field("ceiling_per_s", setup.writes_per_sec),
            field("burst", setup.burst()),
            field("latency_ms", latency),
            field("ops_per_s", format!("{:.1}", median(&rates))),
            field("secs", format!("{:.1}", median(&secs))),
            field("fraction", format!("{:.3}", median(&fractions))),
            field("fraction_samples", samples(&fractions)),
            field("requests_last", r.requests),
            field("throttled_last", r.throttled),
            field("lost_total", lost),
        ],
    );
    Ok(())
}

fn samples(xs: &[f64]) -> String {
    xs.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(",")
}
