/* test_gc.c: C unit tests of the garbage collector: roots, precise tracing, cycles, mark-stack overflow, churn, out of memory. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bs.h"
#include "bs_class.h"
#include "bs_config.h"
#include "bs_gc.h"
#include "bs_heap.h"
#include "bs_string.h"
#include "test_support.h"

#define HEAP_BYTES (64u * 1024u)
static uint64_t heap_area[HEAP_BYTES / 8u];

/* The fake data region: what a unit's globals would be. */
#define N_ROOTS 32
static bs_value roots[N_ROOTS];

/* Node: header, raw int tag (word 1), boxed `next` (word 2), raw float/int bits (word 3). */
#define NODE 16
#define NODE_ARRAY 17
static const uint32_t node_refs[] = {1u << 2};
static const bs_class node_class = {.name = "Node", .kind = BS_KIND_OBJECT, .words = 4, .ref_bits = node_refs};
static const bs_class node_array_class = {.name = "Node[]", .kind = BS_KIND_REF_ARRAY, .element_id = NODE};

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static bs_value node_new(int32_t tag, bs_value next) {
    bs_value n = bs_object_new(NODE);
    bs_words(n)[1] = (uint32_t)tag;
    bs_words(n)[2] = next;
    return n;
}

/* A heap string "PREFIXn". */
static bs_value text_of(const char *prefix, int32_t n) {
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%s%d", prefix, (int)n);
    return bs_string_new(buf, (uint32_t)len);
}

static int text_is(bs_value v, const char *prefix, int32_t n) {
    char buf[32];
    snprintf(buf, sizeof buf, "%s%d", prefix, (int)n);
    return test_is_string(v, buf);
}

static int live(uintptr_t address) { return bs_heap_is_block_start(address); }

/* Overwrites the stack below the caller, so that stale copies of pointers do not act as roots. */
__attribute__((noinline)) static void scrub_stack(void) {
    volatile uint32_t junk[4096];
    for (uint32_t i = 0; i < 4096; i++)
        junk[i] = 0;
    (void)junk[0];
}

/* A collection now, from a clean stack. */
__attribute__((noinline)) static void collect(void) {
    scrub_stack();
    bs_gc_collect();
}

static void check_heap(const char *where) {
    const char *broken = bs_heap_check();
    CHECK(broken == NULL, "%s: %s", where, broken);
    /* The statistics agree with the blocks. */
    bs_heap_stats s;
    bs_heap_get_stats(&s);
    uint32_t used = 0, blocks = 0;
    for (uint32_t *b = bs_heap_next_block(NULL); b != NULL; b = bs_heap_next_block(b)) {
        used += 4u * (bs_heap_block_words(b) + 1u);
        blocks++;
    }
    CHECK(s.used == used && s.blocks == blocks && s.free == s.size - used, "%s: stats %u/%u blocks %u/%u", where,
          s.used, used, s.blocks, blocks);
}

/* Allocates and drops `bytes` of assorted garbage. */
static void make_garbage(uint32_t bytes) {
    uint32_t done = 0;
    while (done < bytes) {
        uint32_t kind = rng() % 6u, n = rng() % 40u;
        switch (kind) {
        case 0:
            done += 12u + bs_string_length(text_of("garbage-", (int32_t)rng()));
            break;
        case 1:
            bs_int_array_new((int32_t)n, 7, 0);
            done += 8u + 4u * n;
            break;
        case 2: {
            bs_value v = bs_vector_new(BS_CLASS_ANY_ARRAY, 0, BS_NULL, 0);
            for (uint32_t i = 0; i < n; i++)
                bs_vector_push(v, bs_box_int((int32_t)i));
            done += 16u + 8u + 4u * n * 2u;
            break;
        }
        case 3:
            node_new((int32_t)n, node_new(1, BS_NULL));
            done += 32u;
            break;
        case 4:
            bs_fixed_array_new((int32_t)n, bs_box_int(1), 0);
            done += 8u + 4u * n;
            break;
        default:
            bs_string_concat(bs_box_float(1.5f), bs_box_int((int32_t)n));
            done += 16u;
            break;
        }
    }
}

