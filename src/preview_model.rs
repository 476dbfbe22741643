//! What the preview screen shows, computed from a [`Plan`] outside the view: findings grouped by
//! rule, one row per user or group with its worst finding, filtering and searching.
use licswap_core::plan::{Coverage, Finding, FindingCode, Plan, Severity, TargetKind};
use licswap_core::plan::fastmap::FastMap;
use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// A rule's name in the admin's words.
pub fn code_title(code: FindingCode) -> &'static str {
    use FindingCode::*;
    match code {
        InheritedNotDirect => "Inherited from a group that is not in scope",
        InheritedCoveredByGroup => "Inherited: the group's swap covers these users",
        DirectAndInherited => "Both direct and inherited",
        SeatsInsufficient => "Not enough seats of the target",
        PartialWave => "Partial wave",
        ServiceLoss => "Services would be lost",
        ServiceLossWaived => "Service loss accepted (waived)",
        DisabledPlansKept => "Disabled services stay disabled",
        MutuallyExclusive => "Conflicting service plans",
        DependentPlan => "Another license depends on a source service",
        UsageLocationMissing => "Usage location missing",
        ExistingAssignmentError => "License already in an error state",
        DynamicGroup => "Dynamic group",
        OnPremisesSyncedGroup => "Group synced from on-premises",
        AccountDisabled => "Account disabled",
        SeveralGroups => "Inherited from several groups",
        UnknownServicePlan => "Service plan not in the catalog",
        AlreadyHasTarget => "Already has the target",
        NotAHolder => "Does not hold the source",
        NotFound => "Not found in the tenant",
        PartialHolder => "Holds some of the sources, not all",
        SetAside => "Set aside: not changed by this plan",
    }
}

/// All findings of one rule and severity.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingGroup {
    pub code: FindingCode,
    pub severity: Severity,
    /// Distinct remedies, in first-seen order.
    pub remedies: Vec<String>,
    /// Indexes into `plan.findings`.
    pub items: Vec<usize>,
}

/// Blockers first, then warnings, then info; within a severity, by rule.
pub fn group_findings(plan: &Plan) -> Vec<FindingGroup> {
    let mut map: HashMap<(Severity, FindingCode), FindingGroup> = HashMap::new();
    for (i, f) in plan.findings.iter().enumerate() {
        let g = map.entry((f.severity, f.code)).or_insert_with(|| FindingGroup {
            code: f.code,
            severity: f.severity,
            remedies: Vec::new(),
            items: Vec::new(),
        });
        if !f.remedy.is_empty() && !g.remedies.contains(&f.remedy) && g.remedies.len() < 5 {
            g.remedies.push(f.remedy.clone());
        }
        g.items.push(i);
    }
    let mut out: Vec<FindingGroup> = map.into_values().collect();
    out.sort_by_key(|g| (g.severity, g.code));
    out
}

/// One user or group on the preview list.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub kind: TargetKind,
    pub id: String,
    pub name: String,
    /// Worst finding on this subject; None = nothing to report.
    pub worst: Option<Severity>,
    /// Indexes into `plan.findings`.
    pub findings: Positions,
    /// Indexes of actions in `plan.actions()` order.
    pub actions: Positions,
    /// Index into `plan.coverage`.
    pub coverage: Option<usize>,
}

/// Positions in a plan's list (its actions, its findings). Most rows have one action and at most
/// one finding: one position is kept in place, and only more than one needs a list of its own
/// (100,000 rows each with a list cost the page's memory 2 MB, which it never gives back).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Positions {
    #[default]
    None,
    One(u32),
    Many(Vec<u32>),
}

impl Positions {
    pub fn push(&mut self, at: usize) {
        let at = at as u32;
        *self = match std::mem::take(self) {
            Positions::None => Positions::One(at),
            Positions::One(first) => Positions::Many(vec![first, at]),
            Positions::Many(mut all) => {
                all.push(at);
                Positions::Many(all)
            }
        };
    }

    pub fn len(&self) -> usize {
        match self {
            Positions::None => 0,
            Positions::One(_) => 1,
            Positions::Many(all) => all.len(),
        }
    }

