/* Shared harness for the C benchmark programs. A program defines BENCH_NAME, and
   int benchmark(void) and int verify_result(int result), then includes this file last. */
#ifndef BS_BENCH_HARNESS_H
#define BS_BENCH_HARNESS_H
#include <stdio.h>
#include <stdint.h>
#ifndef ITERATIONS
#define ITERATIONS 3
#endif
uint64_t bench_now_us(void);
void bench_print(const char *line);
#ifdef BENCH_BARE_METAL
/* provided by the bare-metal support files (benchmarks/peers/c/baremetal/) */
#else
#include <time.h>
uint64_t bench_now_us(void) {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC); /* C11 */
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
void bench_print(const char *line) { fputs(line, stdout); }
#endif
int main(void) {
    char line[128];
    /* Called through a volatile pointer, so that the compiler cannot see that benchmark() gives
       the same result each time and run it once for all iterations. */
    int (*volatile run)(void) = benchmark;
    uint64_t start = bench_now_us();
    for (int i = 0; i < ITERATIONS; i++) {
        int result = run();
        if (!verify_result(result)) {
            snprintf(line, sizeof line, "%s: WRONG got %d\n", BENCH_NAME, result);
            bench_print(line);
            return 1;
        }
    }
    uint64_t elapsed = bench_now_us() - start;
    snprintf(line, sizeof line, "%s: ok %lu\n", BENCH_NAME, (unsigned long)elapsed);
    bench_print(line);
    return 0;
}
#endif
