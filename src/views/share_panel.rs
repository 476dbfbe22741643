//! Sharing a plan from the preview screen: a link or a file, optionally without names, for a
//! reviewer who opens it read-only (the `share` screen).
use super::components::{LinkField, StatusHint};
use crate::browser;
use crate::state::{use_state, Load};
use leptos::prelude::*;
use licswap_core::plan::Plan;
use licswap_core::share;
use std::sync::Arc;

#[component]
pub fn SharePanel(plan: Arc<Plan>) -> impl IntoView {
    let state = use_state();
    let redact = RwSignal::new(false);
    let link = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let plan = StoredValue::new(plan);
    // Hiding names uses every name and id of the tenant data the plan was made from (findings can
    // name objects outside the plan's scope); without that data names are not offered to hide.
    let snapshot = move || match state.snapshot.get_untracked() {
        Load::Ready(s) => Some(s),
        _ => None,
    };
    let have_snapshot = move || matches!(state.snapshot.get(), Load::Ready(_));
    let encoded = move || {
        plan.with_value(|p| match (redact.get_untracked(), snapshot()) {
            (true, Some(s)) => share::encode_redacted(p, &s),
            _ => share::encode(p, false),
        })
    };
    let make_link = move |_| {
        if redact.get_untracked() && snapshot().is_none() {
            return;
        }
        let l = share::to_link(&browser::page_base(), &encoded());
        let long = l.len() > share::LONG_LINK;
        link.set(Some(l.clone()));
        leptos::task::spawn_local(async move {
            let copied = browser::copy_text(&l).await;
            let mut msg = if copied {
                "Link copied to the clipboard.".to_string()
            } else {
                "Copy the link below.".to_string()
            };
            if long {
                msg.push_str(&format!(
                    " It is {} characters long: for mail or chat, send the file instead.",
                    l.len()
                ));
            }
            status.set(Some(msg));
        });
    };
    let download = move |_| {
        if redact.get_untracked() && snapshot().is_none() {
            return;
        }
        let file = share::to_file(&encoded());
        let name = plan.with_value(|p| format!("licswap-preview-{}.json", p.file_slug()));
        status.set(Some(match browser::download(&name, "application/json", &file) {
            Ok(()) => format!("Saved {name}."),
            Err(e) => format!("Could not save the file: {e}."),
        }));
    };
    view! {
        <section class="card share" aria-labelledby="share-title">
            <h2 id="share-title" class="card-title">
                "Share this preview"
            </h2>
            <p class="hint">
                "A reviewer opens it read-only, without signing in. The link keeps the plan in the part after #, which browsers never send to a server. It holds no token."
            </p>
            {move || {
                if have_snapshot() {
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                prop:checked={move || redact.get()}
                                on:change={move |ev| {
                                    redact.set(event_target_checked(&ev));
                                    link.set(None);
                                }}
                            />
                            <span>"Hide user and group names (replace them with pseudonyms)"</span>
                        </label>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="hint">
                            "To share without names, preview again from the tenant data (the wizard): names are hidden using everything that was read."
                        </p>
                    }
                        .into_any()
                }
            }}
            <div class="actions">
                <button type="button" class="secondary" on:click={make_link}>
                    "Copy link"
                </button>
                <button type="button" class="secondary" on:click={download}>
                    "Download .json"
                </button>
            </div>
            {move || {
                link.get().map(|l| view! { <LinkField label="Preview link" link={l} testid="share-link" /> })
            }}
            <StatusHint status={status} />
        </section>
    }
}
