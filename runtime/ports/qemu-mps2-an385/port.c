/* port.c: the qemu-mps2-an385 HAL: the UART link, the SysTick clock, the memory regions, calls, semihosting. */
#include <stddef.h>
#include <stdint.h>

#include "bs.h"
#include "bs_config.h"
#include "bs_event.h"
#include "bs_hal.h"
#include "bs_protocol.h"
#include "bs_runtime.h"
#include "port.h"

/* --- memory regions ------------------------------------------------------------------------------ */

/* The linker script puts these above the runtime's own variables (".bss." keeps them out of the
   image file); the stack is in startup.c. */
static uint8_t port_code[BS_CODE_SIZE] __attribute__((section(".bss.bs_code"), aligned(8)));
static uint8_t port_data[BS_DATA_SIZE] __attribute__((section(".bss.bs_data"), aligned(8)));
static uint8_t port_heap[BS_HEAP_SIZE] __attribute__((section(".bss.bs_heap"), aligned(8)));

void bs_hal_regions(bs_hal_region *code, bs_hal_region *data, bs_hal_region *heap) {
    code->base = (uintptr_t)port_code;
    code->size = sizeof port_code;
    data->base = (uintptr_t)port_data;
    data->size = sizeof port_data;
    heap->base = (uintptr_t)port_heap;
    heap->size = sizeof port_heap;
}

/* --- the link: CMSDK APB UART0 ------------------------------------------------------------------ */

#define UART0_DATA PORT_REG(0x40004000u)
#define UART0_STATE PORT_REG(0x40004004u)     /* bit 0: TX full, bit 1: RX full */
#define UART0_CTRL PORT_REG(0x40004008u)      /* bit 0: TX enable, 1: RX enable, 3: RX interrupt */
#define UART0_INTSTATUS PORT_REG(0x4000400Cu) /* bit 1: RX interrupt; write 1 to clear */
#define UART0_BAUDDIV PORT_REG(0x40004010u)
#define UART_TX_FULL 1u
#define UART_RX_FULL 2u
#define UART_CTRL_TX_RX 3u
#define UART_CTRL_RX_INTERRUPT (1u << 3)
#define UART_INT_RX 2u
#define NVIC_ISER0 PORT_REG(0xE000E100u)
#define UART0_RX_IRQ 0u /* UART0's receive interrupt on the MPS2 board */

/*
 * Receiving. The UART holds a single received byte and QEMU sends it the next one only once the
 * guest has read it, so the throughput is one byte per round trip through QEMU's main loop. The
 * receive interrupt moves each byte into a ring at once and the reader sleeps in WFI meanwhile:
 * under QEMU this is about twice as fast as a loop polling the status register, whose register
 * reads compete with the delivery of the next byte. When the ring is full a byte waits in the UART
 * (QEMU holds the rest back) until the reader makes room.
 */
#define PORT_RX_RING 256u
static volatile uint8_t port_rx_ring[PORT_RX_RING];
static volatile uint32_t port_rx_head; /* bytes put in, written by the interrupt only */
static volatile uint32_t port_rx_tail; /* bytes taken out, written by the reader only */

/*
 * Interrupts (docs/protocol.md, section 2.4). Every received byte is shown to the runtime as it
 * is taken from the UART. An INTERRUPT for the running call makes the receive interrupt (or, when
 * it came while the runtime's own code ran, a later SysTick) rewrite the exception frame of the
 * interrupted loaded code so that it returns into port_interrupt_stub, which stops the call; a
 * PING is answered with a PONG at once, or right after the frame the main code is writing.
 * While a call runs, a byte that finds the ring full is dropped (the host sends nothing there but
 * repetitions, acknowledgements and these frames, and the reliable link repeats what it needs),
 * so that the bytes after it are still seen.
 */
#define EXC_RETURN_THREAD_PSP 0xFFFFFFFDu
#define XPSR_THUMB (1u << 24)
#define XPSR_ICI_IT ((3u << 25) | (0x3Fu << 10))

static volatile int port_tx_busy;     /* the main code is writing a frame */
static volatile int port_pong_wanted; /* a PING came while it was */
uint32_t port_interrupted_pc;         /* where loaded code was stopped, for port_interrupt_stub */

