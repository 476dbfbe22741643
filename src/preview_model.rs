//! What the preview screen shows, computed from a [`Plan`] outside the view: findings grouped by
//! rule, one row per user or group with its worst finding, filtering and searching.
use hashbrown::{hash_table, HashTable};
use licswap_core::model::{same_id, User};
use licswap_core::plan::fastmap::{CiKey, Fx};
use licswap_core::plan::{Coverage, Finding, FindingCode, Plan, Severity, TargetKind};
use licswap_planner::Indexed;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

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

/// One user or group on the preview list. Its id and name are not copied: [`PreviewRows`] reads
/// them where they are named (for a million-user plan the copies were 80 MB of the page's memory,
/// which never shrinks).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub kind: TargetKind,
    /// Where the subject's id and name are read.
    pub named: NamedIn,
    /// Worst finding on this subject; None = nothing to report.
    pub worst: Option<Severity>,
    /// Indexes into `plan.findings`.
    pub findings: Positions,
    /// Indexes of actions in `plan.actions()` order.
    pub actions: Positions,
    /// Index into `plan.coverage`.
    pub coverage: Option<usize>,
}

/// Where a row's subject is named: in the plan, or, for a user the plan knows by id only, in the
/// tenant data the plan was made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedIn {
    /// The target of the action at this position (`plan.actions()` order).
    Action(u32),
    /// The user of this coverage entry.
    Coverage(u32),
    /// A user who shares this coverage entry, named by id only: (entry, position in `also`).
    Also(u32, u32),
    /// The subject of this finding.
    Finding(u32),
    /// This user of the tenant data.
    User(u32),
}

/// Reads ids and names where rows point.
#[derive(Clone, Copy)]
struct Namer<'a> {
    plan: &'a Plan,
    users: &'a [User],
    /// Where each phase's actions start in `plan.actions()` order.
    phase_starts: &'a [usize],
}

impl<'a> Namer<'a> {
    fn subject(&self, at: NamedIn) -> (&'a str, &'a str) {
        let plan = self.plan;
        match at {
            NamedIn::Action(i) => {
                let i = i as usize;
                let phase = self.phase_starts.partition_point(|&s| s <= i).saturating_sub(1);
                let start = self.phase_starts.get(phase).copied().unwrap_or(0);
                let a = plan.phases.get(phase).and_then(|p| p.actions.get(i.checked_sub(start)?));
                a.map_or(("", ""), |a| (&a.target.id, &a.target.name))
            }
            NamedIn::Coverage(c) => {
                plan.coverage.get(c as usize).map_or(("", ""), |c| (&c.user_id, &c.user))
            }
            NamedIn::Also(c, k) => {
                let id = plan.coverage.get(c as usize).and_then(|c| c.also.get(k as usize)).unwrap_or("");
                (id, id)
            }
            NamedIn::Finding(f) => {
                plan.findings.get(f as usize).map_or(("", ""), |f| (&f.subject.id, &f.subject.name))
            }
            NamedIn::User(u) => self.users.get(u as usize).map_or(("", ""), |u| (&u.id, u.label())),
        }
    }

    fn id(&self, at: NamedIn) -> &'a str {
        self.subject(at).0
    }

    fn name(&self, at: NamedIn) -> &'a str {
        self.subject(at).1
    }

    /// Whether the subject at `at` has no name but its id.
    fn named_by_id(&self, at: NamedIn) -> bool {
        let (id, name) = self.subject(at);
        name == id
    }
}

/// A plan's rows for the preview list, with the plan and the tenant data that name them.
pub struct PreviewRows {
    pub rows: Vec<Row>,
    plan: Arc<Plan>,
    tenant: Option<Arc<Indexed>>,
    phase_starts: Vec<usize>,
}

impl PreviewRows {
    /// One row per subject that has an action, a coverage entry or a finding. `tenant`, the data
    /// the plan was made from when it is at hand, names the users the plan knows by id only (users
    /// sharing a coverage entry).
    pub fn build(plan: Arc<Plan>, tenant: Option<Arc<Indexed>>) -> Self {
        let phase_starts: Vec<usize> = plan
            .phases
            .iter()
            .scan(0, |at, p| {
                let start = *at;
                *at += p.actions.len();
                Some(start)
            })
            .collect();
        let users: &[User] = tenant.as_deref().map_or(&[], |t| &t.users);
        let rows = build_rows(Namer { plan: &plan, users, phase_starts: &phase_starts }, tenant.as_deref());
        PreviewRows { rows, plan, tenant, phase_starts }
    }

