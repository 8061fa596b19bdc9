/* bs_protocol.h: message numbers and frame codec of the host-device wire protocol (docs/protocol.md). */
#ifndef BS_PROTOCOL_H
#define BS_PROTOCOL_H 1

#include <stdint.h>

/* The contract with crates/bs-abi, whose test reads the lines below: one name and one value each. */
#define BS_PROTOCOL_VERSION 7
#define BS_FRAME_MAGIC 0xB5
#define BS_MAX_PAYLOAD 1024

/* Host -> device. */
#define BS_MSG_HELLO 0x01
#define BS_MSG_LOAD 0x02
#define BS_MSG_CALL 0x03
#define BS_MSG_RESET 0x04
#define BS_MSG_MEMINFO 0x05
#define BS_MSG_ACK 0x06
#define BS_MSG_INTERRUPT 0x07
#define BS_MSG_PING 0x08
#define BS_MSG_PATCH 0x09
#define BS_MSG_SWAP 0x0A
#define BS_MSG_RESUME 0x0B
#define BS_MSG_PEEK 0x0C
#define BS_MSG_EVENTS 0x0D

/* Device -> host. */
#define BS_MSG_HELLO_REPLY 0x81
#define BS_MSG_OK 0x82
#define BS_MSG_OUTPUT 0x83
#define BS_MSG_RESULT 0x84
#define BS_MSG_ERROR 0x85
#define BS_MSG_MEMINFO_REPLY 0x86
#define BS_MSG_DEVICE_ACK 0x87
#define BS_MSG_PONG 0x88
#define BS_MSG_PROFILE 0x89
#define BS_MSG_PAUSED 0x8A
#define BS_MSG_PEEK_REPLY 0x8B
#define BS_MSG_EVENTS_REPLY 0x8C

/* MEMINFO's optional payload, u8 flags: collect garbage before counting. */
#define BS_MEMINFO_COLLECT 0x01

/* The flags byte at the end of RESULT and at the start of EVENTS_REPLY: timers are active (or a
   driver may post events); records or dropped counts wait to be fetched with EVENTS; (only in
   EVENTS_REPLY) the buffer holds more records than this reply carried. */
#define BS_EVENTS_ACTIVE 0x01
#define BS_EVENTS_WAITING 0x02
#define BS_EVENTS_MORE 0x04

/* HELLO's payload: u16 protocol version, u32 host id. */
#define BS_HELLO_SIZE 6

/* HELLO_REPLY's payload: 42 bytes of device description, then the auth fields (bs_auth.h). */
#define BS_HELLO_REPLY_SIZE 63

/* Authenticated requests (docs/protocol.md, section 6): the flag bit of the kind byte, the trailer
   (u32 counter, then the first 16 bytes of an HMAC-SHA-256) at the end of the payload, the
   device's nonce (which the MAC covers but the frame does not carry), and the key. */
#define BS_AUTH_FLAG 0x40
#define BS_AUTH_TRAILER_SIZE 20
#define BS_AUTH_NONCE_SIZE 8
#define BS_AUTH_MAC_SIZE 16
#define BS_AUTH_KEY_SIZE 32
#define BS_AUTH_KEY_ID_SIZE 8
/* HELLO_REPLY's auth mode: 0 = unpaired, 1 = requests carry HMAC-SHA-256. */
#define BS_AUTH_MODE_HMAC_SHA256 1

/* Why a request was refused (ERROR AUTH, detail 1). */
#define BS_AUTH_REFUSED_MISSING 1
#define BS_AUTH_REFUSED_BAD_MAC 2
#define BS_AUTH_REFUSED_REPLAYED 3
#define BS_AUTH_REFUSED_NOT_PAIRED 4

/* Frame layout: magic, kind, seq, reply-to, u16 len, payload, u32 CRC. */
#define BS_FRAME_HEADER_SIZE 6
#define BS_FRAME_CRC_SIZE 4

/* A received frame; `payload` points into the receive buffer and is valid until the next receive. */
typedef struct bs_protocol_frame {
    uint8_t kind;
    uint8_t seq;
    uint8_t reply_to;
    uint16_t length;
    const uint8_t *payload;
} bs_protocol_frame;

/* CRC-32 (IEEE, reflected): pass 0 to start, the previous result to continue. */
uint32_t bs_protocol_crc32(uint32_t crc, const uint8_t *data, uint32_t len);

/*
 * Reads the next frame from the host, waiting up to `timeout_us` (BS_HAL_FOREVER: no limit) for
 * one to begin, skipping corrupt ones and acknowledging every request (duplicates too) with
 * DEVICE_ACK. Returns 0 with a new request (not a duplicate of the last one), 1 when the wait
 * passed or the frame was nothing to carry out (an ACK, a duplicate, INTERRUPT, PING, PATCH),
 * or -1 when the link closes.
 */
int bs_protocol_receive(bs_protocol_frame *frame, uint32_t timeout_us);

/*
 * Sends one reply to the request sent with `reply_to` and waits until the host acknowledges it,
 * sending it again when no ACK comes in time (docs/protocol.md, section 2). A new request from
 * the host also ends the wait: the host has moved on; bs_protocol_receive then returns it.
 * `len` is at most BS_MAX_PAYLOAD.
 */
void bs_protocol_send(uint8_t kind, uint8_t reply_to, const uint8_t *payload, uint32_t len);

/* While set, bs_protocol_send waits for the ACK itself: a new request does not end the wait (it
   is not even acknowledged, so the host sends it again). For the end of a CALL that paused for a
   patch, when the host may have sent requests before it learnt that the CALL ended. */
extern uint8_t bs_protocol_ack_required;

/*
 * The receive path's second reader, for bytes that arrive while a CALL runs (docs/protocol.md,
 * section 2.4): the port passes every received byte here as it arrives, from its receive
 * interrupt or thread, before or whatever the message loop does with it. Returns the kind of an
 * intact INTERRUPT, PING or PATCH frame that this byte completes (and its seq in *seq), else 0.
 * Not reentrant: one caller at a time.
 */
int bs_protocol_scan_async(uint8_t byte, uint8_t *seq);

/* The PONG frame that answers a PING during the CALL sent with `call_seq`, written to `out`
   (BS_PONG_FRAME_SIZE bytes). */
#define BS_PONG_FRAME_SIZE 10
void bs_protocol_encode_pong(uint8_t *out, uint8_t call_seq);

/* The session id that DEVICE_ACK frames carry. */
void bs_protocol_set_session(uint32_t session_id);

/* Little-endian field access. */
static inline void bs_protocol_put_u16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void bs_protocol_put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t bs_protocol_get_u16(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}
static inline uint32_t bs_protocol_get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

#endif
