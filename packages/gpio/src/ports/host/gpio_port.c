/* The gpio package on the host device: a simulated bank of GPIO_PINS pins. Writing an output
 * pin sets its level; an input pin's level is driven from the host (the REPL's `.pin N 0|1`,
 * which calls gpio_host_drive). A driven change that a handler asked for queues its callback;
 * the device runs it when it is idle. While a pin has a callback the device counts it as a
 * source of events (bs_event_sources_add): the host keeps polling, and `bscript run` keeps
 * running until Ctrl-C or its --timeout. */
#include "../../gpio.h"

#define GPIO_PINS 32

/* Zero means "not set up"; otherwise the mode plus one. */
static uint8_t gpio_modes[GPIO_PINS];
static uint8_t gpio_levels[GPIO_PINS];
static uint8_t gpio_edges[GPIO_PINS];
/* In the data region, which the collector scans: the callbacks stay alive. */
static bs_value gpio_handlers[GPIO_PINS];

void gpio_port_setup(int32_t pin, int32_t mode, void *caller) {
    if (pin < 0 || pin >= GPIO_PINS || (mode != GPIO_INPUT && mode != GPIO_OUTPUT)) {
        bs_error(BS_ERR_NO_PIN, 0, (uint32_t)pin, (uint32_t)(uintptr_t)caller);
    }
    gpio_port_on(pin, 0, 0);
    gpio_modes[pin] = (uint8_t)(mode + 1);
}

void gpio_port_write(int32_t pin, int32_t level) {
    if (gpio_modes[pin] == GPIO_OUTPUT + 1) {
        gpio_levels[pin] = level != 0;
    }
}

int32_t gpio_port_read(int32_t pin) { return gpio_levels[pin]; }

void gpio_port_on(int32_t pin, int32_t edges, bs_value callback) {
    int before = gpio_handlers[pin] != 0;
    int after = callback != 0;
    gpio_edges[pin] = (uint8_t)(after ? edges : 0);
    gpio_handlers[pin] = callback;
    if (after != before) {
        bs_event_sources_add(after - before);
    }
}

int32_t gpio_port_count(void) { return GPIO_PINS; }

int32_t gpio_port_mode(int32_t pin) { return (int32_t)gpio_modes[pin] - 1; }

int32_t gpio_port_level(int32_t pin) { return gpio_levels[pin]; }

/* Drives input `pin` to `level`: 0 when done, 1 when the pin is not an input, 2 when the
 * callback's event was lost (the device's event queue was full). */
int32_t gpio_host_drive(int32_t pin, int32_t level) {
    if (pin < 0 || pin >= GPIO_PINS || gpio_modes[pin] != GPIO_INPUT + 1) {
        return 1;
    }
    uint8_t old = gpio_levels[pin];
    uint8_t now = level != 0;
    gpio_levels[pin] = now;
    if (old == now || gpio_handlers[pin] == 0) {
        return 0;
    }
    int edge = now ? GPIO_RISING : GPIO_FALLING;
    if ((gpio_edges[pin] & edge) == 0) {
        return 0;
    }
    return bs_event_post(gpio_handlers[pin]) ? 0 : 2;
}
