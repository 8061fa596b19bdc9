/* DSP kernel: SHA-256 (FIPS 180-4) of a 1024-byte message, with full padding and the 64-word
   message schedule. One iteration fills the message from a 32-bit LCG and hashes it INNER_SIZE
   times; after each hash the 32-byte digest overwrites the first 32 bytes of the message (a hash
   chain). Checksum: the xor of the eight state words of the last digest, as a signed 32-bit
   integer. The first check also hashes "abc" and compares the first word of the digest with the
   published value 0xba7816bf. */
#include <stdint.h>
#include <stdlib.h>

#define BENCH_NAME "SHA256"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif
#ifndef INNER_SIZE
#define INNER_SIZE 64
#endif
#define MESSAGE_SIZE 1024
#define ABC_WORD0 0xba7816bfu

static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u,
    0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u,
    0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu,
    0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u,
    0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u,
    0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u,
    0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u,
    0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

static uint32_t seed;

static uint32_t next_random(void) {
    seed = seed * 1664525u + 1013904223u;
    return seed;
}

static uint32_t rotr(uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

static void compress(uint32_t *h, const uint32_t *k, uint32_t *w, const uint8_t *data, int offset) {
    for (int t = 0; t < 16; t++) {
        int j = offset + 4 * t;
        w[t] = ((uint32_t)data[j] << 24) | ((uint32_t)data[j + 1] << 16) |
               ((uint32_t)data[j + 2] << 8) | (uint32_t)data[j + 3];
    }
    for (int t = 16; t < 64; t++) {
        uint32_t x = w[t - 15];
        uint32_t y = w[t - 2];
        uint32_t s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3);
        uint32_t s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t big_s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + big_s1 + ch + k[t] + w[t];
        uint32_t big_s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = big_s0 + maj;
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static void sha256(const uint8_t *msg, int length, const uint32_t *k, uint32_t *h, uint32_t *w,
                   uint8_t *block) {
    h[0] = 0x6a09e667u;
    h[1] = 0xbb67ae85u;
    h[2] = 0x3c6ef372u;
    h[3] = 0xa54ff53au;
    h[4] = 0x510e527fu;
    h[5] = 0x9b05688cu;
    h[6] = 0x1f83d9abu;
    h[7] = 0x5be0cd19u;
    int offset = 0;
    while (offset + 64 <= length) {
        compress(h, k, w, msg, offset);
        offset += 64;
    }
    int rest = length - offset;
    for (int i = 0; i < rest; i++) {
        block[i] = msg[offset + i];
    }
    block[rest] = 0x80;
    for (int i = rest + 1; i < 64; i++) {
        block[i] = 0;
    }
    if (rest >= 56) {
        compress(h, k, w, block, 0);
        for (int i = 0; i < 56; i++) {
            block[i] = 0;
        }
    }
    uint32_t high = (uint32_t)length >> 29;
    uint32_t low = (uint32_t)length << 3;
    block[56] = (uint8_t)(high >> 24);
    block[57] = (uint8_t)(high >> 16);
    block[58] = (uint8_t)(high >> 8);
    block[59] = (uint8_t)high;
    block[60] = (uint8_t)(low >> 24);
    block[61] = (uint8_t)(low >> 16);
    block[62] = (uint8_t)(low >> 8);
    block[63] = (uint8_t)low;
    compress(h, k, w, block, 0);
}

int benchmark(void) {
    seed = 42;
    uint8_t *msg = malloc(MESSAGE_SIZE);
    if (msg == NULL) {
        return 0;
    }
    for (int i = 0; i < MESSAGE_SIZE; i++) {
        msg[i] = (uint8_t)(next_random() >> 24);
    }
    uint32_t h[8];
    uint32_t w[64];
    uint8_t block[64];
    for (int p = 0; p < INNER_SIZE; p++) {
        sha256(msg, MESSAGE_SIZE, K, h, w, block);
        for (int i = 0; i < 8; i++) {
            msg[4 * i] = (uint8_t)(h[i] >> 24);
            msg[4 * i + 1] = (uint8_t)(h[i] >> 16);
            msg[4 * i + 2] = (uint8_t)(h[i] >> 8);
            msg[4 * i + 3] = (uint8_t)h[i];
        }
    }
    free(msg);
    uint32_t x = 0;
    for (int i = 0; i < 8; i++) {
        x ^= h[i];
    }
    return (int)(int32_t)x;
}

static int self_test(void) {
    static const uint8_t abc[3] = {'a', 'b', 'c'};
    uint32_t h[8];
    uint32_t w[64];
    uint8_t block[64];
    sha256(abc, 3, K, h, w, block);
    return h[0] == ABC_WORD0;
}

static int expected_for(int size) {
    if (size == 1) {
        return 641828449;
    }
    if (size == 64) {
        return 897188407;
    }
    if (size == 128) {
        return 1415647344;
    }
    return -1;
}

int verify_result(int result) {
    static int tested = 0;
    if (!tested) {
        tested = 1;
        if (!self_test()) {
            return 0;
        }
    }
    return result == expected_for(INNER_SIZE);
}

#include "harness.h"
