//! Users by id (or userPrincipalName), ASCII case-insensitively. Ids of up to 40 bytes (Graph's
//! GUIDs are 36) are kept lowercased in the table itself, so a lookup compares words there instead
//! of reading the user's own string: at 100,000 users that read was a cache miss per group member
//! looked up, the largest single cost of planning in the page (issue 8). Longer keys (UPNs, odd
//! ids) go to a table of borrowed keys.
use super::fastmap::FastMap;
use super::resolve::{lower8, CiKey};

const INLINE: usize = 40;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Inline {
    words: [u64; INLINE / 8],
    len: u8,
}

impl Inline {
    #[cfg_attr(licswap_speed, optimize(speed))]
    fn of(key: &str) -> Option<Inline> {
        let bytes = key.as_bytes();
        if bytes.len() > INLINE {
            return None;
        }
        let mut words = [0u64; INLINE / 8];
        for (w, c) in words.iter_mut().zip(bytes.chunks(8)) {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            *w = lower8(u64::from_le_bytes(b));
        }
        Some(Inline { words, len: bytes.len() as u8 })
    }
}

#[derive(Default)]
pub(crate) struct UserIndex<'a> {
    inline: FastMap<Inline, u32>,
    long: FastMap<CiKey<'a>, u32>,
}

impl<'a> UserIndex<'a> {
    pub fn with_capacity(n: usize) -> Self {
        UserIndex {
            inline: FastMap::with_capacity_and_hasher(n, Default::default()),
            long: FastMap::default(),
        }
    }

    /// Adds `key` for user `i` unless a user already has it (the first one keeps it).
    #[cfg_attr(licswap_speed, optimize(speed))]
    pub fn add(&mut self, key: &'a str, i: u32) {
        match Inline::of(key) {
            Some(k) => self.inline.entry(k).or_insert(i),
            None => self.long.entry(CiKey(key)).or_insert(i),
        };
    }

    #[cfg_attr(licswap_speed, optimize(speed))]
    pub fn get(&self, key: &str) -> Option<u32> {
        match Inline::of(key) {
            Some(k) => self.inline.get(&k).copied(),
            None => self.long.get(&CiKey(key)).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ids_and_long_keys_case_insensitively_first_come_first_kept() {
        let long = "someone.with.a.long.name@contoso.onmicrosoft.com";
        let mut ix = UserIndex::default();
        ix.add("6FD2C87F-B296-42F0-B197-1E91E994B900", 0);
        ix.add(long, 1);
        ix.add("6fd2c87f-b296-42f0-b197-1e91e994b900", 2);
        ix.add("", 3);
        ix.add("exactly-forty-bytes-long-id-0123456789ab", 4);
        assert_eq!(ix.get("6fd2c87f-b296-42f0-b197-1e91e994b900"), Some(0));
        assert_eq!(ix.get(&long.to_uppercase()), Some(1));
        assert_eq!(ix.get(""), Some(3));
        assert_eq!(ix.get("EXACTLY-FORTY-BYTES-LONG-ID-0123456789AB"), Some(4));
        assert_eq!(ix.get("6fd2c87f-b296-42f0-b197-1e91e994b90"), None, "a prefix is not the id");
        assert_eq!(ix.get("6fd2c87f-b296-42f0-b197-1e91e994b900\0"), None, "nor is the id padded");
        assert_eq!(ix.get("exactly-forty-bytes-long-id-0123456789a"), None);
    }
}
