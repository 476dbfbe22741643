//! A short, stable digest of a target's license state. The planner stamps it on each action; the
//! executor re-reads the target and refuses the action when the digest differs (a stale plan).
use super::fastmap::lower8;
use super::fastmap::FastMap;
use crate::hash::{fnv1a64_from, hex16, FNV_OFFSET};
use crate::model::{AssignedLicense, Group, User};
use crate::shared_str::SharedStr;


/// Canonical parts, written into one buffer (a part is a byte range), so a digest costs a few
/// allocations however many licenses the target has: the planner takes 100,000 of them. Targets
/// with the same licenses write the same bytes, so digests are memoized by the unsorted buffer,
/// and a memoized digest is shared: the plan's actions hold one copy of each.
#[derive(Default)]
pub struct Parts {
    buf: Vec<u8>,
    ranges: Vec<(usize, usize)>,
    plans: Vec<String>,
    memo: FastMap<Vec<u8>, SharedStr>,
    /// Digests by a key the caller decoded (the planner's rows: [`Parts::user_keyed`]), so most
    /// targets of a plan are digested without reading their strings at all.
    by_key: FastMap<Vec<u64>, SharedStr>,
}

/// Bounds each memo, in case every target is different.
const MEMO_MAX: usize = 4096;

impl Parts {
    fn begin(&mut self) -> usize {
        self.buf.len()
    }

    fn end(&mut self, start: usize) {
        self.ranges.push((start, self.buf.len()));
    }

    /// ASCII-lowercased, eight bytes at a time.
    fn push_lower(&mut self, s: &str) {
        let mut chunks = s.as_bytes().chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.buf.extend_from_slice(&lower8(w).to_le_bytes());
        }
        self.buf.extend(chunks.remainder().iter().map(u8::to_ascii_lowercase));
    }

    fn licenses(&mut self, lics: &[AssignedLicense]) {
        let mut plans = std::mem::take(&mut self.plans);
        for l in lics {
            let start = self.begin();
            self.buf.push(b'L');
            self.push_lower(&l.sku_id);
            self.buf.push(b':');
            plans.clear();
            plans.extend(l.disabled_plans.iter().map(|p| p.to_ascii_lowercase()));
            plans.sort();
            for (i, p) in plans.drain(..).enumerate() {
                if i > 0 {
                    self.buf.push(b',');
                }
                self.buf.extend_from_slice(p.as_bytes());
            }
            self.end(start);
        }
        self.plans = plans;
    }

    /// The digest of the parts written since the last digest; leaves the buffers empty for reuse.
    fn digest(&mut self) -> SharedStr {
        if let Some(d) = self.memo.get(&self.buf) {
            let d = d.clone();
            self.buf.clear();
            self.ranges.clear();
            return d;
        }
        let buf = &self.buf;
        self.ranges.sort_by(|a, b| buf[a.0..a.1].cmp(&buf[b.0..b.1]));
        let mut h = FNV_OFFSET;
        for &(a, b) in &self.ranges {
            h = fnv1a64_from(h, &buf[a..b]);
            h = fnv1a64_from(h, b"|");
        }
        let d = SharedStr::unpooled(&hex16(h));
        // The buffer alone determines the parts: 'L' and 'S' (uppercase) only ever start one,
        // everything else is lowercased. Bounded, in case every target is different.
        if self.memo.len() < MEMO_MAX {
            self.memo.insert(std::mem::take(&mut self.buf), d.clone());
        } else {
            self.buf.clear();
        }
        self.ranges.clear();
        d
    }

    /// [`Parts::user`], memoized by `key`, which must stand for what the digest reads.
    #[inline]
    pub fn user_keyed(&mut self, key: &[u64], user: &User) -> SharedStr {
        if let Some(d) = self.by_key.get(key) {
            return d.clone();
        }
        let d = self.user(user);
        if self.by_key.len() < MEMO_MAX {
            self.by_key.insert(key.to_vec(), d.clone());
        }
        d
    }

    /// [`fingerprint_user`] reusing this buffer.
    pub fn user(&mut self, user: &User) -> SharedStr {
        self.licenses(&user.assigned_licenses);
        for s in &user.license_assignment_states {
            let start = self.begin();
            self.buf.push(b'S');
            self.push_lower(&s.sku_id);
            self.buf.push(b':');
            self.push_lower(s.assigned_by_group.as_deref().unwrap_or("direct"));
            self.end(start);
        }
        self.digest()
    }

    /// [`fingerprint_group`] reusing this buffer.
    pub fn group(&mut self, group: &Group) -> SharedStr {
        self.licenses(&group.assigned_licenses);
        self.digest()
    }
}

