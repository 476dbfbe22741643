//! Shared previews opened read-only, with no sign-in (a link or a file; making one is
//! `share_panel`'s). A bad or tampered preview is an error on screen, never a crash.
//! An opened preview says that its contents are not verified: anyone can make one.
use super::approve::ApprovalPanel;
use super::components::ErrorBox;
use super::preview::PlanView;
use crate::browser;
use crate::text::sentence;
use leptos::prelude::*;
use licswap_core::approval::{file as approved_file, Opened};
use licswap_core::share;
use std::sync::Arc;

fn opened(o: Opened) -> impl IntoView {
    let redacted = o.preview.redacted;
    let plan = Arc::new(o.preview.plan.clone());
    view! {
        <p class="callout warn" role="note" data-testid="unverified-banner">
            <strong>"Contents are not verified."</strong>
            " Anyone can make a preview link or file: the tenant, names, findings and advice below are what the preview claims, not what licswap read from a tenant."
        </p>
        {redacted
            .then(|| {
                view! { <p class="callout info">"Names in this preview were replaced by pseudonyms."</p> }
            })}
        <ApprovalPanel opened={o} />
        <PlanView plan={plan} read_only=true />
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
                <ErrorBox title="This shared preview cannot be opened" detail={sentence(&e.to_string())} />
                <p>
                    "Ask for the link again, or for the preview as a .json file, and "
                    <a href="#/open">"open it here"</a>"."
                </p>
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
            <p class="muted">
                "A shared preview opens read-only, with no sign-in; a reviewer can approve it. The admin applies an approved preview signed in, after licswap checks it against the tenant."
            </p>
            <div class="card">
                <div class="field">
                    <label for="preview-file">"A preview file (.json)"</label>
                    <input
                        id="preview-file"
                        type="file"
                        accept=".json,application/json"
                        on:change={on_file}
                    />
                </div>
                <div class="field">
                    <label for="preview-text">"Or paste a preview link"</label>
                    <textarea
                        id="preview-text"
                        spellcheck="false"
                        on:input={move |ev| text.set(event_target_value(&ev))}
                    ></textarea>
                </div>
                <button type="button" on:click={open_text}>
                    "Open"
                </button>
            </div>
            {move || {
                result
                    .get()
                    .map(|r| match r {
                        Ok(p) => opened((*p).clone()).into_any(),
                        Err(e) => {
                            view! { <ErrorBox title="This shared preview cannot be opened" detail={e} /> }
                                .into_any()
                        }
                    })
            }}
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
                <ErrorBox title="This approved preview cannot be opened" detail={sentence(&e.to_string())} />
                <p>
                    "Ask for the approved preview again, as a link or a .json file, and "
                    <a href="#/open">"open it here"</a>"."
                </p>
            </section>
        }
        .into_any(),
    }
}
