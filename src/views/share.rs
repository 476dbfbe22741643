//! Shared previews: make a link or a file from a plan (optionally without names), and open one
//! read-only, with no sign-in. A bad or tampered preview is an error on screen, never a crash.
//! An opened preview says that its contents are not verified: anyone can make one.
use super::approve::ApprovalPanel;
use super::components::ErrorBox;
use super::preview::PlanView;
use crate::browser;
use crate::state::{use_state, Load};
use crate::text::sentence;
use leptos::prelude::*;
use licswap_core::approval::{file as approved_file, Opened};
use licswap_core::plan::Plan;
use licswap_core::share;
use std::sync::Arc;

/// Links longer than this are hard to send by mail or chat: the file is the better form.
pub(super) const LONG_LINK: usize = 8_000;

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
        let long = l.len() > LONG_LINK;
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
        let name = plan.with_value(|p| {
            format!("licswap-preview-{}-to-{}.json", p.source.sku_part_number, p.target.sku_part_number)
        });
        status.set(Some(match browser::download(&name, "application/json", &file) {
            Ok(()) => format!("Saved {name}."),
            Err(e) => format!("Could not save the file: {e}."),
        }));
    };
    view! {
        <section class="card share" aria-labelledby="share-title">
            <h2 id="share-title" class="card-title">"Share this preview"</h2>
            <p class="hint">"A reviewer opens it read-only, without signing in. The link keeps the plan in the part after #, which browsers never send to a server. It holds no token."</p>
            {move || if have_snapshot() { view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || redact.get()
                        on:change=move |ev| { redact.set(event_target_checked(&ev)); link.set(None); }/>
                    <span>"Hide user and group names (replace them with pseudonyms)"</span>
                </label>
            }.into_any() } else { view! {
                <p class="hint">"To share without names, preview again from the tenant data (the wizard): names are hidden using everything that was read."</p>
            }.into_any() }}
            <div class="actions">
                <button type="button" class="secondary" on:click=make_link>"Copy link"</button>
                <button type="button" class="secondary" on:click=download>"Download .json"</button>
            </div>
            {move || link.get().map(|l| view! {
                <label class="field"><span>"Preview link"</span>
                    <input type="url" readonly prop:value=l data-testid="share-link"
                        on:focus=|ev| { use wasm_bindgen::JsCast; if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { i.select(); } }/>
                </label>
            })}
            {move || status.get().map(|s| view! { <p class="hint" role="status">{s}</p> })}
        </section>
    }
}

fn opened(o: Opened) -> impl IntoView {
    let redacted = o.preview.redacted;
    let plan = Arc::new(o.preview.plan.clone());
    view! {
        <p class="callout warn" role="note" data-testid="unverified-banner">
            <strong>"Contents are not verified."</strong>
            " Anyone can make a preview link or file: the tenant, names, findings and advice below are what the preview claims, not what licswap read from a tenant."
        </p>
        {redacted.then(|| view! { <p class="callout info">"Names in this preview were replaced by pseudonyms."</p> })}
        <ApprovalPanel opened=o/>
        <PlanView plan=plan read_only=true/>
    }
}

/// Someone's preview (a link, its text, or a file's content), with the size limits sized to real
/// use: a link longer than [`share::MAX_LINK_LEN`] is not one anyone sent and is refused before any
/// decoding; a file is capped by the decoder itself.
fn decode_untrusted(input: &str) -> Result<Opened, share::ShareError> {
    let t = input.trim_start();
    let is_file = t.starts_with('{') || t.starts_with('\u{feff}');
    if !is_file && input.len() > share::MAX_LINK_LEN {
        return Err(share::ShareError::TooLarge { limit: share::MAX_LINK_LEN });
    }
    approved_file::decode_any(input)
}

/// `#/preview/<encoded>`.
#[component]
pub fn SharedLink(encoded: String) -> impl IntoView {
    match decode_untrusted(&encoded) {
        Ok(p) => opened(p).into_any(),
        Err(e) => view! {
            <section>
                <h1>"Shared preview"</h1>
                <ErrorBox title="This shared preview cannot be opened" detail=sentence(&e.to_string())/>
                <p>"Ask for the link again, or for the preview as a .json file, and "<a href="#/open">"open it here"</a>"."</p>
            </section>
        }
        .into_any(),
    }
}

/// `#/open`: a preview file or a pasted link.
#[component]
pub fn OpenShared() -> impl IntoView {
    let result = RwSignal::new(None::<Result<Arc<Opened>, String>>);
    let text = RwSignal::new(String::new());
    // Plain and approved previews alike (an approved one opens with its approvals checked).
    let decode = |t: &str| decode_untrusted(t).map(Arc::new).map_err(|e| sentence(&e.to_string()));
    let open_text = move |_| {
        let t = text.get_untracked();
        result.set(Some(decode(&t)));
    };
    let on_file = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            match browser::read_chosen_file(&ev).await {
                Ok(Some((_, body))) => result.set(Some(decode(&body))),
                Ok(None) => {}
                Err(e) => result.set(Some(Err(e))),
            }
        });
    };
    view! {
        <section aria-labelledby="open-title">
            <h1 id="open-title">"Open a shared preview"</h1>
            <p class="muted">"A shared preview opens read-only, with no sign-in; a reviewer can approve it. The admin applies an approved preview signed in, after licswap checks it against the tenant."</p>
            <div class="card">
                <div class="field">
                    <label for="preview-file">"A preview file (.json)"</label>
                    <input id="preview-file" type="file" accept=".json,application/json" on:change=on_file/>
                </div>
                <div class="field">
                    <label for="preview-text">"Or paste a preview link"</label>
                    <textarea id="preview-text" spellcheck="false" on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </div>
                <button type="button" on:click=open_text>"Open"</button>
            </div>
            {move || result.get().map(|r| match r {
                Ok(p) => opened((*p).clone()).into_any(),
                Err(e) => view! { <ErrorBox title="This shared preview cannot be opened" detail=e/> }.into_any(),
            })}
        </section>
    }
}

/// `#/approved/<encoded>`: an approved preview carried in the link.
#[component]
pub fn ApprovedLink(encoded: String) -> impl IntoView {
    match approved_file::decode_link(&encoded) {
        Ok(o) => opened(o).into_any(),
        Err(e) => view! {
            <section>
                <h1>"Approved preview"</h1>
                <ErrorBox title="This approved preview cannot be opened" detail=sentence(&e.to_string())/>
                <p>"Ask for the approved preview again, as a link or a .json file, and "<a href="#/open">"open it here"</a>"."</p>
            </section>
        }
        .into_any(),
    }
}
