/* test_profile.c: the dynamic compiler's profiling on the device (docs/dynamic.md): bs_profile_hit
   counts calls, records signatures, and reports with PROFILE; a pause for a patch sends PAUSED. */
#include <string.h>

#include "bs_class.h"
#include "bs_heap.h"
#include "bs_protocol.h"
#include "bs_string.h"
#include "test_support.h"

/* The frames sent since the last look, taken apart: at most 8. */
typedef struct {
    uint8_t kind, reply_to;
    uint16_t len;
    uint8_t payload[64];
} frame;

static int take(frame *out, int max) {
    uint32_t len;
    const uint8_t *b = test_take_frames(&len);
    int n = 0;
    uint32_t at = 0;
    while (at < len && n < max) {
        const uint8_t *f = b + at;
        uint32_t plen = bs_protocol_get_u16(f + 4);
        CHECK(f[0] == BS_FRAME_MAGIC, "magic");
        CHECK(bs_protocol_crc32(0, f, 6 + plen) == bs_protocol_get_u32(f + 6 + plen), "crc");
        out[n].kind = f[1];
        out[n].reply_to = f[3];
        out[n].len = (uint16_t)plen;
        memcpy(out[n].payload, f + 6, plen < 64 ? plen : 64);
        n++;
        at += 10 + plen;
    }
    CHECK(at == len, "whole frames only");
    return n;
}

static bs_profile rec;
static bs_value args[BS_PROFILE_MAX_ARGS];

/* A PROFILE frame for `rec` with this row and these signatures. */
static void expect_profile(uint32_t row, uint32_t n, const uint16_t *sig, const char *what) {
    frame f[8];
    int got = take(f, 8);
    CHECK(got == 1, "%s: %d frames, want one PROFILE", what, got);
    if (got != 1)
        return;
    CHECK(f[0].kind == BS_MSG_PROFILE, "%s: kind 0x%02x", what, f[0].kind);
    CHECK(f[0].len == 6 + 2 * n, "%s: payload of %u bytes", what, f[0].len);
    CHECK(bs_protocol_get_u32(f[0].payload) == (uint32_t)(uintptr_t)&rec, "%s: record address", what);
    CHECK(f[0].payload[4] == row && f[0].payload[5] == n, "%s: row %u n %u", what, f[0].payload[4],
          f[0].payload[5]);
    for (uint32_t i = 0; i < n && 6 + 2 * i < 64; i++)
        CHECK(bs_protocol_get_u16(f[0].payload + 6 + 2 * i) == sig[i], "%s: signature %u is 0x%04x", what, i,
              bs_protocol_get_u16(f[0].payload + 6 + 2 * i));
}

static void expect_nothing(const char *what) {
    frame f[8];
    CHECK(take(f, 8) == 0, "%s: frames sent", what);
}

static void reset_record(int32_t countdown, uint8_t nargs, uint8_t needed) {
    memset(&rec, 0, sizeof rec);
    rec.countdown = countdown;
    rec.nargs = nargs;
    rec.needed = needed;
}

static void counting_then_recording(void) {
    bs_value s = bs_string_new("ab", 2);
    reset_record(3, 3, 2);
    args[0] = bs_box_int(7);
    args[1] = s;
    args[2] = BS_TRUE;
    bs_profile_hit(&rec, 3, args);
    bs_profile_hit(&rec, 3, args);
    CHECK(rec.state == BS_PROFILE_COUNTING && rec.countdown == 1 && rec.rows == 0, "counting: state %u", rec.state);
    expect_nothing("counting");
    /* The call that brings the countdown to 0 is the first one recorded. */
    bs_profile_hit(&rec, 3, args);
    CHECK(rec.state == BS_PROFILE_RECORDING && rec.rows == 1 && rec.seen[0] == 1, "recording: state %u rows %u",
          rec.state, rec.rows);
    expect_nothing("one signature seen once");
    /* Another signature takes the next row. */
    args[0] = bs_box_float(1.5f);
    bs_profile_hit(&rec, 3, args);
    CHECK(rec.rows == 2 && rec.seen[1] == 1 && rec.sig[1][0] == BS_SIG_FLOAT, "second row");
    expect_nothing("two signatures seen once each");
    /* The first one a second time: `needed` reached, reported. */
    args[0] = bs_box_int(-1);
    bs_profile_hit(&rec, 3, args);
    CHECK(rec.state == BS_PROFILE_REPORTED, "reported: state %u", rec.state);
    const uint16_t want[3] = {BS_SIG_INTEGER, BS_CLASS_STRING, BS_SIG_BOOLEAN};
    expect_profile(0, 3, want, "dominant signature");
    /* Reported: no more recording, and nothing sent without a PATCH. */
    bs_profile_hit(&rec, 3, args);
    bs_profile_hit(&rec, 3, args);
    CHECK(rec.seen[0] == 2 && rec.rows == 2, "nothing recorded after the report");
    expect_nothing("after the report");
}

