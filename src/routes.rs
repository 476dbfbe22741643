//! Hash routes (`#/migrate`, `#/preview/<encoded>`, ...). The fragment never reaches a server, so a
//! shared preview in a link stays in the reader's browser.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Overview,
    Migrate,
    Preview,
    /// A shared preview carried in the link itself.
    SharedPreview(String),
    /// Open a shared preview from a file or a pasted link.
    OpenShared,
    Apply,
    /// An approved preview carried in the link itself (`#/approved/a1.…`).
    ApprovedLink(String),
    /// Re-check an approved preview against the tenant, then apply it.
    ApplyApproved,
    Report,
    /// License health: group-licensing errors explained, and their fixes.
    Health,
    SignIn,
    NotFound(String),
}

impl Route {
    /// Parses `location.hash` (with or without the leading `#`).
    pub fn parse(hash: &str) -> Route {
        let path = hash.strip_prefix('#').unwrap_or(hash);
        let path = path.strip_prefix('/').unwrap_or(path);
        // OAuth's redirect may come back with `?code=...` in the query, never in the fragment;
        // anything after '?' in the fragment is ignored.
        let path = path.split('?').next().unwrap_or("");
        match path.trim_end_matches('/') {
            "" => Route::Overview,
            "migrate" => Route::Migrate,
            "preview" => Route::Preview,
            "open" => Route::OpenShared,
            "apply" => Route::Apply,
            "apply-approved" => Route::ApplyApproved,
            "report" => Route::Report,
            "health" => Route::Health,
            "signin" => Route::SignIn,
            other => match (other.strip_prefix("preview/"), other.strip_prefix("approved/")) {
                (Some(enc), _) if !enc.is_empty() => Route::SharedPreview(enc.to_string()),
                (_, Some(enc)) if !enc.is_empty() => Route::ApprovedLink(enc.to_string()),
                _ => Route::NotFound(other.to_string()),
            },
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Overview => "#/".into(),
            Route::Migrate => "#/migrate".into(),
            Route::Preview => "#/preview".into(),
            Route::SharedPreview(enc) => format!("#/preview/{enc}"),
            Route::OpenShared => "#/open".into(),
            Route::Apply => "#/apply".into(),
            Route::ApprovedLink(enc) => format!("#/approved/{enc}"),
            Route::ApplyApproved => "#/apply-approved".into(),
            Route::Report => "#/report".into(),
            Route::Health => "#/health".into(),
            Route::SignIn => "#/signin".into(),
            Route::NotFound(p) => format!("#/{p}"),
        }
    }

    /// The navigation tab this route belongs to, for `aria-current`.
    pub fn tab(&self) -> &'static str {
        match self {
            Route::Overview => "overview",
            Route::Migrate => "migrate",
            Route::Preview | Route::SharedPreview(_) | Route::OpenShared | Route::ApprovedLink(_) => {
                "preview"
            }
            Route::Apply | Route::ApplyApproved => "apply",
            Route::Report => "report",
            Route::Health => "overview",
            Route::SignIn => "signin",
            Route::NotFound(_) => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_route() {
        assert_eq!(Route::parse(""), Route::Overview);
        assert_eq!(Route::parse("#/"), Route::Overview);
        assert_eq!(Route::parse("#/migrate"), Route::Migrate);
        assert_eq!(Route::parse("#/preview/"), Route::Preview);
        assert_eq!(Route::parse("#/preview/AbC-_"), Route::SharedPreview("AbC-_".into()));
        assert_eq!(Route::parse("#/apply?x=1"), Route::Apply);
        assert_eq!(Route::parse("#/nope"), Route::NotFound("nope".into()));
        assert_eq!(Route::parse("#/approved/a1.xY"), Route::ApprovedLink("a1.xY".into()));
        assert_eq!(Route::parse("#/approved/"), Route::NotFound("approved".into()));
        assert_eq!(Route::parse("#/apply-approved"), Route::ApplyApproved);
        assert_eq!(Route::parse("#/health"), Route::Health);
    }

    #[test]
    fn href_round_trips() {
        for r in [
            Route::Overview,
            Route::Migrate,
            Route::Preview,
            Route::SharedPreview("x1".into()),
            Route::Apply,
            Route::ApprovedLink("a1.x".into()),
            Route::ApplyApproved,
            Route::Health,
        ] {
            assert_eq!(Route::parse(&r.href()), r);
        }
    }
}
