/* The pwm package on qemu-mps2-an385: the CMSDK APB timer 0 (0x40000000, interrupt 8, counting
 * the 25 MHz system clock) toggles a user LED (pin 0 or 1: bit 0 or 1 of the FPGA I/O LED
 * register). The timer counts the current phase down; at each interrupt the handler flips the
 * LED and writes the length of the phase that begins to RELOAD, which also sets the count (as
 * the CMSDK timer's manual says and QEMU models), so each period takes two interrupts. Duties
 * 0 and 100 stop the timer and hold the LED low or high. */
#include "../../pwm.h"

/* The port's hook for drivers' interrupts (runtime/ports/qemu-mps2-an385/port.h). */
extern int bs_port_irq_attach(uint32_t irq, void (*handler)(void), const volatile uint32_t *alive);

#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u) /* bit 0 enable, bit 3 interrupt */
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)
#define TIMER0_INTCLEAR (*(volatile uint32_t *)0x4000000Cu)
#define TIMER_CTRL_RUN 9u /* enable, interrupt enable */
#define TIMER0_IRQ 8u
#define FPGAIO_LED (*(volatile uint32_t *)0x40028000u)
#define SYSCLK_HZ 25000000u
#define PWM_LEDS 2

/* Holds pwm_isr's address while the timer runs; the port calls the handler through it, and
   RESET clears it with the rest of the data, so the interrupt never calls unloaded code. */
static volatile uint32_t pwm_alive;
static uint32_t pwm_bit;
static uint32_t pwm_period_ticks;
static volatile uint32_t pwm_on_ticks;
static volatile uint32_t pwm_edges;

static void pwm_isr(void) {
    TIMER0_INTCLEAR = 1u;
    uint32_t on = pwm_on_ticks;
    if (FPGAIO_LED & pwm_bit) {
        FPGAIO_LED &= ~pwm_bit;
        TIMER0_RELOAD = pwm_period_ticks - on;
    } else {
        FPGAIO_LED |= pwm_bit;
        TIMER0_RELOAD = on;
    }
    pwm_edges++;
}

static void pwm_halt(void) {
    TIMER0_CTRL = 0u;
    TIMER0_INTCLEAR = 1u;
    bs_port_irq_attach(TIMER0_IRQ, 0, 0);
    pwm_alive = 0u;
}

static void pwm_run(int32_t duty) {
    pwm_halt();
    if (duty <= 0 || duty >= 100) {
        FPGAIO_LED = duty >= 100 ? (FPGAIO_LED | pwm_bit) : (FPGAIO_LED & ~pwm_bit);
        return;
    }
    uint32_t on = (uint32_t)((uint64_t)pwm_period_ticks * (uint32_t)duty / 100u);
    pwm_on_ticks = on;
    FPGAIO_LED |= pwm_bit;
    TIMER0_RELOAD = on;
    TIMER0_VALUE = on;
    pwm_alive = (uint32_t)(uintptr_t)pwm_isr;
    bs_port_irq_attach(TIMER0_IRQ, pwm_isr, &pwm_alive);
    TIMER0_CTRL = TIMER_CTRL_RUN;
}

void pwm_port_start(int32_t pin, int32_t hz, int32_t duty, void *caller) {
    if (pin < 0 || pin >= PWM_LEDS) {
        bs_error(BS_ERR_NO_PIN, 0, (uint32_t)pin, (uint32_t)(uintptr_t)caller);
    }
    pwm_halt();
    pwm_bit = 1u << pin;
    pwm_period_ticks = SYSCLK_HZ / (uint32_t)pwm_clamp(hz, PWM_MIN_HZ, PWM_MAX_HZ);
    pwm_edges = 0u;
    pwm_run(pwm_clamp(duty, 0, 100));
}

void pwm_port_duty(int32_t duty) {
    if (pwm_bit == 0u) {
        return;
    }
    duty = pwm_clamp(duty, 0, 100);
    if (pwm_alive != 0u && duty > 0 && duty < 100) {
        /* Running: the next reload picks it up. */
        pwm_on_ticks = (uint32_t)((uint64_t)pwm_period_ticks * (uint32_t)duty / 100u);
        return;
    }
    pwm_run(duty);
}

void pwm_port_stop(void) {
    pwm_halt();
    FPGAIO_LED &= ~pwm_bit;
}

int32_t pwm_port_level(void) { return (FPGAIO_LED & pwm_bit) != 0u; }

int32_t pwm_port_periods(void) { return (int32_t)(pwm_edges / 2u); }
