//! Graph's answers (status, Retry-After, body) fed to the real client and executor adapter.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    licswap_itest::faults::fuzz::graph_parsers(data);
});
