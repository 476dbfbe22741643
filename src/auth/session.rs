//! The tokens of this tab.
use licswap_core::graph::token::{StaticToken, TokenSource};
use std::rc::Rc;

pub fn token_source() -> Rc<dyn TokenSource> {
    Rc::new(StaticToken::none())
}
