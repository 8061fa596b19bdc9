/* bs_runtime.h: the runtime's message loop and the error trap around calls of loaded code. */
#ifndef BS_RUNTIME_H
#define BS_RUNTIME_H

#include <stdint.h>

/* The runtime's build id (from -DBS_BUILD_ID, little-endian); the host compares it with its ELF. */
extern const uint8_t bs_build_id[8];

/* Serves requests from the link until it closes, then returns. The port calls it once. */
void bs_runtime_run(void);

/* The fields of an ERROR reply. */
typedef struct bs_runtime_error {
    uint32_t code, site, address, detail1, detail2;
} bs_runtime_error;

/*
 * Runs the loaded function at `entry` under the error trap, as CALL does, with the collector's
 * stack top recorded. Returns 0 when it returned, or 1 when it was stopped (then *error says why).
 * Calls may nest (an error stops the innermost one only); the outermost call's stack top stays.
 */
int bs_runtime_call(uint32_t entry, bs_runtime_error *error);

/* Around a callback that runs while no CALL does (1 before, 0 after): an INTERRUPT with any seq
   but the last CALL's stops it (docs/protocol.md, section 2.4). */
void bs_runtime_idle_call(int running);

/* 1 while loaded code runs under the trap (between the start of a CALL and its end). */
int bs_runtime_in_call(void);

/*
 * Called by the port when loaded code faults: stops the running unit and reports ERROR `code`
 * (BS_ERR_FAULT or BS_ERR_STACK_OVERFLOW) with the fault address and `detail1` (the signal or
 * fault kind). Must only be called while bs_runtime_in_call() is 1.
 */
_Noreturn void bs_runtime_fault(uint32_t code, uint32_t address, uint32_t detail1, uint32_t pc);

/*
 * Interrupts (docs/protocol.md, section 2.4). The port passes every byte it receives to
 * bs_runtime_async_byte() as it arrives (from its receive interrupt or thread, one caller at a
 * time). An INTERRUPT for the running CALL makes bs_runtime_interrupt_requested() 1: the port
 * then stops loaded code by making it "call" bs_runtime_interrupt() with the program counter it
 * was at, if that lies in the code region (else it tries again on its next clock tick), and the
 * runtime stops at its own safe points (allocation, output) with bs_runtime_safe_point(). A PING
 * for the running CALL asks the port to send the PONG frame of bs_runtime_pong() on the link,
 * between the frames the main code sends.
 */
#define BS_ASYNC_NONE 0
#define BS_ASYNC_INTERRUPT 1
#define BS_ASYNC_PING 2
int bs_runtime_async_byte(uint8_t byte);

/* 1 while an INTERRUPT for the running CALL waits to be carried out. */
int bs_runtime_interrupt_requested(void);

/* Stops the running CALL with ERROR INTERRUPTED (detail 2 = `pc`). Only while in a call. */
_Noreturn void bs_runtime_interrupt(uint32_t pc);

/* Stops the running CALL if an INTERRUPT for it waits: called where the runtime's own state is
   consistent (the start of an allocation or of output). */
void bs_runtime_safe_point(void);

/* The PONG frame (BS_PONG_FRAME_SIZE bytes) for the running CALL. */
void bs_runtime_pong(uint8_t *out);

#endif
