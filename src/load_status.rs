//! The wizard's progress line and bar while the holders' snapshot loads. The client reads the
//! holders, the licensing groups and their members side by side, so their reports interleave:
//! each phase's pace is measured from its own first report, and the holders (the long part, and
//! the only phase with a total: the SKU's consumed units) keep the line and the bar until they are
//! all read. Shown as each report arrives, a groups report between two holder reports would
//! otherwise hide the bar and restart the holders' clock, so no time left could ever be given.
//!
//! The pace is measured from a phase's first report that has read something, not from its start:
//! a large SKU's holders are first counted (a round of `$batch`ed counts, then each partition's
//! first page), and on localhost that start made a million users' time left read "about 1 min
//! 18 s" at 1% of a load that took 8 s.
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
    /// Per phase, its first report that had read something: when, in the page's milliseconds,
    /// and how much it had read then.
    started: Vec<(LoadPhase, f64, u64)>,
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
    fn report(&mut self, p: LoadProgress, now_ms: f64) -> (String, Option<(u64, u64)>) {
        let eta = match self.started.iter().find(|(phase, ..)| *phase == p.phase) {
            // The pace since then: what was read after it, in the time after it.
            Some(&(_, t, done)) if p.done >= done => {
                let since =
                    LoadProgress { done: p.done - done, total: p.total.map(|t| t.saturating_sub(done)), ..p };
                since.eta_secs(now_ms - t)
            }
            Some(_) => None,
            None => {
                if p.done > 0 {
                    self.started.push((p.phase, now_ms, p.done));
                }
                None
            }
        };
        let line = crate::text::load_line(&p, eta);
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
        s.report(at(LoadPhase::Holders, 10_000, Some(100_000)), 1_200.0);
        // Groups report in between: the holders' line and bar stay.
        let (line, bar) = s.report(at(LoadPhase::Groups, 3, None), 1_500.0);
        assert!(line.starts_with("Reading license holders"), "{line}");
        assert_eq!(bar, Some((10_000, 100_000)));
        // The holders' pace counts from their own first reading, not from the groups' report:
        // 20,000 more in 2 s leaves 70,000, about 7 s.
        let (line, bar) = s.report(at(LoadPhase::Holders, 30_000, Some(100_000)), 3_200.0);
        assert_eq!(line, "Reading license holders: 30000 of 100000 (30%), about 7 s left…");
        assert_eq!(bar, Some((30_000, 100_000)));
        let (line, _) = s.report(at(LoadPhase::Members, 500, None), 3_400.0);
        assert_eq!(line, "Reading license holders: 30000 of 100000 (30%), about 7 s left…");
    }

    /// The counting before the first page does not count against the pace: 1,000,000 holders,
    /// 900 ms before the first 9,990 are read, then 99,900 more in a second.
    #[test]
    fn the_time_left_follows_the_pace_of_reading_not_the_start() {
        let mut s = LoadStatus::default();
        s.report(at(LoadPhase::Holders, 0, Some(1_000_000)), 0.0);
        let (first, _) = s.report(at(LoadPhase::Holders, 9_990, Some(1_000_000)), 900.0);
        assert_eq!(first, "Reading license holders: 9990 of 1000000 (0%)…", "no pace from one reading");
        let (line, _) = s.report(at(LoadPhase::Holders, 109_890, Some(1_000_000)), 1_900.0);
        assert_eq!(line, "Reading license holders: 109890 of 1000000 (10%), about 9 s left…");
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
