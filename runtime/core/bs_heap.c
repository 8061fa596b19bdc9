/* bs_heap.c: first-fit free-list allocator over the heap region, with statistics for MEMINFO. */
#include <string.h>

#include "bs.h"
#include "bs_heap.h"

/*
 * The heap is a sequence of blocks. A block is a 4-byte header followed by its payload; its size
 * (header included) is a multiple of 8 and the payload is 8-byte aligned. The header holds the
 * size with bit 0 set while the block is in use. A free block keeps, in its first payload word,
 * the offset of the next free block; the free list is sorted by address so that neighbours merge.
 * Blocks can be walked from heap_start with the sizes, which is what a sweep will do.
 */
#define BLOCK_USED 1u
#define BLOCK_HEADER 4u
#define BLOCK_MIN 8u
#define NO_BLOCK 0xFFFFFFFFu

static uint8_t *heap_region; /* the region as given */
static uint32_t heap_region_size;
static uint8_t *heap_start; /* header of the first block */
static uint32_t heap_size;  /* bytes covered by blocks */
static uint32_t free_first; /* offset of the first free block, or NO_BLOCK */
static uint32_t heap_used;
static uint32_t heap_blocks;

static uint32_t *block_at(uint32_t offset) { return (uint32_t *)(void *)(heap_start + offset); }

void bs_heap_init(void *base, uint32_t size) {
    heap_region = base;
    heap_region_size = size;
    bs_heap_reset();
}

void bs_heap_reset(void) {
    uintptr_t lo = (uintptr_t)heap_region;
    uintptr_t hi = lo + heap_region_size;
    uintptr_t first = ((lo + BLOCK_HEADER + 7u) & ~(uintptr_t)7u) - BLOCK_HEADER;
    if (heap_region_size > 0)
        memset(heap_region, 0, heap_region_size);
    heap_start = (uint8_t *)first;
    heap_size = (first < hi) ? (uint32_t)((hi - first) & ~(uintptr_t)7u) : 0;
    heap_used = 0;
    heap_blocks = 0;
    if (heap_size < BLOCK_MIN) {
        heap_size = 0;
        free_first = NO_BLOCK;
        return;
    }
    free_first = 0;
    block_at(0)[0] = heap_size;
    block_at(0)[1] = NO_BLOCK;
}

/*
 * The hook for the garbage collector: it is called when an allocation fails and returns non-zero
 * when it freed something (then the allocation is tried again). There is no collector yet; a
 * mark-and-sweep collector marks from the roots with BS_HDR_MARK in the object headers, then walks
 * the blocks and passes unmarked ones to bs_heap_free.
 */
static int heap_collect(void) { return 0; }

static void *heap_try_alloc(uint32_t need) {
    uint32_t prev = NO_BLOCK;
    uint32_t at = free_first;
    while (at != NO_BLOCK) {
        uint32_t *block = block_at(at);
        uint32_t size = block[0];
        uint32_t next = block[1];
        if (size >= need) {
            if (size - need >= BLOCK_MIN) {
                uint32_t *rest = block_at(at + need);
                rest[0] = size - need;
                rest[1] = next;
                next = at + need;
                size = need;
            }
            if (prev == NO_BLOCK)
                free_first = next;
            else
                block_at(prev)[1] = next;
            block[0] = size | BLOCK_USED;
            heap_used += size;
            heap_blocks++;
            memset(block + 1, 0, size - BLOCK_HEADER);
            return block + 1;
        }
        prev = at;
        at = next;
    }
    return NULL;
}

void *bs_heap_alloc(uint32_t bytes) {
    if (bytes <= heap_size) {
        uint32_t need = (bytes + BLOCK_HEADER + 7u) & ~7u;
        void *p = heap_try_alloc(need);
        if (p == NULL && heap_collect())
            p = heap_try_alloc(need);
        if (p != NULL)
            return p;
    }
    bs_error(BS_ERR_OUT_OF_MEMORY, 0, bytes, 0);
}

void bs_heap_free(void *p) {
    if (p == NULL)
        return;
    uint32_t at = (uint32_t)((uint8_t *)p - BLOCK_HEADER - heap_start);
    uint32_t *block = block_at(at);
    uint32_t size = block[0] & ~BLOCK_USED;
    heap_used -= size;
    heap_blocks--;

    /* Find the free neighbours before and after the block. */
    uint32_t prev = NO_BLOCK;
    uint32_t next = free_first;
    while (next != NO_BLOCK && next < at) {
        prev = next;
        next = block_at(next)[1];
    }
    block[0] = size;
    block[1] = next;
    if (next != NO_BLOCK && at + size == next) {
        block[0] += block_at(next)[0];
        block[1] = block_at(next)[1];
    }
    if (prev == NO_BLOCK) {
        free_first = at;
    } else if (prev + block_at(prev)[0] == at) {
        block_at(prev)[0] += block[0];
        block_at(prev)[1] = block[1];
    } else {
        block_at(prev)[1] = at;
    }
}

void bs_heap_get_stats(bs_heap_stats *stats) {
    stats->size = heap_size;
    stats->used = heap_used;
    stats->free = heap_size - heap_used;
    stats->blocks = heap_blocks;
}
