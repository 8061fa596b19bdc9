/* bs_heap.h: the allocator of the fixed heap region (first-fit free list, 8-byte granularity). */
#ifndef BS_HEAP_H
#define BS_HEAP_H

#include <stdint.h>

typedef struct bs_heap_stats {
    uint32_t size;   /* bytes managed by the allocator */
    uint32_t used;   /* bytes in live blocks, block headers included */
    uint32_t free;   /* size - used */
    uint32_t blocks; /* number of live blocks */
} bs_heap_stats;

/* Takes [base, base + size) as the heap and makes it one free block. */
void bs_heap_init(void *base, uint32_t size);

/* Frees every block (RESET). The region's bytes are zeroed. */
void bs_heap_reset(void);

/*
 * Returns `bytes` zeroed bytes, 8-byte aligned. When the heap is exhausted the running unit is
 * stopped with bs_error(BS_ERR_OUT_OF_MEMORY, 0, bytes, 0).
 */
void *bs_heap_alloc(uint32_t bytes);

/* Returns a block obtained from bs_heap_alloc to the free list (for the future collector's sweep). */
void bs_heap_free(void *p);

void bs_heap_get_stats(bs_heap_stats *stats);

#endif