    fn namer(&self) -> Namer<'_> {
        let users: &[User] = self.tenant.as_deref().map_or(&[], |t| &t.users);
        Namer { plan: &self.plan, users, phase_starts: &self.phase_starts }
    }

    pub fn id(&self, row: &Row) -> &str {
        self.namer().id(row.named)
    }

    pub fn name(&self, row: &Row) -> &str {
        self.namer().name(row.named)
    }

    /// `(id, name)` of a row's subject, read once.
    pub fn subject(&self, row: &Row) -> (&str, &str) {
        self.namer().subject(row.named)
    }
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

/// One row per subject that has an action, a coverage entry or a finding. `n` reads ids and
/// names where they lie; its tenant users, when the tenant data is at hand, name the users the
/// plan knows by id only (users sharing a coverage entry).
fn build_rows(n: Namer<'_>, tenant: Option<&Indexed>) -> Vec<Row> {
    let plan = n.plan;
    // Sized once for every subject the plan could name (fewer when they repeat; trimmed below):
    // a list grown by doubling holds its old and new storage at once, and its unused half stays.
    let most = plan.actions().count()
        + plan.findings.len()
        + plan.coverage.iter().map(|c| 1 + c.also.len()).sum::<usize>();
    // The index too: growing it would hash every row again at each doubling.
    let mut b = Rows { rows: Vec::with_capacity(most), index: HashTable::with_capacity(most), n };
    for (i, a) in plan.actions().enumerate() {
        let r = b.row(a.target.kind, NamedIn::Action(i as u32));
        b.rows[r].actions.push(i);
    }
    for (ci, c) in plan.coverage.iter().enumerate() {
        let r = b.row(TargetKind::User, NamedIn::Coverage(ci as u32));
        b.rows[r].coverage = Some(ci);
        for k in 0..c.also.len() {
            // Users sharing this entry are named by id only in it; their row may exist already.
            let r = b.row(TargetKind::User, NamedIn::Also(ci as u32, k as u32));
            b.rows[r].coverage = Some(ci);
        }
    }
    for (fi, f) in plan.findings.iter().enumerate() {
        if f.subject.kind == TargetKind::Sku {
            continue;
        }
        let r = b.row(f.subject.kind, NamedIn::Finding(fi as u32));
        let row = &mut b.rows[r];
        row.findings.push(fi);
        row.worst = Some(row.worst.map_or(f.severity, |w| w.min(f.severity)));
    }
    // Rows still named by their id take the user's name from the tenant data: each looked up in
    // the tenant's GUID index (Graph's ids are GUIDs), or else every user found through the
    // rows' own index. Most users of a large plan share coverage entries, which name them by id
    // only: at 100,000 users, 49,185 of 89,692 rows.
    let by_guid = tenant.filter(|t| t.has_guid_index());
    match by_guid {
        Some(t) => {
            for row in b.rows.iter_mut().filter(|r| r.kind == TargetKind::User) {
                let (id, name) = n.subject(row.named);
                if name != id {
                    continue;
                }
                if let Some(ux) = t.user_by_guid(id).filter(|&ux| n.users[ux].label() != n.users[ux].id) {
                    row.named = NamedIn::User(ux as u32);
                }
            }
        }
        None => {
            for (ux, u) in n.users.iter().enumerate() {
                if let Some(r) = b.find(TargetKind::User, &u.id) {
                    let row = &mut b.rows[r];
                    if n.named_by_id(row.named) && u.label() != u.id {
                        row.named = NamedIn::User(ux as u32);
                    }
                }
            }
        }
    }
    let Rows { mut rows, index, .. } = b;
    drop(index);
    rows.shrink_to_fit();
    // The order is found on positions, and the rows then moved into it in place: a sort of the
    // rows themselves needs room for half of them beside the list. Each row's sort key is read
    // once: its place as one number ([`order_key`]: severity, kind and the name's first bytes),
    // which settles nearly every comparison without reading a name. Ties go by position, so the
    // order is the stable sort's of (severity, kind, name).
    let names: Vec<&str> = rows.iter().map(|r| n.name(r.named)).collect();
    let mut keyed: Vec<(u64, u32)> = rows
        .iter()
        .zip(&names)
        .enumerate()
        .map(|(i, (r, name))| (order_key(r.worst, r.kind, name), i as u32))
        .collect();
    keyed.sort_unstable_by(|&(ka, a), &(kb, b)| {
        ka.cmp(&kb).then_with(|| names[a as usize].cmp(names[b as usize])).then(a.cmp(&b))
    });
    drop(names);
    let order: Vec<u32> = keyed.iter().map(|&(_, i)| i).collect();
    drop(keyed);
    put_in_order(&mut rows, order);
    rows
}