/* --- tests (each runs as a call, so the collector scans its stack) ------------------------------- */

/*
 * The collector is conservative on the stack and registers, so a test that expects an object to
 * be freed must not keep its address in a local: the addresses being watched live in `watch`
 * (this file's statics are not roots), objects are made and checked in separate functions (their
 * registers are restored when they return) and collect() scrubs the stack first.
 */
static uintptr_t watch[8];

static uint32_t blocks_in_use(void) {
    bs_heap_stats s;
    bs_heap_get_stats(&s);
    return s.blocks;
}

__attribute__((noinline)) static void basics_make(void) {
    roots[0] = text_of("kept", 0);
    watch[0] = (uintptr_t)bs_ptr(roots[0]);
    make_garbage(HEAP_BYTES / 4u);
}

__attribute__((noinline)) static int basics_intact(void) { return text_is(roots[0], "kept", 0); }

static void test_basics(void) {
    bs_heap_stats before, after;
    bs_heap_get_stats(&before);
    basics_make();
    collect();
    bs_heap_get_stats(&after);
    CHECK(after.collections > before.collections, "collections counted: %u -> %u", before.collections,
          after.collections);
    CHECK(after.blocks == 1 && after.used == 24u, "only the root is left: %u blocks, %u bytes", after.blocks,
          after.used);
    CHECK(live(watch[0]) && basics_intact(), "the root survives");
    roots[0] = BS_NULL;
    collect();
    bs_heap_get_stats(&after);
    CHECK(after.blocks == 0 && after.used == 0 && !live(watch[0]), "everything freed");
    check_heap("basics");
}

/* Makes four strings "decoy0".."decoy3" that nothing refers to once this returns (while it runs
   they are rooted, since in stress mode every allocation collects). */
#define DECOY_ROOT 20
__attribute__((noinline)) static void make_decoys(void) {
    for (int i = 0; i < 4; i++) {
        roots[DECOY_ROOT + i] = text_of("decoy", i);
        watch[i] = (uintptr_t)bs_ptr(roots[DECOY_ROOT + i]);
    }
}

__attribute__((noinline)) static void drop_decoys(void) {
    for (int i = 0; i < 4; i++)
        roots[DECOY_ROOT + i] = BS_NULL;
}

__attribute__((noinline)) static int decoy_intact(int i) { return text_is(bs_ref((void *)watch[i]), "decoy", i); }

__attribute__((noinline)) static void precise_make(void) {
    roots[1] = node_new(0, BS_NULL);
    make_decoys();
    uint32_t *n = bs_words(roots[1]);
    /* Raw words that look exactly like references to decoys 0 and 1: not references. */
    n[1] = (uint32_t)watch[0] | 3u;
    n[3] = (uint32_t)watch[1] | 3u;
    /* The boxed field refers to decoy 2. */
    n[2] = bs_ref((void *)watch[2]);
    drop_decoys();
}

static void test_precise_fields(void) {
    precise_make();
    collect();
    CHECK(!live(watch[0]) && !live(watch[1]), "raw fields are not references");
    CHECK(live(watch[2]) && decoy_intact(2) && bs_words(roots[1])[2] == bs_ref((void *)watch[2]),
          "the boxed field is a reference");
    CHECK(!live(watch[3]), "an unreferenced object is freed");
    if (BS_GC_STRESS)
        CHECK(((uint32_t *)watch[0])[1] == BS_GC_POISON && ((uint32_t *)watch[3])[2] == BS_GC_POISON,
              "freed memory is poisoned");
    CHECK(bs_words(roots[1])[1] == ((uint32_t)watch[0] | 3u) && bs_words(roots[1])[3] == ((uint32_t)watch[1] | 3u),
          "raw fields untouched");
    /* A boxed word that points into an object but not at its start is not a reference. */
    bs_words(roots[1])[2] = (uint32_t)(watch[2] + 4u) | 3u;
    collect();
    CHECK(!live(watch[2]), "a boxed word must point at an object's start");
    roots[1] = BS_NULL;
    collect();
    CHECK(blocks_in_use() == 0, "all freed: %u", blocks_in_use());
    check_heap("precise fields");
}

