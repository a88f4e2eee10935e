//! Fuzz `connstr::syntax::parse_model`: never a panic, and the invariants of
//! `connstr_fuzz::check_model` hold.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        connstr_fuzz::check_model(&connstr::syntax::parse_model(text), text);
    }
});
