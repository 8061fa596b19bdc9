/* exports.c: the C library functions that units may call on the host device.

   The runtime is a static glibc executable, and glibc implements many of these functions as
   indirect functions (its symbol is a resolver that picks a variant for the processor at start),
   which a unit cannot call through the symbol. Taking their addresses here does two things: it
   links each of them into the image, and it gives the host their callable addresses (for an
   indirect function, the entry the static linker made for calls). bs-link reads this table
   (`bs_port_exports`, pairs of name and address ending with a null name) and resolves a unit's
   reference to NAME to the address beside it. Standard output is the link: the stdio functions
   that write to it are left out on purpose. */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>


struct bs_port_export {
    const char *name;
    void (*address)(void);
};

#define BS_EXPORT(f) {#f, (void (*)(void))f}

const struct bs_port_export bs_port_exports[] = {
    /* memory and strings */
    BS_EXPORT(memcpy), BS_EXPORT(memmove), BS_EXPORT(memset), BS_EXPORT(memcmp),
    BS_EXPORT(memchr), BS_EXPORT(strlen), BS_EXPORT(strnlen), BS_EXPORT(strcmp),
    BS_EXPORT(strncmp), BS_EXPORT(strcpy), BS_EXPORT(strncpy), BS_EXPORT(strcat),
    BS_EXPORT(strncat), BS_EXPORT(strchr), BS_EXPORT(strrchr), BS_EXPORT(strstr),
    /* conversions and formatting into memory */
    BS_EXPORT(abs), BS_EXPORT(labs), BS_EXPORT(atoi), BS_EXPORT(strtol), BS_EXPORT(strtoul),
    BS_EXPORT(strtod), BS_EXPORT(strtof), BS_EXPORT(snprintf), BS_EXPORT(qsort),
    /* double-precision math */
    BS_EXPORT(sin), BS_EXPORT(cos), BS_EXPORT(tan), BS_EXPORT(asin), BS_EXPORT(acos),
    BS_EXPORT(atan), BS_EXPORT(atan2), BS_EXPORT(sinh), BS_EXPORT(cosh), BS_EXPORT(tanh),
    BS_EXPORT(exp), BS_EXPORT(exp2), BS_EXPORT(log), BS_EXPORT(log2), BS_EXPORT(log10),
    BS_EXPORT(pow), BS_EXPORT(sqrt), BS_EXPORT(cbrt), BS_EXPORT(hypot), BS_EXPORT(fmod),
    BS_EXPORT(floor), BS_EXPORT(ceil), BS_EXPORT(round), BS_EXPORT(trunc), BS_EXPORT(fabs),
    BS_EXPORT(fmin), BS_EXPORT(fmax), BS_EXPORT(ldexp), BS_EXPORT(frexp), BS_EXPORT(modf),
    /* single-precision math */
    BS_EXPORT(sinf), BS_EXPORT(cosf), BS_EXPORT(tanf), BS_EXPORT(asinf), BS_EXPORT(acosf),
    BS_EXPORT(atanf), BS_EXPORT(atan2f), BS_EXPORT(expf), BS_EXPORT(logf), BS_EXPORT(log2f),
    BS_EXPORT(log10f), BS_EXPORT(powf), BS_EXPORT(sqrtf), BS_EXPORT(hypotf), BS_EXPORT(fmodf),
    BS_EXPORT(floorf), BS_EXPORT(ceilf), BS_EXPORT(roundf), BS_EXPORT(truncf), BS_EXPORT(fabsf),
    {0, 0},
};
