/*
 * The smallest useful device program, for docs/c-api.md "Sizes": builds standard-promise ECN PP
 * evidence and signs it through the signer callback; prints the token in hex.
 *
 * By default the callback stands for a hardware HSM (hsm_sign_digest below returns a fixed,
 * valid-range r || s: the ECDSA runs in the HSM, so none of it is linked here). With
 * -DSOFTWARE_HSM the callback signs with a software key held in its context instead, which
 * links the library's P-256 signing code.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ecnpp_attest.h"

#ifdef SOFTWARE_HSM
static ecnpp_signer software;
#endif

static int hsm_sign_digest(void *ctx, const uint8_t digest[32], uint8_t sig[64]) {
  (void)ctx;
#ifdef SOFTWARE_HSM
  return software.sign(software.ctx, digest, sig);
#else
  (void)digest;
  memset(sig, 0x11, 64); /* the HSM's r || s */
  return 0;
#endif
}

int main(void) {
  static const char nonce[] = "challenge-000001", kid[] = "device-1";
  static const uint8_t ueid[17] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, oem[3] = {0x00, 0x1b, 0x44};
  uint8_t token[512];
  size_t n = 0, i;
  ecnpp_evidence_claims c;
  ecnpp_signer signer;
#ifdef SOFTWARE_HSM
  static const uint8_t secret[32] = {0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31,
                                     0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31,
                                     0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31,
                                     0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31, 0x31};
  ecnpp_signing_key_storage storage;
  ecnpp_signing_key *key = NULL;
  if (ecnpp_signing_key_from_bytes_in(&storage, secret, sizeof secret, &key) != ECNPP_OK ||
      ecnpp_signing_key_as_signer(key, &software) != ECNPP_OK)
    return 1;
#endif

  memset(&c, 0, sizeof c);
  c.nonce.ptr = (const uint8_t *)nonce;
  c.nonce.len = sizeof nonce - 1;
  c.ueid.ptr = ueid;
  c.ueid.len = sizeof ueid;
  c.oemid.ptr = oem;
  c.oemid.len = sizeof oem;
  c.hwmodel.ptr = (const uint8_t *)"edge-node-x1";
  c.hwmodel.len = 12;
  c.swname.ptr = "edge-os";
  c.swname.len = 7;
  c.swversion.ptr = "4.2.1";
  c.swversion.len = 5;
  c.pp_ref.ptr = "NSCIB-PP-0112146/1.0.7";
  c.pp_ref.len = 22;
  c.oemboot = 1;
  c.dbgstat = ECNPP_DBGSTAT_DISABLED_PERMANENTLY;
  c.promise = ECNPP_PROMISE_STANDARD;
  signer.sign = hsm_sign_digest;
  signer.ctx = NULL;
  if (ecnpp_evidence_sign(&c, (const uint8_t *)kid, sizeof kid - 1, signer, token, sizeof token,
                          &n) != ECNPP_OK)
    return 1;
  for (i = 0; i < n; i++) printf("%02x", token[i]);
  printf("\n");
#ifdef SOFTWARE_HSM
  ecnpp_signing_key_free(key);
#endif
  return 0;
}
