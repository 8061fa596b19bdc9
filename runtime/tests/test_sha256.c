/* test_sha256.c: bs_sha256.c against the test vectors of FIPS 180-4 (SHA-256 examples) and RFC 4231
   (HMAC-SHA-256 test cases 1 to 7). */
#include <stdio.h>
#include <string.h>

#include "bs_sha256.h"

static int failures;

static void hex(const uint8_t *bytes, uint32_t len, char *out) {
    for (uint32_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", bytes[i]);
}

static void expect(const uint8_t *digest, uint32_t len, const char *want, const char *what) {
    char got[2 * BS_SHA256_SIZE + 1];
    hex(digest, len, got);
    if (strcmp(got, want) != 0) {
        failures++;
        fprintf(stderr, "FAIL %s: got %s, want %s\n", what, got, want);
    }
}

static void sha256_case(const char *message, uint32_t repeat, const char *want) {
    bs_sha256 h;
    uint8_t digest[BS_SHA256_SIZE];
    bs_sha256_init(&h);
    for (uint32_t i = 0; i < repeat; i++)
        bs_sha256_update(&h, (const uint8_t *)message, (uint32_t)strlen(message));
    bs_sha256_final(&h, digest);
    expect(digest, BS_SHA256_SIZE, want, message);
}

static void hmac_case(const uint8_t *key, uint32_t key_len, const uint8_t *data, uint32_t data_len, const char *want,
                      const char *what) {
    uint8_t mac[BS_SHA256_SIZE];
    bs_hmac_sha256(key, key_len, data, data_len, NULL, 0, mac);
    expect(mac, (uint32_t)strlen(want) / 2, want, what);
    /* The same message given in two parts. */
    uint32_t half = data_len / 2;
    bs_hmac_sha256(key, key_len, data, half, data + half, data_len - half, mac);
    expect(mac, (uint32_t)strlen(want) / 2, want, what);
    /* With the key prepared once, twice. */
    bs_hmac_key prepared;
    bs_hmac_sha256_prepare(&prepared, key, key_len);
    for (int i = 0; i < 2; i++) {
        bs_hmac_sha256_prepared(&prepared, data, data_len, NULL, 0, mac);
        expect(mac, (uint32_t)strlen(want) / 2, want, what);
    }
}

int main(void) {
    /* FIPS 180-4 examples (and the empty message). */
    sha256_case("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_case("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_case("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sha256_case("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopq"
                "rstnopqrstu",
                1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    sha256_case("a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    /* RFC 4231, test cases 1 to 7 (case 5: the first 128 bits). */
    uint8_t key[131], data[152];
    memset(key, 0x0b, 20);
    hmac_case(key, 20, (const uint8_t *)"Hi There", 8,
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", "RFC 4231 case 1");
    hmac_case((const uint8_t *)"Jefe", 4, (const uint8_t *)"what do ya want for nothing?", 28,
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "RFC 4231 case 2");
    memset(key, 0xaa, 20);
    memset(data, 0xdd, 50);
    hmac_case(key, 20, data, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
              "RFC 4231 case 3");
    for (unsigned i = 0; i < 25; i++)
        key[i] = (uint8_t)(i + 1);
    memset(data, 0xcd, 50);
    hmac_case(key, 25, data, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
              "RFC 4231 case 4");
    memset(key, 0x0c, 20);
    hmac_case(key, 20, (const uint8_t *)"Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b",
              "RFC 4231 case 5");
    memset(key, 0xaa, 131);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    hmac_case(key, 131, (const uint8_t *)m6, (uint32_t)strlen(m6),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", "RFC 4231 case 6");
    const char *m7 = "This is a test using a larger than block-size key and a larger than block-size data. The key "
                     "needs to be hashed before being used by the HMAC algorithm.";
    hmac_case(key, 131, (const uint8_t *)m7, (uint32_t)strlen(m7),
              "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", "RFC 4231 case 7");

    if (failures > 0) {
        fprintf(stderr, "test_sha256: %d failures\n", failures);
        return 1;
    }
    printf("test_sha256: ok\n");
    return 0;
}