static void port_uart_put(const uint8_t *buf, uint32_t len) {
    const uint8_t *end = buf + len;
    while (buf != end) {
        while ((UART0_STATE & UART_TX_FULL) != 0u) {
        }
        UART0_DATA = *buf++;
    }
}

static void port_send_pong(void) {
    uint8_t frame[BS_PONG_FRAME_SIZE];
    bs_runtime_pong(frame);
    port_uart_put(frame, sizeof frame);
}

/* Moves the byte waiting in the UART, if any, into the ring if there is room (during a call: or
   drops it), and shows it to the runtime. Runs with interrupts masked or in the interrupt. */
static int port_rx_pull(void) {
    if ((UART0_STATE & UART_RX_FULL) == 0u)
        return BS_ASYNC_NONE;
    uint32_t head = port_rx_head;
    int room = head - port_rx_tail < PORT_RX_RING;
    if (!room && !bs_runtime_in_call())
        return BS_ASYNC_NONE;
    uint8_t byte = (uint8_t)UART0_DATA;
    if (room) {
        port_rx_ring[head % PORT_RX_RING] = byte;
        port_rx_head = head + 1u;
    }
    return bs_runtime_async_byte(byte);
}

/* Stops the call at once: "called" from the stopped loaded code, on its stack, aligned. */
__attribute__((naked, noreturn)) static void port_interrupt_stub(void) {
    __asm__ volatile("mov r0, sp\n\t"
                     "bic r0, r0, #7\n\t"
                     "mov sp, r0\n\t"
                     "ldr r0, =port_interrupted_pc\n\t"
                     "ldr r0, [r0]\n\t"
                     "b bs_runtime_interrupt\n\t"
                     ".ltorg");
}

static int port_in_code(uint32_t address) {
    return address >= (uint32_t)(uintptr_t)port_code &&
           address < (uint32_t)(uintptr_t)port_code + sizeof port_code;
}

/* A return address into loaded code: odd (Thumb), right after a BL or BLX there. */
static int port_returns_into_code(uint32_t ret) {
    uint32_t at = ret & ~1u;
    if ((ret & 1u) == 0u || !port_in_code(at - 4u) || !port_in_code(at))
        return 0;
    uint16_t before = *(const uint16_t *)(uintptr_t)(at - 2u);
    uint16_t first = *(const uint16_t *)(uintptr_t)(at - 4u);
    return (before & 0xFF87u) == 0x4780u || /* BLX Rm */
           ((first & 0xF800u) == 0xF000u && (before & 0xD000u) == 0xD000u); /* BL */
}

/* How far above the exception frame the innermost return address into loaded code is looked for. */
#define PORT_RETURN_SCAN_BYTES 2048u

/*
 * The runtime's own code was interrupted: makes the runtime function return into
 * port_interrupt_stub instead of to the loaded code that called it, so that it finishes what it
 * does first. Its return address is in LR (a leaf function) or the innermost one on the stack.
 */
static void port_interrupt_on_return(uint32_t *frame) {
    uint32_t stub = (uint32_t)(uintptr_t)port_interrupt_stub | 1u;
    uint32_t *top = (uint32_t *)(void *)(port_stack + sizeof port_stack);
    uint32_t *end = frame + 8 + PORT_RETURN_SCAN_BYTES / 4u;
    if (end > top)
        end = top;
    uint32_t ret = 0u;
    uint32_t *slot = NULL;
    for (uint32_t *p = frame + 8; p < end; p++) {
        if (*p == stub)
            return; /* an earlier interrupt took this way already */
        if (port_returns_into_code(*p)) {
            slot = p;
            ret = *p;
            break;
        }
    }
    if (port_returns_into_code(frame[5])) {
        ret = frame[5];
        frame[5] = stub;
    }
    if (slot != NULL && *slot == ret)
        *slot = stub;
    if (ret != 0u)
        port_interrupted_pc = (ret & ~1u) - 2u; /* inside the call instruction */
}

/* In a handler that interrupted thread mode: if an INTERRUPT waits, makes loaded code return from
   the handler into port_interrupt_stub, or the runtime's code return there from the function
   that loaded code called. */
