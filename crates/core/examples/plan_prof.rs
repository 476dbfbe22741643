use licswap_core::plan::{self, testgen};
use std::time::Instant;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let s = testgen::tenant(n, 1);
    let r = testgen::e1_to_e3();
    let mut times = vec![];
    let mut p = None;
    let runs: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(7);
    if runs == 0 {
        return;
    }
    for _ in 0..runs {
        let t = Instant::now();
        let x = plan::plan(&s, &r).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        p = Some(x);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p = p.unwrap();
    let mut codes = std::collections::BTreeMap::new();
    for f in &p.findings {
        *codes.entry(format!("{:?}", f.code)).or_insert(0) += 1;
    }
    println!(
        "median {:.1} ms (min {:.1}); actions {} rollback {} findings {} coverage {}",
        times[times.len() / 2],
        times[0],
        p.actions().count(),
        p.rollback.iter().map(|x| x.actions.len()).sum::<usize>(),
        p.findings.len(),
        p.coverage.len()
    );
    println!("{codes:?}");
    let disabled: usize =
        p.actions().map(|a| a.body.add_licenses.iter().map(|l| l.disabled_plans.len()).sum::<usize>()).sum();
    println!("disabled ids in actions {disabled}; groups {}", s.groups.len());
}
