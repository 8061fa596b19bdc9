/*
 * bs_auth.c: the device's check of authenticated requests (docs/protocol.md, section 6).
 *
 * The key is not compiled in: the image carries a settings block that bscript fills in when it
 * makes a keyed image (it patches the block in a copy of the ELF file), so that keyed and plain
 * images have the same code and symbol addresses. The block is read through a volatile pointer,
 * so the compiler cannot fold its unpaired contents into the code.
 */
#include <string.h>

#include "bs_auth.h"
#include "bs_hal.h"
#include "bs_sha256.h"

/* Offsets in the settings block; the layout is shared with bs-toolchain (keyed images). */
#define SETTINGS_MAGIC 0
#define SETTINGS_PAIRED 4
#define SETTINGS_KEY_ID 8
#define SETTINGS_KEY 16
#define SETTINGS_SIZE (SETTINGS_KEY + BS_AUTH_KEY_SIZE)

_Static_assert(42 + BS_AUTH_HELLO_FIELDS == BS_HELLO_REPLY_SIZE, "HELLO_REPLY's auth fields do not fit its size");
_Static_assert(BS_AUTH_MAC_SIZE <= BS_SHA256_SIZE, "the MAC is longer than an HMAC-SHA-256");

__attribute__((used)) const volatile uint8_t bs_auth_settings[SETTINGS_SIZE] = {'B', 'S', 'K', '1'};

static uint8_t nonce[BS_AUTH_NONCE_SIZE];
static int have_nonce;
static bs_hmac_key prepared_key; /* the settings block's key, prepared with the nonce */
static uint32_t last_counter; /* the counter of the last request that ran; 0: none yet */

static int paired(void) { return bs_auth_settings[SETTINGS_PAIRED] == 1; }

static void settings_copy(uint8_t *out, uint32_t offset, uint32_t len) {
    for (uint32_t i = 0; i < len; i++)
        out[i] = bs_auth_settings[offset + i];
}

/* A nonce for this start of the device (the port's seed, the clock and the host id, hashed), and the
   key prepared for the MACs. */
static void choose_nonce(uint32_t host_id) {
    uint8_t seed[32];
    uint8_t digest[BS_SHA256_SIZE];
    uint32_t local[3] = {bs_hal_micros(), host_id, (uint32_t)(uintptr_t)&seed};
    bs_hal_seed(seed, sizeof seed);
    bs_sha256 h;
    bs_sha256_init(&h);
    bs_sha256_update(&h, seed, sizeof seed);
    bs_sha256_update(&h, (const uint8_t *)local, sizeof local);
    bs_sha256_final(&h, digest);
    memcpy(nonce, digest, sizeof nonce);
    uint8_t key[BS_AUTH_KEY_SIZE];
    settings_copy(key, SETTINGS_KEY, sizeof key);
    bs_hmac_sha256_prepare(&prepared_key, key, sizeof key);
    memset(key, 0, sizeof key);
    have_nonce = 1;
}

void bs_auth_hello(uint8_t *p, uint32_t host_id) {
    memset(p, 0, BS_AUTH_HELLO_FIELDS);
    if (!paired())
        return;
    if (!have_nonce)
        choose_nonce(host_id);
    p[0] = BS_AUTH_MODE_HMAC_SHA256;
    settings_copy(p + 1, SETTINGS_KEY_ID, BS_AUTH_KEY_ID_SIZE);
    memcpy(p + 9, nonce, sizeof nonce);
    bs_protocol_put_u32(p + 17, last_counter);
}

/* HMAC-SHA-256 with the settings block's key over header, nonce and `signed_len` bytes of payload. */
static void hmac_frame(const uint8_t header[BS_FRAME_HEADER_SIZE], const uint8_t *payload, uint32_t signed_len,
                       uint8_t mac[BS_SHA256_SIZE]) {
    uint8_t message[BS_FRAME_HEADER_SIZE + BS_AUTH_NONCE_SIZE];
    memcpy(message, header, BS_FRAME_HEADER_SIZE);
    memcpy(message + BS_FRAME_HEADER_SIZE, nonce, BS_AUTH_NONCE_SIZE);
    bs_hmac_sha256_prepared(&prepared_key, message, sizeof message, payload, signed_len, mac);
}

/* 1 when the `n` bytes at a and b are equal, in a time that does not depend on where they differ. */
static int same_bytes(const uint8_t *a, const uint8_t *b, uint32_t n) {
    uint8_t diff = 0;
    for (uint32_t i = 0; i < n; i++)
        diff |= (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}

uint32_t bs_auth_check(bs_protocol_frame *f, uint32_t *counter) {
    *counter = 0;
    if (f->kind == BS_MSG_HELLO)
        return 0;
    int flagged = (f->kind & BS_AUTH_FLAG) != 0;
    if (!flagged)
        return paired() ? BS_AUTH_REFUSED_MISSING : 0;
    if (!paired())
        return BS_AUTH_REFUSED_NOT_PAIRED;
    if (f->length < BS_AUTH_TRAILER_SIZE || !have_nonce)
        return BS_AUTH_REFUSED_BAD_MAC;
    uint32_t body = f->length - BS_AUTH_TRAILER_SIZE;
    *counter = bs_protocol_get_u32(f->payload + body);
    /* The MAC covers the header as sent, the body, the counter and this start's nonce: a frame
       made for an earlier start of the device does not verify. */
    uint8_t header[BS_FRAME_HEADER_SIZE] = {BS_FRAME_MAGIC, f->kind, f->seq, f->reply_to, 0, 0};
    bs_protocol_put_u16(header + 4, f->length);
    uint8_t mac[BS_SHA256_SIZE];
    hmac_frame(header, f->payload, body + 4u, mac);
    if (!same_bytes(mac, f->payload + body + 4u, BS_AUTH_MAC_SIZE))
        return BS_AUTH_REFUSED_BAD_MAC;
    if (*counter <= last_counter)
        return BS_AUTH_REFUSED_REPLAYED;
    last_counter = *counter;
    f->kind = (uint8_t)(f->kind & ~BS_AUTH_FLAG);
    f->length = (uint16_t)body;
    return 0;
}