static void port_try_interrupt(uint32_t exc_return) {
    if (exc_return != EXC_RETURN_THREAD_PSP || !bs_runtime_interrupt_requested())
        return;
    uint32_t *frame;
    __asm__ volatile("mrs %0, psp" : "=r"(frame));
    uint32_t pc = frame[6];
    if (!port_in_code(pc)) {
        port_interrupt_on_return(frame);
        return;
    }
    port_interrupted_pc = pc;
    frame[6] = (uint32_t)(uintptr_t)port_interrupt_stub & ~1u;
    frame[7] = (frame[7] & ~XPSR_ICI_IT) | XPSR_THUMB;
}

void port_uart0_rx_handler(uint32_t exc_return);
void port_uart0_rx_handler(uint32_t exc_return) {
    UART0_INTSTATUS = UART_INT_RX; /* before the read: the next byte raises it again */
    if (port_rx_pull() == BS_ASYNC_PING) {
        if (port_tx_busy) {
            port_pong_wanted = 1;
        } else {
            port_tx_busy = 1;
            port_send_pong();
            port_tx_busy = 0;
        }
    }
    port_try_interrupt(exc_return);
}

__attribute__((naked)) void port_uart0_rx(void) {
    __asm__ volatile("mov r0, lr\n\t"
                     "push {r0, lr}\n\t"
                     "bl port_uart0_rx_handler\n\t"
                     "pop {r0, pc}");
}

static void port_uart_init(void) {
    UART0_BAUDDIV = 16u; /* the smallest divider; QEMU does not model the baud rate */
    UART0_CTRL = UART_CTRL_TX_RX | UART_CTRL_RX_INTERRUPT;
    NVIC_ISER0 = 1u << UART0_RX_IRQ;
}