    pub fn contains(&self, at: usize) -> bool {
        self.iter().any(|p| p == at)
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let (one, many): (Option<u32>, &[u32]) = match self {
            Positions::None => (None, &[]),
            Positions::One(p) => (Some(*p), &[]),
            Positions::Many(all) => (None, all),
        };
        one.into_iter().chain(many.iter().copied()).map(|p| p as usize)
    }
}

/// One row per subject that has an action, a coverage entry or a finding. `name_of` names users
/// the plan knows by id only (users sharing a coverage entry), when the tenant data is at hand.
pub fn build_rows<'n>(plan: &Plan, name_of: &dyn Fn(&str) -> Option<&'n str>) -> Vec<Row> {
    // Sized once for every subject the plan could name (fewer when they repeat; trimmed below):
    // a list grown by doubling holds its old and new storage at once, and its unused half stays.
    let most = plan.actions().count()
        + plan.findings.len()
        + plan.coverage.iter().map(|c| 1 + c.also.len()).sum::<usize>();
    let mut rows = Rows { rows: Vec::with_capacity(most), index: FastMap::default() };
    for (i, a) in plan.actions().enumerate() {
        let r = rows.row_for(a.target.kind, &a.target.id, &a.target.name);
        rows.rows[r].actions.push(i);
    }
    for (ci, c) in plan.coverage.iter().enumerate() {
        let r = rows.row_for(TargetKind::User, &c.user_id, &c.user);
        rows.rows[r].coverage = Some(ci);
        for other in &c.also {
            // Users sharing this entry are named by id only in it; their row may exist already.
            let r = rows.row_named(TargetKind::User, other, || name_of(other));
            rows.rows[r].coverage = Some(ci);
        }
    }
    for (fi, f) in plan.findings.iter().enumerate() {
        if f.subject.kind == TargetKind::Sku {
            continue;
        }
        let r = rows.row_for(f.subject.kind, &f.subject.id, &f.subject.name);
        let row = &mut rows.rows[r];
        row.findings.push(fi);
        row.worst = Some(row.worst.map_or(f.severity, |w| w.min(f.severity)));
    }
    let Rows { mut rows, index } = rows;
    drop(index);
    rows.shrink_to_fit();
    // The order is found on positions, 4 bytes each, and the rows then moved into it in place: a
    // sort of the rows themselves needs room for half of them beside the list. Stable, as an
    // unstable sort (ties broken by id) made a million-user preview's rows take 2.8 s instead of
    // 2.0 s in the page.
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&rows[a as usize], &rows[b as usize]);
        (a.worst.is_none(), a.worst, a.kind, &a.name).cmp(&(b.worst.is_none(), b.worst, b.kind, &b.name))
    });
    put_in_order(&mut rows, order);
    rows
}

