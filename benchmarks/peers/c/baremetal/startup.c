/* startup.c: vector table, reset, fault handling and the MPU guards of the bare-metal image
   (QEMU mps2-an385, Cortex-M3). */
#include <stdint.h>
#include <stdlib.h>

#include "baremetal.h"

int main(void);
void __libc_init_array(void);

/* Symbols of link.ld. */
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start__[], __bss_end__[];
extern uint32_t __stack_bottom[], __stack_top[], __handler_stack_top[];

void baremetal_reset(void);
void baremetal_fault(void);
void baremetal_unexpected(void);

/* The AN385 routes 32 interrupts to the NVIC; only the timer's (IRQ 8) is used. */
#define BAREMETAL_IRQS 32
#define BAREMETAL_TIMER0_IRQ 8

struct vector_table {
    uint32_t *initial_msp;
    void (*exception[15])(void); /* 1 Reset ... 15 SysTick */
    void (*irq[BAREMETAL_IRQS])(void);
};

/* At address 0: the CPU loads the stack pointer and the reset address from here. */
__attribute__((section(".vectors"), used, aligned(256))) static const struct vector_table vectors = {
    .initial_msp = __handler_stack_top,
    .exception =
        {
            baremetal_reset,      /* 1 Reset */
            baremetal_unexpected, /* 2 NMI */
            baremetal_fault,      /* 3 HardFault */
            baremetal_fault,      /* 4 MemManage (not enabled: escalates to HardFault) */
            baremetal_fault,      /* 5 BusFault (likewise) */
            baremetal_fault,      /* 6 UsageFault (likewise) */
            0, 0, 0, 0,           /* 7-10 reserved */
            baremetal_unexpected, /* 11 SVCall */
            baremetal_unexpected, /* 12 DebugMonitor */
            0,                    /* 13 reserved */
            baremetal_unexpected, /* 14 PendSV */
            baremetal_unexpected, /* 15 SysTick */
        },
    .irq =
        {
            [0 ... BAREMETAL_TIMER0_IRQ - 1] = baremetal_unexpected,
            [BAREMETAL_TIMER0_IRQ] = baremetal_timer_irq,
            [BAREMETAL_TIMER0_IRQ + 1 ... BAREMETAL_IRQS - 1] = baremetal_unexpected,
        },
};

/* --- the stack's high-water mark ------------------------------------------------------------------- */

#define STACK_PAINT 0xC5AC5AC5u

size_t baremetal_stack_peak(void) {
    const uint32_t *p = __stack_bottom;
    while (p < __stack_top && *p == STACK_PAINT)
        p++;
    return (size_t)((const char *)__stack_top - (const char *)p);
}

/* --- reset ------------------------------------------------------------------------------------------ */

/* Runs on the handler stack (MSP), before the program's stack is in use. */
__attribute__((used)) void baremetal_early_init(void);
__attribute__((used)) void baremetal_early_init(void) {
    const uint32_t *from = __data_load;
    for (uint32_t *to = __data_start; to < __data_end; to++)
        *to = *from++;
    for (uint32_t *to = __bss_start__; to < __bss_end__; to++)
        *to = 0u;
    for (uint32_t *to = __stack_bottom; to < __stack_top; to++)
        *to = STACK_PAINT;
}

#define SCB_CCR BAREMETAL_REG(0xE000ED14u)
#define SCB_CFSR BAREMETAL_REG(0xE000ED28u)
#define SCB_HFSR BAREMETAL_REG(0xE000ED2Cu)
#define SCB_MMFAR BAREMETAL_REG(0xE000ED34u)
#define SCB_BFAR BAREMETAL_REG(0xE000ED38u)
#define MPU_CTRL BAREMETAL_REG(0xE000ED94u)
#define MPU_RNR BAREMETAL_REG(0xE000ED98u)
#define MPU_RBAR BAREMETAL_REG(0xE000ED9Cu)
#define MPU_RASR BAREMETAL_REG(0xE000EDA0u)
#define CCR_STKALIGN (1u << 9)
#define CCR_DIV_0_TRP (1u << 4)
#define MPU_CTRL_ENABLE 1u
#define MPU_CTRL_PRIVDEFENA 4u
#define MPU_RASR_NO_ACCESS_XN (1u << 28) /* AP = 000 (no access), XN = 1 */
#define MPU_RASR_ENABLE 1u

/* One MPU region that nothing may read, write or execute; log2_size >= 5, base aligned to it. */
static void guard(uint32_t region, uint32_t base, uint32_t log2_size) {
    MPU_RNR = region;
    MPU_RBAR = base;
    MPU_RASR = MPU_RASR_NO_ACCESS_XN | ((log2_size - 1u) << 1) | MPU_RASR_ENABLE;
}

