/* startup.c: the stm32f405 vector table, reset handler (FPU on), fault handlers and the budget symbols. */
#include <stddef.h>
#include <stdint.h>

#include "bs.h"
#include "bs_config.h"
#include "bs_hal.h"
#include "bs_runtime.h"
#include "port.h"

/* --- the budget, for the linker script's checks and the host's size report ----------------------- */

#define PORT_STR2(x) #x
#define PORT_STR(x) PORT_STR2(x)
__asm__(".global __bs_flash_budget\n\t.set __bs_flash_budget, (" PORT_STR(BS_PORT_FLASH_KIB) ") * 1024\n\t"
        ".global __bs_ram_budget\n\t.set __bs_ram_budget, (" PORT_STR(BS_PORT_RAM_KIB) ") * 1024\n\t"
        ".global __bs_static_budget\n\t.set __bs_static_budget, (" PORT_STR(BS_PORT_STATIC_KIB) ") * 1024");

/* --- stacks -------------------------------------------------------------------------------------- */

/* The linker script puts the stack at the start of RAM, above the MPU's guard (port_guard_memory). */
uint8_t port_stack[BS_PORT_STACK_SIZE] __attribute__((section(".bss.bs_stack"), aligned(8)));
static uint8_t port_handler_stack[BS_PORT_HANDLER_STACK_SIZE]
    __attribute__((section(".bss.bs_handler_stack"), aligned(8)));

/* --- the vector table ---------------------------------------------------------------------------- */

void port_reset(void);
void port_fault_entry(void);
void port_unexpected(void);


struct port_vector_table {
    void *initial_sp;
    void (*handler[15 + PORT_IRQS])(void); /* exceptions 1 .. 15, then the interrupts */
};

/* What the CPU reads at address 0 (the flash's alias) when it starts; the null guard covers the
   alias afterwards. */
struct port_reset_vector {
    void *initial_sp;
    void (*reset)(void);
};

__attribute__((section(".reset_vector"), used)) static const struct port_reset_vector port_boot = {
    .initial_sp = port_handler_stack + sizeof port_handler_stack,
    .reset = port_reset,
};

/* The vector table proper, 0x400 into flash (VTOR): 98 entries, so aligned to 512 bytes. */
__attribute__((section(".vectors"), used, aligned(512))) static const struct port_vector_table port_vectors = {
    .initial_sp = port_handler_stack + sizeof port_handler_stack,
    .handler =
        {
            [0] = port_reset,                              /* 1 Reset */
            [1] = port_unexpected,                         /* 2 NMI */
            [2] = port_fault_entry,                        /* 3 HardFault */
            [3] = port_fault_entry,                        /* 4 MemManage */
            [4] = port_fault_entry,                        /* 5 BusFault */
            [5] = port_fault_entry,                        /* 6 UsageFault */
            [10] = port_unexpected,                        /* 11 SVCall */
            [11] = port_unexpected,                        /* 12 DebugMonitor */
            [13] = port_unexpected,                        /* 14 PendSV */
            [14] = port_systick,                           /* 15 SysTick */
            [15 ... 15 + PORT_USART1_IRQ - 1] = port_irq,  /* drivers' (port.c) */
            [15 + PORT_USART1_IRQ] = port_usart1_rx,       /* IRQ 37: USART1, the link */
            [16 + PORT_USART1_IRQ ... 15 + PORT_IRQS - 1] = port_irq,
        },
};

/* --- reset ----------------------------------------------------------------------------------------- */

extern uint32_t __bs_data_start[], __bs_data_end[], __bs_data_load[];
extern uint32_t __bs_bss_start[], __bs_bss_end[];

#define PORT_VTOR PORT_REG(0xE000ED08u)
#define CCR_STKALIGN (1u << 9)
#define SHCSR_FAULTS_ENABLE ((1u << 16) | (1u << 17) | (1u << 18)) /* MemManage, BusFault, UsageFault */
#define MPU_RNR PORT_REG(0xE000ED98u)
#define MPU_RBAR PORT_REG(0xE000ED9Cu)
#define MPU_RASR PORT_REG(0xE000EDA0u)
#define MPU_CTRL PORT_REG(0xE000ED94u)
#define MPU_CTRL_ENABLE_PRIVDEFENA 5u
#define MPU_RASR_XN (1u << 28)
#define MPU_RASR_SIZE(log2) ((uint32_t)((log2) - 1) << 1)
#define MPU_RASR_ENABLE 1u

/*
 * Two MPU regions accept no access at all (AP = 0); everything else keeps the default memory map.
 * - The stack guard: the 256 MiB below SRAM, where a stack that runs past its end goes: the
 *   core-coupled RAM (0x1000_0000), the system memory and option bytes (0x1FFF_xxxx) lie there,
 *   which would otherwise take the writes of an overflow without a fault.
 * - The null guard: the first KiB of address 0, the alias of flash, so that a null pointer faults
 *   as it does on the host device (the alias would otherwise read as data).
 */