__attribute__((noinline)) static void make_cycle(int rooted) {
    bs_value a = node_new(1, BS_NULL);
    bs_value b = node_new(2, a);
    bs_words(a)[2] = b;
    watch[0] = (uintptr_t)bs_ptr(a);
    watch[1] = (uintptr_t)bs_ptr(b);
    if (rooted)
        roots[2] = a;
}

__attribute__((noinline)) static int cycle_intact(void) {
    bs_value b = bs_words(roots[2])[2];
    return bs_words(roots[2])[1] == 1 && bs_words(b)[1] == 2 && bs_words(b)[2] == roots[2];
}

static void test_cycles(void) {
    make_cycle(0);
    collect();
    CHECK(!live(watch[0]) && !live(watch[1]), "an unreachable cycle is freed");
    make_cycle(1);
    collect();
    CHECK(live(watch[0]) && live(watch[1]) && cycle_intact(), "a reachable cycle is kept");
    roots[2] = BS_NULL;
    collect();
    CHECK(!live(watch[0]) && !live(watch[1]), "the cycle is freed once unrooted");
    check_heap("cycles");
}

/* Keeps words that point at decoys in its own frame during a collection. */
__attribute__((noinline)) static void collect_with_stack_words(void) {
    volatile uintptr_t interior = watch[0] + 9u;   /* untagged, into the middle of the bytes */
    volatile uintptr_t past_end = watch[1] + 20u;  /* "decoy1" needs 15 bytes: a 24-byte block, payload 20 */
    volatile uint32_t tagged = (uint32_t)watch[2] | 3u;
    collect();
    (void)interior;
    (void)past_end;
    (void)tagged;
}

static void test_conservative_roots(void) {
    make_decoys();
    roots[3] = (bs_value)(watch[3] + 2u); /* an untagged interior pointer in the data region */
    drop_decoys();
    collect_with_stack_words();
    CHECK(live(watch[0]) && decoy_intact(0), "interior pointer on the stack");
    CHECK(live(watch[1]), "pointer just past the end");
    CHECK(live(watch[2]), "tagged pointer on the stack");
    CHECK(live(watch[3]) && decoy_intact(3), "interior pointer in the data region");
    roots[3] = 0;
    collect();
    CHECK(!live(watch[0]) && !live(watch[1]) && !live(watch[2]) && !live(watch[3]), "freed once the words are gone");
    check_heap("conservative roots");
}

#if defined(__x86_64__)
/*
 * Collects while the only reference to `p` is in rbp or r15 (callee-saved; glibc's setjmp stores
 * rbp mangled). The input comes in rdi, which the call clobbers. Returns the register afterwards.
 */
__attribute__((noinline)) static uint64_t collect_with_rbp(uint64_t p) {
    uint64_t out;
    __asm__ volatile("sub $128, %%rsp\n\t" /* skip the red zone */
                     "push %%rbp\n\t"
                     "push %%r12\n\t"
                     "mov %%rsp, %%r12\n\t"
                     "and $-16, %%rsp\n\t"
                     "mov %%rdi, %%rbp\n\t"
                     "xor %%edi, %%edi\n\t"
                     "call scrub_then_collect\n\t"
                     "mov %%rbp, %%rax\n\t"
                     "mov %%r12, %%rsp\n\t"
                     "pop %%r12\n\t"
                     "pop %%rbp\n\t"
                     "add $128, %%rsp\n\t"
                     : "=a"(out), "+D"(p)
                     :
                     : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2",
                       "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
                       "xmm14", "xmm15");
    return out;
}

