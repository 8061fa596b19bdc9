/* bs_time.c: the built-in time object: time.now() and time.delay(ms), which runs due callbacks
   while it waits. */
#include "bs.h"
#include "bs_event.h"
#include "bs_hal.h"

static uint32_t time_origin;
static int time_started;

float bs_time_now(void) {
    uint32_t now = bs_hal_micros();
    if (!time_started) {
        time_origin = now;
        time_started = 1;
    }
    return (float)(now - time_origin) / 1000.0f;
}

void bs_time_delay(int32_t ms) {
    if (ms <= 0)
        return;
    uint32_t start = bs_hal_micros();
    uint32_t wait = (uint32_t)ms * 1000u;
    while (bs_hal_micros() - start < wait)
        bs_event_run();
}