static void port_guard_memory(void) {
    MPU_RNR = 0u;
    MPU_RBAR = 0x10000000u;
    MPU_RASR = MPU_RASR_XN | MPU_RASR_SIZE(28) | MPU_RASR_ENABLE;
    MPU_RNR = 1u;
    MPU_RBAR = 0x00000000u;
    MPU_RASR = MPU_RASR_XN | MPU_RASR_SIZE(10) | MPU_RASR_ENABLE;
    MPU_CTRL = MPU_CTRL_ENABLE_PRIVDEFENA;
}

void port_init(void);
_Noreturn void port_start(void);

/* What runs once at reset, before the null guard is on: it lies in the guard (link.ld's .boot),
   whose KiB is flash the image takes anyway, rather than in .text. */
__attribute__((used, noinline, section(".text.boot"))) void port_init(void) {
    for (uint32_t *src = __bs_data_load, *dst = __bs_data_start; dst < __bs_data_end;)
        *dst++ = *src++;
    for (uint32_t *dst = __bs_bss_start; dst < __bs_bss_end;)
        *dst++ = 0u;
    /* MemManage, BusFault and UsageFault get their own handler (priority 0, above SysTick's 0xFF)
       so that a fault while stacking an exception frame is not a lockup. */
    PORT_SHPR1 = 0u;
    PORT_SHPR3 = 0xFFu << 24;
    PORT_CCR |= CCR_STKALIGN;
    PORT_SHCSR |= SHCSR_FAULTS_ENABLE;
    PORT_VTOR = (uint32_t)(uintptr_t)&port_vectors;
}

/* The rest of the start, after port_init: the guard goes on, so this is outside it. */
__attribute__((used)) _Noreturn void port_start(void) {
    port_guard_memory();
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    port_main();
}

/* The FPU (CP10 and CP11, full access) is on before any C code runs: code built with
   -mfloat-abi=hard may use its registers anywhere. Lazy stacking stays on (FPCCR's reset value):
   an exception that interrupts code that used the FPU reserves the extended frame and saves the
   registers only if the handler uses the FPU too.

   Thread mode runs on the process stack (PSP, the 8 KiB stack at the bottom of RAM); handlers keep
   the main stack (MSP), so they still run when the process stack has overflowed. It runs only at
   reset, before the null guard is on, so it lies in the guard (link.ld's .boot). */
__attribute__((naked, noreturn, section(".text.boot"))) void port_reset(void) {
    __asm__ volatile("ldr r0, =0xE000ED88\n\t" /* CPACR */
                     "ldr r1, [r0]\n\t"
                     "orr r1, r1, #(0xF << 20)\n\t"
                     "str r1, [r0]\n\t"
                     "dsb\n\t"
                     "isb\n\t"
                     "ldr r0, =__bs_stack_top\n\t"
                     "msr psp, r0\n\t"
                     "movs r0, #2\n\t"
                     "msr control, r0\n\t"
                     "isb\n\t"
                     "bl port_init\n\t"
                     "b port_start\n\t"
                     ".ltorg");
}

void port_unexpected(void) { port_exit(0, "unexpected exception or interrupt"); }

/* --- faults -------------------------------------------------------------------------------------- */

#define CFSR_IACCVIOL (1u << 0)
#define CFSR_MSTKERR (1u << 4)
#define CFSR_MMARVALID (1u << 7)
#define CFSR_IBUSERR (1u << 8)
#define CFSR_STKERR (1u << 12)
#define CFSR_BFARVALID (1u << 15)
#define CFSR_INSTRUCTION_FAULTS (CFSR_IACCVIOL | CFSR_IBUSERR | (1u << 16) | (1u << 17) | (1u << 18))
#define SHCSR_FAULTS_PENDED ((1u << 12) | (1u << 13) | (1u << 14))
#define XPSR_THUMB (1u << 24)

/*
 * The stack bs_runtime_fault() runs on after a fault, until it unwinds to the trap of the CALL. The
 * process stack may be exhausted, or hold live frames anywhere (an outer call's saved trap, say).
 */
static uint8_t port_rescue_stack[256] __attribute__((aligned(8)));

/*
 * The address of the innermost call in loaded code whose return address is on the stack between
 * `from` and the top, or 0. It stands in for the program counter when a stack overflow left no
 * exception frame: it names the function that was calling deeper when the stack ran out.
 */
