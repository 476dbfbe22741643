//! The overview card's unchanging part (name, part number, status, seats) as one piece of HTML.
//!
//! Why a string and not `view!`: the demo's first screen is eleven cards, and Leptos builds each
//! element, attribute and text node with its own call from wasm into the page (about 570 DOM
//! insertions for the cards). One `innerHTML` per card lets the browser's parser build the same
//! nodes in one call. Only text that never changes goes here; anything with a handler, a signal
//! or a style (the bar's width is set through the CSSOM, which `style-src 'self'` requires) stays
//! in `view!`.
//!
//! Every value from the tenant (a SKU's name and part number come from Graph) goes through
//! `licswap_core::html::escape`: the text is data, never markup.

use super::components::count;
use licswap_core::catalog::sku_name;
use licswap_core::html::escape;
use licswap_core::model::SubscribedSku;
use std::fmt::Write;

/// The head (product name, part number, a status other than Enabled) and the seats of `sku`'s
/// card, the same markup `view!` built before.
pub fn sku_card_static(sku: &SubscribedSku) -> String {
    let purchased = sku.prepaid_units.enabled;
    let assigned = sku.consumed_units;
    let available = purchased - assigned;
    let mut html = String::with_capacity(512);
    let _ = write!(
        html,
        "<div class=\"sku-head\"><div><h2 class=\"sku-name\">{}</h2><p class=\"muted mono\">{}</p></div>",
        escape(&sku_name(sku)),
        escape(&sku.sku_part_number)
    );
    if let Some(status) = sku.capability_status.as_deref().filter(|s| *s != "Enabled") {
        let _ = write!(html, "<span class=\"tag warn\">{}</span>", escape(status));
    }
    let _ = write!(
        html,
        "</div><dl class=\"seats\"><div><dt>Purchased</dt><dd>{}</dd></div><div><dt>Assigned</dt><dd>{}</dd></div><div><dt>Available</dt><dd{}>{}</dd></div></dl>",
        count(purchased),
        count(assigned),
        if available < 0 { " class=\"bad\"" } else { "" },
        count(available)
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use licswap_core::model::LicenseUnitsDetail;

    fn sku(part: &str, enabled: i64, consumed: i64, status: Option<&str>) -> SubscribedSku {
        SubscribedSku {
            id: None,
            sku_id: "6fd2c87f-b296-42f0-b197-1e91e994b900".into(),
            sku_part_number: part.into(),
            applies_to: Some("User".into()),
            capability_status: status.map(str::to_string),
            consumed_units: consumed,
            prepaid_units: LicenseUnitsDetail { enabled, ..Default::default() },
            service_plans: Vec::new(),
        }
    }

    #[test]
    fn a_tenants_text_never_becomes_markup() {
        let html = sku_card_static(&sku("<script>alert(1)</script>", 5, 1, Some("<b>Warning</b>")));
        assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(html.contains("<span class=\"tag warn\">&lt;b&gt;Warning&lt;/b&gt;</span>"), "{html}");
    }

    #[test]
    fn seats_status_and_overdraw() {
        let html = sku_card_static(&sku("ENTERPRISEPACK", 1000, 1200, Some("Enabled")));
        assert!(html.contains("<h2 class=\"sku-name\">Office 365 E3</h2>"), "Microsoft's name: {html}");
        assert!(html.contains("<p class=\"muted mono\">ENTERPRISEPACK</p>"), "{html}");
        assert!(html.contains("<dt>Purchased</dt><dd>1,000</dd>"), "{html}");
        assert!(html.contains("<dt>Assigned</dt><dd>1,200</dd>"), "{html}");
        assert!(html.contains("<dd class=\"bad\">-200</dd>"), "overdrawn seats are marked: {html}");
        assert!(!html.contains("tag warn"), "Enabled needs no tag: {html}");
        let html = sku_card_static(&sku("ENTERPRISEPACK", 10, 3, Some("Suspended")));
        assert!(html.contains("<span class=\"tag warn\">Suspended</span>"), "{html}");
        assert!(html.contains("<dd>7</dd>") && !html.contains("class=\"bad\""), "{html}");
    }
}
