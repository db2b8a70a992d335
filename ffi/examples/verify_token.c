/*
 * Verifies a token against a device's COSE_Key, the way a verifier does: pick the key by the
 * token's (unauthenticated) kid, then verify strictly; the payload is borrowed from the token.
 *
 *   cc -std=c99 verify_token.c -I include target/release/libecnpp_attest_ffi.a \
 *      -lpthread -ldl -lm -o verify_token
 *   ./verify_token COSE_KEY_HEX TOKEN_HEX   # prints the verified payload in hex; exit 1 if not
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ecnpp_attest.h"

static size_t from_hex(const char *hex, uint8_t *out, size_t cap) {
  size_t n = 0;
  int hi = -1;
  for (; *hex && n < cap; hex++) {
    int v;
    if (*hex >= '0' && *hex <= '9') v = *hex - '0';
    else if (*hex >= 'a' && *hex <= 'f') v = *hex - 'a' + 10;
    else if (*hex >= 'A' && *hex <= 'F') v = *hex - 'A' + 10;
    else continue;
    if (hi < 0) {
      hi = v;
    } else {
      out[n++] = (uint8_t)(hi * 16 + v);
      hi = -1;
    }
  }
  return n;
}

static int fail(const char *what, ecnpp_result rc) {
  fprintf(stderr, "%s: %s (%d)\n", what, ecnpp_result_str(rc), (int)rc);
  return 1;
}

int main(int argc, char **argv) {
  static uint8_t cose_key[256], token[4096];
  ecnpp_verifying_key_storage storage;
  ecnpp_verifying_key *key = NULL;
  const uint8_t *key_kid = NULL, *token_kid = NULL, *payload = NULL;
  size_t key_kid_len = 0, token_kid_len = 0, payload_len = 0, key_len, token_len, i;
  ecnpp_result rc;

  if (argc != 3) {
    fprintf(stderr, "usage: %s COSE_KEY_HEX TOKEN_HEX\n", argv[0]);
    return 2;
  }
  key_len = from_hex(argv[1], cose_key, sizeof cose_key);
  token_len = from_hex(argv[2], token, sizeof token);

  rc = ecnpp_verifying_key_from_cose_key_in(&storage, cose_key, key_len, &key_kid, &key_kid_len,
                                            &key);
  if (rc != ECNPP_OK) return fail("COSE_Key", rc);

  /* The kid only selects a candidate key; the signature decides. */
  rc = ecnpp_sign1_kid_untrusted(token, token_len, 0, &token_kid, &token_kid_len);
  if (rc != ECNPP_OK) {
    ecnpp_verifying_key_free(key);
    return fail("parse", rc);
  }
  if (token_kid_len != key_kid_len ||
      (key_kid_len > 0 && memcmp(token_kid, key_kid, key_kid_len) != 0)) {
    ecnpp_verifying_key_free(key);
    fprintf(stderr, "no key for this kid\n");
    return 1;
  }

  rc = ecnpp_sign1_verify(token, token_len, ECNPP_SIGN1_DETERMINISTIC, key, NULL, 0, NULL, 0,
                          &payload, &payload_len);
  ecnpp_verifying_key_free(key);
  if (rc != ECNPP_OK) return fail("verify", rc);
  for (i = 0; i < payload_len; i++) printf("%02x", payload[i]);
  printf("\n");
  return 0;
}
