/* test_support.c: shared helpers of the runtime's C unit tests: a HAL that captures frames, calls under the trap. */
#include <stdlib.h>
#include <string.h>

#include "bs_hal.h"
#include "bs_output.h"
#include "bs_protocol.h"
#include "test_support.h"

int test_failures;
bs_runtime_error test_error;

/* --- a HAL that captures the frames the runtime sends and calls functions of the test ---------- */

static uint8_t sent[16384];
static uint32_t sent_len;

int bs_hal_read(uint8_t *buf, uint32_t max, uint32_t timeout_us) {
    (void)buf;
    (void)max;
    (void)timeout_us;
    return -1;
}
void bs_hal_write(const uint8_t *buf, uint32_t len) {
    if (sent_len + len <= sizeof sent) {
        memcpy(sent + sent_len, buf, len);
        sent_len += len;
    }
}
uint32_t bs_hal_micros(void) { return 0; }
void bs_hal_seed(uint8_t *out, uint32_t len) {
    for (uint32_t i = 0; i < len; i++)
        out[i] = (uint8_t)i;
}
void bs_hal_regions(bs_hal_region *code, bs_hal_region *data, bs_hal_region *heap) {
    code->base = data->base = heap->base = 0;
    code->size = data->size = heap->size = 0;
}
int bs_hal_is_return_address(uint32_t addr) {
    (void)addr;
    return 0;
}
void bs_hal_flush_icache(uintptr_t addr, uint32_t len) {
    (void)addr;
    (void)len;
}
void bs_hal_call(uint32_t entry) {
    void (*fn)(void) = (void (*)(void))(uintptr_t)entry;
    fn();
}
_Noreturn void bs_hal_panic(const char *message) {
    fprintf(stderr, "panic: %s\n", message);
    exit(2);
}

/* --- helpers ------------------------------------------------------------------------------------- */

int test_call(void (*fn)(void)) {
    uintptr_t entry = (uintptr_t)fn;
    if (entry > 0xFFFFFFFFu) {
        fprintf(stderr, "test function above 4 GB: build the tests with -no-pie\n");
        exit(2);
    }
    return bs_runtime_call((uint32_t)entry, &test_error);
}

void test_expect_error(void (*fn)(void), uint32_t code, uint32_t site, uint32_t detail1, uint32_t detail2,
                       const char *what) {
    int stopped = test_call(fn);
    CHECK(stopped, "%s: no error", what);
    if (stopped)
        CHECK(test_error.code == code && test_error.site == site && test_error.detail1 == detail1 &&
                  test_error.detail2 == detail2,
              "%s: error %u site %u details 0x%x 0x%x, want %u %u 0x%x 0x%x", what, test_error.code,
              test_error.site, test_error.detail1, test_error.detail2, code, site, detail1, detail2);
}

const char *test_take_output(uint8_t stream) {
    static char text[16384];
    uint32_t n = 0, at = 0;
    bs_output_flush();
    while (at < sent_len) {
        const uint8_t *f = sent + at;
        uint32_t len = bs_protocol_get_u16(f + 4);
        CHECK(f[0] == BS_FRAME_MAGIC && f[1] == BS_MSG_OUTPUT, "frame header");
        CHECK(bs_protocol_crc32(0, f, 6 + len) == bs_protocol_get_u32(f + 6 + len), "frame crc");
        if (f[6] == stream) {
            memcpy(text + n, f + 7, len - 1);
            n += len - 1;
        }
        at += 10 + len;
    }
    sent_len = 0;
    text[n] = '\0';
    return text;
}

const uint8_t *test_take_frames(uint32_t *len) {
    static uint8_t copy[sizeof sent];
    memcpy(copy, sent, sent_len);
    *len = sent_len;
    sent_len = 0;
    return copy;
}

int test_is_string(bs_value v, const char *text) {
    if (!bs_is_ref(v) || bs_class_id_of(v) != BS_CLASS_STRING)
        return 0;
    const bs_string *s = bs_ptr(v);
    return s->length == strlen(text) && memcmp(s->bytes, text, s->length) == 0 && s->bytes[s->length] == 0;
}

int test_finish(const char *name) {
    if (test_failures != 0) {
        fprintf(stderr, "%s: %d failure(s)\n", name, test_failures);
        return 1;
    }
    printf("%s: all tests passed\n", name);
    return 0;
}
