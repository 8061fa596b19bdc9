/* bs_heap.c: first-fit free-list allocator over the heap region, with a start bitmap and the sweep for the garbage collector. */
#include <string.h>

#include "bs.h"
#include "bs_config.h"
#include "bs_gc.h"
#include "bs_heap.h"

/*
 * The region starts with the start bitmap, then comes a sequence of blocks. A block is a 4-byte
 * header followed by its payload; its size (header included) is a multiple of 8 and the payload is
 * 8-byte aligned. The header holds the size with bit 0 set while the block is in use. A free block
 * keeps, in its first payload word, the offset of the next free block; the free list is sorted by
 * address and free blocks never touch (neighbours merge), so blocks can be walked from heap_start
 * with the sizes.
 *
 * The start bitmap has one bit per 8-byte granule of the block area: bit g is set when an
 * allocated block starts at offset 8 * g (its payload at heap_start + 8 * g + 4). It answers "is
 * this word the address of an object" and "which object does this address point into" for the
 * collector without walking the blocks.
 */
#define BLOCK_USED 1u
#define BLOCK_HEADER 4u
#define BLOCK_MIN 8u
#define NO_BLOCK 0xFFFFFFFFu

static uint8_t *heap_region; /* the region as given */
static uint32_t heap_region_size;
static uint32_t *start_bits; /* the start bitmap */
static uint32_t start_words; /* its size in 32-bit words */
static uint8_t *heap_start;  /* header of the first block */
static uint32_t heap_size;   /* bytes covered by blocks */
static uint32_t free_first;  /* offset of the first free block, or NO_BLOCK */
static uint32_t heap_used;
static uint32_t heap_blocks;
static uint32_t heap_collections;

static uint32_t *block_at(uint32_t offset) { return (uint32_t *)(void *)(heap_start + offset); }

static uint32_t offset_of_payload(const uint32_t *payload) {
    return (uint32_t)((const uint8_t *)payload - BLOCK_HEADER - heap_start);
}

/* --- the start bitmap ---------------------------------------------------------------------------- */

static void bit_set(uint32_t g) { start_bits[g >> 5] |= 1u << (g & 31u); }
static void bit_clear(uint32_t g) { start_bits[g >> 5] &= ~(1u << (g & 31u)); }
static int bit_test(uint32_t g) { return (start_bits[g >> 5] >> (g & 31u)) & 1u; }

/* 1 when bits [from, to) are all clear. */
static int bits_clear(uint32_t from, uint32_t to) {
    while (from < to) {
        uint32_t w = from >> 5, lo = from & 31u;
        uint32_t n = 32u - lo;
        if (n > to - from)
            n = to - from;
        uint32_t mask = (n == 32u ? 0xFFFFFFFFu : ((1u << n) - 1u)) << lo;
        if (start_bits[w] & mask)
            return 0;
        from += n;
    }
    return 1;
}

/* Index of the highest set bit of m (m != 0). */
static uint32_t highest_bit(uint32_t m) {
#if defined(__GNUC__)
    return 31u - (uint32_t)__builtin_clz(m);
#else
    uint32_t i = 0;
    while (m >>= 1)
        i++;
    return i;
#endif
}

/* --- poison (stress mode) ------------------------------------------------------------------------ */

static void poison(uint32_t *words, uint32_t count) {
#if BS_GC_STRESS
    for (uint32_t i = 0; i < count; i++)
        words[i] = BS_GC_POISON;
#else
    (void)words;
    (void)count;
#endif
}

/* --- set-up -------------------------------------------------------------------------------------- */

void bs_heap_init(void *base, uint32_t size) {
    heap_region = base;
    heap_region_size = size;
    bs_heap_reset();
}

