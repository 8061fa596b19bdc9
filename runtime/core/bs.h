/* bs.h: the C API that compiled BlueScript units call; the only runtime header they include. */
#ifndef BS_H
#define BS_H

#include <stdint.h>

/*
 * Values.
 *
 * A boxed value (`bs_value`) is one 32-bit word on every target. The low two bits are the tag:
 *
 *   bits 31 ............................. 2 | 1 0
 *   ----------------------------------------+-----
 *   30-bit two's-complement integer          | 0 0
 *   sign | 6-bit exponent | 23-bit fraction  | 0 1   (float, see bs_box_float)
 *   symbol: false = 2, true = 6              | 1 0
 *   4-byte aligned address                   | 1 1   (reference; 3 alone is null/undefined)
 *
 * Unboxed values use plain C types: integer -> int32_t, float -> float (IEEE binary32),
 * boolean -> int32_t (0 or 1). Every address the runtime hands out fits in 32 bits, on the host
 * device too (its regions are mapped below 4 GB).
 */
typedef uint32_t bs_value;

#define BS_NULL ((bs_value)3)
#define BS_FALSE ((bs_value)2)
#define BS_TRUE ((bs_value)6)

/* Run-time error codes (docs/protocol.md, section 4). */
#define BS_ERR_DIV_ZERO 1
#define BS_ERR_OUT_OF_MEMORY 2
#define BS_ERR_STACK_OVERFLOW 3
#define BS_ERR_FAULT 4
#define BS_ERR_LOAD_RANGE 5
#define BS_ERR_BAD_VERSION 6
#define BS_ERR_BAD_MESSAGE 7
#define BS_ERR_CALL_RANGE 8
#define BS_ERR_INDEX_RANGE 9
#define BS_ERR_TYPE 10

/*
 * Aborts the running unit: the runtime unwinds to the CALL that started it and reports an ERROR
 * message with these fields. `site` is the site number the host gave the check in compiled code.
 */
_Noreturn void bs_error(uint32_t code, uint32_t site, uint32_t detail1, uint32_t detail2);

/* Heap objects start with a header word: bits 31..8 class id, bits 7..0 flags. */
#define BS_HDR_MARK 1u   /* reached by the current collection */
#define BS_HDR_STATIC 2u /* not in the heap (e.g. a string literal in a unit's rodata) */
#define BS_HDR(class_id, flags) ((((uint32_t)(class_id)) << 8) | (flags))
#define BS_HDR_CLASS(header) ((header) >> 8)

/* Built-in class ids. */
#define BS_CLASS_STRING 1

/* A string: header, length in bytes, then the bytes and a terminating NUL. */
typedef struct bs_string {
    uint32_t header;
    uint32_t length;
    char bytes[];
} bs_string;

/*
 * Declares a string literal in a unit's rodata. `len` is the number of bytes of `text` without the
 * terminating NUL; the value of the literal is bs_ref(&name).
 */
#define BS_STRING_LITERAL(name, len, text)                                                         \
    static const struct {                                                                          \
        uint32_t header;                                                                           \
        uint32_t length;                                                                           \
        char bytes[(len) + 1];                                                                     \
    } name __attribute__((aligned(4))) = {BS_HDR(BS_CLASS_STRING, BS_HDR_STATIC), (len), text}

/* --- boxing and unboxing --------------------------------------------------------------------- */

static inline bs_value bs_box_int(int32_t i) { return (bs_value)((uint32_t)i << 2); }
static inline int32_t bs_unbox_int(bs_value v) { return ((int32_t)v) >> 2; }
static inline bs_value bs_box_bool(int32_t b) { return b ? BS_TRUE : BS_FALSE; }
static inline int32_t bs_unbox_bool(bs_value v) { return v == BS_TRUE; }
static inline int bs_is_int(bs_value v) { return (v & 3) == 0; }
static inline int bs_is_float(bs_value v) { return (v & 3) == 1; }
static inline int bs_is_ref(bs_value v) { return (v & 3) == 3 && v != BS_NULL; }
static inline void *bs_ptr(bs_value v) { return (void *)(uintptr_t)(v & ~(bs_value)3); }
static inline bs_value bs_ref(const void *p) { return (bs_value)(uintptr_t)p | 3u; }

