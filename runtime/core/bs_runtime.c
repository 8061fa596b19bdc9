/* bs_runtime.c: the message loop (HELLO, LOAD, CALL, RESET, MEMINFO, SWAP, PEEK), the error trap,
   and the dynamic compiler's hooks (PROFILE, and pauses for a patch). */
#include <setjmp.h>
#include <string.h>

#include "bs.h"
#include "bs_auth.h"
#include "bs_class.h"
#include "bs_config.h"
#include "bs_event.h"
#include "bs_gc.h"
#include "bs_hal.h"
#include "bs_heap.h"
#include "bs_output.h"
#include "bs_protocol.h"
#include "bs_string.h"
#include "bs_runtime.h"

#ifndef BS_BUILD_ID
#define BS_BUILD_ID 0ULL
#endif

__attribute__((used)) const uint8_t bs_build_id[8] = {
    (uint8_t)((BS_BUILD_ID) >> 0),  (uint8_t)((BS_BUILD_ID) >> 8),  (uint8_t)((BS_BUILD_ID) >> 16),
    (uint8_t)((BS_BUILD_ID) >> 24), (uint8_t)((BS_BUILD_ID) >> 32), (uint8_t)((BS_BUILD_ID) >> 40),
    (uint8_t)((BS_BUILD_ID) >> 48), (uint8_t)((BS_BUILD_ID) >> 56),
};

static bs_hal_region region_code, region_data, region_heap;
static uint32_t code_used, data_used; /* high-water marks of loads, relative to the bases */
static uint32_t session_id;
static int greeted; /* a HELLO came since the device started: requests belong to a session */

static jmp_buf trap;
static volatile int trap_armed;
static bs_runtime_error trap_error;

/* The seq of the running (or last) CALL, and an INTERRUPT for it that waits to be carried out. */
static volatile uint8_t call_seq;
static volatile int interrupt_requested;

/* Set by PATCH for the running CALL (docs/dynamic.md); `paused` while bs_runtime_patch_point
   serves requests. */
volatile uint8_t bs_patch_wanted;
static int paused;

/* How often a paused device looks for an INTERRUPT when no frame comes. */
#define PAUSE_POLL_US 10000u

/* --- the trap ---------------------------------------------------------------------------------- */

static _Noreturn void trap_unwind(uint32_t code, uint32_t site, uint32_t address, uint32_t detail1,
                                  uint32_t detail2) {
    if (!trap_armed)
        bs_hal_panic("run-time error outside a call");
    trap_armed = 0;
    trap_error.code = code;
    trap_error.site = site;
    trap_error.address = address;
    trap_error.detail1 = detail1;
    trap_error.detail2 = detail2;
    longjmp(trap, 1);
}

_Noreturn void bs_error(uint32_t code, uint32_t site, uint32_t detail1, uint32_t detail2) {
    trap_unwind(code, site, 0, detail1, detail2);
}

_Noreturn void bs_runtime_fault(uint32_t code, uint32_t address, uint32_t detail1, uint32_t pc) {
    trap_unwind(code, 0, address, detail1, pc);
}

int bs_runtime_in_call(void) { return trap_armed; }

/* A callback runs while no CALL does (bs_event.c): the host cannot know a seq for it, so an
   INTERRUPT or PING with any seq but that of the last CALL (whose late ones may still come)
   is for the callback, and a PONG answers with the PING's seq. */
static volatile uint8_t idle_call;
static volatile uint8_t ended_call_seq;

void bs_runtime_idle_call(int running) {
    interrupt_requested = 0;
    bs_patch_wanted = 0;
    idle_call = (uint8_t)running;
    if (!running)
        call_seq = ended_call_seq;
}

/* --- interrupts -------------------------------------------------------------------------------- */

