//! `cargo xtask serve | test | dist | bench | fuzz | fmt | tools | split-wasm`: the project's two README
//! commands (serve, test) and their helpers. Every
//! command first installs what it needs and is missing, so a fresh machine needs nothing else.
mod bench;
mod cmd;
mod e2e;
mod fault_table;
mod fuzz;
mod split;
mod split_preload;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>
  serve [--port N]     build the app (release) and serve it on 127.0.0.1 (demo tenant unless
                       dist/config.json or --config FILE says otherwise)
  test [--scale]       install what tests need, then run every test: native and end-to-end
                       (--scale: only the million-user journeys of tests/e2e/scale, minutes each)
  dist [--e2e]         build the release bundle into dist/ (--e2e: the test build, which may
                       talk to sim-server on the loopback, into dist-e2e/)
  fmt                  format the views' markup with leptosfmt (the test command checks it)
  tools                install the build and test tools only
  bench [--runs N] [--only PARTS]
                       measure planning, bundle, paint, load, apply and the preview; write
                       BENCHMARKS.md (--only: some of native,browser,load,paced,apply,preview,
                       million, comma-separated)
  fuzz [--secs N] [TARGET...]
                       run the libFuzzer targets (share_decode, graph_parsers, userlist,
                       config_json, stored_journal) N
                       seconds each (default 600) from seeds made of the demo tenant";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => cmd::serve(&args[1..]),
        Some("test") => cmd::test(&args[1..]),
        Some("dist") => cmd::dist_cmd(&args[1..]),
        Some("bench") => bench::bench(&args[1..]),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("fmt") => cmd::fmt(),
        // Trunk's post_build hook (Trunk.toml), not a command of its own: not in USAGE.
        Some("split-wasm") => split::split_wasm(),
        Some("tools") => tools::ensure_build_tools().and_then(|_| tools::ensure_test_tools()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
