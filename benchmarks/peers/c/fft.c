/* DSP kernel: 256-point radix-2 decimation-in-time complex FFT in Q15 fixed point, scaling by 1/2
   in every stage. The twiddle factors come from a quarter-wave sine table computed with integer
   arithmetic only (a Horner evaluation of the degree-9 Taylor polynomial of sin in Q14/Q15).
   One iteration builds the tables and transforms INNER_SIZE frames of 256 complex samples from a
   32-bit LCG (components in [-8192, 8191], so no product or sum leaves [-2^29, 2^29)).
   Checksum: chk = chk * 31 + re, then chk * 31 + im, over every bin of every frame, wrapping at
   32 bits. */
#include <stdint.h>
#include <stdlib.h>

#define BENCH_NAME "FFT"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif
#ifndef INNER_SIZE
#define INNER_SIZE 64
#endif
#define N 256

static uint32_t seed;

static uint32_t next_random(void) {
    seed = seed * 1664525u + 1013904223u;
    return seed;
}

static int32_t next_sample(void) {
    return (int32_t)((next_random() >> 18) & 0x3FFFu) - 8192;
}

/* sin(pi/2 * k / quarter) in Q15, for 0 <= k <= quarter */
static int32_t sine_q15(int32_t k, int32_t quarter) {
    int32_t x = (k * 25736) / quarter; /* the angle in Q14 (pi/2 is 25736 / 16384) */
    int32_t y = (x * x) >> 14;
    int32_t t = 32768 - ((y * 32768) >> 14) / 72;
    t = 32768 - ((y * t) >> 14) / 42;
    t = 32768 - ((y * t) >> 14) / 20;
    t = 32768 - ((y * t) >> 14) / 6;
    int32_t s = (x * t) >> 14;
    if (s > 32767) {
        s = 32767;
    }
    return s;
}

static void make_twiddles(int32_t *quarter_table, int32_t *cos_table, int32_t *sin_table, int n) {
    int quarter = n >> 2;
    for (int k = 0; k <= quarter; k++) {
        quarter_table[k] = sine_q15(k, quarter);
    }
    for (int k = 0; k < (n >> 1); k++) {
        if (k <= quarter) {
            cos_table[k] = quarter_table[quarter - k];
            sin_table[k] = quarter_table[k];
        } else {
            cos_table[k] = -quarter_table[k - quarter];
            sin_table[k] = quarter_table[2 * quarter - k];
        }
    }
}

static void fft(int32_t *re, int32_t *im, int n, const int32_t *cos_table,
                const int32_t *sin_table) {
    int j = 0;
    for (int i = 1; i < n; i++) {
        int bit = n >> 1;
        while (j & bit) {
            j ^= bit;
            bit >>= 1;
        }
        j ^= bit;
        if (i < j) {
            int32_t t = re[i];
            re[i] = re[j];
            re[j] = t;
            t = im[i];
            im[i] = im[j];
            im[j] = t;
        }
    }
    for (int size = 2; size <= n; size <<= 1) {
        int half = size >> 1;
        int step = n / size;
        for (int first = 0; first < n; first += size) {
            for (int m = 0; m < half; m++) {
                int32_t wr = cos_table[m * step];
                int32_t wi = -sin_table[m * step];
                int a = first + m;
                int b = a + half;
                int32_t tr = (re[b] * wr - im[b] * wi) >> 15;
                int32_t ti = (re[b] * wi + im[b] * wr) >> 15;
                int32_t ur = re[a];
                int32_t ui = im[a];
                re[a] = (ur + tr) >> 1;
                im[a] = (ui + ti) >> 1;
                re[b] = (ur - tr) >> 1;
                im[b] = (ui - ti) >> 1;
            }
        }
    }
}

int benchmark(void) {
    seed = 42;
    int32_t *quarter_table = malloc((N / 4 + 1) * sizeof(int32_t));
    int32_t *cos_table = malloc((N / 2) * sizeof(int32_t));
    int32_t *sin_table = malloc((N / 2) * sizeof(int32_t));
    int32_t *re = malloc(N * sizeof(int32_t));
    int32_t *im = malloc(N * sizeof(int32_t));
    uint32_t chk = 0;
    if (quarter_table != NULL && cos_table != NULL && sin_table != NULL && re != NULL &&
        im != NULL) {
        make_twiddles(quarter_table, cos_table, sin_table, N);
        for (int p = 0; p < INNER_SIZE; p++) {
            for (int i = 0; i < N; i++) {
                re[i] = next_sample();
                im[i] = next_sample();
            }
            fft(re, im, N, cos_table, sin_table);
            for (int i = 0; i < N; i++) {
                chk = chk * 31u + (uint32_t)re[i];
                chk = chk * 31u + (uint32_t)im[i];
            }
        }
    }
    free(quarter_table);
    free(cos_table);
    free(sin_table);
    free(re);
    free(im);
    return (int)(int32_t)chk;
}

static int expected_for(int size) {
    if (size == 1) {
        return 1466855936;
    }
    if (size == 64) {
        return 1975448733;
    }
    if (size == 128) {
        return 498908693;
    }
    return -1;
}

int verify_result(int result) {
    return result == expected_for(INNER_SIZE);
}

#include "harness.h"
