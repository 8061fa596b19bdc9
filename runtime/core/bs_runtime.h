/* bs_runtime.h: the runtime's message loop and the error trap around calls of loaded code. */
#ifndef BS_RUNTIME_H
#define BS_RUNTIME_H

#include <stdint.h>

/* The runtime's build id (from -DBS_BUILD_ID, little-endian); the host compares it with its ELF. */
extern const uint8_t bs_build_id[8];

/* Serves requests from the link until it closes, then returns. The port calls it once. */
void bs_runtime_run(void);

/* 1 while loaded code runs under the trap (between the start of a CALL and its end). */
int bs_runtime_in_call(void);

/*
 * Called by the port when loaded code faults: stops the running unit and reports ERROR `code`
 * (BS_ERR_FAULT or BS_ERR_STACK_OVERFLOW) with the fault address and `detail1` (the signal or
 * fault kind). Must only be called while bs_runtime_in_call() is 1.
 */
_Noreturn void bs_runtime_fault(uint32_t code, uint32_t address, uint32_t detail1, uint32_t pc);

#endif
