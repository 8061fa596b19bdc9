/* baremetal.h: what the bare-metal support files share (QEMU mps2-an385, Cortex-M3). */
#ifndef BAREMETAL_H
#define BAREMETAL_H
#include <stddef.h>
#include <stdint.h>

#define BAREMETAL_REG(address) (*(volatile uint32_t *)(uintptr_t)(address))

/* Exit statuses of the image itself (the program's own are 0 = ok and 1 = wrong result). */
#define BAREMETAL_EXIT_OUT_OF_HEAP 2
#define BAREMETAL_EXIT_FAULT 3

/* uart.c */
void baremetal_uart_init(void);
void baremetal_uart_write(const char *text, size_t length);
void baremetal_uart_puts(const char *text);
void baremetal_uart_hex(uint32_t value);
void baremetal_uart_dec(uint32_t value);

/* timer.c */
void baremetal_timer_init(void);
void baremetal_timer_irq(void);

/* exit.c */
_Noreturn void baremetal_exit(int status);
void baremetal_semihosting_write0(const char *text);

/* syscalls.c: the highest break of the heap, in bytes above its start */
size_t baremetal_heap_peak(void);

/* startup.c: how much of the program's stack was ever used, in bytes */
size_t baremetal_stack_peak(void);

#endif
