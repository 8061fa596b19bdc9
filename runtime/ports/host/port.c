/* port.c: the host port: main(), the link on stdin/stdout, fixed memory regions, fault signals and
   interrupts. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
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
#include "bs_protocol.h"
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

/*
 * Receiving: a reader thread reads standard input into a ring as bytes arrive, and shows each
 * byte to the runtime at once (bs_runtime_async_byte): an INTERRUPT or PING must be seen while
 * loaded code runs and the main thread reads nothing. bs_hal_read takes bytes from the ring.
 * While a call runs, bytes that do not fit are dropped (the reliable link sends them again);
 * otherwise the reader waits for room.
 */
#define PORT_RX_RING (64u * 1024u)
static uint8_t port_rx_ring[PORT_RX_RING];
static size_t port_rx_head, port_rx_tail; /* bytes put in, taken out */
static int port_rx_closed;
static pthread_mutex_t port_rx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t port_rx_cond;      /* bytes arrived, or the link closed */
static pthread_cond_t port_rx_room_cond; /* bytes were taken out */
/* Frames from the main thread and PONGs from the reader thread are written whole, one at a time. */
static pthread_mutex_t port_tx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t port_main_thread;

/* How often the reader thread asks the main thread again to stop, while an INTERRUPT waits
   because the main thread was in the runtime's own code. */
#define PORT_INTERRUPT_RETRY_MS 2

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
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_us != BS_HAL_FOREVER) {
        uint64_t ns = (uint64_t)deadline.tv_nsec + (uint64_t)timeout_us * 1000u;
        deadline.tv_sec += (time_t)(ns / 1000000000u);
        deadline.tv_nsec = (long)(ns % 1000000000u);
    }
    pthread_mutex_lock(&port_rx_lock);
    while (port_rx_head == port_rx_tail && !port_rx_closed) {
        if (timeout_us == BS_HAL_FOREVER) {
            pthread_cond_wait(&port_rx_cond, &port_rx_lock);
        } else if (pthread_cond_timedwait(&port_rx_cond, &port_rx_lock, &deadline) == ETIMEDOUT &&
                   port_rx_head == port_rx_tail) {
            pthread_mutex_unlock(&port_rx_lock);
            return 0;
        }
    }
    int n = -1;
    if (port_rx_head != port_rx_tail) {
        size_t count = port_rx_head - port_rx_tail;
        if (count > max)
            count = max;
        for (size_t i = 0; i < count; i++)
            buf[i] = port_rx_ring[(port_rx_tail + i) % PORT_RX_RING];
        port_rx_tail += count;
        n = (int)count;
        pthread_cond_signal(&port_rx_room_cond);
    }
    pthread_mutex_unlock(&port_rx_lock);
    return n;
}

static void port_write_all(const uint8_t *buf, uint32_t len) {
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

void bs_hal_write(const uint8_t *buf, uint32_t len) {
    pthread_mutex_lock(&port_tx_lock);
    port_write_all(buf, len);
    pthread_mutex_unlock(&port_tx_lock);
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

/* --- the reader thread and interrupts ------------------------------------------------------------- */

static int port_in_code(uintptr_t pc) {
    bs_hal_region code, data, heap;
    bs_hal_regions(&code, &data, &heap);
    return pc >= code.base && pc < code.base + code.size;
}

#if defined(__x86_64__)
/* Where an interrupted main thread goes: as if the code it was in had called this function. */
__attribute__((noinline, noreturn)) static void port_interrupt_stub(void) {
    bs_runtime_interrupt((uint32_t)(uintptr_t)__builtin_return_address(0));
}

/* Where a runtime function returns to instead of the loaded code that called it, when an
   interrupt came while it ran: it stops the call with the program counter kept here (an address
   inside the call instruction). Entered by `ret`, so the stack is aligned as before a call. */
uint32_t port_interrupted_pc;
void port_interrupt_return(void);
__asm__(".text\n"
        "port_interrupt_return:\n\t"
        "andq $-16, %rsp\n\t"
        "movl port_interrupted_pc(%rip), %edi\n\t"
        "call bs_runtime_interrupt\n\t"
        "ud2\n");

/* How far above the stack pointer the innermost return address into loaded code is looked for. */
#define PORT_RETURN_SCAN_BYTES (64u * 1024u)

/*
 * The stack slot, at or above `sp`, of the innermost return address into loaded code that
 * follows a direct call (E8 rel32) of a function outside the code region: where the runtime
 * function that runs now will return to the loaded code that called it. NULL when there is
 * none, or when an earlier interrupt already took that way.
 */
static uint64_t *port_return_slot(uintptr_t sp) {
    if (sp < port_stack_bottom || sp >= port_stack_top)
        return NULL; /* on the signal stack (a fault handler runs): it ends the call anyway */
    uintptr_t end = sp + PORT_RETURN_SCAN_BYTES;
    if (end > port_stack_top)
        end = port_stack_top;
    for (uintptr_t p = (sp + 7u) & ~(uintptr_t)7u; p + 8u <= end; p += 8u) {
        uint64_t w = *(const uint64_t *)p;
        if (w == (uint64_t)(uintptr_t)port_interrupt_return)
            return NULL;
        if (!port_in_code((uintptr_t)w) || !port_in_code((uintptr_t)w - 5u))
            continue;
        const uint8_t *at = (const uint8_t *)(uintptr_t)w;
        int32_t rel;
        memcpy(&rel, at - 4, sizeof rel);
        if (at[-5] == 0xE8u && !port_in_code((uintptr_t)(w + (uint64_t)(int64_t)rel)))
            return (uint64_t *)p;
    }
    return NULL;
}
#endif

/*
 * SIGUSR1, sent by the reader thread to the main thread while an INTERRUPT waits. In loaded code
 * the handler makes the main thread call port_interrupt_stub from where it was (below the red
 * zone, with the stack aligned as after a call). In the runtime's own code it makes the runtime
 * function return into port_interrupt_return instead of to the loaded code that called it, so
 * that it finishes what it does first; the runtime's safe points, and the reader thread's next
 * try, stop it too.
 */
static void port_on_interrupt(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)info;
    if (!bs_runtime_interrupt_requested())
        return;
#if defined(__x86_64__)
    ucontext_t *uc = context;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    if (!port_in_code(pc)) {
        uint64_t *slot = port_return_slot(sp);
        if (slot != NULL) {
            port_interrupted_pc = (uint32_t)(*slot - 1u);
            *slot = (uint64_t)(uintptr_t)port_interrupt_return;
        }
        return;
    }
    sp = ((sp - 128u) & ~(uintptr_t)15u) - 8u; /* the red zone; then a return address */
    *(uint64_t *)sp = (uint64_t)pc;
    uc->uc_mcontext.gregs[REG_RSP] = (greg_t)sp;
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)port_interrupt_stub;
#else
    (void)context; /* only the runtime's safe points stop loaded code on this architecture */
#endif
}

