/* test_support.h: shared helpers of the runtime's C unit tests: checks, a capturing HAL, calls under the error trap. */
#ifndef TEST_SUPPORT_H
#define TEST_SUPPORT_H

#include <stdint.h>
#include <stdio.h>

#include "bs.h"
#include "bs_runtime.h"

extern int test_failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            test_failures++;                                                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                  \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

/* The error of the last test_call that was stopped. */
extern bs_runtime_error test_error;

/* Runs `fn` under the runtime's error trap as a CALL does (stack top recorded for the collector).
   Returns 0 when it returned, 1 when it was stopped (test_error says why). */
int test_call(void (*fn)(void));

/* Checks that `fn` stops with exactly these error fields. */
void test_expect_error(void (*fn)(void), uint32_t code, uint32_t site, uint32_t detail1, uint32_t detail2,
                       const char *what);

/* The text of the OUTPUT frames of `stream` sent since the last call (frames checked). */
const char *test_take_output(uint8_t stream);

/* Every byte the runtime sent since the last call (frames of any kind), in a copy of its own. */
const uint8_t *test_take_frames(uint32_t *len);

/* 1 when `v` is a string with exactly the bytes of `text` (and a terminating NUL). */
int test_is_string(bs_value v, const char *text);

/* Ends the test program: prints the verdict and returns the exit status. */
int test_finish(const char *name);

#endif