__attribute__((noinline)) static uint64_t collect_with_r15(uint64_t p) {
    uint64_t out;
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "push %%r15\n\t"
                     "push %%r12\n\t"
                     "mov %%rsp, %%r12\n\t"
                     "and $-16, %%rsp\n\t"
                     "mov %%rdi, %%r15\n\t"
                     "xor %%edi, %%edi\n\t"
                     "call scrub_then_collect\n\t"
                     "mov %%r15, %%rax\n\t"
                     "mov %%r12, %%rsp\n\t"
                     "pop %%r12\n\t"
                     "pop %%r15\n\t"
                     "add $128, %%rsp\n\t"
                     : "=a"(out), "+D"(p)
                     :
                     : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2",
                       "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
                       "xmm14", "xmm15");
    return out;
}

void scrub_then_collect(void);
__attribute__((noinline, used)) void scrub_then_collect(void) { collect(); }

__attribute__((noinline)) static int rbp_case(void) {
    make_decoys();
    drop_decoys();
    uint64_t p = collect_with_rbp(watch[0] + 4u);
    CHECK(!live(watch[1]), "an object referred to by nothing is freed meanwhile");
    return p == watch[0] + 4u && live(watch[0]) && decoy_intact(0);
}

__attribute__((noinline)) static int r15_case(void) {
    make_decoys();
    drop_decoys();
    uint64_t p = collect_with_r15(watch[2]);
    CHECK(!live(watch[3]), "an object referred to by nothing is freed meanwhile");
    return p == watch[2] && live(watch[2]) && decoy_intact(2);
}

static void test_registers(void) {
    CHECK(rbp_case(), "a pointer only in rbp keeps its object");
    CHECK(r15_case(), "a pointer only in r15 keeps its object");
    collect();
    CHECK(blocks_in_use() == 0, "freed once the registers are gone: %u", blocks_in_use());
    check_heap("registers");
}
#endif

/* Many objects at once: wider and deeper than the mark stack. */
#define WIDE 500
#define DEEP 800

__attribute__((noinline)) static void overflow_make(void) {
    roots[4] = bs_fixed_array_new(WIDE, BS_NULL, 0);
    for (int32_t i = 0; i < WIDE; i++)
        *bs_fixed_at(roots[4], i, 0) = node_new(i, text_of("w", i));
    roots[5] = BS_NULL;
    for (int32_t i = 0; i < DEEP; i++)
        roots[5] = node_new(i, roots[5]);
    make_garbage(HEAP_BYTES / 8u);
}

__attribute__((noinline)) static int overflow_intact(void) {
    int ok = 1;
    for (int32_t i = 0; i < WIDE; i++) {
        bs_value n = *bs_fixed_at(roots[4], i, 0);
        ok &= bs_class_id_of(n) == NODE && bs_words(n)[1] == (uint32_t)i && text_is(bs_words(n)[2], "w", i);
    }
    CHECK(ok, "the wide array is intact");
    int32_t count = 0;
    for (bs_value n = roots[5]; n != BS_NULL; n = bs_words(n)[2]) {
        ok &= bs_words(n)[1] == (uint32_t)(DEEP - 1 - count);
        count++;
    }
    CHECK(count == DEEP, "the deep list is intact (%d)", (int)count);
    return ok && count == DEEP;
}

static void test_mark_stack_overflow(void) {
    overflow_make();
    collect();
    CHECK(blocks_in_use() == 2 * WIDE + 1 + DEEP, "all %d live blocks kept (%u)", 2 * WIDE + 1 + DEEP,
          blocks_in_use());
    CHECK(overflow_intact(), "the objects are intact");
    roots[4] = roots[5] = BS_NULL;
    collect();
    CHECK(blocks_in_use() == 0, "all freed: %u", blocks_in_use());
    check_heap("mark stack overflow");
}

