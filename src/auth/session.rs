//! The tokens of this tab: in memory and in sessionStorage (so a reload of the tab keeps the
//! sign-in; never localStorage, never logged, never in a URL). Renewed with the refresh token a
//! few minutes before expiry and when Graph answers 401, one renewal at a time; an answer that
//! arrives after sign-out is dropped. Tokens carry the authority, Graph address, tenant and client
//! they were issued for and are used with no other configuration.
use super::errors::explain;
use super::pkce::form;
use super::single_flight::SingleFlight;
use crate::config::Config;
use crate::storage::{self, keys, Area};
use futures::future::LocalBoxFuture;
use licswap_core::graph::error::GraphError;
use licswap_core::graph::token::{AccessToken, TokenSource};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Renew this long before the access token expires.
const RENEW_BEFORE_MS: u64 = 5 * 60 * 1000;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    pub expires_at_ms: u64,
    /// Scopes granted, as the token endpoint listed them.
    #[serde(default)]
    pub scope: String,
    /// The scopes asked for (asked again on refresh).
    #[serde(default)]
    pub requested: String,
    /// The configuration they were issued for; tokens without one (an earlier build) are not used.
    #[serde(default)]
    pub bound: Option<Binding>,
}

/// What a token was issued for. A token is sent only to the authority and Graph address of the
/// configuration that obtained it, for the same tenant and client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    authority: String,
    graph: String,
    tenant: String,
    client_id: String,
}

impl Binding {
    pub fn of(cfg: &Config) -> Binding {
        Binding {
            authority: cfg.authority().to_ascii_lowercase(),
            graph: cfg.graph_base_url().to_ascii_lowercase(),
            tenant: cfg.tenant.to_ascii_lowercase(),
            client_id: cfg.client_id.to_ascii_lowercase(),
        }
    }
}

/// Whether kept tokens may be used with `cfg`.
pub fn usable_for(t: &Tokens, cfg: &Config) -> bool {
    t.bound.as_ref() == Some(&Binding::of(cfg))
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_at_ms", &self.expires_at_ms)
            .field("scope", &self.scope)
            .finish()
    }
}

/// The token endpoint's answer (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct TokenError {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// The sign-in of this tab: its tokens, the configuration they were issued for, and the renewal.
/// One per page, held by the app state (`AppState::session`); the Graph client's token source
/// and the renewal timer hold it too.
#[derive(Default)]
pub struct Session {
    tokens: RefCell<Option<Tokens>>,
    config: RefCell<Option<Config>>,
    /// Bumped on every sign-in and sign-out, so an old renewal timer stops and an answer to a
    /// request sent before sign-out is dropped.
    generation: Cell<u64>,
    renewal: SingleFlight<Result<(), String>>,
    /// What the app does when the sign-in cannot be renewed (back to the sign-in screen).
    on_expired: RefCell<Option<Rc<dyn Fn()>>>,
}

fn now() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

impl Session {
    /// Tells the session what to do when the sign-in expires and cannot be renewed.
    pub fn on_expired(&self, f: impl Fn() + 'static) {
        *self.on_expired.borrow_mut() = Some(Rc::new(f));
    }

    /// Tokens kept in this tab for `cfg`, if any (after a reload). Tokens obtained with another
    /// configuration (another authority, Graph address, tenant or client) are discarded.
    pub fn restore(self: &Rc<Self>, cfg: &Config) -> bool {
        let Some(t) = storage::get_json::<Tokens>(Area::Session, keys::TOKENS) else { return false };
        if !usable_for(&t, cfg) || (t.expires_at_ms <= now() && t.refresh_token.is_none()) {
            self.clear();
            return false;
        }
        self.install(cfg, t);
        true
    }

