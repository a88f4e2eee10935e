//! Fuzz `connstr::syntax::parse_ini`: never a panic, and the invariants of
//! `connstr_fuzz::check_document` hold.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        connstr_fuzz::check_document(&connstr::syntax::parse_ini(text), text);
    }
});
