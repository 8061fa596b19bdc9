/* bs_print.c: print / console.log and console.error (section 13.1 of the language spec). */
#include "bs.h"
#include "bs_output.h"
#include "bs_string.h"

static void print_to(uint8_t stream, bs_value v) {
    bs_string_text text;
    bs_string_text_of(v, BS_STRING_FORMAT_PRINT, &text);
    for (int i = 0; i < 3; i++)
        if (text.length[i] > 0)
            bs_output_write(stream, text.piece[i], text.length[i]);
    bs_output_write(stream, "\n", 1);
}

void bs_print(bs_value v) { print_to(BS_OUTPUT_STDOUT, v); }

void bs_print_error(bs_value v) { print_to(BS_OUTPUT_STDERR, v); }
