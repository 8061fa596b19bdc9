/*
 * bs_sha256.c: SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104). Written for size rather than
 * speed: one 64-word round-constant table, the message schedule kept as a 16-word ring.
 */
#include <string.h>

#include "bs_sha256.h"

static const uint32_t round_constants[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

static uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32u - n)); }

static void compress(uint32_t state[8], const uint8_t block[BS_SHA256_BLOCK]) {
    uint32_t w[16];
    for (unsigned i = 0; i < 16; i++)
        w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 | (uint32_t)block[4 * i + 2] << 8 |
               (uint32_t)block[4 * i + 3];
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (unsigned i = 0; i < 64; i++) {
        if (i >= 16) {
            uint32_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
            uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
            uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
            w[i & 15] += s0 + w[(i - 7) & 15] + s1;
        }
        uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + round_constants[i] +
                      w[i & 15];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

void bs_sha256_init(bs_sha256 *h) {
    static const uint32_t initial[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                        0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    memcpy(h->state, initial, sizeof initial);
    h->bytes = 0;
    h->filled = 0;
}

void bs_sha256_update(bs_sha256 *h, const uint8_t *data, uint32_t len) {
    h->bytes += len;
    while (len > 0) {
        uint32_t n = BS_SHA256_BLOCK - h->filled;
        if (n > len)
            n = len;
        memcpy(h->block + h->filled, data, n);
        h->filled += n;
        data += n;
        len -= n;
        if (h->filled == BS_SHA256_BLOCK) {
            compress(h->state, h->block);
            h->filled = 0;
        }
    }
}

void bs_sha256_final(bs_sha256 *h, uint8_t digest[BS_SHA256_SIZE]) {
    uint64_t bits = h->bytes * 8u;
    static const uint8_t pad = 0x80;
    static const uint8_t zero = 0;
    bs_sha256_update(h, &pad, 1);
    while (h->filled != BS_SHA256_BLOCK - 8)
        bs_sha256_update(h, &zero, 1);
    uint8_t length[8];
    for (unsigned i = 0; i < 8; i++)
        length[i] = (uint8_t)(bits >> (56 - 8 * i));
    bs_sha256_update(h, length, 8);
    for (unsigned i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(h->state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h->state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h->state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h->state[i];
    }
}

/* The hash state after one block: the key block XORed with `pad` (0x36 inner, 0x5c outer). */
static void key_state(uint32_t state[8], const uint8_t block[BS_SHA256_BLOCK], uint8_t pad) {
    bs_sha256 h;
    uint8_t x[BS_SHA256_BLOCK];
    for (unsigned i = 0; i < BS_SHA256_BLOCK; i++)
        x[i] = block[i] ^ pad;
    bs_sha256_init(&h);
    bs_sha256_update(&h, x, BS_SHA256_BLOCK);
    memcpy(state, h.state, sizeof h.state);
}

void bs_hmac_sha256_prepare(bs_hmac_key *prepared, const uint8_t *key, uint32_t key_len) {
    uint8_t block[BS_SHA256_BLOCK];
    memset(block, 0, sizeof block);
    if (key_len > BS_SHA256_BLOCK) {
        bs_sha256 h;
        bs_sha256_init(&h);
        bs_sha256_update(&h, key, key_len);
        bs_sha256_final(&h, block);
    } else if (key_len > 0) {
        memcpy(block, key, key_len);
    }
    key_state(prepared->inner, block, 0x36);
    key_state(prepared->outer, block, 0x5c);
    memset(block, 0, sizeof block);
}

/* A hash that continues from a state after one block. */
static void resume(bs_sha256 *h, const uint32_t state[8]) {
    memcpy(h->state, state, sizeof h->state);
    h->bytes = BS_SHA256_BLOCK;
    h->filled = 0;
}

void bs_hmac_sha256_prepared(const bs_hmac_key *prepared, const uint8_t *a, uint32_t a_len, const uint8_t *b,
                             uint32_t b_len, uint8_t mac[BS_SHA256_SIZE]) {
    uint8_t inner[BS_SHA256_SIZE];
    bs_sha256 h;
    resume(&h, prepared->inner);
    bs_sha256_update(&h, a, a_len);
    bs_sha256_update(&h, b, b_len);
    bs_sha256_final(&h, inner);
    resume(&h, prepared->outer);
    bs_sha256_update(&h, inner, sizeof inner);
    bs_sha256_final(&h, mac);
}

void bs_hmac_sha256(const uint8_t *key, uint32_t key_len, const uint8_t *a, uint32_t a_len, const uint8_t *b,
                    uint32_t b_len, uint8_t mac[BS_SHA256_SIZE]) {
    bs_hmac_key prepared;
    bs_hmac_sha256_prepare(&prepared, key, key_len);
    bs_hmac_sha256_prepared(&prepared, a, a_len, b, b_len, mac);
}