void bs_heap_reset(void) {
    uintptr_t lo = ((uintptr_t)heap_region + 3u) & ~(uintptr_t)3u;
    uintptr_t hi = (uintptr_t)heap_region + heap_region_size;
    if (heap_region_size > 0)
        memset(heap_region, 0, heap_region_size);
    heap_used = 0;
    heap_blocks = 0;
    heap_collections = 0;
    heap_size = 0;
    free_first = NO_BLOCK;
    start_bits = (uint32_t *)lo;
    start_words = 0;
    if (hi < lo + 64u)
        return;
    /* Enough bitmap words for every granule of the region, then the blocks after them. */
    start_words = (uint32_t)(((hi - lo) / 8u + 31u) / 32u);
    uintptr_t first = ((lo + 4u * start_words + BLOCK_HEADER + 7u) & ~(uintptr_t)7u) - BLOCK_HEADER;
    heap_start = (uint8_t *)first;
    if (first >= hi || ((hi - first) & ~(uintptr_t)7u) < BLOCK_MIN)
        return;
    heap_size = (uint32_t)((hi - first) & ~(uintptr_t)7u);
    free_first = 0;
    block_at(0)[0] = heap_size;
    block_at(0)[1] = NO_BLOCK;
    poison(block_at(0) + 2, heap_size / 4u - 2u);
}

/* --- allocation ---------------------------------------------------------------------------------- */

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
            bit_set(at >> 3);
            memset(block + 1, 0, size - BLOCK_HEADER);
            return block + 1;
        }
        prev = at;
        at = next;
    }
    return NULL;
}

void *bs_heap_alloc(uint32_t bytes) {
    if (heap_size > 0 && bytes <= heap_size - BLOCK_HEADER) {
        uint32_t need = (bytes + BLOCK_HEADER + 7u) & ~7u;
        if (BS_GC_STRESS)
            bs_gc_collect();
        void *p = heap_try_alloc(need);
        if (p == NULL && !BS_GC_STRESS && bs_gc_collect())
            p = heap_try_alloc(need);
        if (p != NULL)
            return p;
    }
    bs_error(BS_ERR_OUT_OF_MEMORY, 0, bytes, bs_gc_code_return_address());
}

void bs_heap_free(void *p) {
    if (p == NULL)
        return;
    uint32_t at = offset_of_payload(p);
    uint32_t *block = block_at(at);
    uint32_t size = block[0] & ~BLOCK_USED;
    heap_used -= size;
    heap_blocks--;
    bit_clear(at >> 3);
    poison(block + 2, size / 4u - 2u);

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
        poison(block_at(next), 2);
    }
    if (prev == NO_BLOCK) {
        free_first = at;
    } else if (prev + block_at(prev)[0] == at) {
        block_at(prev)[0] += block[0];
        block_at(prev)[1] = block[1];
        poison(block, 2);
    } else {
        block_at(prev)[1] = at;
    }
}

void bs_heap_get_stats(bs_heap_stats *stats) {
    stats->size = heap_size;
    stats->used = heap_used;
    stats->free = heap_size - heap_used;
    stats->blocks = heap_blocks;
    stats->collections = heap_collections;
}

/* --- queries for the collector ------------------------------------------------------------------- */

uint32_t *bs_heap_find_block(uintptr_t addr) {
    uintptr_t first_payload = (uintptr_t)heap_start + BLOCK_HEADER;
    if (heap_size == 0 || addr < first_payload || addr > (uintptr_t)heap_start + heap_size)
        return NULL;
    uint32_t g = (uint32_t)((addr - first_payload) >> 3);
    uint32_t w = g >> 5;
    uint32_t m = start_bits[w] & (0xFFFFFFFFu >> (31u - (g & 31u)));
    while (m == 0) {
        if (w == 0)
            return NULL;
        m = start_bits[--w];
    }
    uint32_t *block = block_at((w * 32u + highest_bit(m)) * 8u);
    if (addr > (uintptr_t)block + (block[0] & ~BLOCK_USED))
        return NULL; /* past the end of the nearest allocated block: free memory */
    return block + 1;
}

int bs_heap_is_block_start(uintptr_t addr) {
    uintptr_t first_payload = (uintptr_t)heap_start + BLOCK_HEADER;
    if (heap_size == 0 || addr < first_payload || addr >= (uintptr_t)heap_start + heap_size)
        return 0;
    uintptr_t d = addr - first_payload;
    return (d & 7u) == 0 && bit_test((uint32_t)(d >> 3));
}

uint32_t bs_heap_block_words(const uint32_t *payload) { return ((payload[-1] & ~BLOCK_USED) - BLOCK_HEADER) / 4u; }

