/* bs_output.c: collects print output in a small buffer and sends it as OUTPUT frames. */
#include <string.h>

#include "bs_config.h"
#include "bs_event.h"
#include "bs_hal.h"
#include "bs_output.h"
#include "bs_protocol.h"
#include "bs_runtime.h"

_Static_assert(BS_OUTPUT_BUFFER_SIZE >= 1 && BS_OUTPUT_BUFFER_SIZE + 1 <= BS_MAX_PAYLOAD,
               "BS_OUTPUT_BUFFER_SIZE must leave room for the stream byte in one frame");

/* An OUTPUT payload in the making: out[0] is the stream, then out_len text bytes. */
static uint8_t out[1 + BS_OUTPUT_BUFFER_SIZE];
static uint32_t out_len;
static uint8_t out_seq;
static uint32_t out_last_flush;

void bs_output_begin(uint8_t seq) {
    out_seq = seq;
    out_len = 0;
    out_last_flush = bs_hal_micros();
}

void bs_output_flush(void) {
    if (out_len > 0)
        bs_protocol_send(BS_MSG_OUTPUT, out_seq, out, 1 + out_len);
    out_len = 0;
    out_last_flush = bs_hal_micros();
}

void bs_output_write(uint8_t stream, const char *text, uint32_t len) {
    bs_runtime_safe_point();
    if (bs_event_idle_callback()) {
        bs_event_output(stream, text, len); /* no CALL to send it with */
        return;
    }
    int newline = 0;
    if (out_len > 0 && out[0] != stream)
        bs_output_flush();
    out[0] = stream;
    while (len > 0) {
        uint32_t room = BS_OUTPUT_BUFFER_SIZE - out_len;
        uint32_t chunk = len < room ? len : room;
        memcpy(out + 1 + out_len, text, chunk);
        if (memchr(text, '\n', chunk) != NULL)
            newline = 1;
        out_len += chunk;
        text += chunk;
        len -= chunk;
        if (out_len == BS_OUTPUT_BUFFER_SIZE)
            bs_output_flush();
    }
    if (newline && out_len > 0 && bs_hal_micros() - out_last_flush >= BS_OUTPUT_FLUSH_US)
        bs_output_flush();
}
