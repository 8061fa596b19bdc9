/* bs_sha256.h: SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), small and table-light, for
   authenticated requests (bs_auth.c). */
#ifndef BS_SHA256_H
#define BS_SHA256_H 1

#include <stdint.h>

#define BS_SHA256_SIZE 32
#define BS_SHA256_BLOCK 64

typedef struct bs_sha256 {
    uint32_t state[8];
    uint64_t bytes; /* message length so far */
    uint8_t block[BS_SHA256_BLOCK];
    uint32_t filled; /* bytes waiting in `block` */
} bs_sha256;

void bs_sha256_init(bs_sha256 *h);
void bs_sha256_update(bs_sha256 *h, const uint8_t *data, uint32_t len);
void bs_sha256_final(bs_sha256 *h, uint8_t digest[BS_SHA256_SIZE]);

/* A key prepared for HMAC-SHA-256: the hash states after its inner and outer padded blocks, so that
   a MAC with it costs two compressions fewer. */
typedef struct bs_hmac_key {
    uint32_t inner[8];
    uint32_t outer[8];
} bs_hmac_key;

void bs_hmac_sha256_prepare(bs_hmac_key *prepared, const uint8_t *key, uint32_t key_len);

/* HMAC-SHA-256 with a prepared key of a message given in two parts (either may be empty). */
void bs_hmac_sha256_prepared(const bs_hmac_key *prepared, const uint8_t *a, uint32_t a_len, const uint8_t *b,
                             uint32_t b_len, uint8_t mac[BS_SHA256_SIZE]);

/* HMAC-SHA-256 of a message given in two parts (either may be empty), with a key of any length. */
void bs_hmac_sha256(const uint8_t *key, uint32_t key_len, const uint8_t *a, uint32_t a_len, const uint8_t *b,
                    uint32_t b_len, uint8_t mac[BS_SHA256_SIZE]);

#endif
