//! The migration wizard's choices and how they become a [`PlanRequest`]; the view only edits this.
use licswap_core::model::{same_id, SubscribedSku, User};
use licswap_core::plan::{PlanOptions, PlanRequest, Scope, Snapshot};
use licswap_core::userlist::{parse_user_list, UserList};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScopeChoice {
    #[default]
    AllHolders,
    Groups,
    Users,
    /// A pasted or uploaded list of UPNs / object ids.
    List,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WizardForm {
    /// skuIds: one, or a bundle (Office 365 E3 + EMS); empty entries are pickers not chosen yet.
    pub source: Vec<String>,
    /// skuIds: one, or a bundle (Office 365 E5 (no Teams) + Microsoft Teams).
    pub target: Vec<String>,
    pub scope: ScopeChoice,
    /// Group ids.
    pub groups: Vec<String>,
    /// User ids.
    pub users: Vec<String>,
    pub list_text: String,
    pub keep_disabled: bool,
    /// servicePlanNames whose loss is accepted.
    pub waived: Vec<String>,
    pub partial_wave: bool,
    /// Set aside the users and groups with a blocker of their own and plan the rest.
    pub set_aside: bool,
}

impl Default for WizardForm {
    fn default() -> Self {
        WizardForm {
            source: Vec::new(),
            target: Vec::new(),
            scope: ScopeChoice::AllHolders,
            groups: Vec::new(),
            users: Vec::new(),
            list_text: String::new(),
            keep_disabled: true,
            waived: Vec::new(),
            partial_wave: false,
            set_aside: false,
        }
    }
}

/// Adds or removes `value` (case-insensitive ids).
/// One of the form's lists of ids or names that checkboxes edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormList {
    Groups,
    Users,
    /// Service plans whose loss the admin accepts.
    Waived,
}

impl FormList {
    pub fn of(self, form: &WizardForm) -> &Vec<String> {
        match self {
            FormList::Groups => &form.groups,
            FormList::Users => &form.users,
            FormList::Waived => &form.waived,
        }
    }

    pub fn of_mut(self, form: &mut WizardForm) -> &mut Vec<String> {
        match self {
            FormList::Groups => &mut form.groups,
            FormList::Users => &mut form.users,
            FormList::Waived => &mut form.waived,
        }
    }

    /// Whether `value` is in this list of `form` (ids compare as Graph compares them).
    pub fn holds(self, form: &WizardForm, value: &str) -> bool {
        self.of(form).iter().any(|v| same_id(v, value))
    }
}

pub fn toggle(list: &mut Vec<String>, value: &str, on: bool) {
    list.retain(|v| !same_id(v, value));
    if on {
        list.push(value.to_string());
    }
}

impl WizardForm {
    pub fn parsed_list(&self) -> UserList {
        parse_user_list(&self.list_text)
    }

    /// The chosen sources (pickers left empty are not).
    pub fn sources(&self) -> Vec<String> {
        chosen(&self.source)
    }

    /// The chosen targets.
    pub fn targets(&self) -> Vec<String> {
        chosen(&self.target)
    }

    /// Stands for the chosen sources (what the loaded snapshot was read for).
    pub fn source_key(&self) -> String {
        source_key(&self.sources())
    }

    /// The request, or what is missing, in the words the screen shows.
    pub fn to_request(&self) -> Result<PlanRequest, String> {
        let (sources, targets) = (self.sources(), self.targets());
        if sources.is_empty() {
            return Err("Choose the license to move users off (source).".into());
        }
        if targets.is_empty() {
            return Err("Choose the license to move users to (target).".into());
        }
        if sources.iter().any(|s| targets.iter().any(|t| same_id(s, t))) {
            return Err(if sources.len() == 1 && targets.len() == 1 {
                "Source and target are the same license: choose two different ones.".into()
            } else {
                "A license is both a source and a target: each license goes on one side only.".into()
            });
        }
        let scope = match self.scope {
            ScopeChoice::AllHolders => Scope::AllHolders,
            ScopeChoice::Groups if self.groups.is_empty() => return Err("Tick at least one group.".into()),
            ScopeChoice::Groups => Scope::Groups(self.groups.clone()),
            ScopeChoice::Users if self.users.is_empty() => return Err("Pick at least one user.".into()),
            ScopeChoice::Users => Scope::Users(self.users.clone()),
            ScopeChoice::List => {
                let list = self.parsed_list();
                if list.entries.is_empty() {
                    return Err(
                        "The user list has no usable entry: paste UPNs or object ids, one a line.".into()
                    );
                }
                Scope::Users(list.values())
            }
        };
        Ok(PlanRequest {
            source: sources.into(),
            target: targets.into(),
            scope,
            options: PlanOptions {
                preserve_disabled_plans: self.keep_disabled,
                waived_plans: self.waived.clone(),
                allow_partial_wave: self.partial_wave,
                set_aside_blocked: self.set_aside,
            },
        })
    }

    /// Back from a request (the wizard reopened after a preview).
    pub fn from_request(r: &PlanRequest) -> WizardForm {
        let mut f = WizardForm {
            source: r.source.as_slice().to_vec(),
            target: r.target.as_slice().to_vec(),
            keep_disabled: r.options.preserve_disabled_plans,
            waived: r.options.waived_plans.clone(),
            partial_wave: r.options.allow_partial_wave,
            set_aside: r.options.set_aside_blocked,
            ..WizardForm::default()
        };
        match &r.scope {
            Scope::AllHolders => f.scope = ScopeChoice::AllHolders,
            Scope::Groups(g) => {
                f.scope = ScopeChoice::Groups;
                f.groups = g.clone();
            }
            Scope::Users(u) => {
                f.scope = ScopeChoice::Users;
                f.users = u.clone();
            }
        }
        f
    }
}