static void signatures(void) {
    reset_record(1, 6, 1);
    args[0] = BS_NULL;
    args[1] = BS_FALSE;
    args[2] = bs_box_float(-0.0f);
    args[3] = bs_int_array_new(2, 0, 0);
    args[4] = bs_box_int(0);
    args[5] = bs_box_float(3.0e38f);
    bs_profile_hit(&rec, 6, args);
    const uint16_t want[6] = {BS_SIG_UNDEFINED, BS_SIG_BOOLEAN, BS_SIG_FLOAT, BS_CLASS_INT_ARRAY, BS_SIG_INTEGER,
                              BS_SIG_FLOAT};
    expect_profile(0, 6, want, "needed 1: the first recorded call reports");
}

static void no_dominant_signature(void) {
    reset_record(1, 1, 10);
    for (int32_t i = 0; i < BS_PROFILE_ROWS; i++) {
        args[0] = i == 0 ? bs_box_int(1) : i == 1 ? bs_box_float(0.5f) : i == 2 ? BS_TRUE : BS_NULL;
        bs_profile_hit(&rec, 1, args);
        bs_profile_hit(&rec, 1, args);
    }
    CHECK(rec.state == BS_PROFILE_RECORDING && rec.rows == BS_PROFILE_ROWS, "all rows taken: rows %u", rec.rows);
    expect_nothing("four signatures, each below `needed`");
    /* A known signature still counts in its row. */
    args[0] = bs_box_int(9);
    bs_profile_hit(&rec, 1, args);
    CHECK(rec.seen[0] == 3 && rec.state == BS_PROFILE_RECORDING, "known signature counted");
    /* A fifth one: no signature dominates. */
    args[0] = bs_string_new("x", 1);
    bs_profile_hit(&rec, 1, args);
    CHECK(rec.state == BS_PROFILE_REPORTED, "no row: state %u", rec.state);
    expect_profile(BS_PROFILE_NO_ROW, 0, NULL, "no dominant signature");
}

/* A record that reported pauses at its next call when the host asked for a patch: PAUSED goes
   out as a reply of the running CALL. This HAL's link is closed, so the pause ends the call. */
static void paused_for_a_patch(void) {
    reset_record(1, 1, 1);
    args[0] = bs_box_int(1);
    bs_profile_hit(&rec, 1, args);
    frame f[8];
    CHECK(take(f, 8) == 1 && f[0].kind == BS_MSG_PROFILE, "reported before the pause");
    bs_patch_wanted = 1;
    bs_profile_hit(&rec, 1, args);
}

static void off_only_looks_for_a_patch(void) {
    reset_record(1, 1, 1);
    rec.state = BS_PROFILE_OFF;
    args[0] = bs_box_int(1);
    for (int i = 0; i < 5; i++)
        bs_profile_hit(&rec, 1, args);
    CHECK(rec.rows == 0 && rec.countdown == 1, "an OFF record is left alone");
    expect_nothing("off");
}

int main(void) {
    static uint64_t heap[1 << 12];
    bs_heap_init(heap, sizeof heap);
    bs_string_init();
    bs_class_reset();
    void (*const groups[])(void) = {counting_then_recording, signatures, no_dominant_signature,
                                    off_only_looks_for_a_patch};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        CHECK(test_call(groups[i]) == 0, "group %zu stopped by error %u", i, test_error.code);

    /* Outside a call nothing is sent. */
    reset_record(1, 1, 1);
    args[0] = bs_box_int(1);
    bs_profile_hit(&rec, 1, args);
    CHECK(rec.state == BS_PROFILE_REPORTED, "outside a call: reported");
    expect_nothing("outside a call");

    test_expect_error(paused_for_a_patch, BS_ERR_INTERRUPTED, 0, 0, 0, "pause on a closed link");
    frame f[8];
    int n = take(f, 8);
    CHECK(n == 1 && f[0].kind == BS_MSG_PAUSED && f[0].len == 0, "PAUSED sent: %d frames, kind 0x%02x", n,
          n > 0 ? f[0].kind : 0);
    CHECK(bs_patch_wanted == 0, "the pause cleared bs_patch_wanted");
    return test_finish("test_profile");
}
