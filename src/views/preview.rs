use leptos::prelude::*;
#[component]
pub fn PreviewScreen() -> impl IntoView {
    view! { <h1>"Preview"</h1> }
}