/// The non-empty, distinct (case-insensitive) entries of a picker list.
fn chosen(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| same_id(o, s)) {
            out.push(s.to_string());
        }
    }
    out
}

/// One string for a set of sources, whatever their order and case.
pub fn source_key(sources: &[String]) -> String {
    let mut ids: Vec<String> = sources.iter().map(|s| s.trim().to_ascii_lowercase()).collect();
    ids.sort();
    ids.dedup();
    ids.join(",")
}

/// Service plans of the sources that no target carries (by id) or covers: the ones an admin may
/// have to waive.
pub fn waivable_plans(skus: &[SubscribedSku], sources: &[String], targets: &[String]) -> Vec<String> {
    let find = |id: &String| skus.iter().find(|s| same_id(&s.sku_id, id));
    let srcs: Vec<&SubscribedSku> = sources.iter().filter_map(find).collect();
    let tgts: Vec<&SubscribedSku> = targets.iter().filter_map(find).collect();
    if srcs.is_empty() || tgts.is_empty() {
        return Vec::new();
    }
    let target_plans = || tgts.iter().flat_map(|t| t.service_plans.iter());
    let mut out: Vec<String> = srcs
        .iter()
        .flat_map(|s| s.service_plans.iter())
        .filter(|p| !target_plans().any(|q| same_id(&q.service_plan_id, &p.service_plan_id)))
        .filter(|p| {
            // A plan a target covers with a known equivalent is not lost.
            !target_plans().any(|q| licswap_core::catalog::equivalent(&p.service_plan_name, &q.service_plan_name))
        })
        .map(|p| p.service_plan_name.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Holders matching a search (UPN or display name, case-insensitive), at most `limit`.
pub fn search_users<'a>(snapshot: &'a Snapshot, query: &str, limit: usize) -> Vec<&'a User> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    snapshot
        .users
        .iter()
        .filter(|u| {
            u.user_principal_name.as_deref().is_some_and(|n| n.to_lowercase().contains(&q))
                || u.display_name.as_deref().is_some_and(|n| n.to_lowercase().contains(&q))
        })
        .take(limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> WizardForm {
        WizardForm { source: vec!["a".into()], target: vec!["b".into()], ..WizardForm::default() }
    }

    #[test]
    fn request_needs_two_different_skus_and_a_scope() {
        assert!(WizardForm::default().to_request().unwrap_err().contains("source"));
        let mut f = form();
        f.target = vec!["A".into()];
        assert!(f.to_request().unwrap_err().contains("same"));
        let mut f = form();
        f.scope = ScopeChoice::Groups;
        assert!(f.to_request().is_err());
        toggle(&mut f.groups, "g1", true);
        assert_eq!(f.to_request().unwrap().scope, Scope::Groups(vec!["g1".into()]));
        toggle(&mut f.groups, "G1", false);
        assert!(f.groups.is_empty());
    }

    #[test]
    fn pasted_list_becomes_users_and_defaults_keep_disabled_plans() {
        let mut f = form();
        f.scope = ScopeChoice::List;
        f.list_text = "a@contoso.com\nnot-a-upn\nb@contoso.com".into();
        let r = f.to_request().unwrap();
        assert_eq!(r.scope, Scope::Users(vec!["a@contoso.com".into(), "b@contoso.com".into()]));
        assert!(r.options.preserve_disabled_plans);
        assert_eq!(f.parsed_list().errors.len(), 1);
        assert_eq!(WizardForm::from_request(&r).source, ["a"]);
    }

    #[test]
    fn several_sources_and_targets_make_a_bundle_request() {
        let mut f = form();
        f.source.push("EMS".into());
        f.source.push(String::new()); // a picker added and left empty
        f.target = vec!["SPE_E3".into(), "spe_e3".into()];
        let r = f.to_request().unwrap();
        assert_eq!(r.source.as_slice(), ["a", "EMS"]);
        assert_eq!(r.target.as_slice(), ["SPE_E3"], "a target picked twice counts once");
        assert_eq!(WizardForm::from_request(&r).source, ["a", "EMS"]);
        assert_eq!(f.source_key(), source_key(&["ems".into(), "A".into()]));
        f.target.push("ems".into());
        assert!(f.to_request().unwrap_err().contains("both a source and a target"));
    }

    #[test]
    fn waivable_plans_of_a_bundle_are_those_no_target_provides() {
        let sku = |part: &str| {
            let d = licswap_core::catalog::sku(part).unwrap();
            SubscribedSku {
                id: None,
                sku_id: d.sku_id.into(),
                sku_part_number: d.part_number.into(),
                applies_to: None,
                capability_status: None,
                consumed_units: 0,
                prepaid_units: Default::default(),
                service_plans: d
                    .plans
                    .iter()
                    .map(|p| licswap_core::model::ServicePlanInfo {
                        service_plan_id: p.id.into(),
                        service_plan_name: p.name.into(),
                        provisioning_status: None,
                        applies_to: None,
                    })
                    .collect(),
            }
        };
        let skus = [sku("ENTERPRISEPACK"), sku("EMS"), sku("SPE_E3"), sku("STANDARDPACK")];
        let id = |i: usize| skus[i].sku_id.clone();
        assert!(waivable_plans(&skus, &[id(0), id(1)], &[id(2)]).is_empty(), "Microsoft 365 E3 has it all");
        let to_e1 = waivable_plans(&skus, &[id(0), id(1)], &[id(3)]);
        assert!(to_e1.iter().any(|p| p == "INTUNE_A") && to_e1.iter().any(|p| p == "OFFICESUBSCRIPTION"), "{to_e1:?}");
    }
}
