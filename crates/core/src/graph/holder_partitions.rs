//! Reading the holders of a SKU as several queries paged side by side, for the largest tenants.
//!
//! Graph pages a collection one `@odata.nextLink` after another, so one query for 100,000 holders
//! is about 100 round trips in a row: a minute at Graph's pace of several hundred milliseconds per
//! page. What Graph documents for splitting that read:
//! - **`id` cannot be ranged**: the user's `id` supports only `eq`, `ne`, `not` and `in`
//!   (<https://learn.microsoft.com/graph/aad-advanced-queries>, "Support for filter by properties
//!   of Microsoft Entra ID (directory) objects"), so there is no split on the key.
//! - **`userPrincipalName` supports `startsWith` by default** (same table; the user resource,
//!   <https://learn.microsoft.com/graph/api/resources/user>, lists `eq, ne, not, ge, le, in,
//!   startsWith, endsWith`, while the advanced-query table has no `ge` for it: the two pages
//!   disagree, so only `startsWith` is used), and **every user has one**, made of "only the
//!   following characters: A - Z, a - z, 0 - 9, ' . - _ ! # ^ ~" (the user resource again, which
//!   also points to the username policies for "the complete list": a second source that may allow
//!   more). Its first character therefore splits the holders into disjoint parts.
//! - **`or` between `startsWith` clauses** is documented as an advanced query
//!   (`startsWith(mobilePhone, '25478') OR startsWith(mobilePhone, '25473')&$count=true` in the
//!   advanced-query page's scenarios), so rare first characters share one query.
//! - **Advanced queries** need `ConsistencyLevel: eventual` and `$count=true`, and "queries that
//!   are supported by default will also work with advanced query parameters, but the response
//!   will be eventually consistent". Whether `assignedLicenses/any(...)` combined with
//!   `startsWith` works without them is not documented: these queries always send both. In a
//!   `$batch` the header goes in the item ("specify the ConsistencyLevel header in the JSON body").
//! - **Cost**: Graph's identity limits (<https://learn.microsoft.com/graph/throttling-limits>,
//!   "Identity and access service limits") charge a user list 2 resource units, 1 with `$select`,
//!   against 8,000 per 10 seconds for a tenant of over 500 users; 100 pages cost 100 units. No
//!   limit on requests in flight is documented for directory reads; the client's own bound
//!   (`max_in_flight`) stays in force.
//!
//! - **Paging inside `$batch`**: a batch holds up to 20 requests, each with its own relative URL
//!   and headers (<https://learn.microsoft.com/graph/json-batching>), so the next pages of up to
//!   20 queries go in one POST. A browser sends a CORS preflight before each request that carries
//!   `Authorization`, and caches it per URL: every `@odata.nextLink` is a new URL, so paging each
//!   query on its own costs two round trips a page, while the batches share one URL. The page
//!   does not say how long a batch takes against its items; the simulator charges it the
//!   slowest of its items' delays, as if Graph ran them side by side (the page says only that
//!   independent requests may run in any order).
//!
//! The read, in order: one round of `$batch`ed counts (each first character's holders, and all
//! holders), then the characters packed into at most 20 queries of similar size, paged in two
//! lanes of rounds: each round one `$batch` carrying the next page of every unfinished query of
//! its lane.
//! The counts must add up to the total; when they do not (a first character outside the documented
//! set, or the tenant changed between counts), or a count cannot be read, the holders are read by
//! the one sequential query instead. Eventual consistency is acceptable here because the apply
//! step reads every target again before changing it and refuses what changed since the preview.
use super::batch::{BatchItemResult, MAX_BATCH};
use super::cancel::CancelToken;
use super::client::GraphClient;
use super::error::GraphError;
use super::http::{Clock, Transport};
use super::request::{has_sku_filter, PathQuery, USER_SELECT};
use super::repeats::drop_repeats;
use crate::model::{BatchRequestItem, Page, User};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The characters a userPrincipalName may hold, per the user resource's documentation, with
/// letters once (Graph's string comparisons on directory objects ignore case).
pub const UPN_FIRST_CHARS: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u',
    'v', 'w', 'x', 'y', 'z', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '\'', '.', '-', '_', '!', '#',
    '^', '~',
];