    /// Keeps `t` for `cfg` and schedules its renewal.
    pub fn install(self: &Rc<Self>, cfg: &Config, t: Tokens) {
        storage::set_json(Area::Session, keys::TOKENS, &t);
        // Renew 5 minutes before expiry; a short-lived token (a test tenant) at three quarters of its
        // life, and never in a tight loop.
        let life = t.expires_at_ms.saturating_sub(now());
        let wait = if life > 2 * RENEW_BEFORE_MS { life - RENEW_BEFORE_MS } else { life * 3 / 4 }.max(1000);
        *self.tokens.borrow_mut() = Some(t);
        *self.config.borrow_mut() = Some(cfg.clone());
        self.generation.set(self.generation.get() + 1);
        let generation = self.generation.get();
        let this = Rc::clone(self);
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(wait.min(u32::MAX as u64) as u32).await;
            if this.generation.get() == generation {
                let _ = this.refresh().await;
            }
        });
    }

    /// Signs out of this tab: tokens, the pending sign-in and the renewal timer.
    pub fn clear(&self) {
        *self.tokens.borrow_mut() = None;
        self.generation.set(self.generation.get() + 1);
        storage::remove(Area::Session, keys::TOKENS);
        storage::remove(Area::Session, keys::PENDING_AUTH);
    }

    /// Whether the token carries `scope` (Entra lists Graph scopes with their resource prefix).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.tokens.borrow().as_ref().is_some_and(|t| {
            t.scope.split_whitespace().any(|g| {
                g.eq_ignore_ascii_case(scope)
                    || g.to_ascii_lowercase().ends_with(&format!("/{}", scope.to_ascii_lowercase()))
            })
        })
    }

    /// POSTs a form to the token endpoint from the page (a cross-origin SPA redemption) and keeps
    /// the tokens. The error is a sentence for the screen.
    pub async fn token_request(
        self: &Rc<Self>,
        cfg: &Config,
        params: &[(&str, &str)],
        requested: &str,
        redirect_uri: &str,
    ) -> Result<(), String> {
        let body = form(params);
        let generation = self.generation.get();
        let req = gloo_net::http::Request::post(&cfg.token_endpoint())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .map_err(|e| format!("The token request could not be built: {e}"))?;
        let resp = req.send().await.map_err(|_| {
            format!(
                "Could not reach the sign-in service at {}. Check the network and the authority.",
                cfg.authority()
            )
        })?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !(200..300).contains(&status) {
            return Err(match serde_json::from_str::<TokenError>(&text) {
                Ok(e) => explain(&e.error, &e.error_description, redirect_uri),
                Err(_) => format!("The sign-in service answered HTTP {status}."),
            });
        }
        let t: TokenResponse = serde_json::from_str(&text)
            .map_err(|_| "The sign-in service's answer could not be read.".to_string())?;
        if self.generation.get() != generation {
            // Signed out (or in again) while this request was in flight: its answer must not bring
            // the old session back.
            return Err(SUPERSEDED.into());
        }
        let tokens = Tokens {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_at_ms: now() + t.expires_in.unwrap_or(3600) * 1000,
            scope: t.scope.unwrap_or_else(|| requested.to_string()),
            requested: requested.to_string(),
            bound: Some(Binding::of(cfg)),
        };
        self.install(cfg, tokens);
        Ok(())
    }

    /// Gets a new access token with the refresh token (one renewal at a time, however many callers
    /// ask); when that fails, the tab is signed out and the app returns to the sign-in screen, which
    /// comes back to the current screen (a run resumes from its journal).
    pub async fn refresh(self: &Rc<Self>) -> Result<(), String> {
        let this = Rc::clone(self);
        self.renewal
            .run(|| async move {
                let generation = this.generation.get();
                let res = this.refresh_once(None).await;
                if res.is_err() && this.generation.get() == generation {
                    this.clear();
                    let expired = this.on_expired.borrow().clone();
                    if let Some(f) = expired {
                        f();
                    }
                }
                res
            })
            .await
    }

    /// After a run or a reprocessing ends: renews with the read scopes only, so no token of this
    /// tab can still change licenses or users. Nothing to do when the token never had the write or
    /// the reprocess scope.
    pub async fn drop_write_scope(self: &Rc<Self>) {
        let read = self.config.borrow().as_ref().map(|c| c.scopes(crate::config::ScopeSet::READ));
        let Some(read) = read else { return };
        let asked_more = self.tokens.borrow().as_ref().is_some_and(|t| t.requested != read);
        if asked_more
            || self.has_scope(crate::config::WRITE_SCOPE)
            || self.has_scope(crate::config::REPROCESS_SCOPE)
        {
            let this = Rc::clone(self);
            let _ = self.renewal.run(move || async move { this.refresh_once(Some(read)).await }).await;
        }
    }

    async fn refresh_once(self: &Rc<Self>, scopes: Option<String>) -> Result<(), String> {
        let cfg = self.config.borrow().clone().ok_or("Not signed in.")?;
        let (refresh, requested) = self
            .tokens
            .borrow()
            .as_ref()
            .filter(|t| usable_for(t, &cfg))
            .and_then(|t| t.refresh_token.clone().map(|r| (r, t.requested.clone())))
            .ok_or("The sign-in cannot be renewed silently: sign in again.")?;
        let requested = scopes.unwrap_or(requested);
        let redirect = crate::config_file::redirect_uri_or_page(&cfg);
        self.token_request(
            &cfg,
            &[
                ("client_id", &cfg.client_id),
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("scope", &requested),
            ],
            &requested,
            &redirect,
        )
        .await
    }

    /// What the Graph client asks for a token.
    pub fn token_source(self: &Rc<Self>) -> Rc<dyn TokenSource> {
        Rc::new(SessionTokens(Rc::clone(self)))
    }
}

