/* bs_heap.c: the allocator of the heap region (size-class lists for small blocks, a first-fit list for the rest), with a start bitmap and the sweep for the garbage collector. */
#include <string.h>

#include "bs.h"
#include "bs_config.h"
#include "bs_gc.h"
#include "bs_heap.h"
#include "bs_runtime.h"

/*
 * The region starts with the start bitmap, then comes a sequence of blocks. A block is a 4-byte
 * header followed by its payload; its size (header included) is a multiple of 8 and the payload is
 * 8-byte aligned. The header holds the size with bit 0 set while the block is in use. A free block
 * keeps, in its first payload word, the offset of the next free block on its list. Blocks can be
 * walked from heap_start with the sizes.
 *
 * Free blocks of up to SMALL_MAX bytes sit on one list per size (SMALL_CLASSES lists, 8 bytes
 * apart): taking one is O(1), which matters because programs allocate mostly small objects and a
 * sweep leaves many small holes. Larger free blocks sit on the general list, sorted by address,
 * and are taken first-fit; what is left of a split block goes to the list of its size. The sweep
 * merges neighbouring free blocks and rebuilds every list in address order; between sweeps, a
 * small block freed by bs_heap_free is not merged with its neighbours.
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
#define SMALL_CLASSES 32u
#define SMALL_MAX (SMALL_CLASSES * 8u)
/* Marks a free block's size word while bs_heap_check walks the lists. */
#define BLOCK_LISTED 2u

static uint8_t *heap_region; /* the region as given */
static uint32_t heap_region_size;
static uint32_t *start_bits; /* the start bitmap */
static uint32_t start_words; /* its size in 32-bit words */
static uint8_t *heap_start;  /* header of the first block */
static uint32_t heap_size;   /* bytes covered by blocks */
static uint32_t free_first;  /* offset of the first block of the general list, or NO_BLOCK */
static uint32_t small_first[SMALL_CLASSES]; /* the list of free blocks of size 8 * (i + 1) */
static uint32_t small_nonempty;              /* bit i: small_first[i] holds a block */
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

#if BS_HEAP_CHECK
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
#endif