static uint32_t port_innermost_call(uintptr_t from) {
    bs_hal_region code, data, heap;
    bs_hal_regions(&code, &data, &heap);
    uintptr_t top = (uintptr_t)port_stack + sizeof port_stack;
    for (uintptr_t p = (from + 3u) & ~(uintptr_t)3u; p + 4u <= top; p += 4u) {
        uint32_t ret = *(const uint32_t *)p;
        uint32_t at = ret & ~1u;
        if ((ret & 1u) == 0u || at < code.base + 4u || at > code.base + code.size)
            continue;
        uint16_t before = *(const uint16_t *)(uintptr_t)(at - 2u);
        if ((before & 0xFF87u) == 0x4780u) /* BLX Rm */
            return at - 2u;
        uint16_t first = *(const uint16_t *)(uintptr_t)(at - 4u);
        if ((first & 0xF800u) == 0xF000u && (before & 0xD000u) == 0xD000u) /* BL */
            return at - 4u;
    }
    return 0u;
}

static _Noreturn void port_fatal(uint32_t exception, uint32_t cfsr, uint32_t pc) {
    static const char hex[] = "0123456789abcdef";
    static char message[] = "fault in the runtime: exception 00, CFSR 00000000, pc 00000000";
    char *p = message + sizeof "fault in the runtime: exception " - 1;
    p[0] = (char)('0' + exception / 10u % 10u);
    p[1] = (char)('0' + exception % 10u);
    p += sizeof "00, CFSR " - 1;
    for (int i = 0; i < 8; i++)
        p[i] = hex[(cfsr >> (28 - 4 * i)) & 15u];
    p += sizeof "00000000, pc " - 1;
    for (int i = 0; i < 8; i++)
        p[i] = hex[(pc >> (28 - 4 * i)) & 15u];
    port_exit(0, message);
}

/*
 * Called by port_fault_entry with the exception frame and EXC_RETURN of the fault. A fault in loaded
 * code (thread mode, during a call) becomes a run-time error: the handler "returns" into
 * bs_runtime_fault() on the rescue stack, which unwinds to the trap of the CALL. The result is the
 * EXC_RETURN value to leave the handler with.
 */
uint32_t port_fault(uint32_t *frame, uint32_t exc_return);

uint32_t port_fault(uint32_t *frame, uint32_t exc_return) {
    uint32_t exception;
    __asm__ volatile("mrs %0, ipsr" : "=r"(exception));
    exception &= 0x1FFu;
    uint32_t cfsr = PORT_CFSR;
    uint32_t hfsr = PORT_HFSR;
    uintptr_t bottom = (uintptr_t)port_stack;
    uintptr_t sp = (uintptr_t)frame;
    int stacked = (cfsr & (CFSR_MSTKERR | CFSR_STKERR)) == 0u && sp >= bottom;
    uint32_t pc = stacked ? frame[6] : 0u;
    if (!port_returns_to_thread_psp(exc_return) || !bs_runtime_in_call())
        port_fatal(exception, cfsr, pc);

    uint32_t address = 0u;
    if ((cfsr & CFSR_MMARVALID) != 0u)
        address = PORT_MMFAR;
    else if ((cfsr & CFSR_BFARVALID) != 0u)
        address = PORT_BFAR;
    else if ((cfsr & CFSR_INSTRUCTION_FAULTS) != 0u)
        address = pc;
    uint32_t code = BS_ERR_FAULT;
    if (!stacked || (address < bottom && address >= bottom - 4096u)) {
        code = BS_ERR_STACK_OVERFLOW;
        if (!stacked)
            pc = port_innermost_call(sp > bottom ? sp : bottom);
    }

    /* Forget this fault and any derived one still pending. */
    PORT_CFSR = cfsr;
    PORT_HFSR = hfsr;
    PORT_SHCSR &= ~SHCSR_FAULTS_PENDED;
    /* The frame is abandoned: a lazy save of the FPU's registers still pending would later write
       them into it, on stack that is in use again by then. */
    PORT_FPCCR &= ~PORT_FPCCR_LSPACT;

    uint32_t *resume = (uint32_t *)(void *)(port_rescue_stack + sizeof port_rescue_stack) - 8;
    resume[0] = code;
    resume[1] = address;
    resume[2] = exception;
    resume[3] = pc;
    resume[4] = 0u;
    resume[5] = 0u;
    resume[6] = (uint32_t)(uintptr_t)bs_runtime_fault & ~1u;
    resume[7] = XPSR_THUMB;
    __asm__ volatile("msr psp, %0" ::"r"(resume) : "memory");
    return PORT_EXC_RETURN_THREAD_PSP; /* a basic frame: CONTROL.FPCA clears on the way */
}

__attribute__((naked)) void port_fault_entry(void) {
    __asm__ volatile("tst lr, #4\n\t"
                     "ite eq\n\t"
                     "mrseq r0, msp\n\t"
                     "mrsne r0, psp\n\t"
                     "mov r1, lr\n\t"
                     "bl port_fault\n\t"
                     "bx r0");
}
