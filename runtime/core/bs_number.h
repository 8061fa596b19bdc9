/* bs_number.h: decimal text of integers and floats in BlueScript's two float formats. */
#ifndef BS_NUMBER_H
#define BS_NUMBER_H

#include <stdint.h>

/* Room for any text the formatters below write (they add no NUL). */
#define BS_NUMBER_TEXT_MAX 24

/* `i` in decimal (C %d). Returns the number of bytes written. */
uint32_t bs_number_format_int(char *buf, int32_t i);

/*
 * `f` as C %f: fixed notation with exactly 6 decimals, correctly rounded (ties to even);
 * `inf`, `-inf`, `nan`, `-0.000000`. Meant for boxed floats: magnitudes of 2^32 and above, which
 * boxing turns into infinities, are written as `inf` / `-inf`.
 */
uint32_t bs_number_format_fixed(char *buf, float f);

/*
 * `f` by the short algorithm of the language specification (section 13.3) in binary32 arithmetic:
 * `3.0`, `2.5`, `100.069999`; `inf`, `-inf`, `nan`. Magnitudes of 2^32 and above are infinities,
 * as for bs_number_format_fixed.
 */
uint32_t bs_number_format_short(char *buf, float f);

#endif
