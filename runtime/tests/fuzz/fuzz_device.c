/*
 * fuzz_device.c: a fuzz target (clang's libFuzzer) for the device's end of the link: the frame
 * reader, the acknowledgements and retransmissions of bs_protocol.c, and the message loop of
 * bs_runtime.c (HELLO, LOAD, CALL, RESET, MEMINFO), built for the host with AddressSanitizer and
 * UndefinedBehaviorSanitizer against a fake HAL with a virtual clock.
 *
 * The input is a schedule of what arrives on the link and when, as records:
 *
 *   h            bits 0-3: the gap before the record, an index into `gaps_us`;
 *                bits 4-5: how the bytes arrive: all at once, or one by one 1 ms, 5 ms or 25 ms
 *                apart (25 ms is longer than the device's stall limit);
 *                bit 6: with bit 7, the frame's CRC is made wrong;
 *                bit 7: the record is a frame whose header and CRC the harness writes.
 *   frame:       kind, seq, reply-to, u16 payload length (low 11 bits used), the payload.
 *   raw bytes:   a count byte and that many bytes.
 *
 * The clock only moves when the device waits: a read that would wait past the next arrival gets
 * that arrival; one whose timeout passes first moves the clock by the timeout and returns 0. So a
 * schedule replays exactly, timeout paths included. When the schedule is used up the link closes
 * and the message loop ends.
 *
 * The regions lie where the host port puts them (bs_port_config.h beside this file), so frames
 * recorded from real sessions are good seeds; each is mapped between inaccessible pages.
 *
 * Checked besides the sanitizers' findings: every frame the device writes is well formed; the
 * device calls only addresses in its code region and flushes only code; it never panics.
 *
 * bs_protocol.c and bs_runtime.c are included here (not linked) so that their static state can be
 * put back between inputs.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../../core/bs_protocol.c"
#include "../../core/bs_runtime.c"

/* --- the device's memory ----------------------------------------------------------------------- */

/* The regions, each mapped at its base between two inaccessible pages: a write past either end
   is a crash, found. */
static uint8_t *mem_code, *mem_data, *mem_heap;

