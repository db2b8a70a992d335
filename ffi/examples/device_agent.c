/*
 * A device agent: answers a verifier's challenge with ECN PP evidence for a secure-enclave edge
 * node, signed by the device's HSM through the library's signer callback. The library hashes;
 * the HSM signs the digest; the private key never enters the library. No heap: the claims
 * borrow the agent's own memory and the token goes into a stack buffer.
 *
 *   cc -std=c99 device_agent.c -I include target/release/libecnpp_attest_ffi.a \
 *      -lpthread -ldl -lm -o device_agent
 *   ./device_agent NONCE_HEX    # prints the device's COSE_Key, then the evidence, in hex
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ecnpp_attest.h"

/* A fixed clock keeps the example's output reproducible; firmware reads its RTC. */
#define NOW ((int64_t)1790000000)

/*
 * Software stand-in for the HSM. In firmware, hsm_sign() is the vendor SDK's "ECDSA-sign this
 * digest with key slot N" command; here a software key, held in the callback's context (caller
 * storage, no heap), plays that part so the example runs anywhere.
 */
typedef struct {
  ecnpp_signing_key_storage storage;
  ecnpp_signing_key *key;
  ecnpp_signer software;
  unsigned calls;
} hsm;

static int hsm_sign(void *ctx, const uint8_t digest[32], uint8_t sig_out[64]) {
  hsm *h = (hsm *)ctx;
  h->calls++;
  return h->software.sign(h->software.ctx, digest, sig_out); /* 0: r || s written */
}

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

static void print_hex(const uint8_t *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}

static int fail(const char *what, ecnpp_result rc) {
  fprintf(stderr, "%s: %s (%d)\n", what, ecnpp_result_str(rc), (int)rc);
  return 1;
}

static ecnpp_bytes bytes(const void *p, size_t n) {
  ecnpp_bytes b;
  b.ptr = (const uint8_t *)p;
  b.len = n;
  return b;
}

static ecnpp_str text(const char *s) {
  ecnpp_str t;
  t.ptr = s;
  t.len = strlen(s);
  return t;
}

int main(int argc, char **argv) {
  /* Provisioned at manufacturing: the attestation key (inside the HSM in real life). */
  static const uint8_t provisioned[32] = {
      0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31,
      0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31};
  static const uint8_t kid[] = {'d', 'e', 'v', 'i', 'c', 'e', '-', '1'};
  static const uint8_t ueid[17] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
  static const uint8_t oem[3] = {0x00, 0x1b, 0x44}; /* IEEE OUI */
  static uint8_t firmware_digest[32], tee_digest[32];
  uint8_t nonce[64], pub[ECNPP_SEC1_UNCOMPRESSED_LEN], cose_key[128], token[1024];
  size_t nonce_len, n = 0, needed = 0;
  hsm h;
  ecnpp_signer signer;
  ecnpp_verifying_key_storage vk_storage;
  ecnpp_verifying_key *vk = NULL;
  ecnpp_measurement firmware[1], tee_code[1];
  ecnpp_evidence_claims claims;
  ecnpp_result rc;

  if (argc != 2) {
    fprintf(stderr, "usage: %s NONCE_HEX\n", argv[0]);
    return 2;
  }
  nonce_len = from_hex(argv[1], nonce, sizeof nonce);

  /* Bring up the HSM stand-in and publish the device key (the verifier endorses it). */
  memset(&h, 0, sizeof h);
  rc = ecnpp_signing_key_from_bytes_in(&h.storage, provisioned, sizeof provisioned, &h.key);
  if (rc == ECNPP_OK) rc = ecnpp_signing_key_as_signer(h.key, &h.software);
  if (rc == ECNPP_OK) rc = ecnpp_signing_key_public_key(h.key, pub, sizeof pub, &n);
  if (rc == ECNPP_OK) rc = ecnpp_verifying_key_from_sec1_in(&vk_storage, pub, n, &vk);
  if (rc == ECNPP_OK)
    rc = ecnpp_verifying_key_to_cose_key(vk, kid, sizeof kid, cose_key, sizeof cose_key, &n);
  ecnpp_verifying_key_free(vk);
  if (rc != ECNPP_OK) return fail("device key", rc);
  print_hex(cose_key, n);

  /* Measured boot results (digests of the firmware and of the TEE's code). */
  memset(firmware_digest, 0x11, sizeof firmware_digest);
  memset(tee_digest, 0x22, sizeof tee_digest);
  firmware[0].content_type = 0;
  firmware[0].content = bytes(firmware_digest, sizeof firmware_digest);
  tee_code[0].content_type = 0;
  tee_code[0].content = bytes(tee_digest, sizeof tee_digest);

  /* The claims: everything absent unless set; eat_profile is implied. */
  memset(&claims, 0, sizeof claims);
  claims.nonce = bytes(nonce, nonce_len);
  claims.ueid = bytes(ueid, sizeof ueid);
  claims.oemid = bytes(oem, sizeof oem);
  claims.hwmodel = bytes("edge-node-x1", 12);
  claims.swname = text("edge-os");
  claims.swversion = text("4.2.1");
  claims.pp_ref = text("NSCIB-PP-0112146/1.0.7");
  claims.oemboot = 1;
  claims.dbgstat = ECNPP_DBGSTAT_DISABLED_PERMANENTLY;
  claims.promise = ECNPP_PROMISE_SECURE_ENCLAVE;
  claims.measurements = firmware;
  claims.measurements_len = 1;
  claims.has_iat = 1;
  claims.iat = NOW - 5;
  claims.has_lifecycle = 1;
  claims.lifecycle = ECNPP_LIFECYCLE_OPERATIONAL;
  claims.has_svn = 1;
  claims.svn = 7;
  claims.has_se = 1; /* the secure element holding the attestation key */
  claims.se.oemid = bytes(oem, sizeof oem);
  claims.se.hwmodel = bytes("se-050", 6);
  claims.se.dbgstat = ECNPP_DBGSTAT_DISABLED_FULLY_AND_PERMANENTLY;
  claims.has_tee = 1; /* the TEE, with its own measurements: the secure-enclave promise */
  claims.tee.measurements = tee_code;
  claims.tee.measurements_len = 1;

  /* Sign through the callback: a size query (the HSM is not asked), then the real thing. */
  signer.sign = hsm_sign;
  signer.ctx = &h;
  rc = ecnpp_evidence_sign(&claims, kid, sizeof kid, signer, NULL, 0, &needed);
  if (rc != ECNPP_OK) return fail("evidence size", rc);
  if (needed > sizeof token) return fail("evidence size", ECNPP_ERR_BUFFER_TOO_SMALL);
  rc = ecnpp_evidence_sign(&claims, kid, sizeof kid, signer, token, sizeof token, &n);
  if (rc != ECNPP_OK) return fail("evidence", rc);
  print_hex(token, n);
  fprintf(stderr, "evidence: %zu bytes (size query said %zu), %u call(s) to the HSM\n", n, needed,
          h.calls);

  ecnpp_signing_key_free(h.key); /* zeroizes the storage */
  return 0;
}
