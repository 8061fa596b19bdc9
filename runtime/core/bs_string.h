/* bs_string.h: strings on the heap and the text of any boxed value, shared by print and concatenation. */
#ifndef BS_STRING_H
#define BS_STRING_H

#include <stdint.h>

#include "bs.h"
#include "bs_number.h"

/* The text of a value as up to three pieces (e.g. "<class ", name, ">"), without copying strings. */
typedef struct bs_string_text {
    const char *piece[3];
    uint32_t length[3];
    char buf[BS_NUMBER_TEXT_MAX];
} bs_string_text;

#define BS_STRING_FORMAT_CONCAT 0 /* section 4.6 of the language spec: floats in the short form */
#define BS_STRING_FORMAT_PRINT 1  /* section 13.1: floats as C %f */

/* Fills `text` with the text of `v` in the given format. */
void bs_string_text_of(bs_value v, int format, bs_string_text *text);

/* 1 when `v` is a reference to a string. */
int bs_string_is(bs_value v);

/* Makes the ready-made one-byte strings (bs_char_strings); once, before any unit runs. */
void bs_string_init(void);

/* A new heap string holding `len` bytes. */
bs_value bs_string_new(const char *bytes, uint32_t len);

#endif
