/* bs_gc.c: the garbage collector: conservative roots (registers, stack, data region), precise tracing by class, bounded marking. */
#include <setjmp.h>
#include <string.h>

#include "bs.h"
#include "bs_config.h"
#include "bs_event.h"
#include "bs_gc.h"
#include "bs_hal.h"
#include "bs_heap.h"

/*
 * Marking sets BS_HDR_MARK in the object header (the first word of a block's payload) and pushes
 * objects that can hold references on a bounded mark stack. When the stack is full the object
 * stays marked but unscanned and `gc_overflow` is set; once the stack is drained, the heap is
 * rescanned for marked objects until no overflow happened (scanning an object twice is harmless).
 * The sweep (bs_heap_sweep) frees unmarked blocks and clears the marks.
 */

static uintptr_t gc_stack_top;
static uintptr_t gc_data_base;
static uint32_t gc_data_size;
static uint32_t gc_mark_stack[BS_GC_MARK_STACK_SIZE];
static uint32_t gc_mark_depth;
static int gc_overflow;
static int gc_running;

void bs_gc_set_stack_top(const void *top) { gc_stack_top = (uintptr_t)top; }

void bs_gc_set_data_roots(const void *base, uint32_t size) {
    gc_data_base = (uintptr_t)base;
    gc_data_size = size;
}

/* The descriptor of program class `id`, or NULL. */
static const bs_class *gc_class(uint32_t id) {
    return id >= BS_FIRST_PROGRAM_CLASS && id < BS_MAX_CLASSES ? bs_class_table[id] : NULL;
}

/* 1 when objects of class `id` can hold references (and so need scanning). */
static int gc_has_refs(uint32_t id) {
    switch (id) {
    case BS_CLASS_FIXED_ARRAY:
    case BS_CLASS_ANY_ARRAY:
    case BS_CLASS_STORE:
    case BS_CLASS_FUNCTION:
    case BS_CLASS_CELL:
        return 1;
    default:
        return gc_class(id) != NULL;
    }
}

static void gc_mark(uint32_t *object) {
    uint32_t header = object[0];
    if (header & BS_HDR_MARK)
        return;
    object[0] = header | BS_HDR_MARK;
    if (!gc_has_refs(BS_HDR_CLASS(header)))
        return;
    if (gc_mark_depth < BS_GC_MARK_STACK_SIZE)
        gc_mark_stack[gc_mark_depth++] = (uint32_t)(uintptr_t)object;
    else
        gc_overflow = 1;
}

/* A boxed word inside a heap object: a reference only when tagged and the start of a block. */
static void gc_trace(bs_value w) {
    if ((w & 3u) == 3u && w != BS_NULL && bs_heap_is_block_start((uintptr_t)(w & ~3u)))
        gc_mark((uint32_t *)(uintptr_t)(w & ~3u));
}

static void gc_trace_words(const uint32_t *words, uint32_t count) {
    for (uint32_t i = 0; i < count; i++)
        gc_trace(words[i]);
}

/* Marks what `object` refers to, by its class. Lengths are bounded by the block's size. */
static void gc_scan(const uint32_t *object) {
    uint32_t words = bs_heap_block_words(object);
    uint32_t id = BS_HDR_CLASS(object[0]);
    switch (id) {
    case BS_CLASS_FIXED_ARRAY:
    case BS_CLASS_STORE: /* header, length or capacity, then boxed slots */
        if (words >= 2u)
            gc_trace_words(object + 2, object[1] < words - 2u ? object[1] : words - 2u);
        return;
    case BS_CLASS_ANY_ARRAY:
        if (words >= 3u)
            gc_trace(object[2]);
        return;
    case BS_CLASS_CELL:
        if (words >= 2u)
            gc_trace(object[1]);
        return;
    case BS_CLASS_FUNCTION: /* layout not fixed yet: every word is a possible boxed reference */
        gc_trace_words(object + 1, words - 1u);
        return;
    default:
        break;
    }
    const bs_class *c = gc_class(id);
    if (c == NULL)
        return;
    if (c->kind == BS_KIND_REF_ARRAY) {
        if (words >= 3u)
            gc_trace(object[2]);
    } else if (c->kind == BS_KIND_OBJECT && c->ref_bits != NULL) {
        uint32_t n = c->words < words ? c->words : words;
        for (uint32_t k = 1; k < n; k++)
            if ((c->ref_bits[k / 32u] >> (k % 32u)) & 1u)
                gc_trace(object[k]);
    }
}