const SUPERSEDED: &str = "The sign-in changed while it was being renewed.";

/// What the Graph client asks for a token: this tab's session.
struct SessionTokens(Rc<Session>);

impl TokenSource for SessionTokens {
    fn token(&self) -> LocalBoxFuture<'_, Result<Option<AccessToken>, GraphError>> {
        Box::pin(async {
            let expired = self.0.tokens.borrow().as_ref().map(|t| t.expires_at_ms <= now() + 30_000);
            match expired {
                None => return Err(GraphError::Auth("not signed in".into())),
                Some(true) => self.0.refresh().await.map_err(GraphError::Auth)?,
                Some(false) => {}
            }
            Ok(self.0.tokens.borrow().as_ref().map(|t| AccessToken::new(t.access_token.clone())))
        })
    }

    fn renew(&self) -> LocalBoxFuture<'_, Result<(), GraphError>> {
        Box::pin(async { self.0.refresh().await.map_err(GraphError::Auth) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_config;

    fn tokens_for(cfg: &Config) -> Tokens {
        Tokens {
            access_token: "a".into(),
            refresh_token: Some("r".into()),
            expires_at_ms: 1,
            scope: String::new(),
            requested: String::new(),
            bound: Some(Binding::of(cfg)),
        }
    }

    #[test]
    fn tokens_serve_only_the_configuration_that_obtained_them() {
        let base = r#""clientId":"c1","tenant":"contoso.onmicrosoft.com""#;
        let global = parse_config(&format!("{{{base}}}")).unwrap();
        let t = tokens_for(&global);
        assert!(usable_for(&t, &global));
        let others = [
            format!(r#"{{{base},"cloud":"usGov"}}"#),
            r#"{"clientId":"c2","tenant":"contoso.onmicrosoft.com"}"#.to_string(),
            r#"{"clientId":"c1","tenant":"fabrikam.onmicrosoft.com"}"#.to_string(),
        ];
        for other in others {
            assert!(!usable_for(&t, &parse_config(&other).unwrap()), "{other}");
        }
        let mut sim: Config = serde_json::from_str(&format!(
            r#"{{{base},"authority":"http://127.0.0.1:9/","graphBaseUrl":"http://127.0.0.1:9/v1.0"}}"#
        ))
        .unwrap();
        sim.from_file = true;
        let sim = sim.validated_with(true).unwrap();
        assert!(!usable_for(&t, &sim), "another authority and Graph address");
        assert!(!usable_for(&tokens_for(&sim), &global));
        // Tokens kept by a build that did not record their configuration are not used.
        let unbound: Tokens = serde_json::from_str(r#"{"accessToken":"a","expiresAtMs":1}"#).unwrap();
        assert!(!usable_for(&unbound, &global));
    }
}
