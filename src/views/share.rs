use leptos::prelude::*;
#[component]
pub fn SharedLink(encoded: String) -> impl IntoView {
    view! { <h1>"Shared preview"</h1><p>{encoded.len()}</p> }
}
#[component]
pub fn OpenShared() -> impl IntoView {
    view! { <h1>"Open a shared preview"</h1> }
}
