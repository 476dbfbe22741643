//! The inverse of an action, from the subject's own licenses at planning time: re-add every SKU
//! the action removed or changed, with its original disabledPlans, and remove every SKU it added
//! that the subject did not have. Applying an action then its inverse restores the subject's own
//! assignments exactly.
use super::resolve::eq_id;
use super::types::{Action, ActionKind};
use crate::graph::model::{AssignLicenseBody, AssignedLicense};

#[cfg(test)]
pub(crate) fn inverse_body(own_before: &[AssignedLicense], body: &AssignLicenseBody) -> AssignLicenseBody {
    inverse_body_owned(own_before.to_vec(), body)
}

/// [`inverse_body`], moving the original assignments instead of copying them (one rollback per
/// action adds up at 100,000 users).
fn inverse_body_owned(own_before: Vec<AssignedLicense>, body: &AssignLicenseBody) -> AssignLicenseBody {
    // Taking the first match out of the list, in place (no second list of options).
    let mut before = own_before;
    let mut take = |sku: &str| before.iter().position(|l| eq_id(&l.sku_id, sku)).map(|i| before.remove(i));
    let mut add = Vec::with_capacity(body.remove_licenses.len() + body.add_licenses.len());
    let mut remove = Vec::new();
    for sku in &body.remove_licenses {
        add.extend(take(sku));
    }
    for l in &body.add_licenses {
        match take(&l.sku_id) {
            Some(orig) => add.push(orig),
            None if add.iter().any(|a: &AssignedLicense| eq_id(&a.sku_id, &l.sku_id)) => {}
            None => remove.push(l.sku_id.clone()),
        }
    }
    AssignLicenseBody { add_licenses: add, remove_licenses: remove }
}

pub(crate) fn inverse(action: &Action, own_before: Vec<AssignedLicense>) -> Action {
    Action {
        id: ["rollback:", action.id.as_str()].concat(),
        kind: ActionKind::Rollback,
        target: action.target.clone(),
        body: inverse_body_owned(own_before, &action.body),
        // The rollback runs against the state the action left, which is not known at planning
        // time; the executor stamps it when the action completes.
        fingerprint: String::new(),
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

    #[test]
    fn inverse_of_a_swap_restores_the_source_and_removes_the_target() {
        let before = [lic("e1", &["x"])];
        let body =
            AssignLicenseBody { add_licenses: vec![lic("e3", &["y"])], remove_licenses: vec!["E1".into()] };
        let inv = inverse_body(&before, &body);
        assert_eq!(inv.add_licenses, [lic("e1", &["x"])]);
        assert_eq!(inv.remove_licenses, ["e3"]);
    }

    #[test]
    fn inverse_keeps_a_target_the_subject_already_had() {
        let before = [lic("e1", &[]), lic("e3", &["z"])];
        let body =
            AssignLicenseBody { add_licenses: vec![lic("e3", &["z"])], remove_licenses: vec!["e1".into()] };
        let inv = inverse_body(&before, &body);
        assert_eq!(inv.add_licenses, [lic("e1", &[]), lic("e3", &["z"])]);
        assert!(inv.remove_licenses.is_empty());
    }
}
