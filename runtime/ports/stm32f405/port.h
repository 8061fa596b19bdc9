/* port.h: what the files of the stm32f405 port share: registers, the stack and start-up hooks. */
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
#define PORT_CPACR PORT_REG(0xE000ED88u) /* coprocessor access: CP10 and CP11 are the FPU */
#define PORT_FPCCR PORT_REG(0xE000EF34u) /* FP context control: lazy stacking */
#define PORT_FPCCR_LSPACT 1u             /* a lazy FP save is pending */

/* EXC_RETURN of a handler that interrupted thread mode on the process stack: with a basic frame
   (8 words) or, when the interrupted code had used the FPU, an extended one (26 words, bit 4
   clear); the stacked PC is the seventh word of both. */
#define PORT_EXC_RETURN_THREAD_PSP 0xFFFFFFFDu
#define PORT_EXC_RETURN_THREAD_PSP_FP 0xFFFFFFEDu
static inline int port_returns_to_thread_psp(uint32_t exc_return) {
    return exc_return == PORT_EXC_RETURN_THREAD_PSP || exc_return == PORT_EXC_RETURN_THREAD_PSP_FP;
}
static inline uint32_t port_frame_words(uint32_t exc_return) {
    return (exc_return & 0x10u) != 0u ? 8u : 26u;
}

/* The stack of the runtime and of loaded code (the process stack, PSP), at the bottom of RAM. */
extern uint8_t port_stack[BS_PORT_STACK_SIZE];

/* Start-up, in port.c: sets up the clocks, USART1 and SysTick, then serves the host. */
_Noreturn void port_main(void);

/* Whether the chip's reset and clock controller answers (RCC_CR shows the internal oscillator
   ready, as it always is after reset on a real chip): QEMU's netduinoplus2 does not model it (it
   reads as zero) and runs at 168 MHz without set-up. */
int port_has_rcc(void);

/* Stops QEMU through semihosting with exit status 0 (`ok`) or 1, after writing `message` to its
   standard error (nothing when NULL). */
_Noreturn void port_exit(int ok, const char *message);

/* Interrupt handlers in port.c: SysTick (the clock's period count), USART1's receive interrupt,
   and the other interrupts, which loaded drivers attach to (bs_port_irq_attach). The STM32F405
   has 82 interrupts. */
#define PORT_IRQS 82
#define PORT_USART1_IRQ 37u
void port_systick(void);
void port_usart1_rx(void);
void port_irq(void);
void port_unexpected(void);

/*
 * For drivers in loaded code (a package's C, e.g. the pwm package's timer): calls `handler` for
 * interrupt `irq` (28, 29, 30 or 50: the general-purpose timers TIM2, TIM3, TIM4 and TIM5, the
 * ones QEMU models) at a priority below the link's, and
 * enables it; a null handler disables it. The word `alive` must hold the handler's address (with
 * its Thumb bit): the interrupt calls the address the word holds, and the driver keeps the word
 * in its data, which RESET clears with the code, so that an interrupt never runs code that was
 * unloaded (the interrupt is then disabled). Returns 1, or 0 for an interrupt number drivers
 * cannot have or a word that does not hold the handler.
 */
int bs_port_irq_attach(uint32_t irq, void (*handler)(void), const volatile uint32_t *alive);

#endif