int bs_runtime_async_byte(uint8_t byte) {
    uint8_t seq;
    int kind = bs_protocol_scan_async(byte, &seq);
    if (kind == 0 || !trap_armed)
        return BS_ASYNC_NONE;
    if (idle_call && kind != BS_MSG_PATCH && seq != ended_call_seq)
        call_seq = seq;
    if (seq != call_seq)
        return BS_ASYNC_NONE; /* late: for a CALL that already ended */
    if (kind == BS_MSG_PING)
        return BS_ASYNC_PING;
    if (kind == BS_MSG_PATCH) {
        bs_patch_wanted = 1;
        return BS_ASYNC_NONE;
    }
    interrupt_requested = 1;
    return BS_ASYNC_INTERRUPT;
}

int bs_runtime_interrupt_requested(void) { return interrupt_requested && trap_armed; }

_Noreturn void bs_runtime_interrupt(uint32_t pc) {
    interrupt_requested = 0;
    bs_error(BS_ERR_INTERRUPTED, 0, 0, pc);
}

void bs_runtime_safe_point(void) {
    if (interrupt_requested && trap_armed)
        bs_runtime_interrupt(bs_gc_code_return_address());
}

void bs_runtime_pong(uint8_t *out) { bs_protocol_encode_pong(out, call_seq); }

/*
 * Clears BS_GC_STACK_SCRUB bytes of stack below the caller's frame before a call: the collector
 * scans the stack conservatively, and stale words left there by earlier calls (in the frames of an
 * earlier collection, say) would keep their objects alive.
 */
__attribute__((noinline)) static void scrub_stack(void) {
    volatile uint32_t area[BS_GC_STACK_SCRUB / 4u];
    for (uint32_t i = 0; i < BS_GC_STACK_SCRUB / 4u; i++)
        area[i] = 0;
    (void)area[0];
}

/* A call made while another one runs: its errors stop only it; the outer trap and stack top stay. */
static int call_nested(uint32_t entry, bs_runtime_error *error) {
    jmp_buf outer;
    volatile int stopped = 0;
    memcpy(&outer, &trap, sizeof trap);
    if (setjmp(trap) != 0) {
        *error = trap_error;
        stopped = 1;
    } else {
        bs_hal_call(entry);
    }
    memcpy(&trap, &outer, sizeof trap);
    trap_armed = 1;
    if (stopped && error->code == BS_ERR_INTERRUPTED)
        trap_unwind(error->code, error->site, error->address, error->detail1, error->detail2);
    return stopped;
}

int bs_runtime_call(uint32_t entry, bs_runtime_error *error) {
    if (trap_armed)
        return call_nested(entry, error);
    /* Every frame of the call lies below this one: the collector scans the stack up to here. */
    volatile uint32_t stack_top = 0;
    if (setjmp(trap) != 0) {
        bs_gc_set_stack_top(NULL);
        *error = trap_error;
        return 1;
    }
    trap_armed = 1;
    bs_gc_set_stack_top((const void *)&stack_top);
    scrub_stack();
    bs_hal_call(entry);
    bs_gc_set_stack_top(NULL);
    trap_armed = 0;
    return 0;
}

/* --- replies ----------------------------------------------------------------------------------- */

static void reply_error(uint8_t seq, const bs_runtime_error *e) {
    uint8_t p[18];
    bs_protocol_put_u16(p, e->code);
    bs_protocol_put_u32(p + 2, e->site);
    bs_protocol_put_u32(p + 6, e->address);
    bs_protocol_put_u32(p + 10, e->detail1);
    bs_protocol_put_u32(p + 14, e->detail2);
    bs_protocol_send(BS_MSG_ERROR, seq, p, sizeof p);
}

static void reply_simple_error(uint8_t seq, uint32_t code, uint32_t address, uint32_t detail1) {
    bs_runtime_error e = {code, 0, address, detail1, 0};
    reply_error(seq, &e);
}

static void reply_ok(uint8_t seq, uint8_t kind) { bs_protocol_send(BS_MSG_OK, seq, &kind, 1); }

/* --- requests ---------------------------------------------------------------------------------- */

