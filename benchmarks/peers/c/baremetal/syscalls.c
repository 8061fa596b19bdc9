/* syscalls.c: the hooks newlib needs under malloc and snprintf, and the exit through semihosting. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "baremetal.h"

/* The prototypes newlib expects (it declares none of them for bare metal). */
void *_sbrk(ptrdiff_t increment);
int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int offset, int whence);
int _kill(int pid, int sig);
int _getpid(void);
_Noreturn void _exit(int status);

/* --- the heap: link.ld's .heap section ------------------------------------------------------------- */

extern char __heap_start[], __heap_end[];
static char *heap_break = __heap_start;

size_t baremetal_heap_peak(void) { return (size_t)(heap_break - __heap_start); }

/* A program that runs out of heap stops with a message rather than getting NULL from malloc. */
void *_sbrk(ptrdiff_t increment) {
    char *old = heap_break;
    if (increment > __heap_end - old || increment < __heap_start - old) {
        baremetal_uart_puts("\nbaremetal: out of heap (");
        baremetal_uart_dec((uint32_t)(__heap_end - __heap_start));
        baremetal_uart_puts(" bytes in use, ");
        baremetal_uart_dec((uint32_t)increment);
        baremetal_uart_puts(" more asked for)\n");
        baremetal_exit(BAREMETAL_EXIT_OUT_OF_HEAP);
    }
    heap_break = old + increment;
    return old;
}

/* --- files: only standard output and error, both to the UART -------------------------------------- */

int _write(int fd, const char *buf, int len) {
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    baremetal_uart_write(buf, (size_t)len);
    return len;
}

int _read(int fd, char *buf, int len) {
    (void)fd;
    (void)buf;
    (void)len;
    return 0; /* end of file */
}

int _close(int fd) {
    (void)fd;
    errno = EBADF;
    return -1;
}

int _fstat(int fd, struct stat *st) {
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd) { return fd >= 0 && fd <= 2; }

int _lseek(int fd, int offset, int whence) {
    (void)fd;
    (void)offset;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

int _kill(int pid, int sig) {
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void) { return 1; }

/* --- stopping QEMU: ARM semihosting ------------------------------------------------------------------ */

#define SYS_WRITE0 0x04u
#define SYS_EXIT 0x18u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

static uint32_t semihosting(uint32_t operation, const void *argument) {
    register uint32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* Goes to QEMU's semihosting console (its standard error), not to the UART. */
void baremetal_semihosting_write0(const char *text) { semihosting(SYS_WRITE0, text); }

#ifdef BAREMETAL_STATS
static void print_stats(void) {
    static char line[96];
    static const char digits[] = "0123456789";
    const char *parts[] = {"baremetal: heap peak ", " bytes, stack peak ", " bytes\n"};
    size_t values[] = {baremetal_heap_peak(), baremetal_stack_peak()};
    size_t n = 0;
    for (int i = 0; i < 3; i++) {
        for (const char *p = parts[i]; *p != '\0';)
            line[n++] = *p++;
        if (i < 2) {
            char text[12];
            int k = 0;
            size_t v = values[i];
            do {
                text[k++] = digits[v % 10u];
                v /= 10u;
            } while (v != 0u);
            while (k > 0)
                line[n++] = text[--k];
        }
    }
    line[n] = '\0';
    baremetal_semihosting_write0(line);
}
#endif

/* QEMU exits with the program's status: SYS_EXIT_EXTENDED carries it (plain SYS_EXIT, the fallback,
   only tells success from failure). */
_Noreturn void baremetal_exit(int status) {
#ifdef BAREMETAL_STATS
    print_stats();
#endif
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    semihosting(SYS_EXIT_EXTENDED, block);
    semihosting(SYS_EXIT, (const void *)(uintptr_t)(status == 0 ? ADP_STOPPED_APPLICATION_EXIT
                                                                 : ADP_STOPPED_RUNTIME_ERROR_UNKNOWN));
    for (;;)
        __asm__ volatile("wfi");
}

_Noreturn void _exit(int status) { baremetal_exit(status); }
