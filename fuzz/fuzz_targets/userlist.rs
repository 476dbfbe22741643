//! Pasted or uploaded user lists.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    licswap_itest::faults::fuzz::userlist(data);
});