/* A session id that differs from the previous one: the clock and a stack address, mixed. */
static void new_session_id(void) {
    uint32_t local = 0;
    uint32_t old = session_id;
    do {
        uint32_t x = bs_hal_micros() ^ (uint32_t)(uintptr_t)&local ^ (old * 0x9E3779B9u) ^ ++local;
        x ^= x >> 16;
        x *= 0x7FEB352Du;
        x ^= x >> 15;
        x *= 0x846CA68Bu;
        x ^= x >> 16;
        session_id = x;
    } while (session_id == old || session_id == 0);
    bs_protocol_set_session(session_id);
}

static void handle_hello(const bs_protocol_frame *f) {
    if (f->length < 2) {
        reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
        return;
    }
    if (bs_protocol_get_u16(f->payload) != BS_PROTOCOL_VERSION) {
        reply_simple_error(f->seq, BS_ERR_BAD_VERSION, 0, BS_PROTOCOL_VERSION);
        return;
    }
    if (f->length != BS_HELLO_SIZE) {
        reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
        return;
    }
    if (!greeted) {
        /* The first HELLO since the device started: choose the session id now. The clock at
           this moment depends on when the host came, so a device that restarts (and would run
           the same start-up to the same clock reading) gets another id than before. */
        new_session_id();
        greeted = 1;
    }
    uint8_t p[BS_HELLO_REPLY_SIZE];
    bs_protocol_put_u16(p, BS_PROTOCOL_VERSION);
    p[2] = (uint8_t)sizeof(void *);
    p[3] = (uint8_t)BS_ARCH;
    bs_protocol_put_u32(p + 4, session_id);
    memcpy(p + 8, bs_build_id, 8);
    bs_protocol_put_u32(p + 16, (uint32_t)region_code.base);
    bs_protocol_put_u32(p + 20, region_code.size);
    bs_protocol_put_u32(p + 24, (uint32_t)region_data.base);
    bs_protocol_put_u32(p + 28, region_data.size);
    bs_protocol_put_u32(p + 32, (uint32_t)region_heap.base);
    bs_protocol_put_u32(p + 36, region_heap.size);
    bs_protocol_put_u16(p + 40, BS_LINK_MAX_PAYLOAD);
    bs_auth_hello(p + 42, bs_protocol_get_u32(f->payload + 2));
    bs_protocol_send(BS_MSG_HELLO_REPLY, f->seq, p, sizeof p);
}

/* 1 when [addr, addr + len) lies inside `r`; then *end is the offset just past it. */
static int region_contains(const bs_hal_region *r, uint32_t addr, uint32_t len, uint32_t *end) {
    uint64_t lo = addr, hi = (uint64_t)addr + len;
    if (lo < r->base || hi > (uint64_t)r->base + r->size)
        return 0;
    *end = (uint32_t)(hi - r->base);
    return 1;
}

/* Marks [addr, addr + len), in the code or the data region, as loaded. */
static void note_load(uint32_t addr, uint32_t len) {
    uint32_t end;
    if (region_contains(&region_code, addr, len, &end)) {
        if (end > code_used)
            code_used = end;
        bs_hal_flush_icache(addr, len);
    } else if (region_contains(&region_data, addr, len, &end)) {
        if (end > data_used)
            data_used = end;
        bs_gc_set_data_roots((const void *)region_data.base, data_used);
    }
}

static void handle_load(const bs_protocol_frame *f) {
    if (f->length < 4) {
        reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
        return;
    }
    uint32_t addr = bs_protocol_get_u32(f->payload);
    uint32_t len = f->length - 4u;
    uint32_t end;
    if (!region_contains(&region_code, addr, len, &end) && !region_contains(&region_data, addr, len, &end)) {
        reply_simple_error(f->seq, BS_ERR_LOAD_RANGE, addr, len);
        return;
    }
    if (len > 0)
        memcpy((void *)(uintptr_t)addr, f->payload + 4, len);
    note_load(addr, len);
    reply_ok(f->seq, f->kind);
}