/* 100 times the heap in short-lived objects while a live set stays reachable. */
static void test_churn(void) {
    /* The live set: strings reachable only through a vector's store, integer arrays through a
       FixedArray, a list of nodes, a Node[] vector, and a vector held only by this stack frame. */
    const int32_t n_strings = 40, n_arrays = 20, n_nodes = 30;
    roots[6] = bs_vector_new(BS_CLASS_ANY_ARRAY, 0, BS_NULL, 0);
    for (int32_t i = 0; i < n_strings; i++)
        bs_vector_push(roots[6], text_of("s", i));
    roots[7] = bs_fixed_array_new(n_arrays, BS_NULL, 0);
    for (int32_t i = 0; i < n_arrays; i++)
        *bs_fixed_at(roots[7], i, 0) = bs_int_array_new(i, i * 3, 0);
    roots[8] = BS_NULL;
    for (int32_t i = 0; i < n_nodes; i++)
        roots[8] = node_new(i, roots[8]);
    roots[9] = bs_vector_new(NODE_ARRAY, 0, BS_NULL, 0);
    bs_value on_stack = bs_vector_new(BS_CLASS_ANY_ARRAY, 0, BS_NULL, 0);
    for (int32_t i = 0; i < 10; i++)
        bs_vector_push(on_stack, bs_box_float((float)i + 0.5f));

    bs_heap_stats before, after;
    bs_heap_get_stats(&before);
    const uint32_t total = 100u * HEAP_BYTES, step = 4096u;
    int32_t round = 0;
    for (uint32_t done = 0; done < total; done += step, round++) {
        make_garbage(step);
        /* Replace one string by an equal new one; rotate the Node[] vector; shift/unshift. */
        int32_t k = round % n_strings;
        *bs_vector_at(roots[6], k, 0) = text_of("s", k);
        bs_vector_push(roots[9], node_new(round, text_of("r", round)));
        if (bs_array_length(roots[9]) > 8) {
            bs_value first = bs_vector_shift(roots[9]);
            CHECK(bs_words(first)[1] == (uint32_t)(round - 8) && text_is(bs_words(first)[2], "r", round - 8),
                  "round %d: the oldest node", (int)round);
        }
        bs_vector_unshift(on_stack, bs_vector_pop(on_stack));
    }
    bs_heap_get_stats(&after);
    uint32_t collections = after.collections - before.collections;
    printf("  churn: %u rounds, %u collections\n", (unsigned)round, collections);
    CHECK(collections >= (BS_GC_STRESS ? 10000u : 90u), "%u collections", collections);

    int ok = 1;
    for (int32_t i = 0; i < n_strings; i++)
        ok &= text_is(*bs_vector_at(roots[6], i, 0), "s", i);
    CHECK(ok && bs_array_length(roots[6]) == n_strings, "strings intact");
    for (int32_t i = 0; i < n_arrays; i++) {
        bs_value a = *bs_fixed_at(roots[7], i, 0);
        ok &= bs_class_id_of(a) == BS_CLASS_INT_ARRAY && bs_array_length(a) == i;
        for (int32_t j = 0; j < i; j++)
            ok &= *bs_int_at(a, j, 0) == i * 3;
    }
    CHECK(ok, "integer arrays intact");
    int32_t count = 0;
    for (bs_value n = roots[8]; n != BS_NULL; n = bs_words(n)[2], count++)
        ok &= bs_words(n)[1] == (uint32_t)(n_nodes - 1 - count);
    CHECK(ok && count == n_nodes, "node list intact");
    CHECK(bs_array_length(roots[9]) == 8, "Node[] length");
    for (int32_t i = 0; i < 8; i++) {
        bs_value n = *bs_vector_at(roots[9], i, 0);
        ok &= bs_words(n)[1] == (uint32_t)(round - 8 + i) && text_is(bs_words(n)[2], "r", round - 8 + i);
    }
    CHECK(ok, "Node[] intact");
    /* 10 floats rotated `round` times by one to the right. */
    for (int32_t i = 0; i < 10; i++)
        ok &= *bs_vector_at(on_stack, ((i + round) % 10), 0) == bs_box_float((float)i + 0.5f);
    CHECK(ok && bs_array_length(on_stack) == 10, "the vector on the stack is intact");
    for (int i = 6; i <= 9; i++)
        roots[i] = BS_NULL;
    check_heap("churn");
}

