//! Approved previews as pasted or dropped (file, link, or a plain preview in their place).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    licswap_itest::faults::fuzz::approved_decode(data);
});
