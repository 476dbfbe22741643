//! FNV-1a 64, licswap's one non-cryptographic hash: the shared preview's checksum, the targets'
//! fingerprints, the journal's plan key. Tiny and deterministic everywhere (native and wasm);
//! none of its uses needs resistance against an adversary (a checksum catches a cut or mangled
//! link, a fingerprint a concurrent edit). Where an edit must not go unseen by a reviewer (the
//! approval digest) licswap uses SHA-256 from the `sha2` crate instead (`approval::digest`).
//!
//! Its output is part of stored and shared formats (preview links, journals): changing it breaks
//! them, which the known answers below guard against.
//! <http://www.isthe.com/chongo/tech/comp/fnv/index.html> (Fowler/Noll/Vo, the FNV-1a variant).

/// FNV-1a 64's offset basis: where every hash starts.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// Continues the hash `h` over `bytes` (start from [`FNV_OFFSET`]), for a hash over several parts.
#[inline]
pub fn fnv1a64_from(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// FNV-1a 64 of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_from(FNV_OFFSET, bytes)
}

/// FNV-1a 64 as a byte sink: serialize into it to hash a value's JSON without holding the text
/// (for a 100,000-user plan, tens of megabytes in a page whose memory never shrinks).
pub struct FnvWriter(pub u64);

impl Default for FnvWriter {
    fn default() -> Self {
        FnvWriter(FNV_OFFSET)
    }
}

impl std::io::Write for FnvWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 = fnv1a64_from(self.0, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `format!("{h:016x}")` without the formatting machinery (one call per planned action).
pub fn hex16(h: u64) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let bytes: Vec<u8> = (0..16).rev().map(|i| DIGITS[(h >> (i * 4)) as usize & 15]).collect();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // FNV-1a 64 test vectors from the FNV reference code (test_fnv.c).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(fnv1a64_from(fnv1a64(b"foo"), b"bar"), fnv1a64(b"foobar"));
    }

    #[test]
    fn the_writer_hashes_what_is_written_in_any_pieces() {
        use std::io::Write;
        let mut w = FnvWriter::default();
        w.write_all(b"foo").unwrap();
        w.write_all(b"").unwrap();
        w.write_all(b"bar").unwrap();
        assert_eq!(w.0, fnv1a64(b"foobar"));
        let mut w = FnvWriter::default();
        serde_json::to_writer(&mut w, &("a", [1, 2])).unwrap();
        assert_eq!(w.0, fnv1a64(br#"["a",[1,2]]"#));
    }

    #[test]
    fn hex16_matches_format() {
        for h in [0, 1, 0xdead_beef, u64::MAX, 0x0123_4567_89ab_cdef] {
            assert_eq!(hex16(h), format!("{h:016x}"));
        }
    }
}