/* A FixedArray of integer arrays that fills the heap. */
static void fill_heap(void) {
    roots[10] = bs_fixed_array_new(1000, BS_NULL, 0);
    for (int32_t i = 0; i < 1000; i++)
        *bs_fixed_at(roots[10], i, 0) = bs_int_array_new(1000, i, 0);
}

static void test_out_of_memory(void) {
    CHECK(test_call(fill_heap) == 1, "the heap fills up");
    CHECK(test_error.code == BS_ERR_OUT_OF_MEMORY && test_error.detail1 == 4008u && test_error.site == 0,
          "OUT_OF_MEMORY with the bytes requested: %u %u", test_error.code, test_error.detail1);
    check_heap("full heap");
    int32_t filled = 0;
    while (filled < 1000 && *bs_fixed_at(roots[10], filled, 0) != BS_NULL)
        filled++;
    CHECK(filled >= 10, "%d arrays fit", (int)filled);
    int ok = 1;
    for (int32_t i = 0; i < filled; i++)
        ok &= *bs_int_at(*bs_fixed_at(roots[10], i, 0), 999, 0) == i;
    CHECK(ok, "the live arrays are intact");
    /* Dropping them makes room again. */
    roots[10] = BS_NULL;
    bs_value again = bs_int_array_new(1000, 5, 0);
    CHECK(*bs_int_at(again, 999, 0) == 5, "allocation after a collection");
    bs_heap_stats s;
    bs_heap_get_stats(&s);
    CHECK(s.blocks <= 2, "the filled arrays were collected: %u blocks", s.blocks);
    check_heap("after out of memory");
}

static void test_heap_check(void) {
    bs_value a = text_of("check", 1);
    CHECK(bs_heap_check() == NULL, "a sound heap");
    uint32_t *block = (uint32_t *)bs_ptr(a) - 1;
    uint32_t saved = *block;
    *block = saved + 8u;
    CHECK(bs_heap_check() != NULL, "a bad block size is found");
    *block = saved;
    bs_words(a)[0] |= BS_HDR_MARK;
    CHECK(bs_heap_check() != NULL, "a mark left set is found");
    bs_words(a)[0] &= ~BS_HDR_MARK;
    CHECK(bs_heap_check() == NULL, "sound again");
    /* bs_heap_free merges with both neighbours. */
    bs_value b = text_of("check", 2), c = text_of("check", 3);
    bs_heap_free(bs_ptr(b));
    CHECK(bs_heap_check() == NULL && !live((uintptr_t)bs_ptr(b)), "free one");
    bs_heap_free(bs_ptr(a));
    bs_heap_free(bs_ptr(c));
    CHECK(bs_heap_check() == NULL, "free both neighbours");
}

int main(void) {
    bs_heap_init(heap_area, sizeof heap_area);
    bs_string_init();
    bs_class_reset(); /* the built-in classes, as the runtime does when it starts */
    bs_gc_set_data_roots(roots, sizeof roots);
    bs_class_define(NODE, &node_class);
    bs_class_define(NODE_ARRAY, &node_array_class);
    for (int i = 0; i < N_ROOTS; i++)
        roots[i] = BS_NULL;
    CHECK(bs_gc_collect() == 0, "no collection outside a call");

    void (*const groups[])(void) = {test_basics,
                                    test_precise_fields,
                                    test_cycles,
                                    test_conservative_roots,
#if defined(__x86_64__)
                                    test_registers,
#endif
                                    test_mark_stack_overflow,
                                    test_churn,
                                    test_out_of_memory,
                                    test_heap_check};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        CHECK(test_call(groups[i]) == 0, "group %zu stopped by error %u (site %u, %u)", i, test_error.code,
              test_error.site, test_error.detail1);
        check_heap("between groups");
    }
    bs_heap_reset();
    bs_heap_stats s;
    bs_heap_get_stats(&s);
    CHECK(s.used == 0 && s.blocks == 0 && s.collections == 0 && s.free == s.size && s.size > HEAP_BYTES - 1200u,
          "reset: size %u", s.size);
    check_heap("reset");
    return test_finish(BS_GC_STRESS ? "test_gc (stress)" : "test_gc");
}