/*
 * Two guards; everything else keeps the default memory map.
 * - 64 KiB below SRAM, where an overflowing stack goes (QEMU ignores writes there and reads zero,
 *   so without the guard an overflow would go unnoticed).
 * - The first 256 bytes (the vector table), so that using a null pointer faults. The CPU's own
 *   vector fetches always use the default map and are not affected.
 */
static void guard_memory(void) {
    guard(0u, 0x1FFF0000u, 16u);
    guard(1u, 0x00000000u, 8u);
    MPU_CTRL = MPU_CTRL_ENABLE | MPU_CTRL_PRIVDEFENA;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

__attribute__((used, noreturn)) void baremetal_start(void);
__attribute__((used, noreturn)) void baremetal_start(void) {
    SCB_CCR |= CCR_STKALIGN | CCR_DIV_0_TRP;
    guard_memory();
    baremetal_uart_init();
    baremetal_timer_init();
    __libc_init_array();
    exit(main());
}

/* The C library's constructor and destructor lists call _init and _fini, which the start files
   would define. */
void _init(void);
void _init(void) {}
void _fini(void);
void _fini(void) {}

/*
 * MSP (the handler stack) comes from the vector table. The program runs in thread mode on the
 * process stack (PSP) at the bottom of SRAM, so that exception handlers keep working when it
 * overflows.
 */
__attribute__((naked, noreturn)) void baremetal_reset(void) {
    __asm__ volatile("ldr r0, =__handler_stack_top\n\t"
                     "msr msp, r0\n\t"
                     "bl baremetal_early_init\n\t"
                     "ldr r0, =__stack_top\n\t"
                     "msr psp, r0\n\t"
                     "movs r0, #2\n\t" /* CONTROL.SPSEL: thread mode uses PSP */
                     "msr control, r0\n\t"
                     "isb\n\t"
                     "b baremetal_start\n\t"
                     ".ltorg");
}

/* --- faults ----------------------------------------------------------------------------------------- */

#define CFSR_MMARVALID (1u << 7)
#define CFSR_MSTKERR (1u << 4)
#define CFSR_STKERR (1u << 12)
#define CFSR_BFARVALID (1u << 15)

static uint32_t current_exception(void) {
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    return ipsr & 0x1FFu;
}

/* Prints what the fault registers say over the UART and stops with BAREMETAL_EXIT_FAULT. */
__attribute__((used, noreturn)) void baremetal_fault_report(const uint32_t *frame);
__attribute__((used, noreturn)) void baremetal_fault_report(const uint32_t *frame) {
    uint32_t cfsr = SCB_CFSR;
    baremetal_uart_puts("\nbaremetal: fault, exception ");
    baremetal_uart_dec(current_exception());
    baremetal_uart_puts(" CFSR ");
    baremetal_uart_hex(cfsr);
    baremetal_uart_puts(" HFSR ");
    baremetal_uart_hex(SCB_HFSR);
    if ((cfsr & CFSR_MMARVALID) != 0u) {
        baremetal_uart_puts(" MMFAR ");
        baremetal_uart_hex(SCB_MMFAR);
    }
    if ((cfsr & CFSR_BFARVALID) != 0u) {
        baremetal_uart_puts(" BFAR ");
        baremetal_uart_hex(SCB_BFAR);
    }
    if ((cfsr & (CFSR_MSTKERR | CFSR_STKERR)) != 0u) {
        baremetal_uart_puts(" (stack overflow: no exception frame)");
    } else {
        baremetal_uart_puts(" PC ");
        baremetal_uart_hex(frame[6]);
        baremetal_uart_puts(" LR ");
        baremetal_uart_hex(frame[5]);
    }
    baremetal_uart_puts("\n");
    baremetal_exit(BAREMETAL_EXIT_FAULT);
}

/* Hands the exception frame (on whichever stack the fault came from) to the report. */
__attribute__((naked)) void baremetal_fault(void) {
    __asm__ volatile("tst lr, #4\n\t"
                     "ite eq\n\t"
                     "mrseq r0, msp\n\t"
                     "mrsne r0, psp\n\t"
                     "b baremetal_fault_report");
}

void baremetal_unexpected(void) {
    baremetal_uart_puts("\nbaremetal: unexpected exception ");
    baremetal_uart_dec(current_exception());
    baremetal_uart_puts("\n");
    baremetal_exit(BAREMETAL_EXIT_FAULT);
}
