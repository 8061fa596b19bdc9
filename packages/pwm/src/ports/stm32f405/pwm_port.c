/* The pwm package on stm32f405: not yet. No pin has a PWM output on this port, so `new Pwm(...)`
 * stops the program with "pin N is not available on stm32f405". (QEMU's netduinoplus2 models
 * TIM2 to TIM5 at a fixed 48 MHz, and the runtime lets drivers attach their interrupts,
 * IRQ 28, 29, 30 and 50, through bs_port_irq_attach: a driver would use one of them.) */
#include "../../pwm.h"

void pwm_port_start(int32_t pin, int32_t hz, int32_t duty, void *caller) {
    (void)hz;
    (void)duty;
    bs_error(BS_ERR_NO_PIN, 0, (uint32_t)pin, (uint32_t)(uintptr_t)caller);
}

void pwm_port_duty(int32_t duty) { (void)duty; }

void pwm_port_stop(void) {}

int32_t pwm_port_level(void) { return 0; }

int32_t pwm_port_periods(void) { return 0; }