/// The OData string literal of one character (a quote is doubled).
fn literal(c: char) -> String {
    if c == '\'' {
        "''''".to_string()
    } else {
        format!("'{c}'")
    }
}

/// `assignedLicenses/any(...) and (startsWith(userPrincipalName,'a') or ...)`.
pub fn partition_filter(sku_id: &str, chars: &[char]) -> String {
    let starts: Vec<String> =
        chars.iter().map(|c| format!("startsWith(userPrincipalName,{})", literal(*c))).collect();
    format!("{} and ({})", has_sku_filter(sku_id), starts.join(" or "))
}

/// Packs the first characters into at most `parts` groups of similar holder counts (largest
/// first, each into the lightest group), leaving out characters nobody's name starts with. A
/// group's holders are paged one after another, so the heaviest group sets the time.
pub fn pack(counts: &[(char, u64)], parts: usize) -> Vec<Vec<char>> {
    let mut sorted: Vec<(char, u64)> = counts.iter().copied().filter(|(_, n)| *n > 0).collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut groups: Vec<(u64, Vec<char>)> = vec![(0, Vec::new()); parts.max(1).min(sorted.len().max(1))];
    for (c, n) in sorted {
        let lightest = groups.iter_mut().min_by_key(|(w, _)| *w).expect("at least one group");
        lightest.0 += n;
        lightest.1.push(c);
    }
    groups.into_iter().map(|(_, cs)| cs).filter(|cs| !cs.is_empty()).collect()
}

/// `{"@odata.count": N}` of a counted page.
#[derive(serde::Deserialize)]
struct Counted {
    #[serde(rename = "@odata.count")]
    count: u64,
}

fn count_of(answer: &BatchItemResult) -> Option<u64> {
    answer.result.as_ref().ok()?.read::<Counted>("a holder count").ok().map(|c| c.count)
}

