/* bs_protocol.c: frame reader (with resynchronisation) and writer over the port's link. */
#include <string.h>

#include "bs_config.h"
#include "bs_hal.h"
#include "bs_protocol.h"

_Static_assert(BS_LINK_MAX_PAYLOAD <= BS_MAX_PAYLOAD, "BS_LINK_MAX_PAYLOAD exceeds the protocol limit");

#define FRAME_OVERHEAD (BS_FRAME_HEADER_SIZE + BS_FRAME_CRC_SIZE)

/* CRC-32 of each nibble value, for the polynomial 0xEDB88320 (reflected). */
static const uint32_t crc_nibble_table[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t bs_protocol_crc32(uint32_t crc, const uint8_t *data, uint32_t len) {
    crc = ~crc;
    while (len-- > 0) {
        crc ^= *data++;
        crc = (crc >> 4) ^ crc_nibble_table[crc & 15u];
        crc = (crc >> 4) ^ crc_nibble_table[crc & 15u];
    }
    return ~crc;
}

/* Receive buffer: rx_count bytes are buffered; the first rx_consumed of them are a delivered frame. */
static uint8_t rx[FRAME_OVERHEAD + BS_LINK_MAX_PAYLOAD];
static uint32_t rx_count;
static uint32_t rx_consumed;

static uint8_t tx[FRAME_OVERHEAD + BS_MAX_PAYLOAD];

/* Removes the first `n` buffered bytes. */
static void rx_drop(uint32_t n) {
    memmove(rx, rx + n, rx_count - n);
    rx_count -= n;
}

/* Makes sure at least `want` bytes are buffered. */
static int rx_fill(uint32_t want) {
    if (rx_count >= want)
        return 0;
    if (bs_hal_read(rx + rx_count, want - rx_count) != 0)
        return -1;
    rx_count = want;
    return 0;
}

/* Drops the byte at the front (a magic byte or garbage) and everything up to the next magic byte. */
static void rx_resync(void) {
    uint32_t i = 1;
    while (i < rx_count && rx[i] != BS_FRAME_MAGIC)
        i++;
    rx_drop(i);
}

int bs_protocol_receive(bs_protocol_frame *frame) {
    rx_drop(rx_consumed);
    rx_consumed = 0;
    for (;;) {
        if (rx_fill(1) != 0)
            return -1;
        if (rx[0] != BS_FRAME_MAGIC) {
            rx_resync();
            continue;
        }
        if (rx_fill(BS_FRAME_HEADER_SIZE) != 0)
            return -1;
        uint32_t len = bs_protocol_get_u16(rx + 4);
        if (len > BS_LINK_MAX_PAYLOAD) {
            rx_resync();
            continue;
        }
        uint32_t total = FRAME_OVERHEAD + len;
        if (rx_fill(total) != 0)
            return -1;
        uint32_t crc = bs_protocol_crc32(0, rx, BS_FRAME_HEADER_SIZE + len);
        if (crc != bs_protocol_get_u32(rx + BS_FRAME_HEADER_SIZE + len)) {
            rx_resync();
            continue;
        }
        frame->kind = rx[1];
        frame->seq = rx[2];
        frame->flags = rx[3];
        frame->length = (uint16_t)len;
        frame->payload = rx + BS_FRAME_HEADER_SIZE;
        rx_consumed = total;
        return 0;
    }
}

void bs_protocol_send(uint8_t kind, uint8_t seq, const uint8_t *payload, uint32_t len) {
    if (len > BS_MAX_PAYLOAD)
        bs_hal_panic("bs_protocol_send: payload too long");
    tx[0] = BS_FRAME_MAGIC;
    tx[1] = kind;
    tx[2] = seq;
    tx[3] = 0;
    bs_protocol_put_u16(tx + 4, len);
    if (len > 0)
        memcpy(tx + BS_FRAME_HEADER_SIZE, payload, len);
    bs_protocol_put_u32(tx + BS_FRAME_HEADER_SIZE + len,
                        bs_protocol_crc32(0, tx, BS_FRAME_HEADER_SIZE + len));
    bs_hal_write(tx, FRAME_OVERHEAD + len);
}
