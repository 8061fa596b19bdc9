/* Are We Fast Yet: Sieve (Eratosthenes on 5000 flags). Checksum: 669 primes. */
#include <stdbool.h>
#include <stdlib.h>

#define BENCH_NAME "Sieve"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif

static int sieve(bool *flags, int size) {
    int prime_count = 0;
    for (int i = 2; i <= size; i++) {
        if (flags[i - 1]) {
            prime_count++;
            int k = i + i;
            while (k <= size) {
                flags[k - 1] = false;
                k += i;
            }
        }
    }
    return prime_count;
}

int benchmark(void) {
    bool *flags = malloc(5000 * sizeof(bool));
    if (flags == NULL)
        return -1;
    for (int i = 0; i < 5000; i++)
        flags[i] = true;
    int result = sieve(flags, 5000);
    free(flags);
    return result;
}

int verify_result(int result) { return result == 669; }

#include "harness.h"
