//! Fixed-width bit sets over the snapshot's service plans (one bit per distinct servicePlanId), so
//! per-user coverage is a few word operations instead of string comparisons.

/// Number of u64 words needed for `n` bits.
pub(crate) fn words_for(n: usize) -> usize {
    n.div_ceil(64).max(1)
}

#[inline(always)]
pub(crate) fn set(b: &mut [u64], i: u32) {
    b[(i / 64) as usize] |= 1 << (i % 64);
}

#[inline(always)]
pub(crate) fn has(b: &[u64], i: u32) -> bool {
    b[(i / 64) as usize] & (1 << (i % 64)) != 0
}

pub(crate) fn clear(b: &mut [u64]) {
    b.iter_mut().for_each(|w| *w = 0);
}

/// `dst |= a & !b`
#[inline(always)]
pub(crate) fn or_andnot(dst: &mut [u64], a: &[u64], b: &[u64]) {
    for ((d, x), y) in dst.iter_mut().zip(a).zip(b) {
        *d |= x & !y;
    }
}

#[inline(always)]
pub(crate) fn or(dst: &mut [u64], a: &[u64]) {
    for (d, x) in dst.iter_mut().zip(a) {
        *d |= x;
    }
}

pub(crate) fn is_empty(b: &[u64]) -> bool {
    b.iter().all(|w| *w == 0)
}

#[inline(always)]
pub(crate) fn intersects(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

/// The indices of the set bits, ascending.
#[inline(always)]
pub(crate) fn iter(b: &[u64]) -> Ones<'_> {
    Ones { words: b, wi: 0, w: b.first().copied().unwrap_or(0) }
}

pub(crate) struct Ones<'a> {
    words: &'a [u64],
    wi: usize,
    w: u64,
}

impl Iterator for Ones<'_> {
    type Item = u32;

    #[inline(always)]
    fn next(&mut self) -> Option<u32> {
        while self.w == 0 {
            self.wi += 1;
            self.w = *self.words.get(self.wi)?;
        }
        let t = self.w.trailing_zeros();
        self.w &= self.w - 1;
        Some(self.wi as u32 * 64 + t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_ops() {
        let mut a = vec![0u64; words_for(130)];
        assert_eq!(a.len(), 3);
        set(&mut a, 0);
        set(&mut a, 64);
        set(&mut a, 129);
        assert!(has(&a, 129) && !has(&a, 128));
        assert_eq!(iter(&a).collect::<Vec<_>>(), [0, 64, 129]);
        let mut b = vec![0u64; 3];
        set(&mut b, 64);
        let mut d = vec![0u64; 3];
        or_andnot(&mut d, &a, &b);
        assert_eq!(iter(&d).collect::<Vec<_>>(), [0, 129]);
        assert!(intersects(&a, &b) && !intersects(&d, &b));
        clear(&mut d);
        assert!(is_empty(&d));
    }
}
