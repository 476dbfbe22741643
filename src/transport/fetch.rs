//! [`FetchTransport`]: the browser's fetch (through gloo-net), for Microsoft Graph and sim-server.
use gloo_net::http::RequestBuilder;
use licswap_core::graph::http::{HttpRequest, HttpResponse, Method, TransportError};

#[derive(Clone, Debug, Default)]
pub struct FetchTransport;

fn method(m: &Method) -> gloo_net::http::Method {
    use gloo_net::http::Method as G;
    match m {
        Method::Get => G::GET,
        Method::Post => G::POST,
        Method::Patch => G::PATCH,
        Method::Delete => G::DELETE,
        Method::Options => G::OPTIONS,
    }
}

impl FetchTransport {
    pub async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let is_read = req.method == Method::Get;
        // fetch reports a network failure, a CORS refusal and a dropped connection alike: for a
        // write we cannot tell whether Graph got it, so the outcome is unknown and the executor
        // reads the target back before anything is resent. A lost answer can also come back
        // disguised: on a reused keep-alive connection Chromium sends the POST again by itself
        // (HttpNetworkTransaction::ShouldResendRequest), and what fetch then returns is Graph's
        // answer to that second copy; the executor reads a write's refusal back for that reason.
        let failed = |e: gloo_net::Error| {
            let msg = e.to_string();
            if is_read {
                TransportError::Unreachable(msg)
            } else {
                TransportError::ResponseLost(msg)
            }
        };
        let mut b = RequestBuilder::new(&req.url).method(method(&req.method));
        for (k, v) in &req.headers {
            b = b.header(k, v);
        }
        let built = match req.body {
            Some(body) => b.body(body),
            None => b.build(),
        }
        .map_err(|e| TransportError::Unreachable(e.to_string()))?;
        let resp = built.send().await.map_err(failed)?;
        let status = resp.status();
        let headers: Vec<(String, String)> = resp.headers().entries().collect();
        // The body as bytes, copied into wasm memory once. As text it became a JS string
        // (UTF-16), which wasm-bindgen then wrote back as UTF-8 a character at a time in
        // JavaScript: 142 ms of a 100,000-user load's 53 MB in a profile of the page. Graph
        // answers in UTF-8; anything else is read as `text()` read it, invalid bytes replaced.
        let bytes = resp.binary().await.map_err(|e| TransportError::ResponseLost(e.to_string()))?;
        let body = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Ok(HttpResponse { status, headers, body })
    }
}
