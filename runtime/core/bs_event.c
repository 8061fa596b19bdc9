/* bs_event.c: timers (setInterval, setTimeout), the event queue that drivers post to, and the event
   buffer that keeps what callbacks print while no CALL runs (docs/semantics.md, "Timers"). */
#include <string.h>

#include "bs.h"
#include "bs_config.h"
#include "bs_event.h"
#include "bs_hal.h"
#include "bs_protocol.h"
#include "bs_runtime.h"

/* Records and the reply's counts are written as the protocol's little-endian numbers. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "bs_event.c writes little-endian words");
_Static_assert((BS_EVENT_QUEUE & (BS_EVENT_QUEUE - 1u)) == 0u, "BS_EVENT_QUEUE must be a power of two");
_Static_assert(BS_TIMERS_MAX >= 1u && BS_TIMERS_MAX <= 255u, "BS_TIMERS_MAX must be 1 to 255");

/*
 * A timer. The main code writes a free entry's fields and then `active` (the clock interrupt
 * skips inactive entries); the interrupt writes only `due` and `queued`. A due timer is queued as
 * its id (a boxed integer), not as its callback, so that clearing it also cancels a tick that
 * waits in the queue.
 */
typedef struct bs_timer {
    bs_value callback;
    int32_t id;
    uint32_t period; /* microseconds */
    volatile uint32_t due;
    volatile uint8_t active;
    volatile uint8_t queued;
    uint8_t repeat;
} bs_timer;

/* What the collector scans: the timers' callbacks, the queue, the running callback. */
static struct {
    bs_timer timers[BS_TIMERS_MAX];
    bs_value queue[BS_EVENT_QUEUE];
    bs_value running;
} roots;

/* The queue: a ring of BS_EVENT_QUEUE entries with many producers (interrupt handlers, the main
   code) and one consumer (bs_event_run). A producer claims a slot by moving `q_tail`, writes it
   and marks it ready. */
static volatile uint8_t q_ready[BS_EVENT_QUEUE];
static volatile uint32_t q_head, q_tail;
static volatile uint32_t dropped_events;
static volatile int32_t sources; /* drivers that may post (bs_event_sources_add) */

static int32_t last_id;
static uint8_t timers_active; /* entries with `active` set */
static uint8_t in_callback;  /* a callback runs (from idle or from time.delay) */
uint8_t bs_event_idle_running; /* ... and no CALL runs: output goes to the event buffer */

/* The event buffer: records of u8 kind, u16 length, bytes. */
static uint8_t buffer[BS_EVENT_BUFFER];
static uint32_t buffer_len;
static uint32_t last_record; /* offset of the last record, if buffer_len > 0 */
static uint32_t dropped_bytes;

void bs_event_reset(void) {
    memset(&roots, 0, sizeof roots);
    memset((void *)q_ready, 0, sizeof q_ready);
    q_head = q_tail = 0;
    timers_active = 0;
    dropped_events = 0;
    dropped_bytes = 0;
    buffer_len = 0;
    sources = 0;
    last_id = 0;
}

void bs_event_roots(uintptr_t *lo, uintptr_t *hi) {
    *lo = (uintptr_t)&roots;
    *hi = (uintptr_t)&roots + sizeof roots;
}

/* --- the queue ------------------------------------------------------------------------------ */

