/* bs_output.h: buffered program output, sent to the host in OUTPUT frames. */
#ifndef BS_OUTPUT_H
#define BS_OUTPUT_H

#include <stdint.h>

#define BS_OUTPUT_STDOUT 0
#define BS_OUTPUT_STDERR 1

/* Starts collecting output for the request with sequence number `seq` (a CALL). */
void bs_output_begin(uint8_t seq);

/* Appends text to a stream; frames are sent when the buffer fills, or at a newline when
   BS_OUTPUT_FLUSH_US passed since the last flush. */
void bs_output_write(uint8_t stream, const char *text, uint32_t len);

/* Sends whatever is buffered. */
void bs_output_flush(void);

#endif
