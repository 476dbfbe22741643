use leptos::prelude::*;
#[component]
pub fn SignInScreen() -> impl IntoView {
    view! { <h1>"Sign in"</h1> }
}
#[component]
pub fn AccountBox() -> impl IntoView {
    view! { <div class="account"></div> }
}
