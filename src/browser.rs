//! Browser helpers for files: read an uploaded file, offer a download, copy to the clipboard.
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Files larger than this are refused rather than read into memory.
pub const MAX_UPLOAD: f64 = 50.0 * 1024.0 * 1024.0;

/// The text of the first file chosen in an `<input type="file">` change event.
pub async fn read_chosen_file(ev: &web_sys::Event) -> Result<Option<(String, String)>, String> {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
        return Ok(None);
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return Ok(None);
    };
    if file.size() > MAX_UPLOAD {
        return Err(format!(
            "{} is too large ({:.0} MB; at most 50 MB)",
            file.name(),
            file.size() / 1048576.0
        ));
    }
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("{} could not be read", file.name()))?;
    Ok(Some((file.name(), text.as_string().unwrap_or_default())))
}

/// Offers `content` as a file download (Blob + object URL + a click on a temporary link).
pub fn download(filename: &str, mime: &str, content: &str) -> Result<(), String> {
    let fail = |_| "the browser refused the download".to_string();
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement =
        doc.create_element("a").map_err(fail)?.dyn_into().map_err(|_| "no link element".to_string())?;
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Copies text to the clipboard; false when the browser refuses (no permission, insecure page).
pub async fn copy_text(text: &str) -> bool {
    let Some(w) = web_sys::window() else { return false };
    JsFuture::from(w.navigator().clipboard().write_text(text)).await.is_ok()
}

/// The page's address without query or fragment (for share links and the redirect URI).
pub fn page_base() -> String {
    let Some(loc) = web_sys::window().map(|w| w.location()) else { return String::new() };
    let origin = loc.origin().unwrap_or_default();
    let path = loc.pathname().unwrap_or_else(|_| "/".into());
    format!("{origin}{path}")
}
