//! The fuzz harnesses' short seeded run, part of every `cargo test`: each harness gets its valid
//! samples and a few thousand deterministic mutants of them. A panic anywhere is a finding
//! (`cargo xtask fuzz` runs the same harnesses under libFuzzer for as long as asked).
use licswap_itest::faults::fuzz::{self, Mutator};

/// Mutants per harness; the graph harness drives a whole client session per input.
const SHARE_RUNS: usize = 3_000;
const APPROVED_RUNS: usize = 1_000;
const GRAPH_RUNS: usize = 1_500;
const USERLIST_RUNS: usize = 5_000;

/// Inputs libFuzzer once failed on (`fuzz/regressions/<target>/`) and the committed corpus of
/// earlier fuzzing runs (`fuzz/seeds/<target>/`, minimized): every one replays on every test run.
fn regressions(name: &str) -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    ["regressions", "seeds"]
        .iter()
        .filter_map(|d| std::fs::read_dir(root.join(d).join(name)).ok())
        .flat_map(|entries| entries.flatten().filter_map(|e| std::fs::read(e.path()).ok()))
        .collect()
}

fn run(name: &str, seeds: &[Vec<u8>], runs: usize, seed: u64, harness: fn(&[u8])) {
    assert!(!seeds.is_empty(), "{name}: no seeds");
    for s in seeds.iter().chain(&regressions(name)) {
        harness(s);
    }
    let mut m = Mutator::new(seed);
    let mut current = seeds[0].clone();
    for i in 0..runs {
        let other = &seeds[i % seeds.len()];
        // Mostly mutate a seed afresh; sometimes keep mutating the last mutant, to go deeper.
        let base = if i % 4 == 3 { current.clone() } else { seeds[(i / 3) % seeds.len()].clone() };
        current = m.mutate(&base, other);
        let input = current.clone();
        if std::panic::catch_unwind(|| harness(&input)).is_err() {
            panic!("{name}: mutant {i} (seed {seed}) panicked; input (hex): {}", hex(&input));
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn share_decode_seeded() {
    run("share_decode", &fuzz::seeds().share_decode, SHARE_RUNS, 1, fuzz::share_decode);
}

#[test]
fn approved_decode_seeded() {
    run("approved_decode", &fuzz::seeds().approved_decode, APPROVED_RUNS, 4, fuzz::approved_decode);
}

#[test]
fn graph_parsers_seeded() {
    run("graph_parsers", &fuzz::seeds().graph_parsers, GRAPH_RUNS, 2, fuzz::graph_parsers);
}

#[test]
fn userlist_seeded() {
    run("userlist", &fuzz::seeds().userlist, USERLIST_RUNS, 3, fuzz::userlist);
}

/// Writes the seeds as libFuzzer corpora under `$LICSWAP_FUZZ_CORPUS/<target>/` (used by
/// `cargo xtask fuzz`; ignored otherwise).
#[test]
#[ignore = "a tool for cargo xtask fuzz, not a check"]
fn write_seed_corpus() {
    let Some(dir) = std::env::var_os("LICSWAP_FUZZ_CORPUS") else { return };
    let s = fuzz::seeds();
    for (target, seeds) in [
        ("share_decode", s.share_decode),
        ("approved_decode", s.approved_decode),
        ("graph_parsers", s.graph_parsers),
        ("userlist", s.userlist),
    ] {
        let d = std::path::Path::new(&dir).join(target);
        std::fs::create_dir_all(&d).unwrap();
        for (i, seed) in seeds.iter().enumerate() {
            std::fs::write(d.join(format!("seed-{i}")), seed).unwrap();
        }
    }
}

/// The approved-preview seeds reach the decoder's depths: file and link open with a valid chain,
/// the edited approval is caught.
#[test]
fn approved_seeds_open_and_an_edited_approval_is_caught() {
    use licswap_core::approval::file::decode_any;
    let seeds = fuzz::seeds().approved_decode;
    let open = |b: &[u8]| decode_any(std::str::from_utf8(b).unwrap()).expect("a seed opens");
    let (file, link, edited) = (open(&seeds[0]), open(&seeds[1]), open(&seeds[2]));
    assert!(file.is_approved() && file.approvals.len() == 2, "{:?}", file.chain_error);
    assert_eq!(link.approvals, file.approvals);
    assert!(edited.chain_error.is_some() && !edited.is_approved());
}
