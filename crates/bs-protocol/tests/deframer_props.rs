//! Property tests for the frame codec: random frames survive encoding, arbitrary chunking and
//! deframing; random byte streams never panic the deframer; random payloads never panic the
//! message decoders.

use bs_protocol::{
    Deframer, Frame, FrameError, MAX_FRAME_LEN, MAX_PAYLOAD, Reply, Request, encode_frame,
};
use proptest::prelude::*;

fn arb_frame() -> impl Strategy<Value = Frame> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            prop::collection::vec(any::<u8>(), 0..=MAX_PAYLOAD),
        ],
    )
        .prop_map(|(kind, seq, reply_to, payload)| Frame {
            kind,
            seq,
            reply_to,
            payload,
        })
}

/// Splits `bytes` at the given (sorted, deduplicated) cut points.
fn chunks(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    points.dedup();
    let mut out = Vec::new();
    let mut prev = 0;
    for p in points.into_iter().chain([bytes.len()]) {
        out.push(bytes[prev..p].to_vec());
        prev = p;
    }
    out
}

proptest! {
    #[test]
    fn frames_survive_arbitrary_chunking(
        frames in prop::collection::vec(arb_frame(), 1..6),
        cuts in prop::collection::vec(any::<usize>(), 0..40),
    ) {
        let stream: Vec<u8> = frames.iter().flat_map(|f| encode_frame(f).unwrap()).collect();
        let mut d = Deframer::new();
        let mut got = Vec::new();
        for chunk in chunks(&stream, &cuts) {
            d.push(&chunk);
            while let Some(r) = d.next_frame() {
                got.push(r.expect("no corruption in a clean stream"));
            }
        }
        prop_assert_eq!(got, frames);
        prop_assert_eq!(d.buffered(), 0);
        prop_assert_eq!(d.garbage_bytes(), 0);
    }

    #[test]
    fn random_bytes_never_panic_and_are_accounted_for(
        bytes in prop::collection::vec(any::<u8>(), 0..4096),
        cuts in prop::collection::vec(any::<usize>(), 0..20),
    ) {
        let mut d = Deframer::new();
        let mut consumed: u64 = 0;
        for chunk in chunks(&bytes, &cuts) {
            d.push(&chunk);
            while let Some(r) = d.next_frame() {
                match r {
                    Ok(f) => {
                        prop_assert!(f.payload.len() <= MAX_PAYLOAD);
                        consumed += f.encoded_len() as u64;
                    }
                    Err(FrameError::Corrupt { skipped, .. }) => {
                        prop_assert!(skipped >= 1);
                        consumed += skipped as u64;
                    }
                }
            }
            prop_assert!(d.buffered() < MAX_FRAME_LEN);
        }
        // Every byte is a frame, reported as corrupt, garbage, or still waiting.
        prop_assert_eq!(
            consumed + d.garbage_bytes() + d.buffered() as u64,
            bytes.len() as u64
        );
    }

    #[test]
    fn good_frame_after_random_noise_is_delivered(
        noise in prop::collection::vec(any::<u8>(), 0..2048),
        frame in arb_frame(),
        cuts in prop::collection::vec(any::<usize>(), 0..20),
    ) {
        // Noise, then the frame repeated often enough that any false frame the noise starts is
        // completed (and found corrupt, or - very rarely - valid) before the last copy.
        let encoded = encode_frame(&frame).unwrap();
        let copies = MAX_FRAME_LEN / encoded.len() + 2;
        let mut stream = noise;
        for _ in 0..copies {
            stream.extend_from_slice(&encoded);
        }
        let mut d = Deframer::new();
        let mut got = Vec::new();
        for chunk in chunks(&stream, &cuts) {
            d.push(&chunk);
            while let Some(r) = d.next_frame() {
                if let Ok(f) = r {
                    got.push(f);
                }
            }
        }
        prop_assert_eq!(got.last(), Some(&frame));
        prop_assert!(got.iter().filter(|f| **f == frame).count() >= copies - 1);
    }

    #[test]
    fn decoders_never_panic(frame in arb_frame()) {
        let _ = Request::decode(&frame);
        let _ = Reply::decode(&frame);
    }

    #[test]
    fn decoded_messages_re_encode_to_the_same_payload(frame in arb_frame()) {
        if let Ok(req) = Request::decode(&frame) {
            prop_assert_eq!(&req.encode(frame.seq).payload, &frame.payload);
        }
        if let Ok(reply) = Reply::decode(&frame) {
            prop_assert_eq!(&reply.encode(frame.seq, frame.reply_to).payload, &frame.payload);
        }
    }
}

fn arb_patch_request() -> impl Strategy<Value = Request> {
    prop_oneof![
        Just(Request::Patch),
        Just(Request::Resume),
        (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(addr, expected, new)| {
            Request::Swap {
                addr,
                expected,
                new,
            }
        }),
        (any::<u32>(), 0..=bs_protocol::MAX_PEEK as u16)
            .prop_map(|(addr, len)| Request::Peek { addr, len }),
    ]
}

fn arb_patch_reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        Just(Reply::Paused),
        (
            any::<u32>(),
            any::<u8>(),
            prop::collection::vec(any::<u16>(), 0..=8)
        )
            .prop_map(|(record, row, sig)| Reply::Profile { record, row, sig }),
        prop::collection::vec(any::<u8>(), 0..=bs_protocol::MAX_PEEK)
            .prop_map(|bytes| Reply::PeekReply { bytes }),
    ]
}

proptest! {
    #[test]
    fn patch_messages_round_trip_through_the_wire(
        request in arb_patch_request(),
        reply in arb_patch_reply(),
        seq in any::<u8>(),
        cut in any::<usize>(),
    ) {
        let mut stream = encode_frame(&request.encode(seq)).unwrap();
        stream.extend(encode_frame(&reply.encode(seq.wrapping_add(1), seq)).unwrap());
        let mut d = Deframer::new();
        let cut = cut % (stream.len() + 1);
        d.push(&stream[..cut]);
        let mut frames = Vec::new();
        while let Some(f) = d.next_frame() {
            frames.push(f.expect("clean"));
        }
        d.push(&stream[cut..]);
        while let Some(f) = d.next_frame() {
            frames.push(f.expect("clean"));
        }
        prop_assert_eq!(frames.len(), 2);
        prop_assert_eq!(Request::decode(&frames[0]), Ok(request));
        prop_assert_eq!(frames[1].reply_to, seq);
        prop_assert_eq!(Reply::decode(&frames[1]), Ok(reply));
    }
}
