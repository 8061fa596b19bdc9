/* bs_heap.h: the allocator of the fixed heap region (first-fit free list, 8-byte granules) and its block queries for the collector. */
#ifndef BS_HEAP_H
#define BS_HEAP_H

#include <stdint.h>

typedef struct bs_heap_stats {
    uint32_t size;        /* bytes managed by the allocator (the region less the start bitmap) */
    uint32_t used;        /* bytes in live blocks, block headers included */
    uint32_t free;        /* size - used */
    uint32_t blocks;      /* number of live blocks */
    uint32_t collections; /* garbage collections since the last reset */
} bs_heap_stats;

/*
 * Takes [base, base + size) as the heap: a bitmap of block starts (one bit per 8-byte granule,
 * about 1/65 of the region) at its beginning, blocks in the rest, all one free block.
 */
void bs_heap_init(void *base, uint32_t size);

/* Frees every block (RESET). The region's bytes are zeroed (poisoned in stress mode). */
void bs_heap_reset(void);

/*
 * Returns `bytes` zeroed bytes, 8-byte aligned. When no free block is large enough the garbage
 * collector runs (bs_gc.h) and the allocation is tried again; if it still fails the running unit is
 * stopped with bs_error(BS_ERR_OUT_OF_MEMORY, 0, bytes, 0). In stress mode every allocation first
 * collects. Every block handed out must start with an object header before the next allocation
 * (a zero header, class 0, is a block without references).
 */
void *bs_heap_alloc(uint32_t bytes);

/* Returns a block obtained from bs_heap_alloc to the free list at once. */
void bs_heap_free(void *p);

void bs_heap_get_stats(bs_heap_stats *stats);

/* --- for the collector --------------------------------------------------------------------------- */

/* The payload of the allocated block that `addr` points into (or just past), or NULL. */
uint32_t *bs_heap_find_block(uintptr_t addr);

/* 1 when `addr` is the first byte of an allocated block's payload (where its object starts). */
int bs_heap_is_block_start(uintptr_t addr);

/* The size in words of the payload of the allocated block `payload`. */
uint32_t bs_heap_block_words(const uint32_t *payload);

/* The allocated block after `payload` in address order (the first one for NULL), or NULL. */
uint32_t *bs_heap_next_block(const uint32_t *payload);

/*
 * The sweep: frees every allocated block whose object header lacks BS_HDR_MARK, clears the mark of
 * the others, merges neighbouring free blocks and rebuilds the free list in address order. Counts
 * one collection; returns the number of bytes freed.
 */
uint32_t bs_heap_sweep(void);

/*
 * Walks the heap and checks its invariants: block sizes, the start bitmap, the free list (every
 * free block on it, in address order, no two free blocks adjacent), no mark left set, the
 * statistics, and in stress mode the poison in free blocks. Returns NULL, or what is broken.
 */
const char *bs_heap_check(void); /* only with BS_HEAP_CHECK (bs_config.h) */

#endif
