/* The functions every port of the pwm package defines (src/ports/<port>/pwm_port.c). One PWM
 * output runs at a time: starting one stops the one before (its pin keeps its last level). */
#ifndef PWM_H
#define PWM_H

#include <stdint.h>

#include "bs.h"

/* The frequencies a PWM output takes, in Hz; others are clamped to them. */
#define PWM_MIN_HZ 1
#define PWM_MAX_HZ 1000

/* Starts a square wave on `pin` at `hz`, high for `duty` percent (clamped to 0 .. 100) of each
 * period. An unavailable pin is the run-time error BS_ERR_NO_PIN, located at `caller`, a return
 * address into compiled code. */
void pwm_port_start(int32_t pin, int32_t hz, int32_t duty, void *caller);
/* Changes the running output's duty from its next period on. */
void pwm_port_duty(int32_t duty);
/* Stops the output, leaving the pin low. */
void pwm_port_stop(void);
/* The output's level now (0 or 1). */
int32_t pwm_port_level(void);
/* How many periods have ended since the output started. */
int32_t pwm_port_periods(void);

static inline int32_t pwm_clamp(int32_t v, int32_t lo, int32_t hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

#endif
