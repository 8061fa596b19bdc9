/* bs_config.h: every size and switch of the runtime with its default; a port overrides them in bs_port_config.h. */
#ifndef BS_CONFIG_H
#define BS_CONFIG_H

#include "bs_port_config.h"

/*
 * Memory regions. A base of 0 means that the port places the region itself (for example as a
 * static array); the core always asks the port through bs_hal_regions() and never uses the bases
 * directly. Every address must fit in 32 bits.
 */
#ifndef BS_CODE_BASE
#define BS_CODE_BASE 0u
#endif
#ifndef BS_CODE_SIZE
#define BS_CODE_SIZE (16u * 1024u)
#endif
#ifndef BS_DATA_BASE
#define BS_DATA_BASE 0u
#endif
#ifndef BS_DATA_SIZE
#define BS_DATA_SIZE (8u * 1024u)
#endif
#ifndef BS_HEAP_BASE
#define BS_HEAP_BASE 0u
#endif
#ifndef BS_HEAP_SIZE
#define BS_HEAP_SIZE (32u * 1024u)
#endif

/* Largest frame payload this device accepts and announces in HELLO_REPLY (at most BS_MAX_PAYLOAD). */
#ifndef BS_LINK_MAX_PAYLOAD
#define BS_LINK_MAX_PAYLOAD 1024u
#endif

/* Output of print/console.error is collected in a buffer of this many text bytes per OUTPUT frame. */
/*
 * The reliable link (docs/protocol.md, section 2): how long the device waits for the host to
 * acknowledge a frame before sending it again (doubling each time, up to BS_LINK_RTO_MAX_US), and
 * how many times it sends a frame before it gives up on it.
 */
#ifndef BS_LINK_RTO_US
#define BS_LINK_RTO_US 50000u
#endif
#ifndef BS_LINK_RTO_MAX_US
#define BS_LINK_RTO_MAX_US 800000u
#endif
/* A frame whose bytes stop coming for this long is given up (its length field was damaged). */
#ifndef BS_LINK_STALL_US
#define BS_LINK_STALL_US 20000u
#endif
#ifndef BS_LINK_TRIES
#define BS_LINK_TRIES 12u
#endif

/* Ready-made one-byte strings for the byte values below this (0, 128 for ASCII, or 256; 12 bytes
   of RAM each): a substring of one such byte allocates nothing. */
#ifndef BS_CHAR_STRINGS
#define BS_CHAR_STRINGS 0
#endif

#ifndef BS_OUTPUT_BUFFER_SIZE
#define BS_OUTPUT_BUFFER_SIZE 256u
#endif
/* A newline flushes the output buffer when this many microseconds passed since the last flush. */
#ifndef BS_OUTPUT_FLUSH_US
#define BS_OUTPUT_FLUSH_US 20000u
#endif

/*
 * Timers and events (bs_event.c, docs/semantics.md "Timers"): timers that may be active at once;
 * entries of the event queue (a power of two; a due timer or a driver's post that finds it full
 * is counted as a dropped event); bytes of the event buffer, which keeps what callbacks print
 * (and their errors) while no CALL runs until the host fetches it with EVENTS (what does not fit
 * is counted in bytes); how often an idle device with event sources but no due timer wakes.
 */
#ifndef BS_TIMERS_MAX
#define BS_TIMERS_MAX 16u
#endif
#ifndef BS_EVENT_QUEUE
#define BS_EVENT_QUEUE 16u
#endif
#ifndef BS_EVENT_BUFFER
#define BS_EVENT_BUFFER 512u
#endif
#ifndef BS_EVENT_POLL_US
#define BS_EVENT_POLL_US 10000u
#endif

/*
 * Garbage collector stress mode (-DBS_GC_STRESS=1): a collection before every allocation, freed
 * memory filled with BS_GC_POISON, the heap's invariants checked after every collection (a broken
 * one stops the device with bs_hal_panic), and a small mark stack so that its overflow path runs.
 */
#ifndef BS_GC_STRESS
#define BS_GC_STRESS 0
#endif

/*
 * bs_heap_check, the walk over the heap's invariants: in stress mode (after every collection) and
 * in the runtime's C tests (-DBS_HEAP_CHECK=1); other images leave it out, since nothing calls it.
 */
#ifndef BS_HEAP_CHECK
#define BS_HEAP_CHECK BS_GC_STRESS
#endif

/*
 * Bytes of native stack cleared below the runtime's frame before each call, so that stale words
 * of earlier calls do not keep garbage alive (the stack is scanned conservatively). The stack must
 * have this much room below the runtime's CALL handler.
 */
#ifndef BS_GC_STACK_SCRUB
#define BS_GC_STACK_SCRUB 4096u
#endif

/* The word written over freed heap memory in stress mode. */
#define BS_GC_POISON 0xDEADBEEFu

/*
 * Entries of the collector's mark stack (4 bytes each, a static array). When it overflows, marking
 * goes on by rescanning the heap for marked objects, so any size is correct; small ones are slower.
 * A port may set its own size in bs_port_config.h; stress mode always uses a tiny one, so that the
 * rescans are exercised.
 */
#if BS_GC_STRESS
#undef BS_GC_MARK_STACK_SIZE
#define BS_GC_MARK_STACK_SIZE 8u
#elif !defined(BS_GC_MARK_STACK_SIZE)
#define BS_GC_MARK_STACK_SIZE 256u
#endif

/* Architecture number reported in HELLO_REPLY: 1 = x86-64, 2 = Thumb-2, 0 = unknown. */
#ifndef BS_ARCH
#if defined(__x86_64__)
#define BS_ARCH 1u
#elif defined(__thumb2__)
#define BS_ARCH 2u
#else
#define BS_ARCH 0u
#endif
#endif

#endif