int bs_hal_read(uint8_t *buf, uint32_t max, uint32_t timeout_us) {
    uint32_t start = bs_hal_micros();
    __asm__ volatile("cpsid i" ::: "memory");
    if (port_rx_pull() == BS_ASYNC_PING) { /* a byte left in the UART while the ring was full */
        port_tx_busy = 1;
        port_send_pong();
        port_tx_busy = 0;
    }
    while (port_rx_head == port_rx_tail) {
        /* WFI wakes on the pending interrupt although it is masked; then let it run. A bounded
           wait also wakes on the clock's tick (every PORT_TICK_US) to look at the time. Sleeping
           rather than polling lets QEMU deliver the host's bytes at once. */
        __asm__ volatile("wfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
        if (timeout_us != BS_HAL_FOREVER && bs_hal_micros() - start >= timeout_us) {
            __asm__ volatile("cpsie i" ::: "memory");
            return 0;
        }
    }
    __asm__ volatile("cpsie i" ::: "memory");
    uint32_t tail = port_rx_tail;
    uint32_t n = port_rx_head - tail;
    if (n > max)
        n = max;
    for (uint32_t i = 0; i < n; i++)
        buf[i] = port_rx_ring[(tail + i) % PORT_RX_RING];
    port_rx_tail = tail + n;
    return (int)n;
}

void bs_hal_write(const uint8_t *buf, uint32_t len) {
    port_tx_busy = 1;
    port_uart_put(buf, len);
    port_tx_busy = 0;
    while (port_pong_wanted) {
        port_tx_busy = 1;
        port_pong_wanted = 0;
        port_send_pong();
        port_tx_busy = 0;
    }
}

/* --- the clock: SysTick on the CPU clock, with an interrupt per period --------------------------- */

/*
 * Under QEMU (without -icount) the SysTick counts the host's real time at the board's 25 MHz, so
 * microseconds are wall-clock time; but QEMU runs the code far faster than a 25 MHz Cortex-M3
 * would, so run times measure the emulation, not the board.
 */

#define SYST_CSR PORT_REG(0xE000E010u)
#define SYST_RVR PORT_REG(0xE000E014u)
#define SYST_CVR PORT_REG(0xE000E018u)
#define ICSR_PENDSTSET (1u << 26)

/* One SysTick period: 10 ms, so that a wait with a timeout (for an acknowledgement) sleeps with
   WFI and still notices its end in time. */
#define PORT_TICK_US 10000u
#define PORT_CYCLES_PER_US (BS_PORT_CPU_HZ / 1000000u)
#define PORT_TICK_CYCLES (PORT_TICK_US * PORT_CYCLES_PER_US)
_Static_assert(PORT_TICK_CYCLES - 1u <= 0xFFFFFFu, "the SysTick period exceeds its 24-bit counter");

static volatile uint32_t port_ticks;

void port_systick_handler(uint32_t exc_return);
void port_systick_handler(uint32_t exc_return) {
    port_ticks++;
    bs_event_tick(bs_hal_micros()); /* due timers only queue their callbacks */
    port_try_interrupt(exc_return);
}

__attribute__((naked)) void port_systick(void) {
    __asm__ volatile("mov r0, lr\n\t"
                     "push {r0, lr}\n\t"
                     "bl port_systick_handler\n\t"
                     "pop {r0, pc}");
}

static void port_clock_init(void) {
    SYST_RVR = PORT_TICK_CYCLES - 1u;
    SYST_CVR = 0u;
    SYST_CSR = 7u; /* CPU clock, interrupt, enable */
}

uint32_t bs_hal_micros(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    uint32_t ticks = port_ticks;
    uint32_t value = SYST_CVR;
    if ((PORT_ICSR & ICSR_PENDSTSET) != 0u) {
        /* The counter wrapped and the interrupt has not counted it yet. */
        ticks++;
        value = SYST_CVR;
    }
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
    return ticks * PORT_TICK_US + (PORT_TICK_CYCLES - 1u - value) / PORT_CYCLES_PER_US;
}

/* --- the seed of the auth nonce ------------------------------------------------------------------ */

/*
 * The AN385 has no random number generator: the seed is the clock's readings, which depend on
 * when the host's first bytes came. A board port should use its hardware generator instead
 * (docs/protocol.md, section 6).
 */
void bs_hal_seed(uint8_t *out, uint32_t len) {
    for (uint32_t i = 0; i < len; i++)
        out[i] = (uint8_t)(bs_hal_micros() ^ SYST_CVR ^ (port_ticks >> 8) ^ (i * 0x9Du));
}

/* --- code ---------------------------------------------------------------------------------------- */

void bs_hal_flush_icache(uintptr_t addr, uint32_t len) {
    (void)addr;
    (void)len;
    /* The Cortex-M3 has no caches: finish the writes and refetch what follows. */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

void bs_hal_call(uint32_t entry) {
    void (*function)(void) = (void (*)(void))(uintptr_t)(entry | 1u); /* Thumb state */
    function();
}

/* --- stopping: semihosting ----------------------------------------------------------------------- */

#define SEMIHOSTING_SYS_WRITE0 0x04u
#define SEMIHOSTING_SYS_EXIT 0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

static void port_semihosting(uint32_t operation, const void *argument) {
    register uint32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

_Noreturn void port_exit(int ok, const char *message) {
    if (message != NULL) {
        port_semihosting(SEMIHOSTING_SYS_WRITE0, "bs-runtime: ");
        port_semihosting(SEMIHOSTING_SYS_WRITE0, message);
        port_semihosting(SEMIHOSTING_SYS_WRITE0, "\n");
    }
    port_semihosting(SEMIHOSTING_SYS_EXIT,
                     (const void *)(uintptr_t)(ok ? ADP_STOPPED_APPLICATION_EXIT
                                                  : ADP_STOPPED_RUNTIME_ERROR_UNKNOWN));
    for (;;) {
        __asm__ volatile("wfi");
    }
}

_Noreturn void bs_hal_panic(const char *message) { port_exit(0, message); }

/* --- start-up ------------------------------------------------------------------------------------ */

_Noreturn void port_main(void) {
    port_uart_init();
    port_clock_init();
    bs_runtime_run();
    port_exit(1, NULL); /* the link closed (a UART never does) */
}

/* Thumb-2: a return address has bit 0 set, and the call before it is a `BL` (two halfwords) or a
   `BLX` through a register. */
int bs_hal_is_return_address(uint32_t addr) {
    bs_hal_region code, data, heap;
    bs_hal_regions(&code, &data, &heap);
    if ((addr & 1u) == 0 || addr < code.base + 8u || addr > code.base + code.size)
        return 0;
    const uint16_t *r = (const uint16_t *)(uintptr_t)(addr & ~1u);
    return ((r[-2] & 0xf800u) == 0xf000u && (r[-1] & 0xd000u) == 0xd000u) /* BL */
           || (r[-1] & 0xff87u) == 0x4780u;                               /* BLX Rm */
}