static void port_send_pong(void) {
    uint8_t frame[BS_PONG_FRAME_SIZE];
    bs_runtime_pong(frame);
    bs_hal_write(frame, sizeof frame);
}

static void *port_reader(void *arg) {
    (void)arg;
    uint8_t buf[4096];
    for (;;) {
        if (bs_runtime_interrupt_requested()) {
            pthread_kill(port_main_thread, SIGUSR1);
            struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
            if (poll(&p, 1, PORT_INTERRUPT_RETRY_MS) <= 0)
                continue;
        }
        pthread_mutex_lock(&port_rx_lock);
        while (PORT_RX_RING - (port_rx_head - port_rx_tail) < sizeof buf && !bs_runtime_in_call())
            pthread_cond_wait(&port_rx_room_cond, &port_rx_lock);
        pthread_mutex_unlock(&port_rx_lock);
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        int ping = 0, interrupt = 0;
        for (ssize_t i = 0; i < n; i++) {
            int seen = bs_runtime_async_byte(buf[i]);
            ping |= seen == BS_ASYNC_PING;
            interrupt |= seen == BS_ASYNC_INTERRUPT;
        }
        pthread_mutex_lock(&port_rx_lock);
        for (ssize_t i = 0; i < n && port_rx_head - port_rx_tail < PORT_RX_RING; i++)
            port_rx_ring[port_rx_head++ % PORT_RX_RING] = buf[i];
        pthread_cond_signal(&port_rx_cond);
        pthread_mutex_unlock(&port_rx_lock);
        if (ping)
            port_send_pong();
        if (interrupt)
            pthread_kill(port_main_thread, SIGUSR1);
    }
    pthread_mutex_lock(&port_rx_lock);
    port_rx_closed = 1;
    pthread_cond_signal(&port_rx_cond);
    pthread_mutex_unlock(&port_rx_lock);
    return NULL;
}

static int port_start_reader(void) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&port_rx_cond, &attr);
    pthread_cond_init(&port_rx_room_cond, NULL);
    pthread_condattr_destroy(&attr);
    port_main_thread = pthread_self();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = port_on_interrupt;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        return -1;
    /* The reader thread never takes SIGUSR1: block it while the thread starts (it inherits the
       mask), then unblock it here. */
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, &old);
    pthread_t reader;
    int err = pthread_create(&reader, NULL, port_reader, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        errno = err;
        return -1;
    }
    pthread_detach(reader);
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
    if (port_start_reader() != 0) {
        fprintf(stderr, "bs-runtime: cannot start the link's reader thread: %s\n", strerror(errno));
        return 1;
    }
    bs_runtime_run();
    return 0;
}

/* x86-64: a call ends just before a return address: `call rel32`, or `call *…` (opcode 0xff with
   reg field 2) through a register, a register plus displacement, a RIP-relative or an absolute
   address. */
int bs_hal_is_return_address(uint32_t addr) {
    bs_hal_region code, data, heap;
    bs_hal_regions(&code, &data, &heap);
    if (addr < code.base + 8u || addr > code.base + code.size)
        return 0;
    const uint8_t *r = (const uint8_t *)(uintptr_t)addr;
    return r[-5] == 0xe8                                          /* call rel32 */
           || (r[-2] == 0xff && (r[-1] & 0xf8) == 0xd0)          /* call *%reg */
           || (r[-3] == 0xff && (r[-2] & 0xf8) == 0x50)          /* call *disp8(%reg) */
           || (r[-6] == 0xff && (r[-5] & 0xf8) == 0x90)          /* call *disp32(%reg) */
           || (r[-6] == 0xff && r[-5] == 0x15)                   /* call *disp32(%rip) */
           || (r[-7] == 0xff && r[-6] == 0x14 && r[-5] == 0x25); /* call *abs32 */
}
