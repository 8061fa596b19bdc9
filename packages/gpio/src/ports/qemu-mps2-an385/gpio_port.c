/* The gpio package on qemu-mps2-an385: the MPS2 board's FPGA I/O block, as QEMU models it.
 * Pins 0 and 1 are the user LEDs (bits 0 and 1 of the LED register, FPGAIO + 0x00), outputs
 * whose level reads back from the register; pins 2 and 3 are the user push buttons (bits 0 and
 * 1 of the read-only BUTTON register, FPGAIO + 0x08), inputs. QEMU models no presses (the
 * register reads 0) and no button interrupt, so `on` handlers of the buttons never run there
 * (and do not count as a source of events: `bscript run` does not wait for them).
 * Every other pin number is a run-time error. */
#include "../../gpio.h"

#define FPGAIO_LED (*(volatile uint32_t *)0x40028000u)
#define FPGAIO_BUTTON (*(volatile uint32_t *)0x40028008u)

#define GPIO_PINS 4
#define GPIO_LEDS 2

/* Zero means "not set up"; otherwise the mode plus one. */
static uint8_t gpio_modes[GPIO_PINS];
static bs_value gpio_handlers[GPIO_PINS];

void gpio_port_setup(int32_t pin, int32_t mode, void *caller) {
    int ok = pin >= 0 && pin < GPIO_PINS &&
             (pin < GPIO_LEDS ? mode == GPIO_OUTPUT : mode == GPIO_INPUT);
    if (!ok) {
        bs_error(BS_ERR_NO_PIN, 0, (uint32_t)pin, (uint32_t)(uintptr_t)caller);
    }
    gpio_modes[pin] = (uint8_t)(mode + 1);
    gpio_handlers[pin] = 0;
}

void gpio_port_write(int32_t pin, int32_t level) {
    if (pin < GPIO_LEDS) {
        uint32_t bit = 1u << pin;
        FPGAIO_LED = level ? (FPGAIO_LED | bit) : (FPGAIO_LED & ~bit);
    }
}

int32_t gpio_port_read(int32_t pin) {
    if (pin < GPIO_LEDS) {
        return (int32_t)((FPGAIO_LED >> pin) & 1u);
    }
    return (int32_t)((FPGAIO_BUTTON >> (pin - GPIO_LEDS)) & 1u);
}

void gpio_port_on(int32_t pin, int32_t edges, bs_value callback) {
    (void)edges;
    gpio_handlers[pin] = callback;
}

int32_t gpio_port_count(void) { return GPIO_PINS; }

int32_t gpio_port_mode(int32_t pin) { return (int32_t)gpio_modes[pin] - 1; }

int32_t gpio_port_level(int32_t pin) { return gpio_port_read(pin); }

/* The LED register itself, for the REPL's `.pins`. */
int32_t gpio_qemu_led_register(void) { return (int32_t)FPGAIO_LED; }
