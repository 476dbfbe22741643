//! Shared previews as pasted or dropped (link, text form, file), and fuzzed plan JSON inside a valid envelope.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    licswap_itest::faults::fuzz::share_decode(data);
});