/* A CALL's segments (docs/protocol.md, section 3): u32 address, u16 length (bit 15: that many
   zeros, no bytes follow), the bytes. */
#define SEGMENT_HEADER 6u
#define SEGMENT_ZEROS 0x8000u

/* Checks (write = 0) or writes (write = 1) the segments in `p[0 .. len)`; returns 0 when they are
   well formed and inside the regions, else refuses the CALL `f` and returns 1. */
static int call_segments(const bs_protocol_frame *f, const uint8_t *p, uint32_t len, int write) {
    while (len > 0) {
        if (len < SEGMENT_HEADER)
            break;
        uint32_t addr = bs_protocol_get_u32(p);
        uint32_t head = bs_protocol_get_u16(p + 4);
        uint32_t n = head & ~SEGMENT_ZEROS;
        uint32_t carried = (head & SEGMENT_ZEROS) ? 0u : n;
        if (len - SEGMENT_HEADER < carried)
            break;
        uint32_t end;
        if (!write && !region_contains(&region_code, addr, n, &end) &&
            !region_contains(&region_data, addr, n, &end)) {
            reply_simple_error(f->seq, BS_ERR_LOAD_RANGE, addr, n);
            return 1;
        }
        if (write) {
            if (carried > 0)
                memcpy((void *)(uintptr_t)addr, p + SEGMENT_HEADER, n);
            else if (n > 0)
                memset((void *)(uintptr_t)addr, 0, n);
            note_load(addr, n);
        }
        p += SEGMENT_HEADER + carried;
        len -= SEGMENT_HEADER + carried;
    }
    if (len == 0)
        return 0;
    reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
    return 1;
}

static void handle_call(const bs_protocol_frame *f) {
    if (f->length < 4) {
        reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
        return;
    }
    uint32_t entry = bs_protocol_get_u32(f->payload);
    uint32_t end;
    if (!region_contains(&region_code, entry, 1, &end)) {
        reply_simple_error(f->seq, BS_ERR_CALL_RANGE, entry, 0);
        return;
    }
    /* Nothing is written unless every segment can be. */
    if (call_segments(f, f->payload + 4, f->length - 4u, 0))
        return;
    call_segments(f, f->payload + 4, f->length - 4u, 1);
    uint8_t seq = f->seq;
    call_seq = seq;
    ended_call_seq = seq;
    interrupt_requested = 0;
    bs_patch_wanted = 0;
    bs_output_begin(seq);
    uint32_t start = bs_hal_micros();
    bs_runtime_error error;
    int stopped = bs_runtime_call(entry, &error);
    uint32_t elapsed = bs_hal_micros() - start;
    bs_patch_wanted = 0;
    /* A call stopped while it was paused (INTERRUPT): the host may send its patch's requests
       before it learns that the call ended, so the end must not be taken as acknowledged by
       them. */
    bs_protocol_ack_required = (uint8_t)paused;
    paused = 0;
    bs_output_flush();
    if (stopped) {
        reply_error(seq, &error);
    } else {
        uint8_t p[5];
        bs_protocol_put_u32(p, elapsed);
        p[4] = bs_event_flags();
        bs_protocol_send(BS_MSG_RESULT, seq, p, sizeof p);
    }
    bs_protocol_ack_required = 0;
}

/* SWAP: u32 address of a word in the data region, u32 expected, u32 new value. */
static void handle_swap(const bs_protocol_frame *f) {
    if (f->length != 12) {
        reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
        return;
    }
    uint32_t addr = bs_protocol_get_u32(f->payload);
    uint32_t end;
    if ((addr & 3u) != 0 || !region_contains(&region_data, addr, 4, &end)) {
        reply_simple_error(f->seq, BS_ERR_LOAD_RANGE, addr, 4);
        return;
    }
    volatile uint32_t *word = (volatile uint32_t *)(uintptr_t)addr;
    uint32_t found = *word;
    if (found != bs_protocol_get_u32(f->payload + 4)) {
        reply_simple_error(f->seq, BS_ERR_SWAP_MISMATCH, addr, found);
        return;
    }
    *word = bs_protocol_get_u32(f->payload + 8);
    reply_ok(f->seq, f->kind);
}