static uint8_t *map_region(uintptr_t base, uint32_t size) {
    const size_t page = 4096;
    uint8_t *guard = mmap((void *)(base - page), size + 2 * page, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (guard != (uint8_t *)(base - page) ||
        mprotect(guard + page, size, PROT_READ | PROT_WRITE) != 0) {
        perror("fuzz_device: cannot map a region");
        abort();
    }
    return guard + page;
}

static _Noreturn void fail(const char *what) {
    fprintf(stderr, "fuzz_device: %s\n", what);
    abort();
}

/* --- the schedule ------------------------------------------------------------------------------ */

#define MAX_CHUNKS 4096

typedef struct chunk {
    uint32_t at; /* virtual time of arrival, µs after the start */
    uint32_t len;
    uint32_t off; /* into `stream` */
} chunk;

static const uint32_t gaps_us[16] = {0,     100,   1000,  2000,  5000,   19000,  21000,   30000,
                                     45000, 49000, 51000, 99000, 400000, 800000, 1700000, 10000000};
static const uint32_t spread_us[4] = {0, 1000, 5000, 25000};

static uint8_t stream[1u << 18];
static uint32_t stream_len;
static chunk chunks[MAX_CHUNKS];
static uint32_t chunk_count, chunk_next, chunk_used; /* chunk_used: bytes of chunk_next taken */

static uint32_t clock_start, clock_now; /* clock_now: µs since the start */

static void add_chunk(uint32_t at, const uint8_t *bytes, uint32_t len) {
    if (chunk_count == MAX_CHUNKS || stream_len + len > sizeof stream || len == 0)
        return;
    memcpy(stream + stream_len, bytes, len);
    chunks[chunk_count].at = at;
    chunks[chunk_count].len = len;
    chunks[chunk_count].off = stream_len;
    chunk_count++;
    stream_len += len;
}

/* Adds `len` bytes arriving from `at` on, `spread` µs apart (0: at once); returns the time of the last. */
static uint32_t add_bytes(uint32_t at, const uint8_t *bytes, uint32_t len, uint32_t spread) {
    if (spread == 0) {
        add_chunk(at, bytes, len);
        return at;
    }
    for (uint32_t i = 0; i < len; i++) {
        add_chunk(at, bytes + i, 1);
        if (i + 1 < len)
            at += spread;
    }
    return at;
}

static void parse_schedule(const uint8_t *data, size_t size) {
    static uint8_t frame[BS_FRAME_HEADER_SIZE + 2048 + BS_FRAME_CRC_SIZE];
    size_t i = 0;
    uint32_t at = 0;
    if (size >= 4) { /* where the free-running clock starts, to cross its wrap-around */
        clock_start = bs_protocol_get_u32(data);
        i = 4;
    }
    while (i < size) {
        uint8_t h = data[i++];
        at += gaps_us[h & 15u];
        uint32_t spread = spread_us[(h >> 4) & 3u];
        if (h & 0x80u) {
            if (size - i < 5)
                break;
            uint32_t len = bs_protocol_get_u16(data + i + 3) & 0x7FFu;
            if (len > size - i - 5)
                len = (uint32_t)(size - i - 5);
            frame[0] = BS_FRAME_MAGIC;
            memcpy(frame + 1, data + i, 3);
            bs_protocol_put_u16(frame + 4, len);
            memcpy(frame + BS_FRAME_HEADER_SIZE, data + i + 5, len);
            uint32_t crc = bs_protocol_crc32(0, frame, BS_FRAME_HEADER_SIZE + len);
            if (h & 0x40u)
                crc ^= 1u;
            bs_protocol_put_u32(frame + BS_FRAME_HEADER_SIZE + len, crc);
            i += 5 + len;
            at = add_bytes(at, frame, FRAME_OVERHEAD + len, spread);
        } else {
            if (i == size)
                break;
            uint32_t len = data[i++];
            if (len > size - i)
                len = (uint32_t)(size - i);
            at = add_bytes(at, data + i, len, spread);
            i += len;
        }
    }
}

/* --- the fake HAL ------------------------------------------------------------------------------ */

int bs_hal_read(uint8_t *buf, uint32_t max, uint32_t timeout_us) {
    if (max == 0)
        fail("bs_hal_read with no room");
    if (chunk_next == chunk_count)
        return -1;
    const chunk *c = &chunks[chunk_next];
    if (c->at > clock_now) {
        uint32_t wait = c->at - clock_now;
        if (timeout_us != BS_HAL_FOREVER && wait > timeout_us) {
            clock_now += timeout_us;
            return 0;
        }
        clock_now = c->at;
    }
    uint32_t n = c->len - chunk_used;
    if (n > max)
        n = max;
    memcpy(buf, stream + c->off + chunk_used, n);
    chunk_used += n;
    if (chunk_used == c->len) {
        chunk_next++;
        chunk_used = 0;
    }
    return (int)n;
}

uint32_t bs_hal_micros(void) { return clock_start + clock_now; }

/* What the device wrote, checked frame by frame. */
static uint8_t out[FRAME_OVERHEAD + BS_MAX_PAYLOAD];
static uint32_t out_len;

void bs_hal_write(const uint8_t *buf, uint32_t len) {
    clock_now += len * 10u; /* about 1 Mbit/s */
    while (len > 0) {
        uint32_t n = len;
        if (n > sizeof out - out_len)
            n = (uint32_t)sizeof out - out_len;
        memcpy(out + out_len, buf, n);
        out_len += n;
        buf += n;
        len -= n;
        while (out_len >= BS_FRAME_HEADER_SIZE) {
            if (out[0] != BS_FRAME_MAGIC)
                fail("the device wrote a frame without the magic byte");
            uint32_t plen = bs_protocol_get_u16(out + 4);
            if (plen > BS_MAX_PAYLOAD)
                fail("the device wrote a frame longer than BS_MAX_PAYLOAD");
            if ((out[1] & 0x80u) == 0)
                fail("the device wrote a frame of a host kind");
            uint32_t total = FRAME_OVERHEAD + plen;
            if (out_len < total)
                break;
            if (bs_protocol_crc32(0, out, BS_FRAME_HEADER_SIZE + plen) !=
                bs_protocol_get_u32(out + BS_FRAME_HEADER_SIZE + plen))
                fail("the device wrote a frame with a wrong CRC");
            memmove(out, out + total, out_len - total);
            out_len -= total;
        }
    }
}

void bs_hal_regions(bs_hal_region *code, bs_hal_region *data, bs_hal_region *heap) {
    code->base = (uintptr_t)mem_code;
    code->size = BS_CODE_SIZE;
    data->base = (uintptr_t)mem_data;
    data->size = BS_DATA_SIZE;
    heap->base = (uintptr_t)mem_heap;
    heap->size = BS_HEAP_SIZE;
}

static int in_code(uintptr_t addr, uint32_t len) {
    return addr >= (uintptr_t)mem_code && addr + len <= (uintptr_t)mem_code + BS_CODE_SIZE;
}

void bs_hal_flush_icache(uintptr_t addr, uint32_t len) {
    if (!in_code(addr, len))
        fail("bs_hal_flush_icache outside the code region");
}

/*
 * Loaded code is not run; the byte at the entry says what the "function" does: return, stop with
 * a run-time error, report a fault, print a line, allocate, send a PROFILE, or pause for a patch.
 */
void bs_hal_call(uint32_t entry) {
    if (!in_code(entry, 1))
        fail("CALL of an address outside the code region");
    if (!bs_runtime_in_call())
        fail("bs_hal_call outside bs_runtime_call");
    uint8_t op = mem_code[entry - (uintptr_t)mem_code];
    clock_now += (uint32_t)op * 1000u;
    switch (op & 7u) {
    case 1:
        bs_error(BS_ERR_DIV_ZERO, op, 1, 2);
    case 2:
        bs_runtime_fault(BS_ERR_FAULT, entry, 11, entry);
    case 3: {
        static const char text[] = "a line of output that is printed\n";
        for (uint32_t i = 0; i < 1u + op / 8u; i++)
            bs_output_write((uint8_t)(op >> 7), text, sizeof text - 1);
        break;
    }
    case 4:
        for (uint32_t i = 0; i < op; i++)
            (void)bs_string_new("garbage", 7);
        break;
    case 5: {
        /* A profile record reports (a row, or none dominates). */
        static bs_profile record;
        record.nargs = (uint8_t)(op >> 5);
        for (uint32_t i = 0; i < BS_PROFILE_MAX_ARGS; i++)
            record.sig[1][i] = (uint16_t)(0xFFF0u + i);
        bs_runtime_profile_report(&record, (op & 8u) != 0 ? BS_PROFILE_NO_ROW : 1u);
        break;
    }
    case 6:
        /* A patch point: pauses (whether or not PATCH came when the byte's bit 3 is set) and
           serves requests until RESUME. */
        if ((op & 8u) != 0 || bs_patch_wanted)
            bs_runtime_patch_point();
        break;
    default:
        break;
    }
}

/* Loaded code never runs here, so no word on the stack is a return address into it. */
int bs_hal_is_return_address(uint32_t addr) {
    (void)addr;
    return 0;
}

/* A fixed seed keeps every run of an input the same (a paired image would get a fixed nonce). */
void bs_hal_seed(uint8_t *out, uint32_t len) {
    for (uint32_t i = 0; i < len; i++)
        out[i] = (uint8_t)(0x5au ^ i);
}

_Noreturn void bs_hal_panic(const char *message) { fail(message); }

/* --- one input --------------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (mem_code == NULL) {
        mem_code = map_region(BS_CODE_BASE, BS_CODE_SIZE);
        mem_data = map_region(BS_DATA_BASE, BS_DATA_SIZE);
        mem_heap = map_region(BS_HEAP_BASE, BS_HEAP_SIZE);
    }
    /* Everything the device keeps between requests starts afresh. */
    stream_len = chunk_count = chunk_next = chunk_used = 0;
    clock_start = clock_now = 0;
    out_len = 0;
    rx_count = rx_consumed = 0;
    tx_seq = 0;
    last_request_seq = 0;
    have_last_request = have_host = have_held = 0;
    host_id = 0;
    session = 0;
    code_used = data_used = 0;
    session_id = 0;
    greeted = 0;
    trap_armed = 0;

    parse_schedule(data, size);
    bs_runtime_run();
    if (trap_armed)
        fail("the message loop ended inside a call");
    return 0;
}
