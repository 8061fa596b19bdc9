/* port.c: the stm32f405 HAL: clocks, the USART1 link, the SysTick clock, the memory regions, calls,
   semihosting. */
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

/* --- clocks (a real chip; QEMU models none of this) ------------------------------------------- */

#define RCC_CR PORT_REG(0x40023800u)
#define RCC_PLLCFGR PORT_REG(0x40023804u)
#define RCC_CFGR PORT_REG(0x40023808u)
#define RCC_AHB1ENR PORT_REG(0x40023830u)
#define RCC_AHB2ENR PORT_REG(0x40023834u)
#define RCC_APB1ENR PORT_REG(0x40023840u)
#define RCC_APB2ENR PORT_REG(0x40023844u)
#define RCC_CR_HSIRDY (1u << 1)
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_PLLCFGR_SRC_HSE (1u << 22)
#define RCC_CFGR_SW_PLL 2u
#define RCC_CFGR_SWS_MASK (3u << 2)
#define RCC_CFGR_SWS_PLL (2u << 2)
#define RCC_CFGR_PPRE1_DIV4 (5u << 10) /* APB1 at 42 MHz (at most 42) */
#define RCC_CFGR_PPRE2_DIV2 (4u << 13) /* APB2 at 84 MHz (at most 84): USART1 */
#define FLASH_ACR PORT_REG(0x40023C00u)
#define FLASH_ACR_168MHZ (5u | (1u << 8) | (1u << 9) | (1u << 10)) /* 5 wait states, prefetch, caches */
#define PWR_CR PORT_REG(0x40007000u)
#define PWR_CR_VOS (1u << 14) /* voltage scale 1, needed above 144 MHz */

/* How long to wait for the crystal or the PLL: about 10 ms at the internal 16 MHz. */
#define PORT_CLOCK_WAIT 40000u

int port_has_rcc(void) { return (RCC_CR & RCC_CR_HSIRDY) != 0u; }

static int port_wait_set(volatile uint32_t *reg, uint32_t bits) {
    for (uint32_t i = 0; i < PORT_CLOCK_WAIT; i++)
        if ((*reg & bits) == bits)
            return 1;
    return 0;
}

/*
 * 168 MHz from the PLL: VCO input 1 MHz (M = 8 from an 8 MHz crystal, or M = 16 from the internal
 * 16 MHz oscillator when no crystal starts), VCO 336 MHz (N = 336), system clock VCO / 2, 48 MHz
 * for USB and the random number generator (Q = 7). Flash needs 5 wait states at 168 MHz and 3.3 V,
 * set before the clock goes up. BS_PORT_CPU_HZ is this clock, and QEMU's.
 */
static void port_clock_setup(void) {
    if (!port_has_rcc())
        return;
    RCC_APB1ENR |= 1u << 28; /* PWR */
    PWR_CR |= PWR_CR_VOS;
    FLASH_ACR = FLASH_ACR_168MHZ;
    RCC_CR |= RCC_CR_HSEON;
    uint32_t source;
    if (port_wait_set(&RCC_CR, RCC_CR_HSERDY)) {
        source = RCC_PLLCFGR_SRC_HSE | 8u;
    } else {
        RCC_CR &= ~RCC_CR_HSEON;
        source = 16u;
    }
    RCC_PLLCFGR = source | (336u << 6) | (0u << 16) | (7u << 24);
    RCC_CR |= RCC_CR_PLLON;
    if (!port_wait_set(&RCC_CR, RCC_CR_PLLRDY))
        bs_hal_panic("the PLL does not lock");
    RCC_CFGR = RCC_CFGR_PPRE1_DIV4 | RCC_CFGR_PPRE2_DIV2 | RCC_CFGR_SW_PLL;
    while ((RCC_CFGR & RCC_CFGR_SWS_MASK) != RCC_CFGR_SWS_PLL) {
    }
}

/* --- the link: USART1 (TX on PA9, RX on PA10, 115200 baud, 8N1) ------------------------------- */

/* USART1 is QEMU's first serial port (-serial) on netduinoplus2. */
#define USART1_SR PORT_REG(0x40011000u)
#define USART1_DR PORT_REG(0x40011004u)
#define USART1_BRR PORT_REG(0x40011008u)
#define USART1_CR1 PORT_REG(0x4001100Cu)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_UE (1u << 13)
/* 84 MHz / (16 * 115200) = 45.57: mantissa 45, fraction 9/16. */
#define USART1_BRR_115200 ((45u << 4) | 9u)
#define GPIOA_MODER PORT_REG(0x40020000u)
#define GPIOA_OSPEEDR PORT_REG(0x40020008u)
#define GPIOA_PUPDR PORT_REG(0x4002000Cu)
#define GPIOA_AFRH PORT_REG(0x40020024u)
#define NVIC_ISER(irq) PORT_REG(0xE000E100u + 4u * ((irq) / 32u))
#define NVIC_ICER(irq) PORT_REG(0xE000E180u + 4u * ((irq) / 32u))
#define NVIC_BIT(irq) (1u << ((irq) % 32u))

