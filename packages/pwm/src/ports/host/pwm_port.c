/* The pwm package on the host device: no hardware, so the output is simulated from the
 * runtime's clock: its level is high during the first `duty` percent of each period since it
 * started. Pins 0 to 31, as the gpio package's simulated bank (the two are not connected). */
#include "../../pwm.h"

uint32_t bs_hal_micros(void);

#define PWM_PINS 32

static int32_t pwm_pin = -1;
static uint32_t pwm_period_us;
static uint32_t pwm_start_us;
static int32_t pwm_duty;

void pwm_port_start(int32_t pin, int32_t hz, int32_t duty, void *caller) {
    if (pin < 0 || pin >= PWM_PINS) {
        bs_error(BS_ERR_NO_PIN, 0, (uint32_t)pin, (uint32_t)(uintptr_t)caller);
    }
    pwm_pin = pin;
    pwm_period_us = 1000000u / (uint32_t)pwm_clamp(hz, PWM_MIN_HZ, PWM_MAX_HZ);
    pwm_start_us = bs_hal_micros();
    pwm_duty = pwm_clamp(duty, 0, 100);
}

void pwm_port_duty(int32_t duty) { pwm_duty = pwm_clamp(duty, 0, 100); }

void pwm_port_stop(void) { pwm_pin = -1; }

int32_t pwm_port_level(void) {
    if (pwm_pin < 0) {
        return 0;
    }
    uint32_t phase = (bs_hal_micros() - pwm_start_us) % pwm_period_us;
    return phase < (uint32_t)((uint64_t)pwm_period_us * (uint32_t)pwm_duty / 100u);
}

int32_t pwm_port_periods(void) {
    if (pwm_pin < 0) {
        return 0;
    }
    return (int32_t)((bs_hal_micros() - pwm_start_us) / pwm_period_us);
}
