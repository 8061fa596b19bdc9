/* Are We Fast Yet: Storage (a tree of arrays, 4 children per node, random-length leaves).
   Checksum: the number of arrays, (4^depth - 1) / 3: 5461 for the suite's depth 7, 341 for 5.
   Random numbers: the suite's generator, seed 74755, seed = ((seed * 1309) + 13849) & 65535.
   Each array is a length and that many element slots (pointers, the leaves' slots empty); the
   tree is freed after each iteration. Depth 7 keeps about 175 KB of heap alive on the Cortex-M3
   (newlib-nano malloc), more on a 64-bit host; with 64 KB of RAM build it with -DINNER_SIZE=6
   (44 KB) or -DINNER_SIZE=5 (11 KB). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define BENCH_NAME "Storage"
#ifndef ITERATIONS
#define ITERATIONS 3
#endif
#ifndef INNER_SIZE
#define INNER_SIZE 7
#endif

typedef struct {
    int32_t seed;
} StorageRandom;

static int32_t random_next(StorageRandom *random) {
    random->seed = (int32_t)((((uint32_t)random->seed * 1309u) + 13849u) & 65535u);
    return random->seed;
}

typedef struct Array {
    int32_t length;
    struct Array *elements[]; /* every slot is NULL in a leaf */
} Array;

static int storage_count;
static bool out_of_memory;

static Array *new_array(int32_t length) {
    Array *a = calloc(1, sizeof(Array) + (size_t)length * sizeof(Array *));
    if (a == NULL) {
        out_of_memory = true;
        return NULL;
    }
    a->length = length;
    return a;
}

static Array *build_tree_depth(int depth, StorageRandom *random) {
    storage_count++;
    if (depth == 1)
        return new_array(random_next(random) % 10 + 1);
    Array *arr = new_array(4);
    if (arr == NULL)
        return NULL;
    for (int i = 0; i < 4; i++)
        arr->elements[i] = build_tree_depth(depth - 1, random);
    return arr;
}

static void free_tree(Array *a) {
    if (a == NULL)
        return;
    for (int32_t i = 0; i < a->length; i++)
        free_tree(a->elements[i]);
    free(a);
}

int benchmark(void) {
    StorageRandom random = {74755};
    storage_count = 0;
    Array *tree = build_tree_depth(INNER_SIZE, &random);
    free_tree(tree);
    if (out_of_memory)
        return -1;
    return storage_count;
}

int verify_result(int result) { return result == ((1 << (2 * INNER_SIZE)) - 1) / 3; }

#include "harness.h"
