/* port.c: the host port: main(), the link on stdin/stdout, fixed memory regions and fault signals. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "bs.h"
#include "bs_config.h"
#include "bs_hal.h"
#include "bs_runtime.h"

/* The native stack of loaded code is the main thread's stack, limited to this size. */
#define PORT_STACK_LIMIT (8u * 1024u * 1024u)
/* Faults this far below the stack's lowest possible address, or this close to the stack
   pointer, are stack overflows (Linux keeps a 1 MiB gap below a growing stack). */
#define PORT_STACK_GUARD (2u * 1024u * 1024u)
#define PORT_SP_SLACK (64u * 1024u)

static uintptr_t port_stack_top;    /* an address near the top of the main stack */
static uintptr_t port_stack_bottom; /* the lowest address the stack may grow to */

static uint8_t port_alt_stack[64 * 1024];

static uint8_t port_rx_buf[4096];
static size_t port_rx_pos, port_rx_len;

/* --- diagnostics on stderr (stdout carries frames only) ---------------------------------------- */

static void port_diag(const char *message) {
    fprintf(stderr, "bs-runtime: %s\n", message);
    fflush(stderr);
}

_Noreturn void bs_hal_panic(const char *message) {
    port_diag(message);
    _exit(70);
}

/* --- the seed of the auth nonce: the kernel's random numbers --------------------------------- */

void bs_hal_seed(uint8_t *out, uint32_t len) {
    uint32_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(out + done, len - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            bs_hal_panic("getrandom failed: no seed for the auth nonce");
        done += (uint32_t)n;
    }
}

/* --- the link ------------------------------------------------------------------------------------ */

int bs_hal_read(uint8_t *buf, uint32_t max, uint32_t timeout_us) {
    while (port_rx_pos == port_rx_len) {
        if (timeout_us != BS_HAL_FOREVER) {
            struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
            int ready = poll(&p, 1, (int)((timeout_us + 999u) / 1000u));
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready == 0)
                return 0;
        }
        ssize_t n = read(STDIN_FILENO, port_rx_buf, sizeof port_rx_buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        port_rx_pos = 0;
        port_rx_len = (size_t)n;
    }
    size_t chunk = port_rx_len - port_rx_pos;
    if (chunk > max)
        chunk = max;
    memcpy(buf, port_rx_buf + port_rx_pos, chunk);
    port_rx_pos += chunk;
    return (int)chunk;
}

void bs_hal_write(const uint8_t *buf, uint32_t len) {
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            port_diag("the link (stdout) is closed");
            _exit(1);
        }
        buf += n;
        len -= (uint32_t)n;
    }
}

