use leptos::prelude::*;
#[component]
pub fn ApplyScreen() -> impl IntoView {
    view! { <h1>"Apply"</h1> }
}
