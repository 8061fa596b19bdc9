/* test_format.c: C unit tests of the runtime's number/string formatting, print output, heap and CRC. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bs.h"
#include "bs_class.h"
#include "bs_config.h"
#include "bs_hal.h"
#include "bs_heap.h"
#include "bs_number.h"
#include "bs_output.h"
#include "bs_protocol.h"
#include "bs_string.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                  \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

/* --- a HAL that captures the frames the runtime sends ------------------------------------------ */

static uint8_t sent[8192];
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
void bs_hal_call(uint32_t entry) { (void)entry; }
_Noreturn void bs_hal_panic(const char *message) {
    fprintf(stderr, "panic: %s\n", message);
    exit(2);
}

/* The text of the OUTPUT frames of `stream` sent since the last call, checking the framing. */
static const char *take_output(uint8_t stream) {
    static char text[8192];
    uint32_t n = 0, at = 0;
    bs_output_flush();
    while (at < sent_len) {
        const uint8_t *f = sent + at;
        uint32_t len = bs_protocol_get_u16(f + 4);
        CHECK(f[0] == BS_FRAME_MAGIC && f[1] == BS_MSG_OUTPUT && f[3] == 9, "frame header");
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

/* --- helpers ----------------------------------------------------------------------------------- */

static void expect_fixed(float f, const char *want) {
    char buf[BS_NUMBER_TEXT_MAX + 1];
    buf[bs_number_format_fixed(buf, f)] = '\0';
    CHECK(strcmp(buf, want) == 0, "fixed(%.9g) = %s, want %s", (double)f, buf, want);
}

static void expect_short(float f, const char *want) {
    char buf[BS_NUMBER_TEXT_MAX + 1];
    buf[bs_number_format_short(buf, f)] = '\0';
    CHECK(strcmp(buf, want) == 0, "short(%.9g) = %s, want %s", (double)f, buf, want);
}

static void expect_string(bs_value v, const char *want) {
    CHECK(bs_string_is(v), "not a string");
    if (!bs_string_is(v))
        return;
    const bs_string *s = bs_ptr(v);
    CHECK(s->length == strlen(want) && memcmp(s->bytes, want, s->length) == 0 && s->bytes[s->length] == 0,
          "string %.*s, want %s", (int)s->length, s->bytes, want);
}

static float from_bits(uint32_t u) {
    union bs_float_bits b;
    b.u = u;
    return b.f;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* Compares the fixed format with the C library's %f (exact on the build host). */
static void compare_with_printf(float f) {
    char mine[BS_NUMBER_TEXT_MAX + 1], libc[64];
    mine[bs_number_format_fixed(mine, f)] = '\0';
    snprintf(libc, sizeof libc, "%f", (double)f);
    CHECK(strcmp(mine, libc) == 0, "fixed(%a) = %s, printf gives %s", (double)f, mine, libc);
}

/* --- tests ------------------------------------------------------------------------------------- */

static void test_int(void) {
    char buf[BS_NUMBER_TEXT_MAX + 1];
    const int32_t values[] = {0, 7, -7, 10, -536870912, 536870911, INT32_MAX, INT32_MIN, 1000000};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char want[32];
        snprintf(want, sizeof want, "%d", values[i]);
        buf[bs_number_format_int(buf, values[i])] = '\0';
        CHECK(strcmp(buf, want) == 0, "int %s, want %s", buf, want);
    }
}

static void test_fixed(void) {
    volatile float a = 0.1f, b = 0.2f, big = 65536.0f, zero = 0.0f;
    expect_fixed(a + b, "0.300000");
    expect_fixed(2.0f / 3.0f, "0.666667");
    expect_fixed(1.0f / 3.0f, "0.333333");
    expect_fixed(123456789.0f, "123456792.000000");
    expect_fixed(16777217.0f, "16777216.000000");
    expect_fixed(1e-7f, "0.000000");
    expect_fixed(-1e-7f, "-0.000000");
    expect_fixed(-0.5f, "-0.500000");
    expect_fixed(3.5f, "3.500000");
    expect_fixed(0.1f, "0.100000");
    expect_fixed(0.0f, "0.000000");
    expect_fixed(-zero, "-0.000000");
    expect_fixed(big * big, "inf");
    expect_fixed(-big * big, "-inf");
    expect_fixed(zero / zero, "nan");
    expect_fixed(4294967040.0f, "4294967040.000000");
    expect_fixed(0.0000005f, "0.000000"); /* just below the tie, in binary32 */
    expect_fixed(0.0000015f, "0.000002");
    expect_fixed(0.5f, "0.500000");
    /* Boxed values go through the boxing rules first. */
    expect_fixed(bs_unbox_float(bs_box_float(big * big)), "inf");
    expect_fixed(bs_unbox_float(bs_box_float(4294967295.0f)), "inf");

    /* Exact ties: 2^-k * 10^6 ends in .5 for k = 7 (7812.5 -> 7812) ... */
    expect_fixed(0x1p-7f, "0.007812");  /* 0.0078125: tie, 2 is even */
    expect_fixed(0x3p-7f, "0.023438");  /* 0.0234375: tie, rounds up to 8 (even) */
    expect_fixed(0x1p-20f, "0.000001"); /* 0.00000095367431640625 */

    /* Against the C library: every exponent of the boxed range, random fractions. */
    for (uint32_t exponent = 0; exponent < 127 + 32; exponent++)
        for (int i = 0; i < 2000; i++)
            compare_with_printf(from_bits((rng() & 0x807FFFFFu) | (exponent << 23)));
    for (int i = 0; i < 200000; i++) {
        float f = from_bits(rng());
        if (f == f && f < 4294967296.0f && f > -4294967296.0f)
            compare_with_printf(f);
    }
    for (uint32_t k = 0; k < 100000; k++) /* small integers and their halves */
        compare_with_printf((float)k / 8.0f);
}

static void test_short(void) {
    volatile float big = 65536.0f, zero = 0.0f;
    expect_short(3.0f, "3.0");
    expect_short(2.5f, "2.5");
    expect_short(0.3f, "0.3");
    expect_short(1.1f, "1.1");
    expect_short(0.25f, "0.25");
    expect_short(1.0f / 3.0f, "0.333333");
    expect_short(100.07f, "100.069999");
    expect_short(123456.789f, "123456.789062");
    expect_short(-2.25f, "-2.25");
    expect_short(12.000001f, "12.0");
    expect_short(0.000001f, "0.000000");
    expect_short(1e-9f, "0.0");
    expect_short(0.0f, "0.0");
    expect_short(-zero, "0.0");
    expect_short(zero / zero, "nan");
    expect_short(big * big, "inf");
    expect_short(-big * big, "-inf");
    expect_short(3000000000.0f, "3000000000.0");
    expect_short(-4294967040.0f, "-4294967040.0");
    expect_short(42.0f, "42.0");
}

static void test_pow(void) {
    CHECK(bs_ipow(2, 10, 0) == 1024, "2**10");
    CHECK(bs_ipow(2, 31, 0) == INT32_MIN, "2**31");
    CHECK(bs_ipow(2, 32, 0) == 0, "2**32");
    CHECK(bs_ipow(3, 20, 0) == (int32_t)3486784401u, "3**20");
    CHECK(bs_ipow(-3, 3, 0) == -27, "(-3)**3");
    CHECK(bs_ipow(7, 0, 0) == 1, "7**0");
    CHECK(bs_ipow(0, 0, 0) == 1, "0**0");
    CHECK(bs_ipow(2, -1, 0) == 0, "2**-1");
    CHECK(bs_ipow(1, -5, 0) == 1, "1**-5");
    CHECK(bs_ipow(-1, -3, 0) == -1, "(-1)**-3");
    CHECK(bs_ipow(-1, -4, 0) == 1, "(-1)**-4");
    CHECK(bs_ipow(-1, INT32_MIN, 0) == 1, "(-1)**MIN");
    CHECK(bs_fpow(2.0f, 10.0f) == 1024.0f, "2.0**10.0");
}

static void test_strings(void) {
    BS_STRING_LITERAL(s_n, 2, "n=");
    BS_STRING_LITERAL(s_ab, 2, "ab");
    BS_STRING_LITERAL(s_abc, 3, "abc");
    BS_STRING_LITERAL(s_empty, 0, "");
    static uint32_t obj[2] = {BS_HDR(30, 0), 0};
    expect_string(bs_to_string(bs_box_int(536870912)), "-536870912");
    expect_string(bs_to_string(bs_box_int(-7)), "-7");
    expect_string(bs_to_string(bs_box_float(2.5f)), "2.5");
    expect_string(bs_to_string(BS_TRUE), "true");
    expect_string(bs_to_string(BS_FALSE), "false");
    expect_string(bs_to_string(BS_NULL), "undefined");
    CHECK(bs_to_string(bs_ref(&s_ab)) == bs_ref(&s_ab), "to_string of a string is itself");
    expect_string(bs_to_string(bs_ref(obj)), "<class ?>");
    static const bs_class foo_array = {.name = "Foo[]", .kind = BS_KIND_REF_ARRAY};
    bs_class_define(30, &foo_array);
    expect_string(bs_to_string(bs_ref(obj)), "<class Foo[]>");
    expect_string(bs_string_concat(bs_ref(&s_n), bs_box_int(42)), "n=42");
    expect_string(bs_string_concat(bs_box_float(3.0f), bs_ref(&s_n)), "3.0n=");
    expect_string(bs_string_concat(bs_ref(&s_empty), bs_ref(&s_empty)), "");
    expect_string(bs_string_concat(bs_ref(&s_ab), bs_ref(obj)), "ab<class Foo[]>");
    bs_value abc = bs_string_concat(bs_ref(&s_ab), bs_to_string(bs_string_concat(bs_ref(&s_empty), bs_box_int(0))));
    expect_string(abc, "ab0");
    CHECK(bs_string_equal(bs_string_concat(bs_ref(&s_ab), bs_ref(&s_empty)), bs_ref(&s_ab)), "equal");
    CHECK(!bs_string_equal(bs_ref(&s_abc), bs_ref(&s_ab)), "not equal");
    CHECK(bs_string_compare(bs_ref(&s_ab), bs_ref(&s_abc)) < 0, "ab < abc");
    CHECK(bs_string_compare(bs_ref(&s_abc), bs_ref(&s_ab)) > 0, "abc > ab");
    CHECK(bs_string_compare(bs_ref(&s_abc), bs_string_concat(bs_ref(&s_ab), bs_box_int(0))) > 0, "abc > ab0");
    CHECK(bs_string_compare(bs_ref(&s_empty), bs_ref(&s_empty)) == 0, "'' == ''");
}

static void test_print(void) {
    BS_STRING_LITERAL(s_hi, 7, "hi 'x'\n");
    static uint32_t obj[2] = {BS_HDR(31, 0), 0};
    static const bs_class dot = {.name = "Dot", .kind = BS_KIND_OBJECT, .words = 2};
    bs_class_define(31, &dot);
    sent_len = 0;
    bs_output_begin(9);
    bs_print(bs_box_int(7));
    bs_print(bs_box_int(2147483647));
    bs_print(bs_box_float(-0.5f));
    bs_print(bs_box_float(0.1f + 0.2f));
    bs_print(BS_TRUE);
    bs_print(BS_NULL);
    bs_print(bs_ref(&s_hi));
    bs_print(bs_ref(obj));
    bs_print_error(bs_box_float(1.0f));
    const char *out = take_output(0);
    CHECK(strcmp(out, "7\n-1\n-0.500000\n0.300000\ntrue\nundefined\nhi 'x'\n\n<class Dot>\n") == 0, "print: %s", out);

    bs_print(bs_box_int(1));
    bs_print_error(bs_box_float(1.0f));
    bs_print(bs_box_int(2));
    out = take_output(1);
    CHECK(strcmp(out, "1.000000\n") == 0, "print_error: %s", out);

    /* A long line is split into frames of at most BS_OUTPUT_BUFFER_SIZE text bytes. */
    char text[1000];
    for (int i = 0; i < 999; i++)
        text[i] = (char)('a' + i % 26);
    text[999] = '\0';
    bs_print(bs_string_new(text, 999));
    uint32_t first_len = bs_protocol_get_u16(sent + 4);
    out = take_output(0);
    CHECK(strlen(out) == 1000 && memcmp(out, text, 999) == 0 && out[999] == '\n', "long print");
    CHECK(first_len == 1 + BS_OUTPUT_BUFFER_SIZE, "full frame of %u bytes", first_len);
}

static void test_heap(void) {
    static uint64_t area[64]; /* 512 bytes */
    bs_heap_stats s;
    bs_heap_init((uint8_t *)area + 4, 500);
    bs_string_init();
    bs_heap_get_stats(&s);
    uint32_t total = s.size;
    CHECK(s.used == 0 && s.free == total && s.blocks == 0 && total >= 480, "empty heap");
    uint8_t *a = bs_heap_alloc(1), *b = bs_heap_alloc(20), *c = bs_heap_alloc(9);
    CHECK(((uintptr_t)a & 7) == 0 && ((uintptr_t)b & 7) == 0 && ((uintptr_t)c & 7) == 0, "8-aligned");
    CHECK(b - a == 8 && c - b == 24, "first fit, 8-byte granularity: %d %d", (int)(b - a), (int)(c - b));
    bs_heap_get_stats(&s);
    CHECK(s.used == 8 + 24 + 16 && s.blocks == 3 && s.used + s.free == total, "stats");
    bs_heap_free(b);
    uint8_t *d = bs_heap_alloc(16);
    CHECK(d == b, "reuse the freed block");
    bs_heap_free(a);
    bs_heap_free(d);
    bs_heap_free(c);
    bs_heap_get_stats(&s);
    CHECK(s.used == 0 && s.blocks == 0, "all freed");
    CHECK(bs_heap_check() == NULL, "small freed blocks wait on their lists: %s", bs_heap_check());
    bs_heap_sweep(); /* merges neighbouring free blocks */
    uint8_t *e = bs_heap_alloc(total - 4);
    CHECK(e == a, "merged back into one block");
    bs_heap_free(e);
    bs_heap_reset();
    bs_heap_get_stats(&s);
    CHECK(s.used == 0 && s.free == total, "reset");
}

static void test_crc(void) {
    CHECK(bs_protocol_crc32(0, (const uint8_t *)"123456789", 9) == 0xCBF43926u, "crc check value");
    CHECK(bs_protocol_crc32(bs_protocol_crc32(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5) ==
              0xCBF43926u, "crc continued");
}

int main(void) {
    static uint64_t heap[4096];
    bs_class_reset(); /* the built-in classes, as the runtime does when it starts */
    test_int();
    test_fixed();
    test_short();
    test_pow();
    test_crc();
    test_heap();
    bs_heap_init(heap, sizeof heap);
    bs_string_init();
    test_strings();
    test_print();
    if (failures != 0) {
        fprintf(stderr, "test_format: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_format: all tests passed\n");
    return 0;
}