uint32_t bs_hal_micros(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

/* --- memory ------------------------------------------------------------------------------------- */

/*
 * The regions move together by this much when their preferred addresses are taken (the kernel
 * places a static executable's brk heap at a random address that can fall on them). The host
 * learns the actual bases from HELLO_REPLY; the code region stays within 2 GB of the runtime's
 * code so that compiled units reach it with 32-bit PC-relative calls.
 */
static uint32_t port_region_offset;
#define PORT_REGION_OFFSET_STEP 0x10000000u
#define PORT_REGION_LAST_OFFSET 0x50000000u

void bs_hal_regions(bs_hal_region *code, bs_hal_region *data, bs_hal_region *heap) {
    code->base = BS_CODE_BASE + port_region_offset;
    code->size = BS_CODE_SIZE;
    data->base = BS_DATA_BASE + port_region_offset;
    data->size = BS_DATA_SIZE;
    heap->base = BS_HEAP_BASE + port_region_offset;
    heap->size = BS_HEAP_SIZE;
}

void bs_hal_flush_icache(uintptr_t addr, uint32_t len) {
    __builtin___clear_cache((char *)addr, (char *)addr + len);
}

static int port_map(const char *name, uintptr_t base, uint32_t size, int prot, int quiet) {
    void *want = (void *)base;
    void *got = mmap(want, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (got == want)
        return 0;
    int err = errno;
    if (got != MAP_FAILED)
        munmap(got, size); /* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
    if (!quiet)
        fprintf(stderr, "bs-runtime: cannot map the %s region at 0x%08lx (%u bytes): %s\n", name,
                (unsigned long)base, (unsigned)size,
                got == MAP_FAILED ? strerror(err) : "the kernel placed it elsewhere");
    return -1;
}

/* Maps the three regions at their preferred bases plus `offset`; all or none. */
static int port_map_regions(uint32_t offset, int quiet) {
    if (port_map("code", BS_CODE_BASE + offset, BS_CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, quiet) != 0)
        return -1;
    if (port_map("data", BS_DATA_BASE + offset, BS_DATA_SIZE, PROT_READ | PROT_WRITE, quiet) != 0) {
        munmap((void *)(uintptr_t)(BS_CODE_BASE + offset), BS_CODE_SIZE);
        return -1;
    }
    if (port_map("heap", BS_HEAP_BASE + offset, BS_HEAP_SIZE, PROT_READ | PROT_WRITE, quiet) != 0) {
        munmap((void *)(uintptr_t)(BS_CODE_BASE + offset), BS_CODE_SIZE);
        munmap((void *)(uintptr_t)(BS_DATA_BASE + offset), BS_DATA_SIZE);
        return -1;
    }
    port_region_offset = offset;
    return 0;
}

/* --- calls and faults --------------------------------------------------------------------------- */

void bs_hal_call(uint32_t entry) {
    void (*function)(void) = (void (*)(void))(uintptr_t)entry;
    function();
}

static uintptr_t port_program_counter(void *context) {
    const ucontext_t *uc = context;
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return 0;
#endif
}

static uintptr_t port_stack_pointer(void *context) {
    const ucontext_t *uc = context;
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.sp;
#else
    (void)uc;
    return 0;
#endif
}

/* A fault in the stack's range or its guard gap, or next to the stack pointer, is an overflow. */
static int port_is_stack_overflow(uintptr_t addr, uintptr_t sp) {
    if (addr < port_stack_top && addr + PORT_STACK_GUARD >= port_stack_bottom)
        return 1;
    return sp != 0 && addr <= sp + PORT_SP_SLACK && addr + PORT_SP_SLACK >= sp;
}

static void port_on_fault(int sig, siginfo_t *info, void *context) {
    if (!bs_runtime_in_call()) {
        /* A fault in the runtime itself: let it kill the process the default way. */
        signal(sig, SIG_DFL);
        raise(sig); /* a trap does not repeat when the handler returns: end the process now */
        return;
    }
    uintptr_t addr = (uintptr_t)info->si_addr;
    uint32_t code = BS_ERR_FAULT;
    if ((sig == SIGSEGV || sig == SIGBUS) && port_is_stack_overflow(addr, port_stack_pointer(context)))
        code = BS_ERR_STACK_OVERFLOW;
    bs_runtime_fault(code, (uint32_t)addr, (uint32_t)sig, (uint32_t)port_program_counter(context));
}

static int port_install_fault_handlers(void) {
    stack_t ss;
    ss.ss_sp = port_alt_stack;
    ss.ss_size = sizeof port_alt_stack;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, NULL) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = port_on_fault;
    /* SA_NODEFER: the handler leaves by longjmp, so the signal must not stay blocked. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    /* What loaded code can raise by itself: bad memory accesses, bad or privileged instructions,
       arithmetic traps, a breakpoint instruction (int3: SIGTRAP) and a system call that a
       seccomp filter forbids (SIGSYS). */
    const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (sigaction(signals[i], &sa, NULL) != 0)
            return -1;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* Bounds the main stack so that endless recursion ends in a guard fault, not in swapping. */
static void port_setup_stack(uintptr_t top) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > PORT_STACK_LIMIT)) {
        rl.rlim_cur = PORT_STACK_LIMIT;
        setrlimit(RLIMIT_STACK, &rl);
    }
    rlim_t limit = PORT_STACK_LIMIT;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        limit = rl.rlim_cur;
    port_stack_top = top;
    port_stack_bottom = top > limit ? top - limit : 0;
}

int main(void) {
    int top_marker = 0;
    /* The device lives only as long as the bscript that started it: when that one dies (even
       while a program here loops forever and reads nothing), so does this process. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        return 1;
    port_setup_stack((uintptr_t)&top_marker);
    uint32_t offset = 0;
    while (port_map_regions(offset, offset < PORT_REGION_LAST_OFFSET) != 0) {
        if (offset >= PORT_REGION_LAST_OFFSET)
            return 1;
        offset += PORT_REGION_OFFSET_STEP;
    }
    if (port_install_fault_handlers() != 0) {
        fprintf(stderr, "bs-runtime: cannot install the fault handlers: %s\n", strerror(errno));
        return 1;
    }
    bs_runtime_run();
    return 0;
}