/// A row's place in the list as one number: rows with findings first, the worst severity first
/// (blocker, warning, info, then none), users before groups, then by name, of which it holds
/// the first 7 bytes (a name shorter than that is padded with zero bytes, which keeps a name
/// before any longer one it begins). Two rows whose keys differ are in the order of their
/// (severity, kind, name); equal keys leave the names to compare.
fn order_key(worst: Option<Severity>, kind: TargetKind, name: &str) -> u64 {
    let severity: u64 = match worst {
        Some(Severity::Blocker) => 0,
        Some(Severity::Warning) => 1,
        Some(Severity::Info) => 2,
        None => 3,
    };
    let kind: u64 = match kind {
        TargetKind::User => 0,
        TargetKind::Group => 1,
        TargetKind::Sku => 2,
    };
    let mut key = (severity * 4 + kind) << 56;
    for (i, b) in name.bytes().take(7).enumerate() {
        key |= u64::from(b) << (48 - 8 * i);
    }
    key
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

/// The rows being built, with each subject's row found by kind and id in any letter case. The
/// index holds row numbers only (4 bytes each) and reads ids where the rows point.
struct Rows<'a> {
    rows: Vec<Row>,
    index: HashTable<u32>,
    n: Namer<'a>,
}

impl Rows<'_> {
    /// The row of the subject named at `named`, made if new. A row first named by its id takes
    /// the real name when one comes.
    fn row(&mut self, kind: TargetKind, named: NamedIn) -> usize {
        let n = self.n;
        let (id, name) = n.subject(named);
        // One hash and one probe, whether the row is found or made.
        let rows = &self.rows;
        let same = |&r: &u32| {
            let row = &rows[r as usize];
            row.kind == kind && same_id(n.id(row.named), id)
        };
        let rehash = |&r: &u32| key_hash(rows[r as usize].kind, n.id(rows[r as usize].named));
        match self.index.entry(key_hash(kind, id), same, rehash) {
            hash_table::Entry::Occupied(e) => {
                let r = *e.get() as usize;
                let row = &mut self.rows[r];
                if n.named_by_id(row.named) && name != id {
                    row.named = named;
                }
                r
            }
            hash_table::Entry::Vacant(e) => {
                let r = self.rows.len();
                e.insert(r as u32);
                self.rows.push(Row {
                    kind,
                    named,
                    worst: None,
                    findings: Positions::None,
                    actions: Positions::None,
                    coverage: None,
                });
                r
            }
        }
    }

    fn find(&self, kind: TargetKind, id: &str) -> Option<usize> {
        let same = |&r: &u32| {
            let row = &self.rows[r as usize];
            row.kind == kind && same_id(self.n.id(row.named), id)
        };
        self.index.find(key_hash(kind, id), same).map(|&r| r as usize)
    }
}

