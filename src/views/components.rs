//! Small pieces shared by the screens.
use leptos::prelude::*;
use licswap_core::catalog;
use licswap_core::plan::Severity;

/// A service plan's friendly name, when the catalog knows it. Reads the full catalog: call it from
/// the lazily loaded screens only, or through [`plan_friendly_names`].
pub fn plan_friendly(id: &str, name: &str) -> Option<&'static str> {
    catalog::plan(id, name).map(|p| p.friendly).filter(|f| *f != name)
}

/// "Friendly name (SERVICE_PLAN_NAME)", or the name alone when the catalog does not know it (or
/// the text is not a plan name). Full catalog: lazily loaded screens only.
pub fn plan_label(name: &str) -> String {
    match catalog::plan_by_name(name).map(|p| p.friendly).filter(|f| *f != name) {
        Some(f) => format!("{f} ({name})"),
        None => name.to_string(),
    }
}

/// Friendly names for (servicePlanId, servicePlanName) pairs, in a lazily loaded chunk with the
/// full catalog: the overview asks only when an admin opens a product's plan list.
#[lazy]
pub fn plan_friendly_names(plans: Vec<(String, String)>) -> Vec<Option<String>> {
    plans.iter().map(|(id, name)| plan_friendly(id, name).map(str::to_string)).collect()
}

/// Percentage (0..=100) of `part` in `whole`, for bars.
pub fn percent(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        return if part > 0 { 100.0 } else { 0.0 };
    }
    (part as f64 * 100.0 / whole as f64).clamp(0.0, 100.0)
}

/// A horizontal bar. The width is set through the CSSOM (element.style), which the page's
/// `style-src 'self'` allows, unlike a `style="..."` attribute. Plain values, not signals: every
/// bar is drawn from values its screen already holds (a screen whose values change draws the bar
/// again), and the overview draws one per subscription on its first screen, where each reactive
/// attribute would cost a signal and an effect.
#[component]
pub fn Bar(
    percent: f64,
    #[prop(into)] label: String,
    #[prop(optional)] tone: &'static str,
    /// "progressbar" for work in progress; a seat gauge is a "meter".
    #[prop(default = "meter")]
    role: &'static str,
) -> impl IntoView {
    view! {
        // The label doubles as the spoken value ("12 of 20 seats assigned"), which says more
        // than a bare percentage.
        <div
            class={format!("bar {tone}")}
            role={role}
            aria-label={label.clone()}
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow={format!("{percent:.0}")}
            aria-valuetext={label}
        >
            <div class="bar-fill" style:width={format!("{percent:.1}%")}></div>
        </div>
    }
}

#[component]
pub fn Spinner(#[prop(into)] text: TextProp) -> impl IntoView {
    view! {
        <p class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            {move || text.get()}
        </p>
    }
}

#[component]
pub fn ErrorBox(#[prop(into)] title: String, #[prop(into)] detail: String) -> impl IntoView {
    view! {
        <div class="error-box" role="alert">
            <p class="error-title">{title}</p>
            <p>{detail}</p>
        </div>
    }
}

/// Thousands separators, for counts.
pub fn count(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// "1 user", "3 users".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n as i64), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_percents() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(-1000), "-1,000");
        assert_eq!(percent(5, 10), 50.0);
        assert_eq!(percent(15, 10), 100.0);
        assert_eq!(percent(1, 0), 100.0);
        assert_eq!(plural(1, "user", "users"), "1 user");
    }
}

/// The CSS class that colours a severity (`ok` when there is nothing to report).
pub fn severity_class(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Blocker) => "bad",
        Some(Severity::Warning) => "warn",
        Some(Severity::Info) => "info",
        None => "ok",
    }
}

/// A link to copy (a shared or approved preview), read-only, selected whole when focused.
#[component]
pub fn LinkField(label: &'static str, link: String, testid: &'static str) -> impl IntoView {
    let select_all = |ev: leptos::ev::FocusEvent| {
        use wasm_bindgen::JsCast;
        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            input.select();
        }
    };
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="url" readonly prop:value={link} data-testid={testid} on:focus={select_all} />
        </label>
    }
}

/// A one-line error beside the form it is about, announced at once; nothing while there is none.
#[component]
pub fn AlertLine(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    announced_line(error, "bad", "alert")
}

/// A short status line (copied, saved, exported…), announced to screen readers; nothing while
/// there is none.
#[component]
pub fn StatusHint(#[prop(into)] status: Signal<Option<String>>) -> impl IntoView {
    announced_line(status, "hint", "status")
}

/// A paragraph of `class` with a live-region `role`, while `text` holds something.
fn announced_line(text: Signal<Option<String>>, class: &'static str, role: &'static str) -> impl IntoView {
    move || text.get().map(|t| view! {
        <p class={class} role={role}>
            {t}
        </p>
    })
}

/// Microsoft's page on group licensing errors, which the health screen and the report point to.
#[component]
pub fn ResolveProblemsLink() -> impl IntoView {
    view! {
        <a
            href="https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems"
            target="_blank"
            rel="noopener noreferrer"
        >
            "Microsoft: resolve group license assignment problems"
        </a>
    }
}
