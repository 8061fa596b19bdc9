/*
 * bs_auth.h: authenticated requests (docs/protocol.md, section 6). A device whose image carries a
 * key (bscript writes it into the settings block `bs_auth_settings` when it pairs a project with
 * the device) runs only requests with a valid HMAC-SHA-256 over the frame, a counter that grows
 * with every request and the device's nonce, chosen anew at every start. An image without a key runs every request, as before.
 */
#ifndef BS_AUTH_H
#define BS_AUTH_H 1

#include <stdint.h>

#include "bs_protocol.h"

/* The auth fields of HELLO_REPLY: u8 mode, u8[8] key id, u8[8] nonce, u32 last counter. */
#define BS_AUTH_HELLO_FIELDS 21

/*
 * Writes the auth fields of HELLO_REPLY at `p` (BS_AUTH_HELLO_FIELDS bytes). On a paired device
 * the first call chooses the nonce, which lasts until the device restarts. `host_id` is mixed in.
 */
void bs_auth_hello(uint8_t *p, uint32_t host_id);

/*
 * Checks a request before the message loop carries it out. Returns 0 when it may run: an
 * authenticated frame then has its kind without BS_AUTH_FLAG and its length without the trailer.
 * Otherwise returns the reason (BS_AUTH_REFUSED_*), with the frame's counter in *counter (0 when
 * it carries none). HELLO is always let through: it starts the exchange.
 */
uint32_t bs_auth_check(bs_protocol_frame *f, uint32_t *counter);

#endif
