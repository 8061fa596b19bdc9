/* bs_hal.h: the hardware abstraction layer, the few functions a port implements for the core. */
#ifndef BS_HAL_H
#define BS_HAL_H

#include <stdint.h>

/* A memory region of the device: code, data or heap. */
typedef struct bs_hal_region {
    uintptr_t base;
    uint32_t size;
} bs_hal_region;

/* bs_hal_read's timeout that means "wait as long as it takes". */
#define BS_HAL_FOREVER 0xFFFFFFFFu

/*
 * Reads at most `max` bytes (at least 1) that arrived on the link, waiting up to `timeout_us`
 * microseconds for the first one (BS_HAL_FOREVER: no limit). Returns the number of bytes read,
 * 0 when the time passed with nothing received, or -1 when the link is closed.
 */
int bs_hal_read(uint8_t *buf, uint32_t max, uint32_t timeout_us);

/* Writes `len` bytes to the link (blocking; the bytes are on their way when it returns). */
void bs_hal_write(const uint8_t *buf, uint32_t len);

/* A free-running microsecond clock (wraps around modulo 2^32). */
uint32_t bs_hal_micros(void);

/* The device's code, data and heap regions (addresses below 4 GB). */
void bs_hal_regions(bs_hal_region *code, bs_hal_region *data, bs_hal_region *heap);

/* 1 when `addr`, a word in the code region, looks like a return address: the instruction just
   before it is a call. The collector's search for where compiled code called the runtime uses it
   to pass over other code addresses on the stack (function pointers, entry points). */
int bs_hal_is_return_address(uint32_t addr);

/* Makes `len` bytes just written at `addr` in the code region visible to instruction fetch. */
void bs_hal_flush_icache(uintptr_t addr, uint32_t len);

/*
 * Calls the loaded function at `entry` (a `void f(void)`) and returns when it returns.
 * While it runs, the port traps memory and instruction faults and reports each one with
 * bs_runtime_fault() (bs_runtime.h), which does not return; a fault outside a call is fatal.
 */
void bs_hal_call(uint32_t entry);

/*
 * Fills `len` bytes with values that differ from one start of the device to the next: a hardware
 * random number generator where the board has one. A paired device's nonce is made from them
 * (docs/protocol.md, section 6), so a frame recorded before a restart is refused after it.
 */
void bs_hal_seed(uint8_t *out, uint32_t len);

/* Stops the device after an unrecoverable internal error (`message` is for a human). */
_Noreturn void bs_hal_panic(const char *message);

#endif