/* Index of the lowest set bit of m (m != 0). */
static uint32_t lowest_bit(uint32_t m) {
#if defined(__GNUC__)
    return (uint32_t)__builtin_ctz(m);
#else
    uint32_t i = 0;
    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
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

/* --- the lists ---------------------------------------------------------------------------------- */

/* Puts the free block at `at` of `size` bytes on the front of its small list, or into the general
   list at its place by address. */
static void push_free(uint32_t at, uint32_t size) {
    uint32_t *block = block_at(at);
    block[0] = size;
    if (size <= SMALL_MAX) {
        uint32_t c = size / 8u - 1u;
        block[1] = small_first[c];
        small_first[c] = at;
        small_nonempty |= 1u << c;
        return;
    }
    uint32_t prev = NO_BLOCK, next = free_first;
    while (next != NO_BLOCK && next < at) {
        prev = next;
        next = block_at(next)[1];
    }
    block[1] = next;
    if (prev == NO_BLOCK)
        free_first = at;
    else
        block_at(prev)[1] = at;
}

/* Zeroes `words` words from `w` (a payload: few words, so no call of memset). */
static void zero_words(uint32_t *w, uint32_t words) {
    /* Two at a time, so that the compiler does not turn the loop back into a call of memset. */
    if (words & 1u)
        *w++ = 0;
    for (uint32_t *end = w + (words & ~1u); w < end; w += 2) {
        w[0] = 0;
        w[1] = 0;
    }
}

/* Makes the block at `at`, already off its list, an allocated block of `size` bytes, zeroed. */
static inline void *claim(uint32_t at, uint32_t size) {
    uint32_t *block = block_at(at);
    block[0] = size | BLOCK_USED;
    heap_used += size;
    heap_blocks++;
    bit_set(at >> 3);
    if (size <= SMALL_MAX)
        zero_words(block + 1, size / 4u - 1u);
    else
        memset(block + 1, 0, size - BLOCK_HEADER);
    return block + 1;
}

/* Makes the free block at `at` (of `size` bytes, already off its list) an allocated block of `need`
   bytes; the rest, if big enough, becomes a free block. */
static void *take(uint32_t at, uint32_t size, uint32_t need) {
    if (size - need >= BLOCK_MIN) {
        push_free(at + need, size - need);
        size = need;
    }
    return claim(at, size);
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
    for (uint32_t i = 0; i < SMALL_CLASSES; i++)
        small_first[i] = NO_BLOCK;
    small_nonempty = 0;
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
    poison(block_at(0) + 2, heap_size / 4u - 2u);
    push_free(0, heap_size);
}

/* --- allocation ---------------------------------------------------------------------------------- */

static void *heap_try_alloc(uint32_t need) {
    /* A small block of this size or, split, of the next larger size there is: small holes are
       used before large blocks are cut, which keeps the large ones for large objects. */
    if (need <= SMALL_MAX) {
        uint32_t candidates = small_nonempty & ~((1u << (need / 8u - 1u)) - 1u);
        if (candidates != 0) {
            uint32_t c = lowest_bit(candidates);
            uint32_t at = small_first[c];
            small_first[c] = block_at(at)[1];
            if (small_first[c] == NO_BLOCK)
                small_nonempty &= ~(1u << c);
            return take(at, (c + 1u) * 8u, need);
        }
    }
    /* The first large block that is big enough. */
    uint32_t prev = NO_BLOCK;
    uint32_t at = free_first;
    while (at != NO_BLOCK) {
        uint32_t *block = block_at(at);
        uint32_t size = block[0];
        uint32_t next = block[1];
        if (size >= need) {
            uint32_t rest = size - need;
            if (rest > SMALL_MAX) {
                /* The rest keeps the block's place on the list (it is at a higher address, before
                   `next`): no walk to insert it. */
                uint32_t *tail = block_at(at + need);
                tail[0] = rest;
                tail[1] = next;
                next = at + need;
                size = need;
            }
            if (prev == NO_BLOCK)
                free_first = next;
            else
                block_at(prev)[1] = next;
            return take(at, size, need);
        }
        prev = at;
        at = next;
    }
    return NULL;
}

/* Everything else: the other lists, a collection when nothing fits, the error when still nothing
   does. Out of line, so that bs_heap_alloc's common cases need no stack frame. */
__attribute__((noinline)) static void *heap_alloc_slow(uint32_t bytes) {
    bs_runtime_safe_point();
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

void *bs_heap_alloc(uint32_t bytes) {
    /* The common cases first, without calls: a free block of exactly the size on its list, or,
       when no small block is large enough, the front of the first large block (what is left of
       it keeps its place on the general list). Both take what heap_try_alloc would take. */
    if (!BS_GC_STRESS && bytes <= SMALL_MAX - BLOCK_HEADER) {
        uint32_t need = (bytes + BLOCK_HEADER + 7u) & ~7u;
        uint32_t c = need / 8u - 1u;
        uint32_t at = small_first[c];
        if (at != NO_BLOCK) {
            uint32_t next = block_at(at)[1];
            small_first[c] = next;
            if (next == NO_BLOCK)
                small_nonempty &= ~(1u << c);
            return claim(at, need);
        }
        at = free_first;
        if ((small_nonempty >> c) == 0 && at != NO_BLOCK) {
            uint32_t *block = block_at(at);
            uint32_t size = block[0];
            if (size > need && size - need > SMALL_MAX) {
                uint32_t *tail = block_at(at + need);
                tail[0] = size - need;
                tail[1] = block[1];
                free_first = at + need;
                return claim(at, need);
            }
        }
    }
    return heap_alloc_slow(bytes);
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
    if (size <= SMALL_MAX) {
        push_free(at, size);
        return;
    }

    /* A large block merges with its free neighbours on the general list. */
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
    uint32_t last = NO_BLOCK; /* the last block put on the new general list */
    uint32_t small_last[SMALL_CLASSES]; /* the last block put on each new small list */
    uint32_t at = 0;
    free_first = NO_BLOCK;
    small_nonempty = 0;
    for (uint32_t i = 0; i < SMALL_CLASSES; i++)
        small_first[i] = small_last[i] = NO_BLOCK;
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
            uint32_t run_size = at - run;
            head[0] = run_size;
            head[1] = NO_BLOCK;
            uint32_t *first = &free_first, *tail = &last;
            if (run_size <= SMALL_MAX) {
                first = &small_first[run_size / 8u - 1u];
                tail = &small_last[run_size / 8u - 1u];
                small_nonempty |= 1u << (run_size / 8u - 1u);
            }
            if (*tail == NO_BLOCK)
                *first = run;
            else
                block_at(*tail)[1] = run;
            *tail = run;
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

#if BS_HEAP_CHECK

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

/* Marks the blocks of one list (BLOCK_LISTED) and checks its links; counts them in *listed. */
static const char *check_list(uint32_t at, uint32_t size_class, uint32_t *listed, uint32_t free_blocks) {
    uint32_t prev = NO_BLOCK;
    while (at != NO_BLOCK) {
        if ((at & 7u) != 0 || at >= heap_size)
            return "heap: bad free-list link";
        uint32_t *block = block_at(at);
        if (block[0] & (BLOCK_USED | BLOCK_LISTED))
            return "heap: free-list entry allocated, or on a list twice";
        uint32_t size = block[0];
        if (size_class == NO_BLOCK ? size <= SMALL_MAX : size != (size_class + 1u) * 8u)
            return "heap: free block on the list of another size";
        if (size_class == NO_BLOCK && prev != NO_BLOCK && at <= prev)
            return "heap: general free list out of address order";
        if (++*listed > free_blocks)
            return "heap: free-list entry that is not a free block";
        block[0] |= BLOCK_LISTED;
        prev = at;
        at = block[1];
    }
    return NULL;
}

const char *bs_heap_check(void) {
    uint32_t at = 0, used = 0, blocks = 0, free_blocks = 0;
    /* Count the free blocks, then mark every listed one, then see that each free block is marked. */
    while (at < heap_size) {
        const uint32_t *block = block_at(at);
        uint32_t size = block[0] & ~(BLOCK_USED | BLOCK_LISTED);
        if ((size & 7u) != 0 || size < BLOCK_MIN || size > heap_size - at)
            return "heap: bad block size";
        if (!(block[0] & BLOCK_USED))
            free_blocks++;
        at += size;
    }
    uint32_t listed = 0;
    const char *broken = check_list(free_first, NO_BLOCK, &listed, free_blocks);
    for (uint32_t c = 0; broken == NULL && c < SMALL_CLASSES; c++) {
        if (((small_nonempty >> c) & 1u) != (small_first[c] != NO_BLOCK))
            broken = "heap: the map of non-empty small lists is wrong";
        else
            broken = check_list(small_first[c], c, &listed, free_blocks);
    }
    at = 0;
    while (at < heap_size) {
        uint32_t *block = block_at(at);
        uint32_t size = block[0] & ~(BLOCK_USED | BLOCK_LISTED);
        uint32_t g = at >> 3, end = (at + size) >> 3;
        /* No early return: every listed mark must be cleared. */
        if (block[0] & BLOCK_USED) {
            if (broken != NULL)
                ;
            else if (!bit_test(g))
                broken = "heap: allocated block without its start bit";
            else if (!bits_clear(g + 1u, end))
                broken = "heap: start bit inside an allocated block";
            else if (block[1] & BS_HDR_MARK)
                broken = "heap: mark bit left set";
            used += size;
            blocks++;
        } else {
            int was_listed = (block[0] & BLOCK_LISTED) != 0;
            block[0] = size;
            if (broken != NULL)
                ;
            else if (!was_listed)
                broken = "heap: free block missing from the free lists";
            else if (!bits_clear(g, end))
                broken = "heap: start bit in a free block";
#if BS_GC_STRESS
            else if (!poisoned(block, size))
                broken = "heap: free memory was written (poison overwritten)";
#endif
        }
        at += size;
    }
    if (broken != NULL)
        return broken;
    if (listed != free_blocks)
        return "heap: free-list entry that is not a free block";
    if (used != heap_used || blocks != heap_blocks)
        return "heap: statistics do not match the blocks";
    if (!bits_clear(heap_size >> 3, start_words * 32u))
        return "heap: start bit past the heap end";
    return NULL;
}
#endif