/// The index's hash of a subject: its kind and its id as Graph compares ids ([`CiKey`]).
fn key_hash(kind: TargetKind, id: &str) -> u64 {
    let mut h = Fx::default();
    h.write_u8(kind as u8);
    CiKey(id).hash(&mut h);
    h.finish()
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
    pub fn matches(&self, rows: &PreviewRows, r: &Row, needle: &str) -> bool {
        let sev_ok = match self.severity {
            SeverityFilter::All => true,
            SeverityFilter::Only(s) => r.worst == Some(s),
            SeverityFilter::Clean => r.worst.is_none(),
        };
        // The subject's name and id are read only for rows the cheaper tests keep.
        let found = || {
            let (id, name) = rows.subject(r);
            contains_folded(name, needle) || contains_folded(id, needle)
        };
        sev_ok && self.kind.is_none_or(|k| k == r.kind) && (needle.is_empty() || found())
    }

    /// Indexes of the matching rows.
    pub fn apply(&self, rows: &PreviewRows) -> Vec<u32> {
        let needle = self.search.trim().to_lowercase();
        let matching = rows.rows.iter().enumerate().filter(|(_, r)| self.matches(rows, r, &needle));
        matching.map(|(i, _)| i as u32).collect()
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

    #[test]
    fn users_known_by_guid_only_are_named_from_the_tenant_in_any_letter_case() {
        const A: &str = "0a1b2c3d-0000-4000-8000-00000000000a";
        const B: &str = "0a1b2c3d-0000-4000-8000-00000000000b";
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("../crates/core/tests/fixtures/plan_v1.json")).unwrap();
        v["coverage"][1]["also"] = serde_json::json!([A.to_uppercase(), B]);
        let plan = Arc::new(serde_json::from_value::<Plan>(v).unwrap());
        let tenant: licswap_core::plan::Snapshot = serde_json::from_value(serde_json::json!({
            "skus": [],
            "users": [
                { "id": "0a1b2c3d-0000-4000-8000-0000000000ff", "displayName": "Not in the plan" },
                { "id": A, "displayName": "Ada Example" },
                { "id": B.to_uppercase() },
            ],
        }))
        .unwrap();
        let tenant = licswap_planner::Indexed::new(tenant).expect("a snapshot the planner reads");
        assert!(tenant.has_guid_index());
        let rows = PreviewRows::build(plan, Some(Arc::new(tenant)));
        let row = |id: &str| rows.rows.iter().find(|r| rows.id(r).eq_ignore_ascii_case(id)).unwrap();
        assert_eq!(rows.name(row(A)), "Ada Example", "found by its GUID, spelled in upper case in the plan");
        assert!(rows.name(row(B)).eq_ignore_ascii_case(B), "a user with no name keeps the id");
        assert!(!rows.rows.iter().any(|r| rows.name(r) == "Not in the plan"), "only the plan's subjects");
    }

    /// The rows' order as one number and a name agrees with sorting (severity, kind, name) whatever
    /// the names: shorter, longer, sharing their first 7 bytes, with zero bytes, beyond ASCII.
    #[test]
    fn the_order_key_sorts_as_severity_kind_and_name() {
        let names =
            ["", "a", "ab", "ab\0c", "abcdefg", "abcdefgh", "abcdefgA", "abcdefg\0", "Zoë", "Zoe", "zoe"];
        let severities = [None, Some(Severity::Info), Some(Severity::Blocker), Some(Severity::Warning)];
        let kinds = [TargetKind::Group, TargetKind::User, TargetKind::Sku];
        let mut all = Vec::new();
        for name in names {
            for worst in severities {
                for kind in kinds {
                    all.push((worst, kind, name));
                }
            }
        }
        let mut by_key = all.clone();
        by_key.sort_by(|a, b| {
            order_key(a.0, a.1, a.2).cmp(&order_key(b.0, b.1, b.2)).then_with(|| a.2.cmp(b.2))
        });
        let mut by_tuple = all;
        by_tuple.sort_by_key(|&(worst, kind, name)| (worst.is_none(), worst, kind, name));
        assert_eq!(by_key, by_tuple);
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
        let tenant: licswap_core::plan::Snapshot = serde_json::from_value(serde_json::json!({
            "skus": [],
            "users": [
                { "id": "u9", "userPrincipalName": "Nine Example" },
                { "id": "u-unknown", "userPrincipalName": "Nobody Planned" },
            ],
        }))
        .unwrap();
        let actions = plan.actions().count();
        let plan = Arc::new(plan);
        let tenant = licswap_planner::Indexed::new(tenant).expect("a snapshot the planner reads");
        let rows = PreviewRows::build(plan.clone(), Some(Arc::new(tenant)));
        let ids: Vec<&str> = rows.rows.iter().map(|r| rows.id(r)).collect();
        assert_eq!(rows.rows.len(), 6, "g1, u1 to u4 and U9: {ids:?}");
        let row = |id: &str| rows.rows.iter().find(|r| rows.id(r).eq_ignore_ascii_case(id)).unwrap();
        let u1 = row("u1");
        assert!(u1.actions.len() > 0 && u1.findings.len() == 1, "the upper-case finding joined u1's row");
        assert_eq!(row("u1").coverage, Some(0));
        assert_eq!(row("u3").coverage, Some(1));
        assert_eq!(rows.name(row("U9")), "Nine Example");
        let search = |q: &str| {
            let f = RowFilter { search: q.into(), ..RowFilter::default() };
            let found = f.apply(&rows).into_iter();
            found.map(|i| rows.id(&rows.rows[i as usize]).to_ascii_lowercase()).collect::<Vec<_>>()
        };
        assert_eq!(search(" NINE ex "), ["u9"], "a name in any case, trimmed");
        assert_eq!(search("U9"), ["u9"], "an id in any case");
        assert_eq!(search("nine u9"), Vec::<String>::new(), "name and id are searched one at a time");
        assert!(contains_folded("Zoë Ünal", "ünal"), "beyond ASCII too");
        assert!(!contains_folded("Zoë Ünal", "unal"));
        assert_eq!(row("U9").coverage, Some(1));
        assert_eq!(rows.id(&rows.rows[0]), "u4", "the warning first: {ids:?}");
        assert_eq!(rows.rows.last().unwrap().worst, None, "nothing to report last: {ids:?}");
        let total: usize = rows.rows.iter().map(|r| r.actions.len()).sum();
        assert_eq!(total, actions, "every action in exactly one row");
        let (capacity, len) = (rows.rows.capacity(), rows.rows.len());
        assert_eq!(capacity, len, "sized for every subject the plan could name, then trimmed");
        // Without the tenant data (a shared preview), a user known by id only is shown by id.
        let bare = PreviewRows::build(plan, None);
        let u9 = bare.rows.iter().find(|r| bare.id(r).eq_ignore_ascii_case("u9")).unwrap();
        assert!(bare.name(u9).eq_ignore_ascii_case("u9"));
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
