//! Fuzz target (b): check, C generation, the real C compiler and the linker, for every unit that
//! checks. The input is split into units as for the `frontend` target; each unit that checks is
//! turned into C, compiled by the host port's C compiler (gcc, with the flags a session uses) and
//! linked against the host runtime image and the units before it, as a session does (assuming each
//! unit ran). A program that checks but whose C the compiler rejects, or whose object the linker
//! rejects for another reason than a full region, is a finding. Units with inline C (the `code`
//! tag) are left out of that rule: errors in inline C are the program's own.
#![no_main]

use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;

static TOOLS: OnceLock<Mutex<bs_fuzz::compile::Tools>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let tools = TOOLS.get_or_init(|| Mutex::new(bs_fuzz::compile::Tools::new()));
    let mut tools = tools.lock().unwrap_or_else(|e| e.into_inner());
    tools.run(&String::from_utf8_lossy(data));
});