/* PEEK: u32 address, u16 length; the bytes must lie in the code or the data region. */
static void handle_peek(const bs_protocol_frame *f) {
    if (f->length != 6 || bs_protocol_get_u16(f->payload + 4) > BS_LINK_MAX_PAYLOAD - 4u) {
        reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
        return;
    }
    uint32_t addr = bs_protocol_get_u32(f->payload);
    uint32_t len = bs_protocol_get_u16(f->payload + 4);
    uint32_t end;
    if (!region_contains(&region_code, addr, len, &end) && !region_contains(&region_data, addr, len, &end)) {
        reply_simple_error(f->seq, BS_ERR_LOAD_RANGE, addr, len);
        return;
    }
    bs_protocol_send(BS_MSG_PEEK_REPLY, f->seq, (const uint8_t *)(uintptr_t)addr, len);
}

/* Refuses a request that failed the auth check (docs/protocol.md, section 6). */
static void reply_auth_error(const bs_protocol_frame *f, uint32_t reason, uint32_t counter) {
    bs_runtime_error e = {BS_ERR_AUTH, 0, counter, reason, (uint32_t)(f->kind & ~BS_AUTH_FLAG)};
    reply_error(f->seq, &e);
}

static void reset_device(void) {
    bs_event_reset();
    bs_heap_reset();
    bs_class_reset();
    memset((void *)region_code.base, 0, region_code.size);
    memset((void *)region_data.base, 0, region_data.size);
    bs_hal_flush_icache(region_code.base, region_code.size);
    code_used = 0;
    data_used = 0;
    bs_gc_set_data_roots((const void *)region_data.base, 0);
    new_session_id();
}

static void handle_reset(const bs_protocol_frame *f) {
    if (f->length != 0) {
        reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
        return;
    }
    reset_device();
    reply_ok(f->seq, f->kind);
}

static void handle_events(const bs_protocol_frame *f) {
    if (f->length != 0) {
        reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
        return;
    }
    static uint8_t p[BS_LINK_MAX_PAYLOAD];
    uint32_t n = bs_event_reply(p, BS_LINK_MAX_PAYLOAD);
    bs_protocol_send(BS_MSG_EVENTS_REPLY, f->seq, p, n);
}

static void handle_meminfo(const bs_protocol_frame *f) {
    if (f->length > 1 || (f->length == 1 && (f->payload[0] & ~BS_MEMINFO_COLLECT) != 0)) {
        reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
        return;
    }
    if (f->length == 1 && (f->payload[0] & BS_MEMINFO_COLLECT) != 0) {
        if (paused) {
            /* A call is paused for a patch: its frames are roots, up to its stack top. */
            bs_gc_collect();
        } else {
            /* No call runs: the only roots are the data region's, and no frame below this one. */
            volatile uint32_t stack_top = 0;
            bs_gc_set_stack_top((const void *)&stack_top);
            bs_gc_collect();
            bs_gc_set_stack_top(NULL);
        }
    }
    bs_heap_stats s;
    bs_heap_get_stats(&s);
    uint8_t p[24];
    bs_protocol_put_u32(p, s.size);
    bs_protocol_put_u32(p + 4, s.used);
    bs_protocol_put_u32(p + 8, s.free);
    bs_protocol_put_u32(p + 12, s.blocks);
    bs_protocol_put_u32(p + 16, code_used);
    bs_protocol_put_u32(p + 20, data_used);
    bs_protocol_send(BS_MSG_MEMINFO_REPLY, f->seq, p, sizeof p);
}

/*
 * Carries out one request. While a call is paused for a patch, only LOAD, SWAP, PEEK, MEMINFO
 * and RESUME are served (the others are refused with BAD_MESSAGE); returns 1 for RESUME.
 */
