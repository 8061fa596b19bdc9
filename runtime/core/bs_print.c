/* bs_print.c: print / console.log and console.error (section 13.1 of the language spec). */
#include "bs.h"
#include "bs_output.h"
#include "bs_string.h"

static void write_value(uint8_t stream, bs_value v) {
    bs_string_text text;
    bs_string_text_of(v, BS_STRING_FORMAT_PRINT, &text);
    for (int i = 0; i < 3; i++)
        if (text.length[i] > 0)
            bs_output_write(stream, text.piece[i], text.length[i]);
}

void bs_print_values(uint32_t stream, uint32_t n, const bs_value *values) {
    uint8_t s = (uint8_t)stream; /* BS_OUTPUT_STDOUT or BS_OUTPUT_STDERR */
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0)
            bs_output_write(s, " ", 1);
        write_value(s, values[i]);
    }
    bs_output_write(s, "\n", 1);
}