/// Over assignedLicenses and the direct/inherited source of each license (not over error
/// states or timestamps, which change as Graph processes without anyone editing the user).
pub fn fingerprint_user(user: &User) -> String {
    Parts::default().user(user).to_string()
}

pub fn fingerprint_group(group: &Group) -> String {
    Parts::default().group(group).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LicenseAssignmentState;

    /// The digest of the first version (one String per part, sorted, '|'-joined), kept as the
    /// reference so a faster implementation never changes a stamped fingerprint.
    fn reference(parts: &mut [String]) -> String {
        parts.sort();
        let mut h = FNV_OFFSET;
        for p in parts.iter() {
            h = fnv1a64_from(h, p.as_bytes());
            h = fnv1a64_from(h, b"|");
        }
        format!("{h:016x}")
    }

    #[test]
    fn matches_the_reference_digest_and_ignores_order_and_case() {
        let lic = |s: &str, d: &[&str]| AssignedLicense {
            sku_id: s.into(),
            disabled_plans: d.iter().map(|x| x.to_string()).collect(),
        };
        let st = |s: &str, g: Option<&str>| LicenseAssignmentState {
            sku_id: s.into(),
            assigned_by_group: g.map(Into::into),
            disabled_plans: vec![],
            error: None,
            state: None,
            last_updated_date_time: None,
        };
        let u = User {
            id: "u".into(),
            user_principal_name: None,
            display_name: None,
            usage_location: None,
            account_enabled: None,
            assigned_licenses: vec![lic("B", &["Y", "x"]), lic("a", &[])],
            license_assignment_states: vec![st("B", Some("G1")), st("a", None)],
        };
        let mut parts = vec!["Lb:x,y".to_string(), "La:".into(), "Sb:g1".into(), "Sa:direct".into()];
        assert_eq!(fingerprint_user(&u), reference(&mut parts));
        let mut v = u.clone();
        v.assigned_licenses.reverse();
        v.license_assignment_states.reverse();
        v.assigned_licenses[1].sku_id = "b".into();
        assert_eq!(fingerprint_user(&u), fingerprint_user(&v));
        v.assigned_licenses[0].disabled_plans.push("z".into());
        assert_ne!(fingerprint_user(&u), fingerprint_user(&v));
    }

    #[test]
    fn the_memo_never_mixes_targets_up() {
        let lic = |s: &str, d: &[&str]| AssignedLicense {
            sku_id: s.into(),
            disabled_plans: d.iter().map(|x| x.to_string()).collect(),
        };
        let user = |lics: Vec<AssignedLicense>| User {
            id: "u".into(),
            user_principal_name: None,
            display_name: None,
            usage_location: None,
            account_enabled: None,
            assigned_licenses: lics,
            license_assignment_states: vec![],
        };
        let u = user(vec![lic("a", &["x", "y"])]);
        let same = user(vec![lic("A", &["Y", "x"])]);
        let moved = user(vec![lic("a", &["xy"])]);
        let more = user(vec![lic("a", &["x", "y", "z"])]);
        let mut p = Parts::default();
        for _ in 0..2 {
            assert_eq!(p.user(&u), fingerprint_user(&u));
            assert_eq!(p.user(&same), p.user(&u), "case and order do not matter");
            assert_ne!(p.user(&moved), p.user(&u), "the bytes of two plans are not one plan");
            assert_ne!(p.user(&more), p.user(&u));
        }
    }
}
