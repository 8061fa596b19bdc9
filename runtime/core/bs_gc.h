/* bs_gc.h: the garbage collector (non-moving mark-and-sweep over the heap region) and its roots. */
#ifndef BS_GC_H
#define BS_GC_H

#include <stdint.h>

/*
 * Records the top (highest address) of the native stack of the running call: while it is set, a
 * collection scans the stack from the current stack pointer up to it, and the registers. NULL
 * ends the call (the runtime sets it around bs_hal_call). Without a stack top nothing is collected.
 */
void bs_gc_set_stack_top(const void *top);

/* The innermost return address into loaded code on the stack of the running call (0 if none):
 * where compiled code called into the runtime, for error reports. */
uint32_t bs_gc_code_return_address(void);

/* The conservatively scanned static roots: the loaded part of the data region. */
void bs_gc_set_data_roots(const void *base, uint32_t size);

/*
 * Collects now: marks from the roots and sweeps (bs_heap_alloc calls it when the heap is full).
 * Roots (conservative: a word that points anywhere into an allocated block, or just past it, with
 * or without the reference tag, keeps the block alive): the callee-saved registers, the native
 * stack between the stack pointer and the recorded top, and the data roots. Objects are traced
 * precisely by class. Returns 1 when it freed memory, 0 when it freed nothing or could not run.
 */
int bs_gc_collect(void);

#endif