static int serve(bs_protocol_frame *f) {
    if (!greeted && f->kind != BS_MSG_HELLO) {
        /* The device restarted under a host that still has a session: refuse, so it notices. */
        reply_simple_error(f->seq, BS_ERR_NO_SESSION, 0, f->kind);
        return 0;
    }
    uint32_t counter;
    uint32_t refused = bs_auth_check(f, &counter);
    if (refused != 0) {
        reply_auth_error(f, refused, counter);
        return 0;
    }
    switch (f->kind) {
    case BS_MSG_LOAD:
        handle_load(f);
        return 0;
    case BS_MSG_MEMINFO:
        handle_meminfo(f);
        return 0;
    case BS_MSG_SWAP:
        handle_swap(f);
        return 0;
    case BS_MSG_PEEK:
        handle_peek(f);
        return 0;
    case BS_MSG_HELLO:
        if (!paused) {
            handle_hello(f);
            return 0;
        }
        break;
    case BS_MSG_CALL:
        if (!paused) {
            handle_call(f);
            return 0;
        }
        break;
    case BS_MSG_EVENTS:
        if (!paused) {
            handle_events(f);
            return 0;
        }
        break;
    case BS_MSG_RESET:
        if (!paused) {
            handle_reset(f);
            return 0;
        }
        break;
    case BS_MSG_RESUME:
        if (paused && f->length == 0) {
            reply_ok(f->seq, f->kind);
            return 1;
        }
        break;
    default:
        break;
    }
    reply_simple_error(f->seq, BS_ERR_BAD_MESSAGE, 0, f->kind);
    return 0;
}

/* --- the dynamic compiler's hooks (docs/dynamic.md) -------------------------------------------- */

void bs_runtime_profile_report(bs_profile *p, uint32_t row) {
    if (!trap_armed || idle_call)
        return; /* a callback outside a CALL: no CALL to report with */
    uint8_t m[6 + 2 * BS_PROFILE_MAX_ARGS];
    uint32_t n = row < BS_PROFILE_ROWS && p->nargs <= BS_PROFILE_MAX_ARGS ? p->nargs : 0u;
    bs_protocol_put_u32(m, (uint32_t)(uintptr_t)p);
    m[4] = (uint8_t)row;
    m[5] = (uint8_t)n;
    for (uint32_t i = 0; i < n; i++)
        bs_protocol_put_u16(m + 6 + 2 * i, p->sig[row][i]);
    bs_protocol_send(BS_MSG_PROFILE, call_seq, m, 6 + 2 * n);
}

void bs_runtime_patch_point(void) {
    bs_patch_wanted = 0;
    if (!trap_armed || paused)
        return;
    paused = 1;
    bs_protocol_send(BS_MSG_PAUSED, call_seq, NULL, 0);
    for (;;) {
        /* An INTERRUPT stops the call here as at any safe point (the port may also have made
           the loaded code's call of this function return into the error path). */
        bs_runtime_safe_point();
        bs_protocol_frame f;
        int r = bs_protocol_receive(&f, PAUSE_POLL_US);
        if (r < 0)
            bs_runtime_interrupt(0); /* the link closed: end the call; the message loop ends too */
        if (r == 0 && serve(&f))
            break;
    }
    /* PATCH frames repeated while the device was paused are for this pause. */
    bs_patch_wanted = 0;
    paused = 0;
}

void bs_runtime_run(void) {
    bs_hal_regions(&region_code, &region_data, &region_heap);
    bs_heap_init((void *)region_heap.base, region_heap.size);
    bs_string_init();
    reset_device();

    bs_protocol_frame f;
    for (;;) {
        /* Idle: run the callbacks that are due, then wait for a request until the next is. */
        if (greeted)
            bs_event_run();
        int r = bs_protocol_receive(&f, greeted ? bs_event_idle_wait() : BS_HAL_FOREVER);
        if (r < 0)
            break;
        if (r == 0)
            serve(&f);
    }
}
