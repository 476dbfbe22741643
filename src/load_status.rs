//! The wizard's progress line and bar while the holders' snapshot loads. The client reads the
//! holders, the licensing groups and their members side by side, so their reports interleave:
//! each phase's pace is measured from its own first report, and the holders (the long part, and
//! the only phase with a total: the SKU's consumed units) keep the line and the bar until they are
//! all read. Shown as each report arrives, a groups report between two holder reports would
//! otherwise hide the bar and restart the holders' clock, so no time left could ever be given.
//!
//! The screen shows a report at most every [`SHOW_EVERY_MS`]: each one shown costs the page a
//! style, layout and paint, on the thread that also decodes the pages. A 100,000-user tenant on
//! localhost reported over 20 times a second.
use licswap_core::graph::{LoadPhase, LoadProgress};

/// The least time between two reports shown, in milliseconds.
pub const SHOW_EVERY_MS: f64 = 100.0;

/// What the wizard shows while the snapshot loads: the line, and the bar's (done, total) when
/// there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub line: String,
    pub bar: Option<(u64, u64)>,
}

/// What has been reported so far in one snapshot load.
#[derive(Default)]
pub struct LoadStatus {
    /// When each phase first reported, in the page's milliseconds.
    started: Vec<(LoadPhase, f64)>,
    /// The holders' last report, with its line, while they are not all read.
    holders: Option<(String, (u64, u64))>,
    /// When a report was last shown.
    shown_at: Option<f64>,
}

impl LoadStatus {
    /// Folds in report `p`, made at `now_ms`, and gives what to show when it is time to show
    /// it: the first report, then one at least [`SHOW_EVERY_MS`] after the last shown. A report
    /// left unshown is not lost: the next one shown carries the counts and the pace.
    pub fn show(&mut self, p: LoadProgress, now_ms: f64) -> Option<Shown> {
        let (line, bar) = self.report(p, now_ms);
        if self.shown_at.is_some_and(|at| now_ms - at < SHOW_EVERY_MS) {
            return None;
        }
        self.shown_at = Some(now_ms);
        Some(Shown { line, bar })
    }

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

    #[test]
    fn reports_are_shown_at_most_every_tenth_of_a_second_with_the_latest_counts() {
        let mut s = LoadStatus::default();
        let first = s.show(at(LoadPhase::Holders, 0, Some(100_000)), 1_000.0);
        assert_eq!(first.map(|f| f.bar), Some(Some((0, 100_000))), "the first report shows at once");
        assert_eq!(s.show(at(LoadPhase::Holders, 999, Some(100_000)), 1_040.0), None);
        assert_eq!(s.show(at(LoadPhase::Groups, 3, None), 1_099.0), None);
        let next = s.show(at(LoadPhase::Holders, 2_997, Some(100_000)), 1_100.0).expect("100 ms later");
        assert_eq!(next.bar, Some((2_997, 100_000)));
        assert!(next.line.starts_with("Reading license holders: 2997 of 100000"), "{}", next.line);
        assert_eq!(s.show(at(LoadPhase::Members, 500, None), 1_150.0), None);
        assert!(s.show(at(LoadPhase::Members, 900, None), 1_250.0).is_some());
    }
}
