//! Fuzz target (d): the host's end of the link, in process.
//!
//! The first byte chooses between two parts:
//! - even: the bytes go to a `bs_protocol::Deframer` in pieces (their size from the second byte);
//!   every frame it recovers must encode back to itself, and every request or reply it decodes to
//!   must encode back to the same frame;
//! - odd: a `bs_transport::Device` talks to a scripted device over an in-process link (see
//!   `bs_fuzz::script`): the rest of the input says, step by step, what the device sends, so the
//!   reliable-link reader, the duplicate and late-frame logic, and the decoding of replies see
//!   valid, damaged, repeated, unexpected and missing frames. Whatever the device sends, the host
//!   must end with a value or an error, not a panic, and every frame it sends must be well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        bs_fuzz::deframe::run(rest);
    } else {
        bs_fuzz::script::run(rest);
    }
});
