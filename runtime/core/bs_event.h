/* bs_event.h: timers, the event queue and the event buffer (docs/semantics.md, "Timers"). */
#ifndef BS_EVENT_H
#define BS_EVENT_H

#include <stdint.h>

/* Event buffer record kinds (EVENTS_REPLY, docs/protocol.md section 3). */
#define BS_EVENT_RECORD_STDOUT 0
#define BS_EVENT_RECORD_STDERR 1
#define BS_EVENT_RECORD_ERROR 2

/* Clears every timer, the queue, the event buffer and the counters (RESET, start-up). */
void bs_event_reset(void);

/*
 * Moves the timers due at `now_us` (bs_hal_micros) into the queue. Called from a port's clock
 * interrupt and from the runtime's idle loop; never runs a callback.
 */
void bs_event_tick(uint32_t now_us);

/*
 * Runs the queued callbacks (at most BS_EVENT_QUEUE of them), each under the error trap: while
 * the device is idle or from time.delay inside a CALL. Does nothing while a callback runs
 * (callbacks do not nest).
 */
void bs_event_run(void);

/* How long the idle loop may wait for a request before bs_event_run must be called again
   (BS_HAL_FOREVER when no timer is active and nothing can post). */
uint32_t bs_event_idle_wait(void);

/* 1 while a callback runs outside a CALL: its output goes to the event buffer. */
int bs_event_idle_callback(void);

/* Appends output of an idle callback to the event buffer (overflow is counted in bytes). */
void bs_event_output(uint8_t stream, const char *text, uint32_t len);

/* The flags byte of RESULT and EVENTS_REPLY: BS_EVENTS_ACTIVE, BS_EVENTS_WAITING. */
uint8_t bs_event_flags(void);

/* Writes the EVENTS_REPLY payload (at most `max` bytes) and removes what it holds from the
   buffer; returns its length. */
uint32_t bs_event_reply(uint8_t *out, uint32_t max);

/* The conservatively scanned roots of the timer table and the queue, for the collector. */
void bs_event_roots(uintptr_t *lo, uintptr_t *hi);

#endif