/* Truthiness of a boxed value: false only for undefined, false, integer 0 and float +0.0. */
static inline int32_t bs_truthy(bs_value v) { return v != BS_NULL && v != BS_FALSE && v != 0 && v != 1; }

union bs_float_bits {
    float f;
    uint32_t u;
};

/*
 * A boxed float keeps the sign and the 23-bit fraction but only 6 exponent bits: the binary32
 * value is scaled by 2^-96; magnitudes of 2^32 and above become infinities, tiny ones lose
 * precision gradually. NaN boxes as 0x7F000001.
 */
static inline bs_value bs_box_float(float f) {
    union bs_float_bits b;
    if (f != f)
        return 0x7F000001u;
    b.f = f * 0x1p-96f;
    uint32_t sign = b.u & 0x80000000u;
    uint32_t exponent = (b.u >> 23) & 0xFFu;
    uint32_t fraction = b.u & 0x7FFFFFu;
    if ((exponent & 0xC0u) != 0 || (exponent & 0x3Fu) == 0x3Fu)
        return sign | (0x3Fu << 25) | 1u;
    return sign | (exponent << 25) | (fraction << 2) | 1u;
}

static inline float bs_unbox_float(bs_value v) {
    union bs_float_bits b;
    uint32_t sign = v & 0x80000000u;
    uint32_t exponent = (v >> 25) & 0x3Fu;
    uint32_t fraction = (v >> 2) & 0x7FFFFFu;
    if (exponent == 0x3Fu) {
        b.u = sign | 0x7F800000u | fraction;
        return b.f;
    }
    b.u = sign | (exponent << 23) | fraction;
    return b.f * 0x1p96f;
}

/* --- integer and float arithmetic with BlueScript's rules ------------------------------------ */
/* Units are compiled with -fwrapv: +, -, * and unary - on int32_t wrap modulo 2^32. */

static inline int32_t bs_idiv(int32_t a, int32_t b, uint32_t site) {
    if (b == 0)
        bs_error(BS_ERR_DIV_ZERO, site, 0, 0);
    if (b == -1)
        return (int32_t)(0u - (uint32_t)a);
    return a / b;
}

static inline int32_t bs_imod(int32_t a, int32_t b, uint32_t site) {
    if (b == 0)
        bs_error(BS_ERR_DIV_ZERO, site, 0, 0);
    if (b == -1)
        return 0;
    return a % b;
}

static inline int32_t bs_shl(int32_t a, int32_t n) { return (int32_t)((uint32_t)a << (n & 31)); }
static inline int32_t bs_shr(int32_t a, int32_t n) { return a >> (n & 31); }
static inline int32_t bs_ushr(int32_t a, int32_t n) { return (int32_t)((uint32_t)a >> (n & 31)); }

/* float -> integer truncates toward zero and saturates; NaN gives 0. */
static inline int32_t bs_f2i(float f) {
    if (f != f)
        return 0;
    if (f >= 2147483648.0f)
        return INT32_MAX;
    if (f <= -2147483648.0f)
        return INT32_MIN;
    return (int32_t)f;
}

/* integer ** integer: exact power modulo 2^32; a negative exponent gives 1/a^-b truncated. */
int32_t bs_ipow(int32_t base, int32_t exponent, uint32_t site);
/* float ** float in binary32. */
float bs_fpow(float base, float exponent);

/* --- strings and output ---------------------------------------------------------------------- */

/* a + b where a or b is a string: the other operand is converted with bs_to_string. */
bs_value bs_string_concat(bs_value a, bs_value b);
/* The string form of a boxed value (section 4.6 of the language spec). */
bs_value bs_to_string(bs_value v);
/* 1 when two strings have the same bytes. */
int32_t bs_string_equal(bs_value a, bs_value b);
/* <0, 0 or >0 as for strcmp of the two strings' bytes. */
int32_t bs_string_compare(bs_value a, bs_value b);

/* print / console.log: the value in print format and a newline, on standard output. */
void bs_print(bs_value v);
/* console.error: the same on standard error. */
void bs_print_error(bs_value v);

/* --- classes --------------------------------------------------------------------------------- */

/*
 * Records the printable name of a class id, used by print and string conversion of its objects
 * ("<class NAME>"; "<class ?>" for a class without a name). `name` is NUL-terminated and must stay
 * valid until the next RESET (e.g. a literal in the unit's rodata).
 */
void bs_class_set_name(uint32_t class_id, const char *name);

#endif