int bs_event_post(bs_value callback) {
    uint32_t t = __atomic_load_n(&q_tail, __ATOMIC_ACQUIRE);
    do {
        if (t - __atomic_load_n(&q_head, __ATOMIC_ACQUIRE) >= BS_EVENT_QUEUE) {
            __atomic_fetch_add(&dropped_events, 1u, __ATOMIC_RELAXED);
            return 0;
        }
    } while (!__atomic_compare_exchange_n(&q_tail, &t, t + 1u, 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    uint32_t slot = t & (BS_EVENT_QUEUE - 1u);
    roots.queue[slot] = callback;
    __atomic_store_n(&q_ready[slot], 1, __ATOMIC_RELEASE);
    return 1;
}

void bs_event_sources_add(int32_t delta) { __atomic_fetch_add(&sources, delta, __ATOMIC_RELAXED); }

/* Takes the oldest entry; 0 when there is none (or its producer has not finished writing it). */
static int queue_take(bs_value *out) {
    uint32_t h = q_head;
    if (h == __atomic_load_n(&q_tail, __ATOMIC_ACQUIRE))
        return 0;
    uint32_t slot = h & (BS_EVENT_QUEUE - 1u);
    if (!__atomic_load_n(&q_ready[slot], __ATOMIC_ACQUIRE))
        return 0;
    *out = roots.queue[slot];
    roots.queue[slot] = 0;
    __atomic_store_n(&q_ready[slot], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&q_head, h + 1u, __ATOMIC_RELEASE);
    return 1;
}

/* --- timers --------------------------------------------------------------------------------- */

__attribute__((noinline)) static bs_timer *timer_find(int32_t id) {
    for (uint32_t i = 0; i < BS_TIMERS_MAX; i++) {
        if (roots.timers[i].active && roots.timers[i].id == id)
            return &roots.timers[i];
    }
    return 0;
}


int32_t bs_timer_set(bs_value callback, int32_t ms, int32_t repeat, uint32_t site) {
    bs_timer *t = 0;
    for (uint32_t i = 0; i < BS_TIMERS_MAX && t == 0; i++) {
        if (!roots.timers[i].active)
            t = &roots.timers[i];
    }
    if (t == 0)
        bs_error(BS_ERR_TIMERS, site, BS_TIMERS_MAX, 0);
    if (ms < 1)
        ms = 1;
    if (ms > 0x7FFFFFFF / 1000)
        ms = 0x7FFFFFFF / 1000;
    /* Ids fit a boxed integer; one would be reused after 2^29 timers, if it still ran then. */
    last_id = (last_id & 0x1FFFFFFF) + 1;
    t->callback = callback;
    t->id = last_id;
    t->period = (uint32_t)ms * 1000u;
    t->repeat = (uint8_t)(repeat != 0);
    t->queued = 0;
    t->due = bs_hal_micros() + t->period;
    __atomic_store_n(&t->active, 1, __ATOMIC_RELEASE);
    timers_active++;
    return t->id;
}

void bs_timer_clear(int32_t id) {
    bs_timer *t = timer_find(id);
    if (t != 0) {
        __atomic_store_n(&t->active, 0, __ATOMIC_RELEASE);
        t->callback = 0;
        timers_active--;
    }
}

int32_t bs_event_last_id(void) { return last_id; }

void bs_event_clear_after(int32_t id) {
    for (uint32_t i = 0; i < BS_TIMERS_MAX; i++) {
        bs_timer *t = &roots.timers[i];
        if (t->active && t->id > id)
            bs_timer_clear(t->id);
    }
}

void bs_event_tick(uint32_t now) {
    /* Due timers are queued in the order they were due (the most overdue first), so that two
       timeouts found due at one tick still run in their order. Each pass moves one due time
       past `now`. */
    for (;;) {
        bs_timer *t = NULL;
        for (uint32_t i = 0; i < BS_TIMERS_MAX; i++) {
            bs_timer *c = &roots.timers[i];
            if (c->active && (int32_t)(now - c->due) >= 0 &&
                (t == NULL || (int32_t)(c->due - t->due) < 0))
                t = c;
        }
        if (t == NULL)
            return;
        if (!t->queued && bs_event_post(bs_box_int(t->id)))
            t->queued = 1;
        if (!t->repeat) {
            t->due = now + 0x40000000u; /* queued once; removed when its callback runs */
            continue;
        }
        /* The next period starts where this one was due, so that the average rate is exact; a
           timer that fell more than a period behind skips the ticks it missed. */
        uint32_t due = t->due + t->period;
        if ((int32_t)(now - due) >= 0)
            due = now + t->period;
        t->due = due;
    }
}

uint32_t bs_event_idle_wait(void) {
    if (q_head != q_tail)
        return 0;
    uint32_t now = bs_hal_micros();
    uint32_t wait = sources > 0 ? BS_EVENT_POLL_US : BS_HAL_FOREVER;
    for (uint32_t i = 0; i < BS_TIMERS_MAX; i++) {
        bs_timer *t = &roots.timers[i];
        if (!t->active || t->queued)
            continue;
        int32_t left = (int32_t)(t->due - now);
        uint32_t w = left <= 0 ? 0u : (uint32_t)left;
        if (w < wait)
            wait = w;
    }
    return wait;
}

/* --- running callbacks ---------------------------------------------------------------------- */

static void event_record(uint8_t kind, const uint8_t *bytes, uint32_t len);

/* The entry that bs_runtime_call runs: a call of the `() => void` function value. */
static void call_running(void) {
    bs_value f = roots.running;
    ((void (*)(bs_value))bs_function_code(f))(f);
}

void bs_event_run(void) {
    if (in_callback)
        return;
    bs_event_tick(bs_hal_micros()); /* also where a clock interrupt queues them: it may not have yet */
    int idle = !bs_runtime_in_call();
    for (uint32_t n = 0; n < BS_EVENT_QUEUE; n++) {
        bs_value v;
        if (!queue_take(&v))
            break;
        bs_timer *t = 0;
        if (bs_is_int(v)) {
            t = timer_find(bs_unbox_int(v));
            if (t == 0)
                continue; /* cleared after it was queued */
            t->queued = 0;
            roots.running = t->callback;
            if (!t->repeat)
                bs_timer_clear(t->id);
        } else {
            roots.running = v;
        }
        int32_t id = t != 0 ? t->id : 0;
        in_callback = 1;
        bs_event_idle_running = (uint8_t)idle;
        if (idle)
            bs_runtime_idle_call(1);
        bs_runtime_error e;
        int stopped = bs_runtime_call((uint32_t)(uintptr_t)call_running, &e);
        if (idle)
            bs_runtime_idle_call(0);
        in_callback = 0;
        bs_event_idle_running = 0;
        roots.running = 0;
        if (stopped) {
            /* The callback stops; an interval that failed is cleared. */
            if (id != 0)
                bs_timer_clear(id);
            uint8_t p[BS_RUNTIME_ERROR_SIZE];
            bs_runtime_error_payload(p, &e);
            event_record(BS_EVENT_RECORD_ERROR, p, sizeof p);
        }
    }
}


/* --- the event buffer ----------------------------------------------------------------------- */

#define RECORD_HEADER 3u
/* A record's text is at most this long, so that every record fits an EVENTS_REPLY. */
#define RECORD_MAX (BS_LINK_MAX_PAYLOAD - 10u - RECORD_HEADER)

static void event_record(uint8_t kind, const uint8_t *bytes, uint32_t len) {
    while (len > 0) {
        uint32_t n = len < RECORD_MAX ? len : RECORD_MAX;
        uint8_t *last = buffer + last_record;
        uint16_t have = 0;
        if (buffer_len > 0 && kind != BS_EVENT_RECORD_ERROR && last[0] == kind)
            memcpy(&have, last + 1, 2); /* text of the same stream as the last record: it grows */
        int grow = have > 0 && have + n <= RECORD_MAX;
        if (BS_EVENT_BUFFER - buffer_len < n + (grow ? 0u : RECORD_HEADER)) {
            dropped_bytes += len; /* all of it: a record is never cut */
            return;
        }
        if (!grow) {
            last_record = buffer_len;
            last = buffer + buffer_len;
            last[0] = kind;
            buffer_len += RECORD_HEADER;
            have = 0;
        }
        memcpy(buffer + buffer_len, bytes, n);
        buffer_len += n;
        have = (uint16_t)(have + n);
        memcpy(last + 1, &have, 2);
        bytes += n;
        len -= n;
    }
}

void bs_event_output(uint8_t stream, const char *text, uint32_t len) {
    event_record(stream == 0 ? BS_EVENT_RECORD_STDOUT : BS_EVENT_RECORD_STDERR, (const uint8_t *)text, len);
}

uint8_t bs_event_flags(void) {
    uint8_t flags = 0;
    if (timers_active > 0 || sources > 0 || q_head != q_tail)
        flags |= BS_EVENTS_ACTIVE;
    if (buffer_len > 0 || dropped_bytes > 0 || dropped_events > 0)
        flags |= BS_EVENTS_WAITING;
    return flags;
}

/* EVENTS_REPLY: u8 flags, u8 active timers, u32 dropped events, u32 dropped output bytes, then
   as many whole records as fit (every record fits one reply, RECORD_MAX). */
uint32_t bs_event_reply(uint8_t *out, uint32_t max) {
    uint32_t n = 0;
    while (n < buffer_len) {
        uint16_t len;
        memcpy(&len, buffer + n + 1, 2);
        uint32_t whole = RECORD_HEADER + len;
        if (10u + n + whole > max)
            break;
        n += whole;
    }
    memcpy(out + 10, buffer, n);
    memmove(buffer, buffer + n, buffer_len - n);
    buffer_len -= n;
    last_record -= n; /* meaningless when the buffer is empty; else the last record stayed */
    out[1] = timers_active;
    uint32_t dropped[2] = {__atomic_exchange_n(&dropped_events, 0u, __ATOMIC_RELAXED), dropped_bytes};
    memcpy(out + 2, dropped, sizeof dropped);
    dropped_bytes = 0;
    out[0] = (uint8_t)(bs_event_flags() | (buffer_len > 0 ? BS_EVENTS_MORE : 0));
    return 10u + n;
}
