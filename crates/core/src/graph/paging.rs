//! Collections, page by page through `@odata.nextLink`
//! (https://learn.microsoft.com/graph/paging): the link is followed as given (its `$skiptoken` is
//! opaque), only rebased onto the configured host.
use super::cancel::CancelToken;
use super::client::GraphClient;
use super::error::GraphError;
use super::http::{Clock, Transport};
use crate::model::Page;
use serde::de::DeserializeOwned;

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// Every item of a collection; `on_page` is told the count so far after each page.
    pub(crate) async fn get_all<D: DeserializeOwned>(
        &self,
        first_relative: &str,
        what: &str,
        cancel: &CancelToken,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Vec<D>, GraphError> {
        let mut out = Vec::new();
        let mut next = Some(first_relative.to_string());
        let mut pages = 0usize;
        while let Some(relative) = next.take() {
            cancel.check()?;
            let page: Page<D> = self.get_json_as(&relative, what, false, cancel).await?;
            pages += 1;
            out.extend(page.value);
            on_page(out.len());
            if let Some(link) = page.next_link {
                let rel = self.base().relative(&link)?;
                // A server that hands back the link it was given would page forever.
                if rel == relative {
                    return Err(GraphError::decode(
                        what,
                        format!("page {pages} links to itself; stopping rather than looping"),
                    ));
                }
                next = Some(rel);
            }
        }
        // Doubling as pages came in left up to half the list unused: give it back (in place, a
        // smaller allocation keeps its start), since the page's memory never shrinks otherwise.
        out.shrink_to_fit();
        Ok(out)
    }
}
