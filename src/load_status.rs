//! The wizard's progress line and bar while the holders' snapshot loads. The client reads the
//! holders, the licensing groups and their members side by side, so their reports interleave:
//! each phase's pace is measured from its own first report, and the holders (the long part, and
//! the only phase with a total: the SKU's consumed units) keep the line and the bar until they are
//! all read. Shown as each report arrives, a groups report between two holder reports would
//! otherwise hide the bar and restart the holders' clock, so no time left could ever be given.
use licswap_core::graph::{LoadPhase, LoadProgress};

/// What has been reported so far in one snapshot load.
#[derive(Default)]
pub struct LoadStatus {
    /// When each phase first reported, in the page's milliseconds.
    started: Vec<(LoadPhase, f64)>,
    /// The holders' last report, with its line, while they are not all read.
    holders: Option<(String, (u64, u64))>,
}

impl LoadStatus {
    /// Folds in report `p`, made at `now_ms`: the line to show, and the bar's (done, total) when
    /// there is one.
    pub fn report(&mut self, p: LoadProgress, now_ms: f64) -> (String, Option<(u64, u64)>) {
        let began = match self.started.iter().find(|(phase, _)| *phase == p.phase) {
            Some((_, t)) => *t,
            None => {
                self.started.push((p.phase, now_ms));
                now_ms
            }
        };
        let line = crate::text::load_line(&p, p.eta_secs(now_ms - began));
        let bar = p.total.filter(|t| *t > 0).map(|t| (p.done.min(t), t));
        if p.phase == LoadPhase::Holders {
            self.holders = bar.filter(|(done, total)| done < total).map(|b| (line.clone(), b));
        }
        match &self.holders {
            Some((holders_line, holders_bar)) => (holders_line.clone(), Some(*holders_bar)),
            None => (line, bar),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(phase: LoadPhase, done: u64, total: Option<u64>) -> LoadProgress {
        LoadProgress { phase, done, total, requests: 0 }
    }

    #[test]
    fn the_holders_keep_the_line_and_the_bar_while_groups_report_between_them() {
        let mut s = LoadStatus::default();
        let (line, bar) = s.report(at(LoadPhase::Holders, 0, Some(100_000)), 1_000.0);
        assert_eq!((line.as_str(), bar), ("Reading license holders: 0 of 100000 (0%)…", Some((0, 100_000))));
        // Groups report in between: the holders' line and bar stay.
        let (line, bar) = s.report(at(LoadPhase::Groups, 3, None), 1_500.0);
        assert!(line.starts_with("Reading license holders"), "{line}");
        assert_eq!(bar, Some((0, 100_000)));
        // The holders' pace counts from their own first report, not from the groups' report:
        // 20,000 in 2 s leaves 80,000, about 8 s.
        let (line, bar) = s.report(at(LoadPhase::Holders, 20_000, Some(100_000)), 3_000.0);
        assert_eq!(line, "Reading license holders: 20000 of 100000 (20%), about 8 s left…");
        assert_eq!(bar, Some((20_000, 100_000)));
        let (line, _) = s.report(at(LoadPhase::Members, 500, None), 3_200.0);
        assert_eq!(line, "Reading license holders: 20000 of 100000 (20%), about 8 s left…");
    }

    #[test]
    fn once_the_holders_are_read_the_other_phases_show() {
        let mut s = LoadStatus::default();
        s.report(at(LoadPhase::Holders, 0, Some(10)), 0.0);
        s.report(at(LoadPhase::Holders, 10, Some(10)), 100.0);
        let (line, bar) = s.report(at(LoadPhase::Members, 500, None), 200.0);
        assert_eq!((line.as_str(), bar), ("Reading group members: 500…", None));
    }
}
