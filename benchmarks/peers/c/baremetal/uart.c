/* uart.c: output over the CMSDK APB UART0 of the mps2-an385 board (QEMU's -serial). */
#include <stdint.h>

#include "baremetal.h"

#define UART0_DATA BAREMETAL_REG(0x40004000u)
#define UART0_STATE BAREMETAL_REG(0x40004004u) /* bit 0: transmit buffer full */
#define UART0_CTRL BAREMETAL_REG(0x40004008u)  /* bit 0: transmit enable */
#define UART0_BAUDDIV BAREMETAL_REG(0x40004010u)
#define UART_STATE_TX_FULL 1u
#define UART_CTRL_TX_ENABLE 1u

void baremetal_uart_init(void) {
    UART0_BAUDDIV = 16u; /* the smallest valid divider; QEMU does not model the baud rate */
    UART0_CTRL = UART_CTRL_TX_ENABLE;
}

void baremetal_uart_write(const char *text, size_t length) {
    for (size_t i = 0; i < length; i++) {
        while ((UART0_STATE & UART_STATE_TX_FULL) != 0u) {
        }
        UART0_DATA = (uint8_t)text[i];
    }
}

void baremetal_uart_puts(const char *text) {
    size_t length = 0;
    while (text[length] != '\0')
        length++;
    baremetal_uart_write(text, length);
}

void baremetal_uart_hex(uint32_t value) {
    static const char digits[] = "0123456789abcdef";
    char text[8];
    for (int i = 0; i < 8; i++)
        text[i] = digits[(value >> (28 - 4 * i)) & 15u];
    baremetal_uart_write(text, sizeof text);
}

void baremetal_uart_dec(uint32_t value) {
    char text[10];
    size_t n = sizeof text;
    do {
        text[--n] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0u);
    baremetal_uart_write(text + n, sizeof text - n);
}

/* The harness's output: its lines go out unchanged ("\n" ends a line, as on the host). */
void bench_print(const char *line);
void bench_print(const char *line) { baremetal_uart_puts(line); }
