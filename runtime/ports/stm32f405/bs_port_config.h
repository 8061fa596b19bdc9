/* bs_port_config.h: the memory budget and layout of the stm32f405 port (STM32F405: Cortex-M4F), in one place. */
#ifndef BS_PORT_CONFIG_H
#define BS_PORT_CONFIG_H

/*
 * Every size of the port, in KiB. Plain integers, because startup.c also hands them to the linker
 * script and to the host's size check as absolute symbols (__bs_*_budget).
 *
 * Flash (0x0800_0000, 1 MiB; aliased at 0 when the chip boots from flash): the runtime's code and constants, and the initial values of its variables.
 * SRAM1 and SRAM2 (0x2000_0000, 112 + 16 KiB, one block; from the bottom up): the stack (at the very bottom, so that running past its
 * end faults on unmapped memory), the fault handlers' stack, the runtime's variables, then the
 * code, data and heap regions the host fills.
 *
 * The stack and the three regions are defaults: `bscript --memory stack=16K,heap=1M ...` builds an
 * image with other sizes (-DBS_PORT_HEAP_KIB=1024 ...), within the chip's 128 KiB of SRAM.
 * The 64 KiB of core-coupled RAM (0x1000_0000) are not used: they lie in the stack's guard.
 */
#define BS_PORT_FLASH_KIB 36        /* runtime code, constants and initial values */
#ifndef BS_PORT_STACK_KIB
#define BS_PORT_STACK_KIB 8 /* the stack of the runtime and of loaded code */
#endif
#define BS_PORT_HANDLER_STACK_KIB 1 /* the stack of exception handlers (MSP) */
#ifndef BS_PORT_CODE_KIB
#define BS_PORT_CODE_KIB 16 /* code region: units' code */
#endif
#ifndef BS_PORT_DATA_KIB
#define BS_PORT_DATA_KIB 16 /* data region: units' variables and constants */
#endif
#ifndef BS_PORT_HEAP_KIB
#define BS_PORT_HEAP_KIB 32 /* the garbage-collected heap */
#endif

/* The collector's mark stack (bs_config.h): 256 entries (1 KB) with the default heap; with a heap
   of 512 KB or more, 4096 entries (16 KB), so that marking large structures does not fall back on
   rescanning the heap. The runtime's own variables (.data and .bss) grow by the difference. */
#if BS_PORT_HEAP_KIB >= 512
#define BS_PORT_MARK_STACK_KIB 16
#else
#define BS_PORT_MARK_STACK_KIB 1
#endif
#define BS_PORT_STATIC_KIB (11 + BS_PORT_MARK_STACK_KIB)
#define BS_GC_MARK_STACK_SIZE (BS_PORT_MARK_STACK_KIB * 256u)

/* Everything in RAM. */
#define BS_PORT_RAM_KIB                                                                             \
    (BS_PORT_STACK_KIB + BS_PORT_HANDLER_STACK_KIB + BS_PORT_STATIC_KIB + BS_PORT_CODE_KIB +        \
     BS_PORT_DATA_KIB + BS_PORT_HEAP_KIB)

/* The core's names for the region sizes (bs_config.h); the bases are chosen by the linker. */
#define BS_CODE_SIZE (BS_PORT_CODE_KIB * 1024u)
#define BS_DATA_SIZE (BS_PORT_DATA_KIB * 1024u)
#define BS_HEAP_SIZE (BS_PORT_HEAP_KIB * 1024u)
#define BS_PORT_STACK_SIZE (BS_PORT_STACK_KIB * 1024u)
#define BS_PORT_HANDLER_STACK_SIZE (BS_PORT_HANDLER_STACK_KIB * 1024u)

/* The ASCII one-byte strings are ready-made (1.5 KB of the runtime's variables, bs_config.h), so
   that reading a text character by character allocates nothing. */
#define BS_CHAR_STRINGS 128

/* The CPU clock: 168 MHz from the PLL (startup.c sets it up from the 8 MHz crystal, or from the
   16 MHz internal oscillator when no crystal starts); QEMU's netduinoplus2 model runs SysTick at
   the same 168 MHz without any set-up. SysTick counts it. */
#define BS_PORT_CPU_HZ 168000000u

#endif
