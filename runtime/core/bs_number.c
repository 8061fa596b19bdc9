/* bs_number.c: number formatting and the power operators (bs_ipow, bs_fpow). */
#include <math.h>
#include <string.h>

#include "bs.h"
#include "bs_number.h"

/* Writes `u` in decimal; returns the number of bytes. */
static uint32_t format_u32(char *buf, uint32_t u) {
    char digits[10];
    uint32_t n = 0;
    do {
        digits[n++] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u != 0);
    for (uint32_t i = 0; i < n; i++)
        buf[i] = digits[n - 1 - i];
    return n;
}

uint32_t bs_number_format_int(char *buf, int32_t i) {
    if (i < 0) {
        buf[0] = '-';
        return 1 + format_u32(buf + 1, 0u - (uint32_t)i);
    }
    return format_u32(buf, (uint32_t)i);
}

static uint32_t float_bits(float f) {
    union bs_float_bits b;
    b.f = f;
    return b.u;
}

/* Writes `inf`, `-inf` or `nan` for a non-finite or too large `f`; returns 0 when `f` is ordinary. */
static uint32_t format_special(char *buf, float f) {
    if (f != f) {
        memcpy(buf, "nan", 3);
        return 3;
    }
    if (f >= 4294967296.0f) {
        memcpy(buf, "inf", 3);
        return 3;
    }
    if (f <= -4294967296.0f) {
        memcpy(buf, "-inf", 4);
        return 4;
    }
    return 0;
}

uint32_t bs_number_format_fixed(char *buf, float f) {
    uint32_t n = format_special(buf, f);
    if (n != 0)
        return n;

    /* |f| = m * 2^e exactly, with m < 2^24 and |f| < 2^32. */
    uint32_t bits = float_bits(f);
    uint32_t exponent = (bits >> 23) & 0xFFu;
    uint64_t m = bits & 0x7FFFFFu;
    int32_t e = -149;
    if (exponent != 0) {
        m |= 0x800000u;
        e = (int32_t)exponent - 150;
    }

    /* q = |f| * 10^6 rounded to the nearest integer, ties to even; it is below 2^52. */
    uint64_t q;
    if (e >= 0) {
        q = (m << e) * 1000000u;
    } else {
        uint64_t x = m * 1000000u; /* below 2^44 */
        uint32_t k = (uint32_t)-e;
        if (k >= 64) {
            q = 0;
        } else {
            uint64_t half = (uint64_t)1 << (k - 1);
            uint64_t rest = x & ((half << 1) - 1);
            q = x >> k;
            if (rest > half || (rest == half && (q & 1u) != 0))
                q++;
        }
    }

    if (bits & 0x80000000u)
        buf[n++] = '-';
    n += format_u32(buf + n, (uint32_t)(q / 1000000u));
    buf[n++] = '.';
    uint32_t decimals = (uint32_t)(q % 1000000u);
    for (int i = 5; i >= 0; i--) {
        buf[n + (uint32_t)i] = (char)('0' + decimals % 10u);
        decimals /= 10u;
    }
    return n + 6;
}

uint32_t bs_number_format_short(char *buf, float f) {
    uint32_t n = format_special(buf, f);
    if (n != 0)
        return n;
    if (f == 0.0f) {
        memcpy(buf, "0.0", 3);
        return 3;
    }
    if (f < 0.0f) {
        buf[n++] = '-';
        f = -f;
    }
    uint32_t whole = (uint32_t)f;
    n += format_u32(buf + n, whole);
    buf[n++] = '.';
    float frac = f - (float)whole;
    float limit = 0.000001f;
    if (frac < limit) {
        buf[n++] = '0';
    } else {
        for (int i = 0; i < 6 && frac >= limit; i++) {
            frac = frac * 10.0f;
            int32_t digit = (int32_t)frac;
            buf[n++] = (char)('0' + digit);
            frac = frac - (float)digit;
            limit = limit * 10.0f;
        }
    }
    return n;
}

int32_t bs_ipow(int32_t base, int32_t exponent, uint32_t site) {
    if (exponent < 0) {
        if (base == 1)
            return 1;
        if (base == -1)
            return (exponent & 1) ? -1 : 1;
        if (base == 0)
            bs_error(BS_ERR_DIV_ZERO, site, 0, 0);
        return 0;
    }
    uint32_t result = 1;
    uint32_t square = (uint32_t)base;
    uint32_t e = (uint32_t)exponent;
    while (e != 0) {
        if (e & 1u)
            result *= square;
        square *= square;
        e >>= 1;
    }
    return (int32_t)result;
}

float bs_fpow(float base, float exponent) { return powf(base, exponent); }
