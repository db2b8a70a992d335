/*
 * A verifier and a relying party: verifies a device's ECN PP evidence with the key it
 * endorses for the device's model, appraises it against a policy (the challenge it issued, the
 * certified configurations it accepts), signs an attestation result, and then, as the relying party
 * placing a workload, verifies that result and admits or refuses the workload. No heap.
 *
 *   cc -std=c99 verifier.c -I include target/release/libecnpp_attest_ffi.a \
 *      -lpthread -ldl -lm -o verifier
 *   ./verifier DEVICE_COSE_KEY_HEX EVIDENCE_HEX CHALLENGE_HEX REQUIREMENT
 *   e.g. REQUIREMENT = "promise>=secure-enclave,evaluated,max-age=300"
 *
 * Prints "status <status>", "reason <name>" per reason, "result <hex>" (when issued) and
 * "workload admitted" or "workload refused <why>"; exits 0 when admitted, 3 when refused or
 * contraindicated, 1 on an error, 2 on bad usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ecnpp_attest.h"

/* A fixed clock keeps the example's output reproducible; a verifier reads its own clock. */
#define NOW ((int64_t)1790000000)

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

static const char *status_name(ecnpp_status s) {
  switch (s) {
    case ECNPP_STATUS_AFFIRMING: return "affirming";
    case ECNPP_STATUS_WARNING: return "warning";
    case ECNPP_STATUS_CONTRAINDICATED: return "contraindicated";
    default: return "?";
  }
}

