//! The inverse of an action, from the subject's own licenses at planning time: re-add every SKU
//! the action removed or changed, with its original disabledPlans, and remove every SKU it added
//! that the subject did not have. Applying an action then its inverse restores the subject's own
//! assignments exactly.
use licswap_core::model::{same_id, AssignLicenseBody, AssignedLicense};
use licswap_core::plan::fastmap::Fx;
use licswap_core::plan::{Action, ActionKind};
use licswap_core::shared_str::SharedStr;
use std::hash::Hasher;
use std::sync::Arc;

/// One of the subject's own (direct) licenses, borrowed from the snapshot.
#[derive(Clone, Copy)]
pub(crate) struct Own<'a> {
    pub sku_id: &'a str,
    pub disabled: &'a [String],
}

impl Own<'_> {
    fn owned(self) -> AssignedLicense {
        AssignedLicense { sku_id: self.sku_id.into(), disabled_plans: self.disabled.to_vec() }
    }

    fn same(self, l: &AssignedLicense) -> bool {
        self.sku_id == l.sku_id && self.disabled == l.disabled_plans.as_slice()
    }
}

pub(crate) fn inverse_body(own_before: &[Own<'_>], body: &AssignLicenseBody) -> AssignLicenseBody {
    let mut before: Vec<Option<Own<'_>>> = own_before.iter().copied().map(Some).collect();
    // The first match, taken out of the list (a SKU is re-added once).
    let mut take = |sku: &str| {
        before.iter_mut().find(|l| l.is_some_and(|l| same_id(l.sku_id, sku))).and_then(Option::take)
    };
    let mut add: Vec<AssignedLicense> =
        Vec::with_capacity(body.remove_licenses.len() + body.add_licenses.len());
    let mut remove = Vec::new();
    for sku in &body.remove_licenses {
        add.extend(take(sku).map(Own::owned));
    }
    for l in &body.add_licenses {
        match take(&l.sku_id) {
            Some(orig) => add.push(orig.owned()),
            None if add.iter().any(|a| same_id(&a.sku_id, &l.sku_id)) => {}
            None => remove.push(l.sku_id.to_string()),
        }
    }
    AssignLicenseBody { add_licenses: add, remove_licenses: remove }
}

/// Rollback bodies, shared: most subjects of a plan hold the same own licenses and get the same
/// forward body, so their inverses are equal too (one body, not one per user).
#[derive(Default)]
pub(crate) struct Inverses {
    by_hash: licswap_core::plan::fastmap::FastMap<u64, Vec<Entry>>,
    /// By forward body and the subject's own licenses as [`super::rows::Rows::own_key`] says.
    by_key: licswap_core::plan::fastmap::FastMap<(usize, u128), Arc<AssignLicenseBody>>,
}

struct Entry {
    forward: Arc<AssignLicenseBody>,
    own_before: Vec<AssignedLicense>,
    inverse: Arc<AssignLicenseBody>,
}

impl Inverses {
    /// [`Inverses::body`], memoized by `own_key` (which stands for the strings `own_before`
    /// reads) when there is one: the strings are read only for the first subject of a kind.
    pub fn body_keyed<'o>(
        &mut self,
        forward: &Arc<AssignLicenseBody>,
        own_key: Option<u128>,
        own_before: impl FnOnce() -> Vec<Own<'o>>,
    ) -> Arc<AssignLicenseBody> {
        let Some(k) = own_key else { return self.body(forward, &own_before()) };
        // `forward` stays alive in the entry `body` keeps, so its address is not reused.
        let key = (Arc::as_ptr(forward) as usize, k);
        if let Some(b) = self.by_key.get(&key) {
            return b.clone();
        }
        let b = self.body(forward, &own_before());
        self.by_key.insert(key, b.clone());
        b
    }

    pub fn body(
        &mut self,
        forward: &Arc<AssignLicenseBody>,
        own_before: &[Own<'_>],
    ) -> Arc<AssignLicenseBody> {
        let mut h = Fx::default();
        h.write_usize(Arc::as_ptr(forward) as usize);
        for l in own_before {
            h.write(l.sku_id.as_bytes());
            h.write_usize(l.disabled.len());
            for d in l.disabled {
                h.write(d.as_bytes());
                h.write_u8(0xff);
            }
        }
        let bucket = self.by_hash.entry(h.finish()).or_default();
        let hit = bucket.iter().find(|e| {
            Arc::ptr_eq(&e.forward, forward)
                && e.own_before.len() == own_before.len()
                && own_before.iter().zip(&e.own_before).all(|(a, b)| a.same(b))
        });
        if let Some(e) = hit {
            return e.inverse.clone();
        }
        let inverse = Arc::new(inverse_body(own_before, forward));
        bucket.push(Entry {
            forward: forward.clone(),
            own_before: own_before.iter().map(|l| l.owned()).collect(),
            inverse: inverse.clone(),
        });
        inverse
    }
}

thread_local! {
    /// The empty fingerprint of every rollback action of a plan, one copy.
    static NO_FINGERPRINT: SharedStr = SharedStr::unpooled("");
}

pub(crate) fn inverse(action: &Action, body: Arc<AssignLicenseBody>) -> Action {
    Action {
        id: super::actions::action_id(&["rollback:", &action.id]),
        kind: ActionKind::Rollback,
        target: action.target.clone(),
        body,
        // The rollback runs against the state the action left, which is not known at planning
        // time; the executor stamps it when the action completes.
        fingerprint: NO_FINGERPRINT.with(SharedStr::clone),
        // The forward action's own id, shared.
        undoes: Some(action.id.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lic(sku: &str, disabled: &[&str]) -> AssignedLicense {
        AssignedLicense {
            sku_id: sku.into(),
            disabled_plans: disabled.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn own(l: &AssignedLicense) -> Own<'_> {
        Own { sku_id: &l.sku_id, disabled: &l.disabled_plans }
    }

    #[test]
    fn inverse_of_a_swap_restores_the_source_and_removes_the_target() {
        let before = [lic("e1", &["x"])];
        let body =
            AssignLicenseBody { add_licenses: vec![lic("e3", &["y"])], remove_licenses: vec!["E1".into()] };
        let inv = inverse_body(&before.iter().map(own).collect::<Vec<_>>(), &body);
        assert_eq!(inv.add_licenses, [lic("e1", &["x"])]);
        assert_eq!(inv.remove_licenses, ["e3"]);
    }

    #[test]
    fn inverse_keeps_a_target_the_subject_already_had() {
        let before = [lic("e1", &[]), lic("e3", &["z"])];
        let body =
            AssignLicenseBody { add_licenses: vec![lic("e3", &["z"])], remove_licenses: vec!["e1".into()] };
        let inv = inverse_body(&before.iter().map(own).collect::<Vec<_>>(), &body);
        assert_eq!(inv.add_licenses, [lic("e1", &[]), lic("e3", &["z"])]);
        assert!(inv.remove_licenses.is_empty());
    }

    #[test]
    fn shared_inverses_are_per_forward_body_and_own_licenses() {
        let fwd = Arc::new(AssignLicenseBody {
            add_licenses: vec![lic("e3", &[])],
            remove_licenses: vec!["e1".into()],
        });
        let (a, b, c) = (lic("e1", &["x"]), lic("e1", &["x"]), lic("e1", &["y"]));
        let mut inv = Inverses::default();
        let first = inv.body(&fwd, &[own(&a)]);
        assert!(Arc::ptr_eq(&first, &inv.body(&fwd, &[own(&b)])), "same own licenses share one body");
        let other = inv.body(&fwd, &[own(&c)]);
        assert_eq!(other.add_licenses, [lic("e1", &["y"])], "different disabled plans, different body");
        let fwd2 = Arc::new(AssignLicenseBody::clone(&fwd));
        assert!(!Arc::ptr_eq(&first, &inv.body(&fwd2, &[own(&a)])));
    }
}