/// Why the partitioned read gave way to the sequential one (for tests and diagnostics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// A count could not be read (refused, throttled for good, no `@odata.count`).
    CountUnreadable,
    /// The first characters' counts add up to `parts`, the holders' count is `total`.
    CountsDisagree { parts: u64, total: u64 },
}

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// Every holder of `sku_id` through first-character partitions read side by side, or `Err`
    /// with the reason to read them sequentially instead. `on_page` gets the count read so far.
    pub(crate) async fn users_with_sku_partitioned(
        &self,
        sku_id: &str,
        cancel: &CancelToken,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Result<Vec<User>, Fallback>, GraphError> {
        let counts = self.first_char_counts(sku_id, cancel).await?;
        let Some((per_char, total)) = counts else { return Ok(Err(Fallback::CountUnreadable)) };
        let parts: u64 = per_char.iter().map(|(_, n)| n).sum();
        if parts != total {
            return Ok(Err(Fallback::CountsDisagree { parts, total }));
        }
        let groups = pack(&per_char, MAX_BATCH);
        let queries: Vec<String> = groups
            .iter()
            .map(|chars| {
                PathQuery::new("/users")
                    .filter(partition_filter(sku_id, chars))
                    .select(USER_SELECT)
                    .top(self.config.page_size)
                    .count()
                    .build()
            })
            .collect();
        // One list for every partition, sized once from the holders' count: pages go in as they
        // come, so no partition has a list of its own to be merged (and copied) at the end.
        let read = RefCell::new(Vec::with_capacity(total.min(MOST_RESERVED) as usize));
        let on_page = RefCell::new(on_page);
        // The partitions are paged in lanes that go at their own pace (partition n in lane
        // n % lanes), so one lane's pages are read while the next lane's are on their way; a
        // lane does not wait for the slowest page of another.
        let lanes = LANES.min(self.config.max_in_flight.max(1)).min(groups.len()).max(1);
        let lane = |l: usize| {
            let mine: Vec<(usize, String)> = queries
                .iter()
                .enumerate()
                .filter(|(n, _)| n % lanes == l)
                .map(|(n, q)| (n, q.clone()))
                .collect();
            self.page_lane(sku_id, &groups, mine, &read, &on_page, cancel)
        };
        futures::future::try_join_all((0..lanes).map(lane)).await?;
        Ok(Ok(without_repeats(read.into_inner())))
    }

    /// Pages the partitions `next` (number, first page) of one lane to their ends: each round
    /// asks for every unfinished partition's next page in one `$batch`, so a round costs one
    /// round trip whatever the number of partitions.
    async fn page_lane(
        &self,
        sku_id: &str,
        groups: &[Vec<char>],
        next: Vec<(usize, String)>,
        read: &RefCell<Vec<User>>,
        on_page: &RefCell<&mut dyn FnMut(usize)>,
        cancel: &CancelToken,
    ) -> Result<(), GraphError> {
        let mut next: Vec<(usize, Option<String>)> = next.into_iter().map(|(n, q)| (n, Some(q))).collect();
        while next.iter().any(|(_, q)| q.is_some()) {
            cancel.check()?;
            let asked: Vec<usize> = (0..next.len()).filter(|i| next[*i].1.is_some()).collect();
            let items = asked
                .iter()
                .map(|&i| eventual_get(next[i].0.to_string(), next[i].1.clone().unwrap_or_default()));
            let answers = self.batch(items.collect(), cancel).await?;
            for (i, answer) in asked.into_iter().zip(answers) {
                let what = format!(
                    "the holders of SKU {sku_id} (user names starting with {})",
                    chars_label(&groups[next[i].0])
                );
                let page: Page<User> = answer.result?.read(&what)?;
                read.borrow_mut().extend(page.value);
                next[i].1 = match page.next_link {
                    Some(link) => {
                        let rel = self.base().relative_in_batch(&link)?;
                        // A server that hands back the link it was given would page forever.
                        if next[i].1.as_deref() == Some(rel.as_str()) {
                            return Err(GraphError::decode(&what, "a page links to itself; stopping rather than looping"));
                        }
                        Some(rel)
                    }
                    None => None,
                };
            }
            let so_far = read.borrow().len();
            (on_page.borrow_mut())(so_far);
        }
        Ok(())
    }

    /// The holders' count per first character, and all holders' count, in one round of `$batch`
    /// (45 counts: 3 batches, sent side by side). `None` when any count is unreadable.
    async fn first_char_counts(
        &self,
        sku_id: &str,
        cancel: &CancelToken,
    ) -> Result<Option<(Vec<(char, u64)>, u64)>, GraphError> {
        let probe = |id: String, filter: String| {
            let url = PathQuery::new("/users").filter(filter).select(&["id"]).top(1).count().build();
            eventual_get(id, url)
        };
        let mut items: Vec<BatchRequestItem> = UPN_FIRST_CHARS
            .iter()
            .enumerate()
            .map(|(n, c)| probe(n.to_string(), partition_filter(sku_id, &[*c])))
            .collect();
        items.push(probe("all".into(), has_sku_filter(sku_id)));
        let answers = self.batch(items, cancel).await?;
        let counts: Option<Vec<u64>> = answers.iter().map(count_of).collect();
        let Some(mut counts) = counts else { return Ok(None) };
        let total = counts.pop().unwrap_or(0);
        Ok(Some((UPN_FIRST_CHARS.iter().copied().zip(counts).collect(), total)))
    }
}

/// A GET `$batch` item that carries `ConsistencyLevel: eventual` (an advanced query).
fn eventual_get(id: String, url: String) -> BatchRequestItem {
    BatchRequestItem {
        id,
        method: "GET".into(),
        url,
        headers: Some(BTreeMap::from([("ConsistencyLevel".to_string(), "eventual".to_string())])),
        body: None,
        depends_on: None,
    }
}

fn chars_label(chars: &[char]) -> String {
    chars.iter().collect()
}

