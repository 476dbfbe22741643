//! Turning messages from the core (lowercase clauses) into sentences for the screen.

/// Capitalized, ending with one full stop.
pub fn sentence(s: &str) -> String {
    let s = s.trim().trim_end_matches('.');
    let mut c = s.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}

/// The tenant load's progress line: "Reading license holders: 12000 of 88110 (13%), about 40 s
/// left…".
pub fn load_line(p: &licswap_core::graph::LoadProgress, eta_secs: Option<u64>) -> String {
    let mut line = format!("{}: {}", p.phase, p.done);
    if let Some(t) = p.total.filter(|t| *t > 0) {
        line.push_str(&format!(" of {t} ({}%)", p.done.min(t) * 100 / t));
    }
    match eta_secs {
        Some(s) if s >= 60 => line.push_str(&format!(", about {} min {} s left", s / 60, s % 60)),
        Some(s) => line.push_str(&format!(", about {s} s left")),
        None => {}
    }
    line.push('…');
    line
}

#[cfg(test)]
mod tests {
    #[test]
    fn sentences() {
        assert_eq!(super::sentence("the preview is empty"), "The preview is empty.");
        assert_eq!(super::sentence("Done."), "Done.");
        assert_eq!(super::sentence(""), "");
    }

    #[test]
    fn load_lines_give_the_share_done_and_the_time_left() {
        use licswap_core::graph::{LoadPhase, LoadProgress};
        let p = LoadProgress { phase: LoadPhase::Holders, done: 12_000, total: Some(88_110), requests: 13 };
        assert_eq!(super::load_line(&p, Some(40)), "Reading license holders: 12000 of 88110 (13%), about 40 s left…");
        assert_eq!(super::load_line(&p, Some(125)), "Reading license holders: 12000 of 88110 (13%), about 2 min 5 s left…");
        let q = LoadProgress { phase: LoadPhase::Members, done: 500, total: None, requests: 3 };
        assert_eq!(super::load_line(&q, None), "Reading group members: 500…");
    }
}
