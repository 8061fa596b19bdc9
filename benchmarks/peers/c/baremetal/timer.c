/* timer.c: bench_now_us() from the CMSDK APB timer 0 of the mps2-an385 board.
 *
 * The timer counts down at the board's 25 MHz system clock. Its period is set to 100 s
 * (2.5e9 cycles, within its 32-bit counter) and its interrupt counts the periods, so the clock
 * is 64-bit and its wrap-around does not matter. Under QEMU with -icount the clock follows the
 * guest's instruction count (at shift=0, one instruction is one nanosecond of guest time).
 */
#include <stdint.h>

#include "baremetal.h"

uint64_t bench_now_us(void);

#define TIMER0_CTRL BAREMETAL_REG(0x40000000u) /* bit 0: enable, bit 3: interrupt enable */
#define TIMER0_VALUE BAREMETAL_REG(0x40000004u)
#define TIMER0_RELOAD BAREMETAL_REG(0x40000008u)
#define TIMER0_INT BAREMETAL_REG(0x4000000Cu) /* read: pending; write 1: clear */
#define TIMER_CTRL_ENABLE 1u
#define TIMER_CTRL_IRQ_ENABLE 8u
#define NVIC_ISER0 BAREMETAL_REG(0xE000E100u)
#define TIMER0_IRQ 8u

#define TIMER_CYCLES_PER_US 25u
#define TIMER_PERIOD_US 100000000u
#define TIMER_RELOAD (TIMER_PERIOD_US * TIMER_CYCLES_PER_US - 1u)
_Static_assert(TIMER_PERIOD_US * (uint64_t)TIMER_CYCLES_PER_US - 1u <= 0xFFFFFFFFu,
               "the timer period exceeds its 32-bit counter");

static volatile uint32_t periods; /* whole periods counted by the interrupt */

void baremetal_timer_irq(void) {
    TIMER0_INT = 1u;
    periods++;
}

void baremetal_timer_init(void) {
    TIMER0_CTRL = 0u;
    TIMER0_RELOAD = TIMER_RELOAD;
    TIMER0_VALUE = TIMER_RELOAD;
    TIMER0_INT = 1u;
    NVIC_ISER0 = 1u << TIMER0_IRQ;
    TIMER0_CTRL = TIMER_CTRL_ENABLE | TIMER_CTRL_IRQ_ENABLE;
}

uint64_t bench_now_us(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    uint32_t count = periods;
    uint32_t value = TIMER0_VALUE;
    if ((TIMER0_INT & 1u) != 0u) {
        /* The counter has wrapped, and the interrupt has not counted it yet. */
        count++;
        value = TIMER0_VALUE;
    }
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
    uint64_t cycles = (uint64_t)count * (TIMER_RELOAD + 1ull) + (TIMER_RELOAD - value);
    return cycles / TIMER_CYCLES_PER_US;
}
