//! The deframer part of the `host_frames` target.

use bs_protocol::{Deframer, Frame, MAX_PAYLOAD, Reply, Request, encode_frame};

/// Feeds `data` (after a byte that sets the piece size) to a deframer and checks what comes out.
pub fn run(data: &[u8]) {
    let Some((&piece, bytes)) = data.split_first() else {
        return;
    };
    let piece = usize::from(piece % 64) + 1;
    let mut deframer = Deframer::new();
    let mut frames = 0usize;
    for (i, chunk) in bytes.chunks(piece).enumerate() {
        deframer.push(chunk);
        while let Some(next) = deframer.next_frame() {
            if let Ok(frame) = next {
                check_frame(&frame);
                frames += 1;
            }
        }
        // Now and then a stalled frame is given up, as the link does after a pause.
        if piece > 48 && i % 7 == 6 {
            deframer.drop_partial();
        }
    }
    assert!(deframer.buffered() <= bytes.len());
    assert!(frames * bs_protocol::HEADER_LEN <= bytes.len());
}

fn check_frame(frame: &Frame) {
    assert!(frame.payload.len() <= MAX_PAYLOAD);
    let bytes = encode_frame(frame).expect("a received frame encodes");
    let mut again = Deframer::new();
    again.push(&bytes);
    let back = again
        .next_frame()
        .expect("a frame")
        .expect("an intact frame");
    assert_eq!(&back, frame);
    assert!(again.next_frame().is_none());
    if let Ok(request) = Request::decode(frame) {
        assert_eq!(
            Request::decode(&request.encode(frame.seq)).as_ref(),
            Ok(&request)
        );
    }
    if let Ok(reply) = Reply::decode(frame) {
        let encoded = reply.encode(frame.seq, frame.reply_to);
        assert_eq!(Reply::decode(&encoded).as_ref(), Ok(&reply));
    }
}
