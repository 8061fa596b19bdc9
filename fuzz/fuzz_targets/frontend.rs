//! Fuzz target (a): parse and check, in process. The input is one to eight units separated by NUL
//! bytes, checked one after another in one environment as a session would (the names a unit that
//! checks declares enter the environment of the next); each unit that checks is also turned into
//! C. Broken input must give diagnostics whose spans lie in the unit, never a panic; and the
//! checker must finish in time (libFuzzer's `-timeout` turns a slow input into a finding).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut session = bs_fuzz::Units::new();
    for source in text.split('\0').take(bs_fuzz::MAX_UNITS) {
        if let Some(checked) = session.check(source) {
            let c = bs_cgen::emit_unit(&checked.unit);
            assert!(!c.is_empty(), "no C for a unit that checks:\n{source}");
            session.declare(checked);
        }
    }
});
