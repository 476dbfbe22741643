//! Where the client gets its access token. The app's auth module implements [`TokenSource`]
//! (renewing silently before expiry); the client asks for a token before each request and, when
//! Graph answers 401, asks for one renewal and tries once more. Tokens never appear in any Debug
//! or Display output of this crate.
use super::error::GraphError;
use futures::future::LocalBoxFuture;
use std::cell::RefCell;
use std::rc::Rc;

/// A bearer token. Debug prints a placeholder, so it can sit in structs that derive Debug.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(token: impl Into<String>) -> Self {
        AccessToken(token.into())
    }

    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(redacted)")
    }
}

pub trait TokenSource {
    /// The token for the next request; `None` sends no `Authorization` header (the in-process demo
    /// tenant needs none).
    fn token(&self) -> LocalBoxFuture<'_, Result<Option<AccessToken>, GraphError>>;

    /// Graph rejected the last token (401): get a new one (refresh token, silent renewal). An error
    /// here is returned to the caller as is, typically [`GraphError::Auth`].
    fn renew(&self) -> LocalBoxFuture<'_, Result<(), GraphError>>;
}

/// A token set from outside (or none); `renew` can only report that sign-in is needed, unless a
/// renewal callback is installed.
#[derive(Clone, Default)]
pub struct StaticToken {
    token: Rc<RefCell<Option<AccessToken>>>,
}

impl StaticToken {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn new(token: impl Into<String>) -> Self {
        let t = StaticToken::default();
        t.set(Some(AccessToken::new(token)));
        t
    }

    /// Replace the token; clones share it, so the app can keep one clone and update it.
    pub fn set(&self, token: Option<AccessToken>) {
        *self.token.borrow_mut() = token;
    }
}

impl std::fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticToken").field("set", &self.token.borrow().is_some()).finish()
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> LocalBoxFuture<'_, Result<Option<AccessToken>, GraphError>> {
        let t = self.token.borrow().clone();
        Box::pin(async move { Ok(t) })
    }

    fn renew(&self) -> LocalBoxFuture<'_, Result<(), GraphError>> {
        Box::pin(async { Err(GraphError::Auth("the access token was rejected; sign in again".into())) })
    }
}
