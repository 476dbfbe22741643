//! Approving a shared preview: the plan's digest, the approvals it carries (and whether they
//! still hold), a form to add one, and the approved preview as a file or a link. Approvals are
//! attestations, not signatures, and the screen says so.
use super::components::{AlertLine, ErrorBox, LinkField, StatusHint};
use crate::browser;
use crate::routes::Route;
use crate::state::use_state;
use leptos::prelude::*;
use licswap_core::approval::chain::{append, names};
use licswap_core::approval::{Approval, ApprovalDraft, Opened, PlanDigest};

/// The digest as people compare it: the short code, and the full hash on request.
#[component]
pub fn DigestBadge(digest: PlanDigest, #[prop(optional)] label: &'static str) -> impl IntoView {
    view! {
        <p class="digest" data-testid="plan-digest">
            <span class="muted">{if label.is_empty() { "Plan digest" } else { label }}" "</span>
            <strong class="mono digest-code">{digest.short.clone()}</strong>
            <details class="digest-full">
                <summary>"Full SHA-256"</summary>
                <code class="mono">{digest.sha256.clone()}</code>
            </details>
        </p>
    }
}

/// The approvals as a list.
#[component]
pub fn ApprovalList(approvals: Vec<Approval>) -> impl IntoView {
    view! {
        <ol class="approvals" data-testid="approvals">
            {approvals
                .into_iter()
                .map(|a| {
                    view! {
                        <li>
                            <strong>{a.name.clone()}</strong>
                            {(!a.role.is_empty()).then(|| format!(" ({})", a.role))}
                            <span class="muted">{format!(" — approved {}", when(&a.at))}</span>
                            {(!a.comment.is_empty())
                                .then(|| {
                                    view! {
                                        <br />
                                        <q>{a.comment.clone()}</q>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// "2026-11-30 19:05 UTC" from RFC 3339.
pub fn when(at: &str) -> String {
    match at.get(..16) {
        Some(head) if at.ends_with('Z') => format!("{} UTC", head.replace('T', " ")),
        _ => at.to_string(),
    }
}

const ATTESTATION: &str = "An approval is an attestation, not a signature: it records a name, a role, a comment and the time next to this plan's digest. \
licswap has no server and no keys, so it cannot prove who typed the name; it does detect a plan or an approval changed afterwards.";

/// Below a shared preview: its digest, its approvals, and Approve.
#[component]
pub fn ApprovalPanel(opened: Opened) -> impl IntoView {
    let state = use_state();
    let opened = StoredValue::new(opened);
    let approvals = RwSignal::new(opened.with_value(|o| o.approvals.clone()));
    let chain_error =
        opened.with_value(|o| o.chain_error.as_ref().map(|e| crate::text::sentence(&e.to_string())));
    let broken = chain_error.is_some();
    let redacted = opened.with_value(|o| o.preview.redacted);
    let draft = RwSignal::new(ApprovalDraft::default());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let link = RwSignal::new(None::<String>);
    let approve = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let d = draft.get_untracked();
        let chain = approvals.get_untracked();
        match opened.with_value(|o| append(&chain, &o.digest, &d, &crate::approval_flow::now_iso())) {
            Ok(a) => {
                approvals.update(|c| c.push(a));
                draft.set(ApprovalDraft::default());
                error.set(None);
                link.set(None);
                status.set(Some("Approval recorded. Send the approved preview (file or link) to the admin who applies it.".into()));
            }
            Err(e) => error.set(Some(crate::text::sentence(&e))),
        }
    };
    let file = move || opened.with_value(|o| o.to_file_with(approvals.get_untracked()));
    let download = move |_| {
        let f = file();
        let name = opened.with_value(|o| {
            let p = &o.preview.plan;
            format!("licswap-approved-{}-{}.json", p.file_slug(), o.digest.short)
        });
        status.set(Some(match browser::download(&name, "application/json", &f.to_json()) {
            Ok(()) => format!("Saved {name}."),
            Err(e) => format!("Could not save the file: {e}."),
        }));
    };
    let make_link = move |_| {
        let l = file().to_link(&browser::page_base());
        link.set(Some(l.clone()));
        leptos::task::spawn_local(async move {
            let copied = browser::copy_text(&l).await;
            let mut msg = if copied {
                "Approved link copied to the clipboard."
            } else {
                "Copy the approved link below."
            }
            .to_string();
            if l.len() > licswap_core::share::LONG_LINK {
                msg.push_str(&format!(
                    " It is {} characters long: for mail or chat, send the file instead.",
                    l.len()
                ));
            }
            status.set(Some(msg));
        });
    };
    let apply = move |_| {
        if crate::approval_flow::choose_for_apply(&file()) {
            state.go(Route::ApplyApproved);
        } else {
            status
                .set(Some("This browser refused to keep the approved preview (storage full or off).".into()));
        }
    };
    let set = move |f: fn(&mut ApprovalDraft, String)| {
        move |ev: leptos::ev::Event| draft.update(|d| f(d, event_target_value(&ev)))
    };
    view! {
        <section class="card approval" aria-labelledby="approval-title">
            <h2 id="approval-title" class="card-title">
                "Approval"
            </h2>
            <DigestBadge digest={opened.with_value(|o| o.digest.clone())} />
            {chain_error
                .map(|e| view! { <ErrorBox title="The approvals in this preview do not hold" detail={e} /> })}
            {move || {
                let list = approvals.get();
                if list.is_empty() {
                    view! { <p class="muted">"Nobody has approved this plan yet."</p> }.into_any()
                } else {
                    view! {
                        <p class={if broken { "bad" } else { "ok" }}>
                            <strong>
                                {format!(
                                    "{} by {}",
                                    if broken { "Claimed approval" } else { "Approved" },
                                    names(&list),
                                )}
                            </strong>
                        </p>
                        <ApprovalList approvals={list} />
                    }
                        .into_any()
                }
            }}
            <p class="hint" role="note">
                {ATTESTATION}
            </p>
            {if redacted {
                view! {
                    <p class="callout info">
                        "A preview with pseudonyms cannot be approved: an approval must name the users it allows to change. Ask for a preview with names."
                    </p>
                }
                    .into_any()
            } else if broken {
                view! {
                    <p class="callout bad">
                        "Ask for the preview again: a plan or approval changed after it was made cannot be approved further or applied."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <form class="approve-form" on:submit={approve}>
                        <div class="field">
                            <label for="approver-name">"Your name"</label>
                            <input
                                id="approver-name"
                                autocomplete="name"
                                prop:value={move || draft.with(|d| d.name.clone())}
                                on:input={set(|d, v| d.name = v)}
                            />
                        </div>
                        <div class="field">
                            <label for="approver-role">"Your role"</label>
                            <input
                                id="approver-role"
                                placeholder="Change board, security officer…"
                                prop:value={move || draft.with(|d| d.role.clone())}
                                on:input={set(|d, v| d.role = v)}
                            />
                        </div>
                        <div class="field">
                            <label for="approver-comment">"Comment"</label>
                            <textarea
                                id="approver-comment"
                                prop:value={move || draft.with(|d| d.comment.clone())}
                                on:input={set(|d, v| d.comment = v)}
                            ></textarea>
                        </div>
                        <button type="submit">"Approve this plan"</button>
                    </form>
                    <AlertLine error={error} />
                    {move || {
                        (!approvals.with(|a| a.is_empty()))
                            .then(|| {
                                view! {
                                    <div class="actions">
                                        <button type="button" class="secondary" on:click={download}>
                                            "Download approved preview (.json)"
                                        </button>
                                        <button type="button" class="secondary" on:click={make_link}>
                                            "Copy approved link"
                                        </button>
                                        <button type="button" on:click={apply}>
                                            {move || {
                                                format!(
                                                    "Apply what {} approved…",
                                                    approvals
                                                        .with(|a| {
                                                            a.first().map(|x| x.name.clone()).unwrap_or_default()
                                                        }),
                                                )
                                            }}
                                        </button>
                                    </div>
                                    <p class="hint">
                                        "Applying needs the admin's sign-in to the tenant the plan was made for; licswap reads the tenant again and applies only what is still exactly as approved."
                                    </p>
                                }
                            })
                    }}
                }
                    .into_any()
            }}
            {move || {
                link.get()
                    .map(|l| view! { <LinkField label="Approved link" link={l} testid="approved-link" /> })
            }}
            <StatusHint status={status} />
        </section>
    }
}

/// On the apply confirmation and the report: the plan's digest and what it runs under
/// (approvals, the approved subset, an override, the run a rollback undoes).
#[component]
pub fn AuditNote(plan: std::sync::Arc<licswap_core::plan::Plan>) -> impl IntoView {
    let record = crate::approval_flow::record_or_new(&plan);
    let digest = licswap_core::approval::plan_digest(&plan);
    let subset = record.approved_digest.clone().filter(|_| record.override_reason.is_none());
    view! {
        <div class="audit-note" data-testid="audit-note">
            <DigestBadge digest={digest} />
            {(!record.approvals.is_empty())
                .then(|| {
                    view! {
                        <p>
                            <strong>{format!("Approved by {}", names(&record.approvals))}</strong>
                            {record.approved_digest.clone().map(|d| format!(" (approved digest {d})"))}
                        </p>
                        <ApprovalList approvals={record.approvals.clone()} />
                    }
                })}
            {subset
                .map(|_| {
                    view! {
                        <p class="callout info">
                            {format!(
                                "Only the approved subset: {} left out because the tenant changed since the approval.",
                                super::components::plural(record.left_out.len(), "change was", "changes were"),
                            )}
                        </p>
                    }
                })}
            {record
                .override_reason
                .clone()
                .map(|r| {
                    view! {
                        <p class="callout bad">
                            "Applied without a new approval, overriding the differences. Reason: " <q>{r}</q>
                        </p>
                    }
                })}
            {record
                .undoes
                .clone()
                .map(|u| {
                    view! {
                        <p>
                            {format!(
                                "Rollback of the run of plan {} applied {} by {}.",
                                u.digest,
                                when(&u.applied_at),
                                if u.applied_by.is_empty() { "an admin" } else { u.applied_by.as_str() },
                            )}
                        </p>
                    }
                })}
            {(!record.applied_by.is_empty() || !record.applied_at.is_empty())
                .then(|| {
                    view! {
                        <p class="muted">
                            {format!(
                                "Applied by {} · started {}",
                                if record.applied_by.is_empty() {
                                    "the signed-in admin"
                                } else {
                                    record.applied_by.as_str()
                                },
                                when(&record.applied_at),
                            )}
                        </p>
                    }
                })}
        </div>
    }
}

/// The digest of a plan on the preview, computed after the preview has painted: at 100,000
/// users it hashes megabytes, which must not delay the first look at the plan.
#[component]
pub fn LazyDigest(plan: std::sync::Arc<licswap_core::plan::Plan>) -> impl IntoView {
    let digest = RwSignal::new(None::<PlanDigest>);
    leptos::task::spawn_local(async move {
        crate::timing::after_next_paint().await;
        crate::timing::start("licswap:digest");
        let d = licswap_core::approval::plan_digest(&plan);
        crate::timing::end("licswap:digest");
        digest.set(Some(d));
    });
    move || match digest.get() {
        Some(d) => view! { <DigestBadge digest={d} /> }.into_any(),
        None => view! {
            <p class="digest muted" data-testid="plan-digest">
                "Plan digest: computing…"
            </p>
        }
        .into_any(),
    }
}
