/*
 * The smallest useful verifier program, for docs/c-api.md "Sizes": verifies ECN PP evidence
 * (hex, argv[2]) with a device key (SEC1 hex, argv[1]) and prints its software name.
 */
#include <stdint.h>
#include <stdio.h>

#include "ecnpp_attest.h"

static size_t from_hex(const char *hex, uint8_t *out, size_t cap) {
  size_t n = 0;
  int hi = -1;
  for (; *hex && n < cap; hex++) {
    int v = (*hex >= '0' && *hex <= '9') ? *hex - '0' : (*hex >= 'a' && *hex <= 'f') ? *hex - 'a' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out[n++] = (uint8_t)(hi * 16 + v);
      hi = -1;
    }
  }
  return n;
}

int main(int argc, char **argv) {
  static uint8_t sec1[65], token[1024];
  ecnpp_verifying_key_storage storage;
  ecnpp_verifying_key *key = NULL;
  ecnpp_measurement measurements[ECNPP_MAX_MEASUREMENTS];
  ecnpp_evidence_claims claims;
  ecnpp_endorsement endorsement;
  ecnpp_trust trust;
  ecnpp_result rc;
  size_t key_len, token_len;

  if (argc != 3) return 2;
  key_len = from_hex(argv[1], sec1, sizeof sec1);
  token_len = from_hex(argv[2], token, sizeof token);
  if (ecnpp_verifying_key_from_sec1_in(&storage, sec1, key_len, &key) != ECNPP_OK) return 1;
  /* the key alone, endorsed for no model: enough to verify, never to appraise */
  endorsement.kid.ptr = NULL;
  endorsement.kid.len = 0;
  endorsement.key = key;
  endorsement.models = NULL;
  endorsement.models_len = 0;
  endorsement.ueid.ptr = NULL;
  endorsement.ueid.len = 0;
  trust.endorsement = &endorsement;
  trust.endorsements = NULL;
  trust.endorsements_len = 0;
  rc = ecnpp_evidence_verify(token, token_len, 0, &trust, measurements, ECNPP_MAX_MEASUREMENTS,
                             &claims);
  ecnpp_verifying_key_free(key);
  if (rc != ECNPP_OK) {
    fprintf(stderr, "%s\n", ecnpp_result_str(rc));
    return 1;
  }
  printf("%.*s\n", (int)claims.swname.len, claims.swname.ptr);
  return 0;
}
