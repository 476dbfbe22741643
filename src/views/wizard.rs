use leptos::prelude::*;
#[component]
pub fn Wizard() -> impl IntoView {
    view! { <h1>"Migrate"</h1> }
}
