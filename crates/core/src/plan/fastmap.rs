//! A small, fast, deterministic hasher for the planner's internal maps (ids, bit-set keys).
//! SipHash's DoS resistance buys nothing here (the input is the admin's own tenant) and costs a
//! large share of planning time at 100,000 users. FxHash's multiply-rotate, as in rustc.
//! `#[inline]` throughout: the planner's crate then compiles these into its own code, for speed.
use crate::model::same_id;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl Fx {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// A final avalanche (murmur3's fmix64): multiply-rotate alone leaves the low bits (the
    /// bucket index) blind to the high bytes of the last word, and Graph ids differ in their last
    /// characters, which made ids collide in runs.
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
pub type FastSet<K> = std::collections::HashSet<K, BuildHasherDefault<Fx>>;

/// ASCII-lowercase eight bytes at once (bytes >= 0x80 are left alone).
#[inline(always)]
pub fn lower8(x: u64) -> u64 {
    const HI: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = x & !HI;
    let ge_a = low7 + ONES * (0x80 - b'A' as u64);
    let gt_z = low7 + ONES * (0x80 - b'Z' as u64 - 1);
    let upper = ge_a & !gt_z & !x & HI;
    x | (upper >> 2)
}

/// A borrowed id hashed and compared as Graph compares ids: ASCII case-insensitively (GUIDs,
/// UPNs), without a lower-case copy. The planner's indexes, the client's partitioned read and the
/// app's preview rows all key on it.
#[derive(Clone, Copy, Debug)]
pub struct CiKey<'a>(pub &'a str);

impl Hash for CiKey<'_> {
    /// Eight bytes at a time, lowercased with SWAR: ids are hashed hundreds of thousands of times
    /// per plan, and a per-byte loop is slow in the size-optimized wasm build.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let bytes = self.0.as_bytes();
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            state.write_u64(lower8(u64::from_le_bytes(c.try_into().expect("8 bytes"))));
        }
        let rest = chunks.remainder();
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        state.write_u64(lower8(u64::from_le_bytes(w)) ^ bytes.len() as u64);
    }
}

impl PartialEq for CiKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        same_id(self.0, other.0)
    }
}

impl Eq for CiKey<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_lowercase_matches_the_byte_at_a_time_one() {
        for b in 0..=255u8 {
            let w = u64::from_le_bytes([b, b'A', b'z', b, b'Z', b'@', b'[', b]);
            let want =
                u64::from_le_bytes([b, b'A', b'z', b, b'Z', b'@', b'[', b].map(|c| c.to_ascii_lowercase()));
            assert_eq!(lower8(w), want, "byte {b}");
        }
    }
}
