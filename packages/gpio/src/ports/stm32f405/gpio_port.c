/* The gpio package on stm32f405: four pins, numbered as on qemu-mps2-an385. Pins 0 and 1 are
 * outputs on PD12 and PD13 (LEDs on many STM32F4 boards), pins 2 and 3 inputs on PA0 (a user
 * button on many boards) and PA1, with pull-downs. An output reads back the level last written
 * (the output data register on a chip). QEMU's netduinoplus2 does not model the GPIO ports
 * (writes are dropped, reads give 0): there outputs read back from the package's own copy and
 * inputs read low. There is no EXTI set-up, so `on` handlers never run (as on qemu-mps2-an385).
 * Every other pin number is a run-time error. */
#include "../../gpio.h"

#define GPIO_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define GPIOA 0x40020000u
#define GPIOD 0x40020C00u
#define GPIO_MODER 0x00u
#define GPIO_PUPDR 0x0Cu
#define GPIO_IDR 0x10u
#define GPIO_BSRR 0x18u
#define RCC_AHB1ENR GPIO_REG(0x40023830u)

#define GPIO_PINS 4
#define GPIO_LEDS 2

static const uint32_t gpio_bank[GPIO_PINS] = {GPIOD, GPIOD, GPIOA, GPIOA};
static const uint8_t gpio_line[GPIO_PINS] = {12, 13, 0, 1};

/* Zero means "not set up"; otherwise the mode plus one. */
static uint8_t gpio_modes[GPIO_PINS];
static uint8_t gpio_levels; /* the outputs' levels, bit per pin */
static bs_value gpio_handlers[GPIO_PINS];

void gpio_port_setup(int32_t pin, int32_t mode, void *caller) {
    int ok = pin >= 0 && pin < GPIO_PINS &&
             (pin < GPIO_LEDS ? mode == GPIO_OUTPUT : mode == GPIO_INPUT);
    if (!ok) {
        bs_error(BS_ERR_NO_PIN, 0, (uint32_t)pin, (uint32_t)(uintptr_t)caller);
    }
    uint32_t bank = gpio_bank[pin];
    uint32_t shift = 2u * gpio_line[pin];
    RCC_AHB1ENR |= (1u << 0) | (1u << 3); /* GPIOA, GPIOD */
    if (mode == GPIO_OUTPUT) {
        GPIO_REG(bank + GPIO_BSRR) = 1u << (gpio_line[pin] + 16u); /* low */
        gpio_levels &= (uint8_t)~(1u << pin);
        GPIO_REG(bank + GPIO_MODER) = (GPIO_REG(bank + GPIO_MODER) & ~(3u << shift)) | (1u << shift);
    } else {
        GPIO_REG(bank + GPIO_PUPDR) = (GPIO_REG(bank + GPIO_PUPDR) & ~(3u << shift)) | (2u << shift);
        GPIO_REG(bank + GPIO_MODER) &= ~(3u << shift);
    }
    gpio_modes[pin] = (uint8_t)(mode + 1);
    gpio_handlers[pin] = 0;
}

void gpio_port_write(int32_t pin, int32_t level) {
    if (pin < GPIO_LEDS) {
        uint32_t line = gpio_line[pin];
        GPIO_REG(gpio_bank[pin] + GPIO_BSRR) = level ? 1u << line : 1u << (line + 16u);
        gpio_levels = (uint8_t)(level ? gpio_levels | (1u << pin) : gpio_levels & ~(1u << pin));
    }
}

int32_t gpio_port_read(int32_t pin) {
    if (pin < GPIO_LEDS) {
        return (int32_t)((gpio_levels >> pin) & 1u);
    }
    return (int32_t)((GPIO_REG(gpio_bank[pin] + GPIO_IDR) >> gpio_line[pin]) & 1u);
}

void gpio_port_on(int32_t pin, int32_t edges, bs_value callback) {
    (void)edges;
    gpio_handlers[pin] = callback;
}

int32_t gpio_port_count(void) { return GPIO_PINS; }

int32_t gpio_port_mode(int32_t pin) { return (int32_t)gpio_modes[pin] - 1; }

int32_t gpio_port_level(int32_t pin) { return gpio_port_read(pin); }
