//! One module per screen; views read and write [`crate::state::AppState`] and call the non-view
//! modules for anything that decides.
pub mod apply;
pub mod apply_result;
pub mod approve;
pub mod approve_apply;
pub mod card_html;
pub mod components;
pub mod health;
pub mod overview;
pub mod preview;
pub mod preview_list;
pub mod report;
pub mod set_aside;
pub mod share;
pub mod share_panel;
pub mod signin;
pub mod wizard;
pub mod wizard_scope;
