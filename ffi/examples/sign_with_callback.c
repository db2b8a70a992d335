/*
 * Signs a token through a callback, the way firmware with a secure element does: the private
 * key stays in the secure element, the library hands it a SHA-256 digest and gets r || s back.
 * No heap: the library is given caller storage and a stack buffer.
 *
 *   cc -std=c99 sign_with_callback.c -I include target/release/libecnpp_attest_ffi.a \
 *      -lpthread -ldl -lm -o sign_with_callback
 *   ./sign_with_callback        # prints the device's COSE_Key, then the token, in hex
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ecnpp_attest.h"

/*
 * Stand-in for a secure element. In firmware, se_sign() would be the vendor SDK's "ECDSA sign
 * digest" command (over I2C or SPI, to a key slot); here a software key in caller storage plays
 * that part so the example runs anywhere.
 */
typedef struct {
  ecnpp_signing_key_storage storage;
  ecnpp_signing_key *key;
  ecnpp_signer inner;
  unsigned calls;
} secure_element;

static int se_sign(void *ctx, const uint8_t digest[32], uint8_t sig_out[64]) {
  secure_element *se = (secure_element *)ctx;
  se->calls++;
  return se->inner.sign(se->inner.ctx, digest, sig_out); /* 0: success, r || s written */
}

static void print_hex(const uint8_t *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}

static int fail(const char *what, ecnpp_result rc) {
  fprintf(stderr, "%s: %s (%d)\n", what, ecnpp_result_str(rc), (int)rc);
  return 1;
}

int main(void) {
  static const uint8_t provisioned[32] = {
      0x57, 0xc9, 0x20, 0x77, 0x66, 0x41, 0x46, 0xe8, 0x76, 0x76, 0x0c, 0x95, 0x20, 0xd0, 0x54, 0xaa,
      0x93, 0xc3, 0xaf, 0xb0, 0x4e, 0x30, 0x67, 0x05, 0xdb, 0x60, 0x90, 0x30, 0x85, 0x07, 0xb4, 0xd3};
  /* Phase 1 signs raw payload bytes; here a CBOR map {10: h'6e6f6e63652d3031'} (a nonce). */
  static const uint8_t payload[] = {0xa1, 0x0a, 0x48, 'n', 'o', 'n', 'c', 'e', '-', '0', '1'};
  static const uint8_t kid[] = {'d', 'e', 'v', 'i', 'c', 'e', '-', '1'};
  secure_element se;
  ecnpp_signer signer;
  ecnpp_verifying_key_storage vk_storage;
  ecnpp_verifying_key *vk = NULL;
  uint8_t pub[ECNPP_SEC1_UNCOMPRESSED_LEN], cose_key[128], token[256];
  size_t n = 0, needed = 0;
  ecnpp_result rc;

  memset(&se, 0, sizeof se);
  rc = ecnpp_signing_key_from_bytes_in(&se.storage, provisioned, sizeof provisioned, &se.key);
  if (rc != ECNPP_OK) return fail("provision", rc);
  rc = ecnpp_signing_key_as_signer(se.key, &se.inner);
  if (rc != ECNPP_OK) return fail("signer", rc);

  /* The device's public key, as a COSE_Key for the verifier. */
  rc = ecnpp_signing_key_public_key(se.key, pub, sizeof pub, &n);
  if (rc == ECNPP_OK) rc = ecnpp_verifying_key_from_sec1_in(&vk_storage, pub, n, &vk);
  if (rc == ECNPP_OK)
    rc = ecnpp_verifying_key_to_cose_key(vk, kid, sizeof kid, cose_key, sizeof cose_key, &n);
  if (rc != ECNPP_OK) return fail("public key", rc);
  print_hex(cose_key, n);

  /* The signer the library calls: our function and its context. */
  signer.sign = se_sign;
  signer.ctx = &se;

  /* Size query first (no signing happens), then sign into the buffer. */
  rc = ecnpp_sign1_sign(signer, kid, sizeof kid, NULL, 0, payload, sizeof payload, 0, NULL, 0,
                        &needed);
  if (rc != ECNPP_OK) return fail("size query", rc);
  if (needed > sizeof token) return fail("size query", ECNPP_ERR_BUFFER_TOO_SMALL);
  rc = ecnpp_sign1_sign(signer, kid, sizeof kid, NULL, 0, payload, sizeof payload, 0, token,
                        sizeof token, &n);
  if (rc != ECNPP_OK) return fail("sign", rc);
  print_hex(token, n);
  fprintf(stderr, "signed %zu bytes (size query said %zu) with %u call(s) to the secure element\n",
          n, needed, se.calls);

  ecnpp_verifying_key_free(vk);
  ecnpp_signing_key_free(se.key); /* zeroizes the storage */
  return 0;
}