/*
 * Receiving. The USART holds a single received byte and QEMU sends it the next one only once the
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
#define XPSR_THUMB (1u << 24)
#define XPSR_ICI_IT ((3u << 25) | (0x3Fu << 10))

static volatile int port_tx_busy;     /* the main code is writing a frame */
static volatile int port_pong_wanted; /* a PING came while it was */
uint32_t port_interrupted_pc;         /* where loaded code was stopped, for port_interrupt_stub */

static void port_uart_put(const uint8_t *buf, uint32_t len) {
    const uint8_t *end = buf + len;
    while (buf != end) {
        while ((USART1_SR & USART_SR_TXE) == 0u) {
        }
        USART1_DR = *buf++;
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
    if ((USART1_SR & USART_SR_RXNE) == 0u)
        return BS_ASYNC_NONE;
    uint32_t head = port_rx_head;
    int room = head - port_rx_tail < PORT_RX_RING;
    if (!room && !bs_runtime_in_call())
        return BS_ASYNC_NONE;
    uint8_t byte = (uint8_t)USART1_DR; /* clears RXNE and with it the interrupt */
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
static void port_interrupt_on_return(uint32_t *frame, uint32_t words) {
    uint32_t stub = (uint32_t)(uintptr_t)port_interrupt_stub | 1u;
    uint32_t *top = (uint32_t *)(void *)(port_stack + sizeof port_stack);
    uint32_t *end = frame + words + PORT_RETURN_SCAN_BYTES / 4u;
    if (end > top)
        end = top;
    uint32_t ret = 0u;
    uint32_t *slot = NULL;
    for (uint32_t *p = frame + words; p < end; p++) {
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
    if (!port_returns_to_thread_psp(exc_return) || !bs_runtime_interrupt_requested())
        return;
    uint32_t *frame;
    __asm__ volatile("mrs %0, psp" : "=r"(frame));
    uint32_t pc = frame[6];
    if (!port_in_code(pc)) {
        port_interrupt_on_return(frame, port_frame_words(exc_return));
        return;
    }
    port_interrupted_pc = pc;
    frame[6] = (uint32_t)(uintptr_t)port_interrupt_stub & ~1u;
    frame[7] = (frame[7] & ~XPSR_ICI_IT) | XPSR_THUMB;
}

void port_usart1_rx_handler(uint32_t exc_return);
void port_usart1_rx_handler(uint32_t exc_return) {
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

__attribute__((naked)) void port_usart1_rx(void) {
    __asm__ volatile("mov r0, lr\n\t"
                     "push {r0, lr}\n\t"
                     "bl port_usart1_rx_handler\n\t"
                     "pop {r0, pc}");
}

/* --- interrupts of drivers in loaded code ----------------------------------------------------- */

#define NVIC_IPR(irq) (*(volatile uint8_t *)(uintptr_t)(0xE000E400u + (irq)))
#define PORT_DRIVER_IRQ_PRIORITY 0x80u /* below the link's USART (0) and the faults */

/* Drivers may attach the interrupts of the general-purpose timers TIM2, TIM3, TIM4 (IRQ 28, 29,
   30) and TIM5 (IRQ 50), the timers QEMU's netduinoplus2 models. Per interrupt, the driver's word
   that holds its handler's address while it is loaded. */
#define PORT_DRIVER_IRQS 4u
static const uint8_t port_driver_irq[PORT_DRIVER_IRQS] = {28u, 29u, 30u, 50u};
static const volatile uint32_t *port_irqs[PORT_DRIVER_IRQS];

static uint32_t port_driver_slot(uint32_t irq) {
    uint32_t slot = 0;
    while (slot < PORT_DRIVER_IRQS && port_driver_irq[slot] != irq)
        slot++;
    return slot;
}

int bs_port_irq_attach(uint32_t irq, void (*handler)(void), const volatile uint32_t *alive) {
    uint32_t slot = port_driver_slot(irq);
    if (slot >= PORT_DRIVER_IRQS || (handler != 0 && alive == 0))
        return 0;
    NVIC_ICER(irq) = NVIC_BIT(irq);
    port_irqs[slot] = handler != 0 && *alive == (uint32_t)(uintptr_t)handler ? alive : 0;
    if (port_irqs[slot] != 0) {
        NVIC_IPR(irq) = PORT_DRIVER_IRQ_PRIORITY;
        NVIC_ISER(irq) = NVIC_BIT(irq);
    }
    return 1;
}

void port_irq(void) {
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    uint32_t irq = (ipsr & 0x1FFu) - 16u;
    uint32_t slot = port_driver_slot(irq);
    if (slot >= PORT_DRIVER_IRQS) {
        port_unexpected(); /* never enabled */
        return;
    }
    const volatile uint32_t *alive = port_irqs[slot];
    uint32_t handler = alive != 0 ? *alive : 0u;
    if (handler != 0) {
        ((void (*)(void))(uintptr_t)handler)();
        return;
    }
    /* Its driver was unloaded (RESET cleared the word) or never attached it: silence it. */
    NVIC_ICER(irq) = NVIC_BIT(irq);
    port_irqs[slot] = 0;
}

/* USART1 on PA9 (TX) and PA10 (RX), alternate function 7; RX pulled up so that an unconnected
   line reads idle. QEMU models neither the pins nor the baud rate. */
static void port_uart_init(void) {
    RCC_AHB1ENR |= 1u << 0; /* GPIOA */
    RCC_APB2ENR |= 1u << 4; /* USART1 */
    (void)RCC_APB2ENR;      /* the clock is on before the registers are written */
    GPIOA_AFRH = (GPIOA_AFRH & ~(0xFFu << 4)) | (7u << 4) | (7u << 8);
    GPIOA_OSPEEDR |= 2u << 18;
    GPIOA_PUPDR = (GPIOA_PUPDR & ~(3u << 20)) | (1u << 20);
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 18)) | (2u << 18) | (2u << 20);
    USART1_BRR = USART1_BRR_115200;
    USART1_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    NVIC_ISER(PORT_USART1_IRQ) = NVIC_BIT(PORT_USART1_IRQ);
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
 * Under QEMU (without -icount) the SysTick counts the host's real time at 168 MHz, so microseconds
 * are wall-clock time; run times measure the emulation, not the chip.
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

#define RNG_CR PORT_REG(0x50060800u)
#define RNG_SR PORT_REG(0x50060804u)
#define RNG_DR PORT_REG(0x50060808u)
#define RNG_CR_RNGEN (1u << 2)
#define RNG_SR_DRDY 1u
#define RNG_SR_ERRORS ((1u << 5) | (1u << 6)) /* seed error, clock error */

/* A word of the hardware random number generator (clocked at 48 MHz by the PLL), or 0 when it
   has none ready (a seed or clock error, or QEMU, which does not model it). */
static uint32_t port_rng_word(void) {
    for (uint32_t i = 0; i < 1000u; i++) {
        uint32_t sr = RNG_SR;
        if ((sr & RNG_SR_ERRORS) != 0u)
            return 0u;
        if ((sr & RNG_SR_DRDY) != 0u)
            return RNG_DR;
    }
    return 0u;
}

/*
 * On a real chip the generator's words, mixed with the clock's readings; under QEMU (no RCC, no
 * generator) the clock's readings alone, which depend on when the host's first bytes came.
 */
void bs_hal_seed(uint8_t *out, uint32_t len) {
    int rng = port_has_rcc();
    if (rng) {
        RCC_AHB2ENR |= 1u << 6;
        RNG_CR |= RNG_CR_RNGEN;
    }
    uint32_t word = 0u;
    for (uint32_t i = 0; i < len; i++) {
        if (rng && i % 4u == 0u)
            word = port_rng_word();
        out[i] = (uint8_t)(bs_hal_micros() ^ SYST_CVR ^ (port_ticks >> 8) ^ (i * 0x9Du) ^ (word >> (8u * (i % 4u))));
    }
}

/* --- code ---------------------------------------------------------------------------------------- */

void bs_hal_flush_icache(uintptr_t addr, uint32_t len) {
    (void)addr;
    (void)len;
    /* Code runs from SRAM, which the flash accelerator's caches do not hold: finish the writes
       and refetch what follows. */
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

#define PORT_DHCSR PORT_REG(0xE000EDF0u) /* bit 0: a debugger is attached */
#define PORT_AIRCR PORT_REG(0xE000ED0Cu)
#define PORT_AIRCR_SYSRESETREQ 0x05FA0004u

_Noreturn void port_exit(int ok, const char *message) {
    if (port_has_rcc() && (PORT_DHCSR & 1u) == 0u) {
        /* A chip without a debugger: a semihosting call would fault. Reset it, so that the host
           sees a new session (docs/protocol.md, reset detection). */
        __asm__ volatile("dsb" ::: "memory");
        PORT_AIRCR = PORT_AIRCR_SYSRESETREQ;
        __asm__ volatile("dsb" ::: "memory");
        for (;;) {
        }
    }
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
    port_clock_setup();
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
