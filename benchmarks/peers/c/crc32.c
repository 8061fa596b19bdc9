/* DSP kernel: CRC-32 (IEEE 802.3: reflected, polynomial 0xEDB88320, initial value and final xor
   0xFFFFFFFF). One iteration builds the 256-entry table, fills a 4096-byte buffer from a 32-bit
   LCG and runs the CRC over the buffer INNER_SIZE times, each pass continuing the previous pass's
   CRC (so the result is the CRC-32 of the buffer repeated INNER_SIZE times).
   Checksum: the CRC as a signed 32-bit integer. */
#include <stdint.h>
#include <stdlib.h>

#define BENCH_NAME "CRC32"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif
#ifndef INNER_SIZE
#define INNER_SIZE 32
#endif
#define BUFFER_SIZE 4096
#define CHECK_VALUE 0xCBF43926u /* CRC-32 of the ASCII bytes "123456789" */

static uint32_t seed;

static uint32_t next_random(void) {
    seed = seed * 1664525u + 1013904223u;
    return seed;
}

static void make_table(uint32_t *table) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) {
            if (c & 1u) {
                c = 0xEDB88320u ^ (c >> 1);
            } else {
                c = c >> 1;
            }
        }
        table[n] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const uint32_t *table, const uint8_t *buf, int len) {
    uint32_t c = ~crc;
    for (int i = 0; i < len; i++) {
        c = table[(c ^ buf[i]) & 0xFFu] ^ (c >> 8);
    }
    return ~c;
}

int benchmark(void) {
    seed = 42;
    uint32_t *table = malloc(256 * sizeof(uint32_t));
    uint8_t *buf = malloc(BUFFER_SIZE);
    if (table == NULL || buf == NULL) {
        free(table);
        free(buf);
        return 0;
    }
    make_table(table);
    for (int i = 0; i < BUFFER_SIZE; i++) {
        buf[i] = (uint8_t)(next_random() >> 24);
    }
    uint32_t crc = 0;
    for (int p = 0; p < INNER_SIZE; p++) {
        crc = crc32_update(crc, table, buf, BUFFER_SIZE);
    }
    free(table);
    free(buf);
    return (int)(int32_t)crc;
}

static int self_test(void) {
    static const uint8_t text[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    uint32_t table[256];
    make_table(table);
    return crc32_update(0, table, text, 9) == CHECK_VALUE;
}

static int expected_for(int size) {
    if (size == 1) {
        return 336427039;
    }
    if (size == 32) {
        return 1101000063;
    }
    if (size == 128) {
        return -1866180634;
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