static void gc_drain(void) {
    while (gc_mark_depth > 0)
        gc_scan((const uint32_t *)(uintptr_t)gc_mark_stack[--gc_mark_depth]);
}

/* Conservative roots: every aligned word of [lo, hi) that points into an allocated block. */
static void gc_scan_range(uintptr_t lo, uintptr_t hi) {
    lo = (lo + 3u) & ~(uintptr_t)3u;
    for (const uint32_t *p = (const uint32_t *)lo; (uintptr_t)(p + 1) <= hi; p++) {
        uint32_t *object = bs_heap_find_block((uintptr_t)*p);
        if (object != NULL) {
            gc_mark(object);
            gc_drain();
        }
    }
}

uint32_t bs_gc_code_return_address(void) {
    /* Static, not on the stack that is scanned: the code region's base is itself an address in
       loaded code. */
    static bs_hal_region code, data, heap;
    bs_hal_regions(&code, &data, &heap);
    volatile uint32_t here = 0;
    uintptr_t p = ((uintptr_t)&here + 3u) & ~(uintptr_t)3u;
    if (gc_stack_top == 0 || p >= gc_stack_top)
        return 0;
    /* The innermost word on the stack that points into loaded code just after a call: a return
       address. (Words saved from registers may hold other code addresses: function values, the
       entry point.) */
    for (; p + 4u <= gc_stack_top; p += 4u) {
        uint32_t w = *(const uint32_t *)p;
        if (w >= code.base && w < code.base + code.size && bs_hal_is_return_address(w))
            return w;
    }
    return 0;
}

/* Runs with the registers already on the stack (see bs_gc_collect). */
__attribute__((noinline)) static int gc_collect_spilled(void *registers) {
    volatile uint32_t here = 0; /* its address is (about) the stack pointer */
    uintptr_t sp = (uintptr_t)&here;
    if ((uintptr_t)registers < sp)
        sp = (uintptr_t)registers;
    gc_mark_depth = 0;
    gc_overflow = 0;
    if (sp < gc_stack_top)
        gc_scan_range(sp, gc_stack_top);
    else
        gc_scan_range(gc_stack_top, sp); /* a stack that grows upwards */
    if (gc_data_size > 0)
        gc_scan_range(gc_data_base, gc_data_base + gc_data_size);
    uintptr_t events_lo, events_hi;
    bs_event_roots(&events_lo, &events_hi);
    gc_scan_range(events_lo, events_hi);
    while (gc_overflow) {
        gc_overflow = 0;
        for (uint32_t *b = bs_heap_next_block(NULL); b != NULL; b = bs_heap_next_block(b)) {
            if ((b[0] & BS_HDR_MARK) && gc_has_refs(BS_HDR_CLASS(b[0]))) {
                gc_scan(b);
                gc_drain();
            }
        }
    }
    uint32_t freed = bs_heap_sweep();
#if BS_GC_STRESS
    const char *broken = bs_heap_check();
    if (broken != NULL)
        bs_hal_panic(broken);
#endif
    (void)here;
    return freed > 0;
}

/*
 * Zeroes the stack just below the caller's frame, where the collector's own frames go next: the
 * words there are stale (an exception frame a timer interrupt pushed while some earlier call ran,
 * say, holding a pointer to an array that has died since), and the parts of the collector's
 * frames it never writes (most of a jmp_buf) would otherwise keep such objects alive.
 */
__attribute__((noinline)) static void gc_clear_stack_below(void) {
    uint32_t stale[128];
    volatile uint32_t *w = stale; /* through a volatile pointer: the stores stay */
    for (uint32_t i = 0; i < 128u; i++)
        w[i] = 0;
}

static int gc_collect_now(void);

int bs_gc_collect(void) {
    if (gc_stack_top == 0 || gc_running)
        return 0;
    gc_clear_stack_below();
    return gc_collect_now();
}

__attribute__((noinline)) static int gc_collect_now(void) {
    gc_running = 1;
    /*
     * Every callee-saved register may hold the only reference to an object. setjmp stores them in
     * `registers`, on the stack; glibc mangles the frame and stack pointers it stores there, so with
     * GCC __builtin_unwind_init also makes this function save every callee-saved register in its
     * own frame, which the scan covers as well.
     */
    jmp_buf registers;
#if defined(__GNUC__)
    __builtin_unwind_init();
#endif
    setjmp(registers);
    int freed = gc_collect_spilled(&registers);
    gc_running = 0;
    return freed;
}
