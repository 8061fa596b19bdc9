/* The functions every port of the gpio package defines (src/ports/<port>/gpio_port.c). A pin
 * number is checked by gpio_port_setup, which stops the program with a run-time error for a
 * pin the device does not have; the other functions take only pins that were set up. */
#ifndef GPIO_H
#define GPIO_H

#include <stdint.h>

#include "bs.h"

#define GPIO_INPUT 0
#define GPIO_OUTPUT 1
#define GPIO_RISING 1
#define GPIO_FALLING 2
#define GPIO_BOTH 3

/* Configures `pin` as GPIO_INPUT or GPIO_OUTPUT. An unavailable pin is the run-time error
 * BS_ERR_NO_PIN, located at `caller`, a return address into compiled code. */
void gpio_port_setup(int32_t pin, int32_t mode, void *caller);
void gpio_port_write(int32_t pin, int32_t level);
int32_t gpio_port_read(int32_t pin);
/* Calls `callback` (a `() => void` function value) after each change of the input `pin`'s
 * level that `edges` (GPIO_RISING, GPIO_FALLING or GPIO_BOTH) names; 0 for no callback. */
void gpio_port_on(int32_t pin, int32_t edges, bs_value callback);

/* For the REPL's `.pins`: how many pin numbers there are, and a pin's mode (-1: not set up)
 * and level. */
int32_t gpio_port_count(void);
int32_t gpio_port_mode(int32_t pin);
int32_t gpio_port_level(int32_t pin);

#endif
