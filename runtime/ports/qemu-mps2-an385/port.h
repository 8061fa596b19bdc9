/* port.h: what the files of the qemu-mps2-an385 port share: registers, the stack and start-up hooks. */
#ifndef PORT_H
#define PORT_H

#include <stdint.h>

#include "bs_config.h"

#define PORT_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* System control block. */
#define PORT_ICSR PORT_REG(0xE000ED04u)  /* interrupt control and state */
#define PORT_CCR PORT_REG(0xE000ED14u)   /* configuration and control */
#define PORT_SHPR1 PORT_REG(0xE000ED18u) /* priorities of MemManage, BusFault, UsageFault */
#define PORT_SHPR3 PORT_REG(0xE000ED20u) /* priorities of PendSV and SysTick */
#define PORT_SHCSR PORT_REG(0xE000ED24u) /* system handler control and state */
#define PORT_CFSR PORT_REG(0xE000ED28u)  /* configurable fault status */
#define PORT_HFSR PORT_REG(0xE000ED2Cu)  /* HardFault status */
#define PORT_MMFAR PORT_REG(0xE000ED34u) /* MemManage fault address */
#define PORT_BFAR PORT_REG(0xE000ED38u)  /* BusFault address */

/* The stack of the runtime and of loaded code (the process stack, PSP), at the bottom of RAM. */
extern uint8_t port_stack[BS_PORT_STACK_SIZE];

/* Start-up, in port.c: sets up the UART and the clock, then serves the host. */
_Noreturn void port_main(void);

/* Stops QEMU through semihosting with exit status 0 (`ok`) or 1, after writing `message` to its
   standard error (nothing when NULL). */
_Noreturn void port_exit(int ok, const char *message);

/* Interrupt handlers in port.c: SysTick (the clock's period count), UART0's receive interrupt,
   and the other interrupts, which loaded drivers attach to (bs_port_irq_attach). */
#define PORT_IRQS 32
void port_systick(void);
void port_uart0_rx(void);
void port_irq(void);
void port_unexpected(void);

/*
 * For drivers in loaded code (a package's C, e.g. the pwm package's timer): calls `handler` for
 * interrupt `irq` (8, 9 or 10: the CMSDK timers 0 and 1 and the dual timer) at a priority below
 * the link's, and
 * enables it; a null handler disables it. The word `alive` must hold the handler's address (with
 * its Thumb bit): the interrupt calls the address the word holds, and the driver keeps the word
 * in its data, which RESET clears with the code, so that an interrupt never runs code that was
 * unloaded (the interrupt is then disabled). Returns 1, or 0 for an interrupt number drivers
 * cannot have or a word that does not hold the handler.
 */
int bs_port_irq_attach(uint32_t irq, void (*handler)(void), const volatile uint32_t *alive);

#endif