int main(int argc, char **argv) {
  /* The verifier's own signing key (in an HSM in real life) and what it trusts. */
  static const uint8_t verifier_secret[32] = {
      0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32,
      0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32, 0x32};
  static const uint8_t oem[3] = {0x00, 0x1b, 0x44};
  static uint8_t cose_key[256], evidence[2048], challenge[64], result[1024], firmware[32],
      tee_code[32], verifier_sec1[ECNPP_SEC1_UNCOMPRESSED_LEN];
  ecnpp_verifying_key_storage device_storage, verifier_pub_storage;
  ecnpp_signing_key_storage verifier_storage;
  ecnpp_verifying_key *device_key = NULL, *verifier_pub = NULL;
  ecnpp_signing_key *verifier_key = NULL;
  const uint8_t *kid = NULL;
  size_t kid_len = 0, key_len, evidence_len, challenge_len, result_len = 0, n = 0, i;
  ecnpp_model endorsed_models[1];
  ecnpp_endorsement endorsement;
  ecnpp_trust trust;
  ecnpp_evidence_claims claims;
  ecnpp_measurement measurements[2 * ECNPP_MAX_MEASUREMENTS];
  ecnpp_measurement references[2];
  ecnpp_robustness se_robustness[1];
  ecnpp_certified_config certified[1];
  ecnpp_policy policy;
  ecnpp_appraisal appraisal;
  ecnpp_signer signer;
  ecnpp_verified_result verified;
  ecnpp_requirement requirement;
  uint32_t refusals = 0;
  ecnpp_result rc;
  int exit_code = 1;

  if (argc != 5) {
    fprintf(stderr, "usage: %s DEVICE_COSE_KEY_HEX EVIDENCE_HEX CHALLENGE_HEX REQUIREMENT\n",
            argv[0]);
    return 2;
  }
  key_len = from_hex(argv[1], cose_key, sizeof cose_key);
  evidence_len = from_hex(argv[2], evidence, sizeof evidence);
  challenge_len = from_hex(argv[3], challenge, sizeof challenge);

  /* Trust: the device key, endorsed for the model it may attest, selected by the kid the
   * token names. (Endorsing it for one device too would set endorsement.ueid.) */
  rc = ecnpp_verifying_key_from_cose_key_in(&device_storage, cose_key, key_len, &kid, &kid_len,
                                            &device_key);
  if (rc != ECNPP_OK) return fail("device key", rc);
  endorsed_models[0].oemid = bytes(oem, sizeof oem);
  endorsed_models[0].hwmodel = bytes("edge-node-x1", 12);
  endorsement.kid = bytes(kid, kid_len);
  endorsement.key = device_key;
  endorsement.models = endorsed_models;
  endorsement.models_len = 1;
  endorsement.ueid = bytes(NULL, 0);
  trust.endorsement = NULL;
  trust.endorsements = &endorsement;
  trust.endorsements_len = 1;

  /* 1. Verify the evidence and read its claims (they borrow `evidence` and `measurements`). */
  rc = ecnpp_evidence_verify(evidence, evidence_len, ECNPP_SIGN1_DETERMINISTIC, &trust,
                             measurements, sizeof measurements / sizeof measurements[0], &claims);
  if (rc != ECNPP_OK) {
    ecnpp_verifying_key_free(device_key);
    return fail("evidence", rc);
  }
  fprintf(stderr, "evidence: %.*s %.*s, promise %d, %zu measurement(s), tee %s\n",
          (int)claims.swname.len, claims.swname.ptr, (int)claims.swversion.len,
          claims.swversion.ptr, (int)claims.promise, claims.measurements_len,
          claims.has_tee ? "present" : "absent");

  /* 2. The policy: this challenge, and the one configuration certified (with its reference
   *    values and the secure element's certification). */
  memset(firmware, 0x11, sizeof firmware);
  memset(tee_code, 0x22, sizeof tee_code);
  memset(references, 0, sizeof references);
  references[0].content = bytes(firmware, sizeof firmware);
  references[1].content = bytes(tee_code, sizeof tee_code);
  se_robustness[0].scheme = text("FIPS140-3");
  se_robustness[0].level = text("3");
  memset(certified, 0, sizeof certified);
  certified[0].oemid = bytes(oem, sizeof oem);
  certified[0].hwmodel = bytes("edge-node-x1", 12);
  certified[0].swname = text("edge-os");
  certified[0].swversion = text("4.2.1");
  certified[0].promise = ECNPP_PROMISE_SECURE_ENCLAVE;
  certified[0].pp_ref = text("NSCIB-PP-0112146/1.0.7");
  certified[0].certificate = text("NSCIB-CC-0000001");
  certified[0].reference_measurements = references;
  certified[0].reference_measurements_len = 2;
  certified[0].se_robustness = se_robustness;
  certified[0].se_robustness_len = 1;
  rc = ecnpp_policy_init(&policy); /* the profile's defaults */
  if (rc != ECNPP_OK) return fail("policy", rc);
  policy.challenge.nonce = bytes(challenge, challenge_len);
  policy.challenge.issued_at = NOW - 10;
  policy.now = NOW;
  policy.certified = certified;
  policy.certified_len = 1;
  policy.registrar = text("https://verifier.example");

  /* 3. Appraise: the verdict is copied out, nothing is kept. */
  rc = ecnpp_appraise(evidence, evidence_len, 0, &trust, &policy, &appraisal);
  if (rc != ECNPP_OK) {
    ecnpp_verifying_key_free(device_key);
    return fail("appraise", rc);
  }
  printf("status %s\n", status_name(appraisal.status));
  for (i = 0; i < 32; i++)
    if (appraisal.reasons & (1u << i))
      printf("reason %s\n", ecnpp_result_reason_str(1u << i));

  /* 4. Issue a signed attestation result (never for a contraindicated appraisal). */
  rc = ecnpp_signing_key_from_bytes_in(&verifier_storage, verifier_secret,
                                       sizeof verifier_secret, &verifier_key);
  if (rc == ECNPP_OK) rc = ecnpp_signing_key_as_signer(verifier_key, &signer);
  if (rc != ECNPP_OK) {
    ecnpp_verifying_key_free(device_key);
    return fail("verifier key", rc);
  }
  rc = ecnpp_result_sign(evidence, evidence_len, 0, &trust, &policy, NULL, 0, signer, result,
                         sizeof result, &result_len);
  if (rc == ECNPP_ERR_RESULT_CONTRAINDICATED) {
    printf("workload refused contraindicated\n");
    exit_code = 3;
    goto done;
  }
  if (rc != ECNPP_OK) {
    exit_code = fail("result", rc);
    goto done;
  }
  printf("result ");
  for (i = 0; i < result_len; i++) printf("%02x", result[i]);
  printf("\n");

  /* 5. Relying party: verify the result with the verifier's public key, then decide. */
  rc = ecnpp_signing_key_public_key(verifier_key, verifier_sec1, sizeof verifier_sec1, &n);
  if (rc == ECNPP_OK)
    rc = ecnpp_verifying_key_from_sec1_in(&verifier_pub_storage, verifier_sec1, n,
                                          &verifier_pub);
  if (rc == ECNPP_OK)
    rc = ecnpp_result_verify(result, result_len, ECNPP_SIGN1_DETERMINISTIC, verifier_pub,
                             &verified);
  if (rc == ECNPP_OK) rc = ecnpp_requirement_parse(argv[4], &requirement);
  if (rc == ECNPP_OK) rc = ecnpp_requirement_admits(&requirement, &verified, NOW + 10, &refusals);
  if (rc != ECNPP_OK) {
    exit_code = fail("relying party", rc);
    goto done;
  }
  if (refusals == 0) {
    printf("workload admitted\n");
    exit_code = 0;
  } else {
    printf("workload refused%s%s%s\n",
           (refusals & ECNPP_REFUSAL_PROMISE_TOO_LOW) ? " promise-too-low" : "",
           (refusals & ECNPP_REFUSAL_NOT_EVALUATED) ? " not-evaluated" : "",
           (refusals & ECNPP_REFUSAL_TOO_OLD) ? " too-old" : "");
    exit_code = 3;
  }

done:
  ecnpp_verifying_key_free(verifier_pub);
  ecnpp_signing_key_free(verifier_key);
  ecnpp_verifying_key_free(device_key);
  return exit_code;
}
