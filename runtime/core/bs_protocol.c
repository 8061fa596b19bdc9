/*
 * bs_protocol.c: the device's end of the reliable link (docs/protocol.md, sections 1 and 2):
 * a frame reader that resynchronises after corrupt bytes, acknowledgements, duplicate
 * detection, and retransmission of unacknowledged replies.
 */
#include <string.h>

#include "bs_config.h"
#include "bs_hal.h"
#include "bs_protocol.h"

_Static_assert(BS_LINK_MAX_PAYLOAD <= BS_MAX_PAYLOAD, "BS_LINK_MAX_PAYLOAD exceeds the protocol limit");

#define FRAME_OVERHEAD (BS_FRAME_HEADER_SIZE + BS_FRAME_CRC_SIZE)

/* CRC-32 of each nibble value, for the polynomial 0xEDB88320 (reflected). */
static const uint32_t crc_nibble_table[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t bs_protocol_crc32(uint32_t crc, const uint8_t *data, uint32_t len) {
    crc = ~crc;
    while (len-- > 0) {
        crc ^= *data++;
        crc = (crc >> 4) ^ crc_nibble_table[crc & 15u];
        crc = (crc >> 4) ^ crc_nibble_table[crc & 15u];
    }
    return ~crc;
}

/* --- reading frames ---------------------------------------------------------------------------- */

/* Receive buffer: rx_count bytes are buffered; the first rx_consumed of them are a delivered frame. */
static uint8_t rx[FRAME_OVERHEAD + BS_LINK_MAX_PAYLOAD];
static uint32_t rx_count;
static uint32_t rx_consumed;

static uint8_t tx[FRAME_OVERHEAD + BS_MAX_PAYLOAD];
static uint8_t tx_seq;

/* Duplicate detection: the seq of the last request handed to the message loop, and the id of the
   host that sent it (from its HELLO). */
static uint8_t last_request_seq;
static int have_last_request;
static uint32_t host_id;
static int have_host;

/* A new request that arrived while a reply waited for its ACK: the next one to hand out. */
static bs_protocol_frame held;
static int have_held;

static uint32_t session;

uint8_t bs_protocol_ack_required;

void bs_protocol_set_session(uint32_t session_id) { session = session_id; }

/* Removes the first `n` buffered bytes. */
static void rx_drop(uint32_t n) {
    memmove(rx, rx + n, rx_count - n);
    rx_count -= n;
}

/* Drops the byte at the front (a magic byte or garbage) and everything up to the next magic byte. */
static void rx_resync(void) {
    uint32_t i = 1;
    while (i < rx_count && rx[i] != BS_FRAME_MAGIC)
        i++;
    rx_drop(i);
}

/*
 * Reads the next intact frame, waiting up to `timeout_us` (BS_HAL_FOREVER: no limit) for one to
 * begin. Returns 1 with the frame, 0 when the time passed first, -1 when the link is closed. The
 * frame's payload stays valid until the next call.
 */
static int read_frame(bs_protocol_frame *frame, uint32_t timeout_us) {
    rx_drop(rx_consumed);
    rx_consumed = 0;
    uint32_t start = bs_hal_micros();
    for (;;) {
        if (rx_count >= 1 && rx[0] != BS_FRAME_MAGIC) {
            rx_resync();
            continue;
        }
        if (rx_count >= BS_FRAME_HEADER_SIZE) {
            uint32_t len = bs_protocol_get_u16(rx + 4);
            if (len > BS_LINK_MAX_PAYLOAD) {
                rx_resync();
                continue;
            }
            uint32_t total = FRAME_OVERHEAD + len;
            if (rx_count >= total) {
                uint32_t crc = bs_protocol_crc32(0, rx, BS_FRAME_HEADER_SIZE + len);
                if (crc != bs_protocol_get_u32(rx + BS_FRAME_HEADER_SIZE + len)) {
                    rx_resync();
                    continue;
                }
                frame->kind = rx[1];
                frame->seq = rx[2];
                frame->reply_to = rx[3];
                frame->length = (uint16_t)len;
                frame->payload = rx + BS_FRAME_HEADER_SIZE;
                rx_consumed = total;
                return 1;
            }
        }
        /* Once a frame has begun, its bytes are read until it is complete or they pause for
           BS_LINK_STALL_US (a damaged length), whatever is left of the caller's wait: a frame
           that straddles the end of that wait is still taken (docs/protocol.md, section 2.1). */
        int partial = rx_count > 0;
        uint32_t wait = BS_HAL_FOREVER;
        if (partial) {
            wait = BS_LINK_STALL_US;
        } else if (timeout_us != BS_HAL_FOREVER) {
            uint32_t spent = bs_hal_micros() - start;
            if (spent >= timeout_us)
                return 0;
            wait = timeout_us - spent;
        }
        int n = bs_hal_read(rx + rx_count, (uint32_t)sizeof rx - rx_count, wait);
        if (n < 0)
            return -1;
        if (n == 0 && partial) {
            rx_resync();
            continue;
        }
        rx_count += (uint32_t)n;
    }
}

/* --- writing frames ---------------------------------------------------------------------------- */

static uint32_t encode(uint8_t *out, uint8_t kind, uint8_t seq, uint8_t reply_to, const uint8_t *payload,
                       uint32_t len) {
    out[0] = BS_FRAME_MAGIC;
    out[1] = kind;
    out[2] = seq;
    out[3] = reply_to;
    bs_protocol_put_u16(out + 4, len);
    if (len > 0 && payload != out + BS_FRAME_HEADER_SIZE)
        memcpy(out + BS_FRAME_HEADER_SIZE, payload, len);
    bs_protocol_put_u32(out + BS_FRAME_HEADER_SIZE + len,
                        bs_protocol_crc32(0, out, BS_FRAME_HEADER_SIZE + len));
    return FRAME_OVERHEAD + len;
}

static void send_ack(uint8_t seq) {
    uint8_t frame[FRAME_OVERHEAD + 4];
    uint8_t payload[4];
    bs_protocol_put_u32(payload, session);
    bs_hal_write(frame, encode(frame, BS_MSG_DEVICE_ACK, seq, 0, payload, sizeof payload));
}

/*
 * Sorts an incoming request: acknowledges it, and returns 1 when it is new (it becomes the last
 * request), 0 when it repeats the last one or is a late copy of an earlier one. The host numbers
 * its requests one after another, so a new one is at most 127 ahead of the last (mod 256); one
 * that is not ahead is old. A HELLO from another host (another host id) starts afresh, whatever
 * its seq; a HELLO without a host id (an older host) is always new, so that it is answered with
 * BAD_VERSION.
 */
static int accept_request(const bs_protocol_frame *f) {
    send_ack(f->seq);
    if (f->kind == BS_MSG_HELLO) {
        if (f->length != BS_HELLO_SIZE) {
            have_last_request = 0;
        } else {
            uint32_t id = bs_protocol_get_u32(f->payload + 2);
            if (!have_host || id != host_id)
                have_last_request = 0;
            host_id = id;
            have_host = 1;
        }
    }
    if (have_last_request) {
        uint8_t ahead = (uint8_t)(f->seq - last_request_seq);
        if (ahead == 0 || ahead >= 128u)
            return 0;
    }
    last_request_seq = f->seq;
    have_last_request = 1;
    return 1;
}

/* INTERRUPT, PING and PATCH are no requests: they are seen by bs_protocol_scan_async as they
   arrive, and skipped here. */
static int is_request(uint8_t kind) {
    return (kind & 0x80u) == 0 && kind != BS_MSG_ACK && kind != BS_MSG_INTERRUPT && kind != BS_MSG_PING &&
           kind != BS_MSG_PATCH;
}

int bs_protocol_receive(bs_protocol_frame *frame, uint32_t timeout_us) {
    if (have_held) {
        have_held = 0;
        *frame = held;
        return 0;
    }
    int r = read_frame(frame, timeout_us);
    if (r < 0)
        return -1;
    if (r > 0 && is_request(frame->kind) && accept_request(frame))
        return 0;
    /* the wait passed, or an ACK for a reply already given up on, a duplicate, INTERRUPT, PING,
       PATCH or a stray device frame: nothing to carry out */
    return 1;
}

uint8_t *bs_protocol_send_buffer(void) { return tx + BS_FRAME_HEADER_SIZE; }

void bs_protocol_send(uint8_t kind, uint8_t reply_to, const uint8_t *payload, uint32_t len) {
    if (len > BS_MAX_PAYLOAD)
        bs_hal_panic("bs_protocol_send: payload too long");
    uint8_t seq = ++tx_seq;
    uint32_t size = encode(tx, kind, seq, reply_to, payload, len);
    if (have_held) {
        /* The host already sent its next request, so it reads this frame but sends no ACK. */
        bs_hal_write(tx, size);
        return;
    }
    uint32_t rto = BS_LINK_RTO_US;
    for (uint32_t tries = 0; tries < BS_LINK_TRIES; tries++) {
        bs_hal_write(tx, size);
        uint32_t start = bs_hal_micros();
        for (;;) {
            uint32_t spent = bs_hal_micros() - start;
            if (spent >= rto)
                break;
            bs_protocol_frame f;
            int r = read_frame(&f, rto - spent);
            if (r < 0)
                return; /* the link is closed: bs_protocol_receive reports it */
            if (r == 0)
                break;
            if (f.kind == BS_MSG_ACK && f.seq == seq)
                return;
            if (is_request(f.kind) && bs_protocol_ack_required)
                continue; /* not even acknowledged: the host sends it again */
            if (is_request(f.kind) && accept_request(&f)) {
                /* The host sent something new: it has what it waited for, or gave up on it. */
                held = f;
                have_held = 1;
                return;
            }
        }
        rto = rto * 2u > BS_LINK_RTO_MAX_US ? BS_LINK_RTO_MAX_US : rto * 2u;
    }
}

/* --- frames seen as they arrive, while a CALL runs ------------------------------------------ */

/* The last FRAME_OVERHEAD bytes received, as a ring (scan_at: where the next one goes, which
   is also the oldest): an INTERRUPT, PING or PATCH frame (no payload) fills it. Every received byte
   passes here, so the common case (the oldest byte is no magic byte) is a store and a test. */
static uint8_t scan_window[FRAME_OVERHEAD];
static uint32_t scan_at;

int bs_protocol_scan_async(uint8_t byte, uint8_t *seq) {
    scan_window[scan_at] = byte;
    scan_at = scan_at + 1u == FRAME_OVERHEAD ? 0u : scan_at + 1u;
    if (scan_window[scan_at] != BS_FRAME_MAGIC)
        return 0;
    uint8_t w[FRAME_OVERHEAD];
    for (uint32_t i = 0; i < FRAME_OVERHEAD; i++)
        w[i] = scan_window[(scan_at + i) % FRAME_OVERHEAD];
    if ((w[1] != BS_MSG_INTERRUPT && w[1] != BS_MSG_PING && w[1] != BS_MSG_PATCH) || w[3] != 0u || w[4] != 0u ||
        w[5] != 0u)
        return 0;
    if (bs_protocol_crc32(0, w, BS_FRAME_HEADER_SIZE) != bs_protocol_get_u32(w + BS_FRAME_HEADER_SIZE))
        return 0;
    *seq = w[2];
    return w[1];
}

void bs_protocol_encode_pong(uint8_t *out, uint8_t call_seq) {
    _Static_assert(BS_PONG_FRAME_SIZE == FRAME_OVERHEAD, "a PONG has no payload");
    encode(out, BS_MSG_PONG, 0, call_seq, NULL, 0);
}
