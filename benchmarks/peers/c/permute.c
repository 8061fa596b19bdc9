/* Are We Fast Yet: Permute (recursive permutations of 6 elements). Checksum: 8660 calls. */
#define BENCH_NAME "Permute"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif

static int permute_count;
static int permute_v[6];

static void swap(int i, int j) {
    int tmp = permute_v[i];
    permute_v[i] = permute_v[j];
    permute_v[j] = tmp;
}

static void permute(int n) {
    permute_count++;
    if (n != 0) {
        int n1 = n - 1;
        permute(n1);
        for (int i = n1; i >= 0; i--) {
            swap(n1, i);
            permute(n1);
            swap(n1, i);
        }
    }
}

int benchmark(void) {
    permute_count = 0;
    for (int i = 0; i < 6; i++)
        permute_v[i] = 0;
    permute(6);
    return permute_count;
}

int verify_result(int result) { return result == 8660; }

#include "harness.h"
