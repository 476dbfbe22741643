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
    /// skuId
    pub source: String,
    /// skuId
    pub target: String,
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
            source: String::new(),
            target: String::new(),
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

    /// The request, or what is missing, in the words the screen shows.
    pub fn to_request(&self) -> Result<PlanRequest, String> {
        if self.source.is_empty() {
            return Err("Choose the license to move users off (source).".into());
        }
        if self.target.is_empty() {
            return Err("Choose the license to move users to (target).".into());
        }
        if same_id(&self.source, &self.target) {
            return Err("Source and target are the same license: choose two different ones.".into());
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
            source: self.source.clone().into(),
            target: self.target.clone().into(),
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
            source: r.source.first().to_string(),
            target: r.target.first().to_string(),
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

/// Service plans of the source that the target does not carry (by id): the ones an admin may
/// have to waive.
pub fn waivable_plans(skus: &[SubscribedSku], source: &str, target: &str) -> Vec<String> {
    let find = |id: &str| skus.iter().find(|s| same_id(&s.sku_id, id));
    let (Some(s), Some(t)) = (find(source), find(target)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = s
        .service_plans
        .iter()
        .filter(|p| !t.service_plans.iter().any(|q| same_id(&q.service_plan_id, &p.service_plan_id)))
        .filter(|p| {
            // A plan the target covers with a known equivalent is not lost.
            !t.service_plans
                .iter()
                .any(|q| licswap_core::catalog::equivalent(&p.service_plan_name, &q.service_plan_name))
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
        WizardForm { source: "a".into(), target: "b".into(), ..WizardForm::default() }
    }

    #[test]
    fn request_needs_two_different_skus_and_a_scope() {
        assert!(WizardForm::default().to_request().unwrap_err().contains("source"));
        let mut f = form();
        f.target = "A".into();
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
        assert_eq!(WizardForm::from_request(&r).source, "a");
    }
}
