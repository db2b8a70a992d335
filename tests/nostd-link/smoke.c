/*
 * Links the no_std staticlib into a C program with libc only (no -lpthread, -ldl or -lm, which
 * a std build needs) and runs one sign / verify / validate round trip. Built by .ci/run:
 *
 *   gcc -std=c99 -Wall -Wextra -Werror -pedantic smoke.c \
 *       target/release/libecnpp_nostd_link.a -o target/smoke && target/smoke
 *
 * The release build is the one to link: the debug build keeps a reference to
 * `rust_eh_personality` from the precompiled `core`, which only an unwinding runtime provides.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int ecnpp_nostd_sign(const uint8_t *secret, const uint8_t *payload, size_t payload_len,
                     uint8_t *out, size_t out_cap, size_t *out_len);
int ecnpp_nostd_public_key(const uint8_t *secret, uint8_t *out);
int ecnpp_nostd_verify(const uint8_t *msg, size_t msg_len, const uint8_t *public_key,
                       size_t public_key_len, size_t *payload_off, size_t *payload_len);
int ecnpp_nostd_cbor_validate(const uint8_t *input, size_t len, int strict);
int ecnpp_nostd_attest_flow(const uint8_t *device_secret, const uint8_t *verifier_secret,
                            const uint8_t *challenge, int64_t now);

static int failures = 0;

static void expect(const char *what, int got, int want) {
    if (got != want) {
        fprintf(stderr, "FAIL %s: got %d, want %d\n", what, got, want);
        failures++;
    } else {
        printf("ok   %s (%d)\n", what, got);
    }
}

int main(void) {
    uint8_t secret[32];
    uint8_t public_key[65];
    uint8_t msg[256];
    /* {10: h'6e6f6e63652d3031'}: a claims map with a nonce */
    static const uint8_t payload[] = {0xa1, 0x0a, 0x48, 'n', 'o', 'n', 'c', 'e', '-', '0', '1'};
    size_t len = 0, needed = 0, off = 0, plen = 0, i;

    for (i = 0; i < sizeof secret; i++) {
        secret[i] = 0x42;
    }

    expect("size query reports BufferTooSmall",
           ecnpp_nostd_sign(secret, payload, sizeof payload, NULL, 0, &needed), 400);
    expect("sign", ecnpp_nostd_sign(secret, payload, sizeof payload, msg, sizeof msg, &len), 0);
    expect("size query is exact", (int)(needed == len), 1);
    expect("public key", ecnpp_nostd_public_key(secret, public_key), 0);
    expect("verify", ecnpp_nostd_verify(msg, len, public_key, sizeof public_key, &off, &plen), 0);
    expect("payload is borrowed from the message",
           (int)(plen == sizeof payload && off + plen <= len), 1);
    msg[len - 1] ^= 1;
    expect("tampered signature is VerificationFailed",
           ecnpp_nostd_verify(msg, len, public_key, sizeof public_key, &off, &plen), 302);
    expect("strict validate of the claims", ecnpp_nostd_cbor_validate(payload, sizeof payload, 1), 0);
    expect("truncated CBOR", ecnpp_nostd_cbor_validate(payload, 3, 0), 100);
    expect("null pointer is InvalidArgument", ecnpp_nostd_public_key(NULL, public_key), 402);
    {
        uint8_t verifier_secret[32], challenge[16];
        memset(verifier_secret, 0x32, sizeof verifier_secret);
        memset(challenge, 0x5a, sizeof challenge);
        expect("evidence, appraisal, result, admission",
               ecnpp_nostd_attest_flow(secret, verifier_secret, challenge, 1790000000), 0);
        expect("attest flow null pointer", ecnpp_nostd_attest_flow(NULL, verifier_secret, challenge, 0), 402);
    }

    return failures == 0 ? 0 : 1;
}
