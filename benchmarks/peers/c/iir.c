/* DSP kernel: cascade of 4 biquad sections (direct form I, Q14 coefficients, 32-bit state), an
   8th-order Butterworth low-pass with cut-off at a tenth of the sample rate, over a stream of
   INNER_SIZE blocks of 2048 Q15 samples from a 32-bit LCG, each block filtered in place. The filter
   state carries over from block to block; with samples in [-8192, 8191] no sum leaves
   [-2^29, 2^29). Checksum: chk = chk * 31 + y over all outputs, wrapping at 32 bits. */
#include <stdint.h>
#include <stdlib.h>

#define BENCH_NAME "IIR"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif
#ifndef INNER_SIZE
#define INNER_SIZE 16
#endif
#define SECTIONS 4
#define BLOCK_SIZE 2048

/* per section: b0, b1, b2, a1, a2 (y = (b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2) >> 14) */
static const int32_t COEFFS[5 * SECTIONS] = {
    992, 1985, 992, -16816, 4401,
    1051, 2102, 1051, -17807, 5627,
    1179, 2359, 1179, -19984, 8318,
    1404, 2807, 1404, -23783, 13013,
};

static uint32_t seed;

static uint32_t next_random(void) {
    seed = seed * 1664525u + 1013904223u;
    return seed;
}

static int32_t next_sample(void) {
    return (int32_t)((next_random() >> 18) & 0x3FFFu) - 8192;
}

/* state per section: x1, x2, y1, y2 */
static void biquad_cascade(const int32_t *coeffs, int32_t *state, int sections,
                           const int32_t *input, int32_t *output, int n) {
    for (int i = 0; i < n; i++) {
        int32_t x = input[i];
        for (int s = 0; s < sections; s++) {
            const int32_t *c = coeffs + 5 * s;
            int32_t *st = state + 4 * s;
            int32_t acc = c[0] * x + c[1] * st[0] + c[2] * st[1] - c[3] * st[2] - c[4] * st[3];
            int32_t y = acc >> 14;
            st[1] = st[0];
            st[0] = x;
            st[3] = st[2];
            st[2] = y;
            x = y;
        }
        output[i] = x;
    }
}

int benchmark(void) {
    seed = 42;
    int32_t *buffer = malloc(BLOCK_SIZE * sizeof(int32_t)); /* filtered in place */
    int32_t *state = calloc(4 * SECTIONS, sizeof(int32_t));
    if (buffer == NULL || state == NULL) {
        free(buffer);
        free(state);
        return 0;
    }
    uint32_t chk = 0;
    for (int p = 0; p < INNER_SIZE; p++) {
        for (int i = 0; i < BLOCK_SIZE; i++) {
            buffer[i] = next_sample();
        }
        biquad_cascade(COEFFS, state, SECTIONS, buffer, buffer, BLOCK_SIZE);
        for (int i = 0; i < BLOCK_SIZE; i++) {
            chk = chk * 31u + (uint32_t)buffer[i];
        }
    }
    free(buffer);
    free(state);
    return (int)(int32_t)chk;
}

static int expected_for(int size) {
    if (size == 1) {
        return 395591987;
    }
    if (size == 16) {
        return 1125237439;
    }
    if (size == 128) {
        return -1878796596;
    }
    return -1;
}

int verify_result(int result) {
    return result == expected_for(INNER_SIZE);
}

#include "harness.h"
