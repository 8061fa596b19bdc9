/* DSP kernel: 32-tap FIR filter (Q15 coefficients, a low-pass windowed sinc with cut-off at a
   tenth of the sample rate) over a stream of INNER_SIZE blocks of 2048 Q15 samples from a 32-bit
   LCG, each block filtered in place. The delay line (stored twice, so every output reads 32
   consecutive entries) and its position carry over from block to block. Each output is the
   32-bit accumulator shifted right (arithmetically) by 15; with samples in [-8192, 8191] no sum
   leaves [-2^29, 2^29). Checksum: chk = chk * 31 + y over all outputs, wrapping at 32 bits. */
#include <stdint.h>
#include <stdlib.h>

#define BENCH_NAME "FIR"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif
#ifndef INNER_SIZE
#define INNER_SIZE 8
#endif
#define TAPS 32
#define BLOCK_SIZE 2048

static const int32_t COEFFS[TAPS] = {
    -17, 20, 73, 135, 164, 91, -129, -466,
    -783, -850, -435, 588, 2141, 3927, 5501, 6424,
    6424, 5501, 3927, 2141, 588, -435, -850, -783,
    -466, -129, 91, 164, 135, 73, 20, -17,
};

static uint32_t seed;

static uint32_t next_random(void) {
    seed = seed * 1664525u + 1013904223u;
    return seed;
}

static int32_t next_sample(void) {
    return (int32_t)((next_random() >> 18) & 0x3FFFu) - 8192;
}

static int fir(const int32_t *coeffs, int taps, int32_t *state, int pos, const int32_t *input,
               int32_t *output, int n) {
    for (int i = 0; i < n; i++) {
        int32_t x = input[i];
        state[pos] = x;
        state[pos + taps] = x;
        int newest = pos + taps;
        int32_t acc = 0;
        for (int k = 0; k < taps; k++) {
            acc += coeffs[k] * state[newest - k];
        }
        output[i] = acc >> 15;
        pos++;
        if (pos == taps) {
            pos = 0;
        }
    }
    return pos;
}

int benchmark(void) {
    seed = 42;
    int32_t *buffer = malloc(BLOCK_SIZE * sizeof(int32_t)); /* filtered in place */
    int32_t *state = calloc(2 * TAPS, sizeof(int32_t));
    if (buffer == NULL || state == NULL) {
        free(buffer);
        free(state);
        return 0;
    }
    int pos = 0;
    uint32_t chk = 0;
    for (int p = 0; p < INNER_SIZE; p++) {
        for (int i = 0; i < BLOCK_SIZE; i++) {
            buffer[i] = next_sample();
        }
        pos = fir(COEFFS, TAPS, state, pos, buffer, buffer, BLOCK_SIZE);
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
        return 1695060806;
    }
    if (size == 8) {
        return 811539690;
    }
    if (size == 128) {
        return 680395909;
    }
    return -1;
}

int verify_result(int result) {
    return result == expected_for(INNER_SIZE);
}

#include "harness.h"