/// Moves `items` so that position `k` holds what was at `order[k]`, following each cycle of the
/// permutation with swaps (no second list). `order` must be a permutation of the positions.
fn put_in_order<T>(items: &mut [T], mut order: Vec<u32>) {
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != DONE {
            let from = order[at] as usize;
            order[at] = DONE;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// The rows being built, with each subject's row found by kind and id in any letter case.
struct Rows<'p> {
    rows: Vec<Row>,
    index: FastMap<(TargetKind, Cow<'p, str>), usize>,
}

impl<'p> Rows<'p> {
    /// The row of `id`, made if new. A row first named by its id takes the real name when one
    /// comes.
    fn row_for(&mut self, kind: TargetKind, id: &'p str, name: &str) -> usize {
        self.row_named(kind, id, || Some(name))
    }

    /// [`Rows::row_for`] with the name asked for only when the row has none yet: one lookup per
    /// subject, and no name looked up for a row that has one.
    fn row_named<'n>(
        &mut self,
        kind: TargetKind,
        id: &'p str,
        name: impl FnOnce() -> Option<&'n str>,
    ) -> usize {
        let rows = &mut self.rows;
        match self.index.entry((kind, folded(id))) {
            Entry::Occupied(e) => {
                let r = &mut rows[*e.get()];
                if r.name == r.id {
                    if let Some(n) = name().filter(|n| *n != id) {
                        r.name = n.to_string();
                    }
                }
                *e.get()
            }
            Entry::Vacant(e) => {
                rows.push(Row {
                    kind,
                    id: id.to_string(),
                    name: name().unwrap_or(id).to_string(),
                    worst: None,
                    findings: Positions::None,
                    actions: Positions::None,
                    coverage: None,
                });
                *e.insert(rows.len() - 1)
            }
        }
    }
}

/// Whether `text` contains `needle` (in lower case) in any letter case. Names and ids are
/// searched where they lie: a lower-case copy of each row's name and id cost the largest
/// previews several MB of the page's memory, which never shrinks, and a tenth of the rows' time.
fn contains_folded(text: &str, needle: &str) -> bool {
    if !text.is_ascii() {
        return text.to_lowercase().contains(needle);
    }
    let (t, n) = (text.as_bytes(), needle.as_bytes());
    n.is_empty() || t.windows(n.len()).any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

/// `id` in lower case, copied only when it has an upper-case letter: Graph's ids are lower-case
/// GUIDs, and a 100,000-user preview looks each of them up several times.
pub fn folded(id: &str) -> Cow<'_, str> {
    if id.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(id.to_ascii_lowercase())
    } else {
        Cow::Borrowed(id)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SeverityFilter {
    #[default]
    All,
    Only(Severity),
    /// Nothing reported.
    Clean,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowFilter {
    pub severity: SeverityFilter,
    pub kind: Option<TargetKind>,
    pub search: String,
}

impl RowFilter {
    pub fn matches(&self, r: &Row, needle: &str) -> bool {
        let sev_ok = match self.severity {
            SeverityFilter::All => true,
            SeverityFilter::Only(s) => r.worst == Some(s),
            SeverityFilter::Clean => r.worst.is_none(),
        };
        let found = needle.is_empty() || contains_folded(&r.name, needle) || contains_folded(&r.id, needle);
        sev_ok && self.kind.is_none_or(|k| k == r.kind) && found
    }

    /// Indexes of the matching rows.
    pub fn apply(&self, rows: &[Row]) -> Vec<u32> {
        let needle = self.search.trim().to_lowercase();
        rows.iter().enumerate().filter(|(_, r)| self.matches(r, &needle)).map(|(i, _)| i as u32).collect()
    }
}

/// The tallest scroll area the list makes. Browsers cap an element's height (Chromium's layout
/// stops near 33.5 million px, Firefox's near 17.9 million): a million-user plan's 781,403 rows of
/// 44 px would be 34.4 million, and its last rows could never be scrolled to. Past this height the
/// scroll area is compressed: the scroll position maps linearly onto the rows.
pub const MAX_SCROLL_PX: f64 = 15_000_000.0;

/// The virtualized list's geometry: `total` rows of `row_height` px seen through a `viewport` px
/// high, in a scroll area at most [`MAX_SCROLL_PX`] high.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScrollMap {
    pub total: usize,
    pub row_height: f64,
    pub viewport: f64,
}

impl ScrollMap {
    /// The height of the scroll area (the spacer inside the list).
    pub fn height(&self) -> f64 {
        (self.total as f64 * self.row_height).min(MAX_SCROLL_PX)
    }

    /// Whether the rows are taller than the scroll area, whose positions then stand for rows
    /// rather than pixels.
    fn compressed(&self) -> bool {
        self.total as f64 * self.row_height > MAX_SCROLL_PX
    }

    /// (the farthest scroll position, the farthest row at the top of the view).
    fn ends(&self) -> (f64, f64) {
        let last_top = ((self.total as f64 * self.row_height - self.viewport) / self.row_height).max(0.0);
        ((self.height() - self.viewport).max(1.0), last_top)
    }

    /// The row (fractional) at the top of the view at `scroll_top`.
    pub fn top_row(&self, scroll_top: f64) -> f64 {
        let scroll_top = scroll_top.max(0.0);
        if !self.compressed() {
            return scroll_top / self.row_height;
        }
        let (max_scroll, last_top) = self.ends();
        scroll_top.min(max_scroll) / max_scroll * last_top
    }

    /// The scroll position that puts row `row` (fractional) at the top of the view.
    pub fn scroll_for(&self, row: f64) -> f64 {
        if !self.compressed() {
            return row.max(0.0) * self.row_height;
        }
        let (max_scroll, last_top) = self.ends();
        (row.clamp(0.0, last_top) / last_top * max_scroll).round()
    }

    /// The rows to render at `scroll_top`: `(first, count, offset)`, with `overscan` extra rows
    /// each side so fast scrolling shows no blank space, the first drawn `offset` px from the top
    /// of the scroll area (where the rows in view line up with the viewport).
    pub fn window(&self, scroll_top: f64, overscan: usize) -> (usize, usize, f64) {
        if self.total == 0 || self.row_height <= 0.0 {
            return (0, 0, 0.0);
        }
        let top = self.top_row(scroll_top);
        let first = (top.floor() as usize).saturating_sub(overscan).min(self.total - 1);
        let shown = (self.viewport.max(0.0) / self.row_height).ceil() as usize + 2 * overscan + 1;
        let offset = if self.compressed() {
            scroll_top.max(0.0).min(self.ends().0) - (top - first as f64) * self.row_height
        } else {
            first as f64 * self.row_height
        };
        (first, shown.min(self.total - first), offset)
    }
}

/// Every plan a service-loss finding names, once each, sorted: what "accept all" waives.
pub fn lost_plans(plan: &Plan) -> Vec<String> {
    let mut out: Vec<String> = plan
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::ServiceLoss)
        .flat_map(|f| f.plans.iter().cloned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// "kept 12 · gained 3 · lost 1".
pub fn coverage_summary(c: &Coverage) -> String {
    let mut parts = vec![format!("kept {}", c.kept.len())];
    if !c.gained.is_empty() {
        parts.push(format!("gained {}", c.gained.len()));
    }
    if !c.lost.is_empty() {
        parts.push(format!("lost {}", c.lost.len()));
    }
    if !c.waived.is_empty() {
        parts.push(format!("waived {}", c.waived.len()));
    }
    parts.join(" · ")
}

/// Why Apply is not offered, or None when it is.
/// Users and groups with a blocker of their own (not the plan-wide ones, such as seats): what
/// setting aside would leave out, as (users, groups).
pub fn blocked_subjects(plan: &Plan) -> (usize, usize) {
    let mut seen = std::collections::HashSet::new();
    let (mut users, mut groups) = (0, 0);
    for f in plan.blockers().filter(|f| f.subject.kind != TargetKind::Sku) {
        if seen.insert((f.subject.kind, f.subject.id.as_str())) {
            match f.subject.kind {
                TargetKind::Group => groups += 1,
                _ => users += 1,
            }
        }
    }
    (users, groups)
}

pub fn apply_blocked_reason(plan: &Plan) -> Option<String> {
    let blockers: Vec<&Finding> = plan.blockers().collect();
    if !blockers.is_empty() {
        let first = blockers[0];
        return Some(format!(
            "{} blocker{} must be resolved first. First: {} — {}",
            blockers.len(),
            if blockers.len() == 1 { "" } else { "s" },
            first.subject.name,
            first.message
        ));
    }
    if plan.actions().next().is_none() {
        return Some("There is nothing to change: no user or group in scope needs a swap.".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_covers_the_viewport_with_overscan() {
        let map = |total| ScrollMap { total, row_height: 40.0, viewport: 400.0 };
        assert_eq!(map(100_000).window(0.0, 5), (0, 21, 0.0));
        assert_eq!(map(100_000).window(4000.0, 5), (95, 21, 3800.0));
        assert_eq!(map(10).window(1e9, 5), (9, 1, 360.0));
        assert_eq!(map(0).window(0.0, 5), (0, 0, 0.0));
        assert_eq!(map(100_000).height(), 4_000_000.0);
    }

    /// A million-user plan is taller than a browser lets an element be: the scroll area stays
    /// within MAX_SCROLL_PX, its top shows row 0, its end shows the last row in the viewport's
    /// last line, and positions between move through the rows in order.
    #[test]
    fn a_list_taller_than_a_browser_allows_is_compressed_and_reaches_its_last_row() {
        let map = ScrollMap { total: 781_403, row_height: 44.0, viewport: 440.0 };
        assert_eq!(map.height(), MAX_SCROLL_PX);
        assert_eq!(map.window(0.0, 0).0, 0);
        let end = map.height() - map.viewport;
        let (first, n, offset) = map.window(end, 6);
        assert_eq!(first + n, 781_403, "the last row is drawn");
        // The last row's bottom is the viewport's bottom.
        let last_bottom = offset + (781_403 - first) as f64 * 44.0;
        assert!((last_bottom - map.height()).abs() < 1.0, "{last_bottom}");
        let mut before = 0.0;
        for k in 1..=100 {
            let top = map.top_row(end * k as f64 / 100.0);
            assert!(top > before, "scrolling down moves down the rows");
            before = top;
        }
        // Keyboard navigation's inverse: the scroll position for a row puts that row at the top.
        for row in [0.0, 1.0, 12_345.0, 500_000.0, 781_393.0] {
            assert!((map.top_row(map.scroll_for(row)) - row).abs() < 1.0, "{row}");
        }
    }

    /// The planner-made plan of licswap-core's shape test, with one user named by id only in a
    /// shared coverage entry (in upper case) and one finding naming a user in upper case: every
    /// subject gets one row whatever the letter case, users known by id only are named from the
    /// tenant, the SKU-wide finding has no row, and the worst findings come first.
    #[test]
    fn rows_merge_subjects_in_any_letter_case_and_name_users_known_by_id_only() {
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("../crates/core/tests/fixtures/plan_v1.json")).unwrap();
        v["coverage"][1]["also"] = serde_json::json!(["u3", "U9"]);
        for f in v["findings"].as_array_mut().unwrap() {
            if f["subject"]["id"] == "u1" {
                f["subject"]["id"] = "U1".into();
            }
        }
        let plan: Plan = serde_json::from_value(v).unwrap();
        let name_of = |id: &str| id.eq_ignore_ascii_case("u9").then_some("Nine Example");
        let rows = build_rows(&plan, &name_of);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(rows.len(), 6, "g1, u1 to u4 and U9: {ids:?}");
        let row = |id: &str| rows.iter().find(|r| r.id.eq_ignore_ascii_case(id)).unwrap();
        assert!(row("u1").actions.len() > 0 && row("u1").findings.len() == 1, "the upper-case finding joined u1's row");
        assert_eq!(row("u1").coverage, Some(0));
        assert_eq!(row("u3").coverage, Some(1));
        assert_eq!(row("U9").name.as_str(), "Nine Example");
        let search = |q: &str| {
            let f = RowFilter { search: q.into(), ..RowFilter::default() };
            f.apply(&rows).into_iter().map(|i| rows[i as usize].id.to_ascii_lowercase()).collect::<Vec<_>>()
        };
        assert_eq!(search(" NINE ex "), ["u9"], "a name in any case, trimmed");
        assert_eq!(search("U9"), ["u9"], "an id in any case");
        assert_eq!(search("nine u9"), Vec::<String>::new(), "name and id are searched one at a time");
        assert!(contains_folded("Zoë Ünal", "ünal"), "beyond ASCII too");
        assert!(!contains_folded("Zoë Ünal", "unal"));
        assert_eq!(row("U9").coverage, Some(1));
        assert_eq!(rows[0].id, "u4", "the warning first: {ids:?}");
        assert_eq!(rows.last().unwrap().worst, None, "nothing to report last: {ids:?}");
        let total: usize = rows.iter().map(|r| r.actions.len()).sum();
        assert_eq!(total, plan.actions().count(), "every action in exactly one row");
        assert_eq!(rows.capacity(), rows.len(), "sized for every subject the plan could name, then trimmed");
    }

    #[test]
    fn positions_keep_one_in_place_and_more_in_a_list() {
        let mut p = Positions::default();
        assert!(p.len() == 0 && !p.contains(0));
        p.push(7);
        assert_eq!(p, Positions::One(7));
        p.push(9);
        p.push(3);
        assert_eq!(p.iter().collect::<Vec<_>>(), [7, 9, 3]);
        assert_eq!(p.len(), 3);
        assert!(p.contains(9) && !p.contains(8));
    }

    #[test]
    fn putting_in_order_follows_every_cycle() {
        // Two cycles (0 -> 2 -> 4 -> 0 and 1 <-> 3) and a fixed point (5).
        let mut items = vec!["a", "b", "c", "d", "e", "f"];
        put_in_order(&mut items, vec![2, 3, 4, 1, 0, 5]);
        assert_eq!(items, ["c", "d", "e", "b", "a", "f"]);
        let n = 1000u32;
        let order: Vec<u32> = (0..n).map(|k| (k * 7919) % n).collect();
        let mut items: Vec<u32> = (0..n).collect();
        put_in_order(&mut items, order.clone());
        assert_eq!(items, order, "position k holds what was at order[k]");
    }
}
