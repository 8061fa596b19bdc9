/* float64.c: conversions of single-precision floats to 64-bit integers, the run-time ABI's
   __aeabi_f2ulz and __aeabi_f2lz, also under libgcc's names __fixunssfdi and __fixsfdi (exports.ld
   forces them in; compiled units and library members that call either name use these).

   libgcc's versions go through double precision and so pull its double multiply, add/subtract
   and conversions into the image, which the runtime uses nowhere else. These work on the float's
   bits and give libgcc's result for every input: the value truncated toward zero when it fits;
   for the unsigned one 0 for NaN and negative inputs and all ones from 2^64 up (libgcc saturates
   both 32-bit halves); the signed one is -f2ulz(-a) for a < 0 and f2ulz(a) otherwise, wrapping as
   libgcc's does. */
#include <stdint.h>
#include <string.h>

uint64_t __aeabi_f2ulz(float a);
int64_t __aeabi_f2lz(float a);
uint64_t __fixunssfdi(float a) __attribute__((alias("__aeabi_f2ulz")));
int64_t __fixsfdi(float a) __attribute__((alias("__aeabi_f2lz")));

/* The truncated magnitude of a float whose sign bit is clear, given its bits. */
static uint64_t magnitude(uint32_t bits) {
    if (bits > 0x7f800000u)
        return 0; /* NaN */
    int32_t e = (int32_t)(bits >> 23) - 127;
    if (e < 0)
        return 0;
    if (e >= 64)
        return UINT64_MAX; /* also infinity */
    uint64_t m = (bits & 0x7fffffu) | 0x800000u;
    return e >= 23 ? m << (e - 23) : m >> (23 - e);
}

uint64_t __aeabi_f2ulz(float a) {
    uint32_t bits;
    memcpy(&bits, &a, sizeof bits);
    return bits >> 31 ? 0 : magnitude(bits);
}

int64_t __aeabi_f2lz(float a) {
    uint32_t bits;
    memcpy(&bits, &a, sizeof bits);
    uint32_t abs = bits & 0x7fffffffu;
    /* a < 0: the sign bit set, neither zero nor NaN. */
    if (bits >> 31 && abs != 0 && abs <= 0x7f800000u)
        return (int64_t)(0 - magnitude(abs));
    return (int64_t)magnitude(abs);
}