uint32_t *bs_heap_next_block(const uint32_t *payload) {
    uint32_t at = 0;
    if (heap_size == 0)
        return NULL;
    if (payload != NULL)
        at = offset_of_payload(payload) + (payload[-1] & ~BLOCK_USED);
    while (at < heap_size) {
        uint32_t *block = block_at(at);
        if (block[0] & BLOCK_USED)
            return block + 1;
        at += block[0];
    }
    return NULL;
}

uint32_t bs_heap_sweep(void) {
    uint32_t freed = 0;
    uint32_t run = NO_BLOCK;  /* start of the free run being built */
    uint32_t last = NO_BLOCK; /* the last free block put on the new list */
    uint32_t at = 0;
    free_first = NO_BLOCK;
    while (at <= heap_size) {
        int is_free = 0;
        uint32_t size = 0;
        if (at < heap_size) {
            uint32_t *block = block_at(at);
            size = block[0] & ~BLOCK_USED;
            if (!(block[0] & BLOCK_USED)) {
                is_free = 1;
                if (run != NO_BLOCK)
                    poison(block, 2); /* its header and link are now inside the run */
            } else if (block[1] & BS_HDR_MARK) {
                block[1] &= ~BS_HDR_MARK;
            } else {
                is_free = 1;
                freed += size;
                heap_used -= size;
                heap_blocks--;
                bit_clear(at >> 3);
                poison(block, size / 4u); /* header and link are rewritten if it starts a run */
            }
        }
        if (is_free) {
            if (run == NO_BLOCK)
                run = at;
        } else if (run != NO_BLOCK) {
            uint32_t *head = block_at(run);
            head[0] = at - run;
            head[1] = NO_BLOCK;
            if (last == NO_BLOCK)
                free_first = run;
            else
                block_at(last)[1] = run;
            last = run;
            run = NO_BLOCK;
        }
        if (at == heap_size)
            break;
        at += size;
    }
    heap_collections++;
    return freed;
}

/* --- invariants ---------------------------------------------------------------------------------- */

#if BS_GC_STRESS
/* 1 when the payload of free block `block` (past its size and link) holds only poison; long
   blocks are checked at both ends. */
static int poisoned(const uint32_t *block, uint32_t size) {
    uint32_t n = size / 4u;
    for (uint32_t i = 2; i < n; i++) {
        if (i == 66u && n > 132u)
            i = n - 64u;
        if (block[i] != BS_GC_POISON)
            return 0;
    }
    return 1;
}
#endif

const char *bs_heap_check(void) {
    uint32_t at = 0, used = 0, blocks = 0;
    uint32_t next_free = free_first;
    int prev_free = 0;
    while (at < heap_size) {
        const uint32_t *block = block_at(at);
        uint32_t size = block[0] & ~BLOCK_USED;
        if ((size & 7u) != 0 || size < BLOCK_MIN || size > heap_size - at)
            return "heap: bad block size";
        uint32_t g = at >> 3, end = (at + size) >> 3;
        if (block[0] & BLOCK_USED) {
            if (!bit_test(g))
                return "heap: allocated block without its start bit";
            if (!bits_clear(g + 1u, end))
                return "heap: start bit inside an allocated block";
            if (block[1] & BS_HDR_MARK)
                return "heap: mark bit left set";
            used += size;
            blocks++;
            prev_free = 0;
        } else {
            if (!bits_clear(g, end))
                return "heap: start bit in a free block";
            if (at != next_free)
                return "heap: free block missing from the free list or out of order";
            if (prev_free)
                return "heap: adjacent free blocks not merged";
            next_free = block[1];
            if (next_free != NO_BLOCK && (next_free <= at || (next_free & 7u) != 0 || next_free >= heap_size))
                return "heap: bad free-list link";
#if BS_GC_STRESS
            if (!poisoned(block, size))
                return "heap: free memory was written (poison overwritten)";
#endif
            prev_free = 1;
        }
        at += size;
    }
    if (next_free != NO_BLOCK)
        return "heap: free list entry past the last free block";
    if (used != heap_used || blocks != heap_blocks)
        return "heap: statistics do not match the blocks";
    if (!bits_clear(heap_size >> 3, start_words * 32u))
        return "heap: start bit past the heap end";
    return NULL;
}