/// The most users the holders' list is sized for up front: twice a million. The size comes from
/// Graph's count, which is eventual (`$count` is an advanced query, answered "eventually
/// consistent" per <https://learn.microsoft.com/graph/aad-advanced-queries>, as the module's notes
/// say), so the list may still grow; the bound keeps a count out of reason from asking for the
/// page's memory up front.
const MOST_RESERVED: u64 = 1 << 21;

/// How many lanes the partitions are paged in. Two let the page decode one lane's answer while
/// the next lane's is on its way (measured in the browser against sim-server: the tenant's
/// pages are made on one side while they are read on the other); more would split the 20
/// queries of a round into more requests for little more overlap.
const LANES: usize = 2;

/// The users read, each once and in reading order: a user renamed between two queries can be in
/// two partitions ([`drop_repeats`]). The list was sized from Graph's eventual counts, so it is
/// trimmed to what was read (in place: a smaller allocation keeps its start). For the largest
/// tenants, merging partitions kept in lists of their own into a new list was a peak of the
/// page's memory, which never shrinks.
fn without_repeats(mut users: Vec<User>) -> Vec<User> {
    drop_repeats(&mut users, |u| &u.id);
    users.shrink_to_fit();
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> User {
        serde_json::from_value(serde_json::json!({ "id": id })).unwrap()
    }

    #[test]
    fn repeats_are_dropped_in_reading_order_and_the_list_trimmed() {
        let ids = |v: &[User]| v.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
        // "b" was renamed between two queries and read in both (once in other letters' case).
        let mut read = Vec::with_capacity(40);
        read.extend([user("a"), user("b"), user("c"), user("B"), user("d"), user("b")]);
        let kept = without_repeats(read);
        assert_eq!(ids(&kept), ["a", "b", "c", "d"]);
        assert_eq!(kept.capacity(), 4, "sized for more (an eventual count), trimmed to what was read");
        assert_eq!(ids(&without_repeats(vec![user("x"), user("x"), user("x")])), ["x"]);
        assert!(without_repeats(Vec::new()).is_empty());
    }

    #[test]
    fn packing_balances_the_groups_and_drops_empty_characters() {
        let counts = [('s', 900), ('a', 500), ('j', 400), ('m', 300), ('z', 5), ('q', 0)];
        let groups = pack(&counts, 3);
        assert_eq!(groups.len(), 3);
        let weight =
            |g: &Vec<char>| g.iter().map(|c| counts.iter().find(|x| x.0 == *c).unwrap().1).sum::<u64>();
        let weights: Vec<u64> = groups.iter().map(weight).collect();
        assert_eq!(weights.iter().sum::<u64>(), 2105);
        // 's' alone is the heaviest group (one character is never split); the rest share out.
        assert_eq!(weights, vec![900, 505, 700]);
        assert!(!groups.iter().flatten().any(|c| *c == 'q'), "nobody starts with q: no query for it");
        let all: Vec<char> = groups.into_iter().flatten().collect();
        assert_eq!(all.len(), 5, "every non-empty character in exactly one group");
    }

    #[test]
    fn packing_never_makes_more_groups_than_characters() {
        assert_eq!(pack(&[('a', 10), ('b', 1)], 8).len(), 2);
        assert!(pack(&[('a', 0)], 8).is_empty());
    }

    #[test]
    fn the_filter_ors_the_characters_and_escapes_the_quote() {
        let f = partition_filter("6fd2c87f-b296-42f0-b197-1e91e994b900", &['a', '\'']);
        assert_eq!(
            f,
            "assignedLicenses/any(x:x/skuId eq 6fd2c87f-b296-42f0-b197-1e91e994b900) and \
             (startsWith(userPrincipalName,'a') or startsWith(userPrincipalName,''''))"
        );
    }

    #[test]
    fn the_documented_characters_are_all_there_once() {
        let set: std::collections::HashSet<char> = UPN_FIRST_CHARS.iter().copied().collect();
        assert_eq!(set.len(), UPN_FIRST_CHARS.len());
        assert_eq!(UPN_FIRST_CHARS.len(), 26 + 10 + 8);
    }
}
