/*
 * C tests of the ecnpp_attest C API, phase 2: ECN PP evidence claims, evidence signing and
 * verification, appraisal, attestation results and workload requirements. Linked with
 * test_c_api.c (main, phase 1, the framework in harness.h) and run the same ways: plain, under
 * valgrind --leak-check=full, and rebuilt with -fsanitize=address,undefined.
 *
 * The fixture is core/tests/profile_e2e.rs's device, in C: a secure-enclave edge node with a
 * secure element, its firmware and TEE measured, keys 0x31.. (device) and 0x32.. (verifier).
 * ffi/tests/c_api.rs signs the same claims with ecnpp::sign_evidence and passes the token in;
 * the C side checks it, signs its own (which must be byte-identical), appraises, signs a
 * result, and prints C_EVIDENCE=<hex> and C_RESULT=<hex> for the Rust side to check.
 */
#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecnpp_attest.h"
#include "harness.h"

#define NOW ((int64_t)1790000000)

static const uint8_t CHALLENGE[16] = {'c', 'h', 'a', 'l', 'l', 'e', 'n', 'g',
                                      'e', '-', '0', '0', '0', '0', '0', '1'};
static const uint8_t OEM[3] = {0x00, 0x1b, 0x44};
static const uint8_t UEID[17] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
static const char *MODEL = "edge-node-x1";
static const char *SE_MODEL = "se-050";
static const char *PP_REF = "NSCIB-PP-0112146/1.0.7";
static const char *REGISTRAR = "https://verifier.example";
static const char *REQ_CONFIDENTIAL = "promise>=secure-enclave,evaluated,max-age=300";
static uint8_t FW[32], TEE_FW[32], OTHER_FW[32];

/* ---------------------------------------------------------------------------------------- */
/* Helpers.                                                                                 */

static ecnpp_bytes bytes(const void *p, size_t n) {
  ecnpp_bytes b;
  b.ptr = (const uint8_t *)p;
  b.len = n;
  return b;
}

static ecnpp_str str(const char *s) {
  ecnpp_str t;
  t.ptr = s;
  t.len = s ? strlen(s) : 0;
  return t;
}

static int bytes_eq(ecnpp_bytes b, const void *p, size_t n) {
  return b.ptr != NULL && b.len == n && memcmp(b.ptr, p, n) == 0;
}

static int str_eq(ecnpp_str s, const char *want) {
  return s.ptr != NULL && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

static int inside(const void *p, size_t n, const void *buf, size_t buf_len) {
  const uint8_t *a = (const uint8_t *)p, *b = (const uint8_t *)buf;
  return a >= b && a + n <= b + buf_len;
}

/* A software stand-in for the device's HSM: a key in caller storage, counted calls. */
typedef struct {
  ecnpp_signing_key_storage storage;
  ecnpp_signing_key *key;
  ecnpp_signer inner;
  int calls;
} hsm;

static int hsm_sign(void *ctx, const uint8_t digest[32], uint8_t sig_out[64]) {
  hsm *h = (hsm *)ctx;
  h->calls++;
  return h->inner.sign(h->inner.ctx, digest, sig_out);
}

static void hsm_init(hsm *h, uint8_t fill) {
  uint8_t d[32];
  memset(h, 0, sizeof *h);
  memset(d, fill, sizeof d);
  CHECK_RC(ecnpp_signing_key_from_bytes_in(&h->storage, d, sizeof d, &h->key), ECNPP_OK);
  CHECK_RC(ecnpp_signing_key_as_signer(h->key, &h->inner), ECNPP_OK);
}

static ecnpp_signer hsm_signer(hsm *h) {
  ecnpp_signer s;
  s.sign = hsm_sign;
  s.ctx = h;
  return s;
}

/* The public key of an hsm, in caller storage. */
static ecnpp_verifying_key *hsm_public(hsm *h, ecnpp_verifying_key_storage *storage) {
  uint8_t pk[65];
  size_t n = 0;
  ecnpp_verifying_key *vk = NULL;
  CHECK_RC(ecnpp_signing_key_public_key(h->key, pk, sizeof pk, &n), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(storage, pk, n, &vk), ECNPP_OK);
  return vk;
}

static int failing_sign(void *ctx, const uint8_t digest[32], uint8_t sig_out[64]) {
  (void)digest;
  (void)sig_out;
  (*(int *)ctx)++;
  return 7;
}

/* "Succeeds" without writing: the zeroed signature is out of range. */
static int silent_sign(void *ctx, const uint8_t digest[32], uint8_t sig_out[64]) {
  (void)digest;
  (void)sig_out;
  (*(int *)ctx)++;
  return 0;
}

/* The device of core/tests/profile_e2e.rs, as C claims. Not to be copied once initialised
 * (the claims point into the struct). */
typedef struct {
  ecnpp_measurement fw[1], tee_fw[1];
  ecnpp_evidence_claims c;
} device;

static void device_init(device *d, ecnpp_promise promise) {
  memset(d, 0, sizeof *d);
  d->fw[0].content_type = 0;
  d->fw[0].content = bytes(FW, sizeof FW);
  d->tee_fw[0].content_type = 0;
  d->tee_fw[0].content = bytes(TEE_FW, sizeof TEE_FW);
  d->c.nonce = bytes(CHALLENGE, sizeof CHALLENGE);
  d->c.ueid = bytes(UEID, sizeof UEID);
  d->c.oemid = bytes(OEM, sizeof OEM);
  d->c.hwmodel = bytes(MODEL, strlen(MODEL));
  d->c.swname = str("edge-os");
  d->c.swversion = str("4.2.1");
  d->c.pp_ref = str(PP_REF);
  d->c.oemboot = 1;
  d->c.dbgstat = ECNPP_DBGSTAT_DISABLED_PERMANENTLY;
  d->c.promise = promise;
  d->c.measurements = d->fw;
  d->c.measurements_len = 1;
  d->c.has_iat = 1;
  d->c.iat = NOW - 5;
  d->c.has_lifecycle = 1;
  d->c.lifecycle = ECNPP_LIFECYCLE_OPERATIONAL;
  d->c.has_svn = 1;
  d->c.svn = 7;
  if (promise >= ECNPP_PROMISE_SECURE_ELEMENT) {
    d->c.has_se = 1;
    d->c.se.oemid = bytes(OEM, sizeof OEM);
    d->c.se.hwmodel = bytes(SE_MODEL, strlen(SE_MODEL));
    d->c.se.dbgstat = ECNPP_DBGSTAT_DISABLED_FULLY_AND_PERMANENTLY;
  }
  if (promise == ECNPP_PROMISE_SECURE_ENCLAVE) {
    d->c.has_tee = 1;
    d->c.tee.measurements = d->tee_fw;
    d->c.tee.measurements_len = 1;
  }
}

/* The verifier's policy: an unrelated configuration first, then the device's. */
typedef struct {
  ecnpp_measurement refs[2];
  ecnpp_robustness se_rob[1];
  ecnpp_certified_config configs[2];
  ecnpp_policy p;
} verifier_policy;

static void policy_for(verifier_policy *v, ecnpp_promise certified, int with_tee) {
  memset(v, 0, sizeof *v);
  v->refs[0].content = bytes(FW, sizeof FW);
  v->refs[1].content = bytes(TEE_FW, sizeof TEE_FW);
  v->se_rob[0].scheme = str("FIPS140-3");
  v->se_rob[0].level = str("3");
  v->configs[1].oemid = bytes(OEM, sizeof OEM);
  v->configs[1].hwmodel = bytes(MODEL, strlen(MODEL));
  v->configs[1].swname = str("edge-os");
  v->configs[1].swversion = str("4.2.1");
  v->configs[1].promise = certified;
  v->configs[1].pp_ref = str(PP_REF);
  v->configs[1].certificate = str("NSCIB-CC-0000001");
  v->configs[1].reference_measurements = v->refs;
  v->configs[1].reference_measurements_len = with_tee ? 2 : 1;
  v->configs[1].se_robustness = v->se_rob;
  v->configs[1].se_robustness_len = 1;
  v->configs[0] = v->configs[1];
  v->configs[0].hwmodel = bytes("edge-node-x0", 12);
  v->configs[0].certificate = str("NSCIB-CC-0000000");
  CHECK_RC(ecnpp_policy_init(&v->p), ECNPP_OK);
  v->p.challenge.nonce = bytes(CHALLENGE, sizeof CHALLENGE);
  v->p.challenge.issued_at = NOW - 10;
  v->p.now = NOW;
  v->p.certified = v->configs;
  v->p.certified_len = 2;
  v->p.registrar = str(REGISTRAR);
}

/* The model the device keys are endorsed for: the device's own. */
static const ecnpp_model DEVICE_MODEL[1] = {
    {{OEM, sizeof OEM}, {(const uint8_t *)"edge-node-x1", 12}}};

/* An endorsement of `vk` for the device's model, with `kid` (NULL: empty), binding no ueid. */
static ecnpp_endorsement endorse(const ecnpp_verifying_key *vk, const char *kid) {
  ecnpp_endorsement e;
  e.kid = bytes(kid, kid ? strlen(kid) : 0);
  e.key = vk;
  e.models = DEVICE_MODEL;
  e.models_len = 1;
  e.ueid = bytes(NULL, 0);
  return e;
}

/* Trust in exactly `e`, whatever kid a token carries. */
static ecnpp_trust trust_one(const ecnpp_endorsement *e) {
  ecnpp_trust t;
  t.endorsement = e;
  t.endorsements = NULL;
  t.endorsements_len = 0;
  return t;
}

/* Trust in `list`, selected by the token's kid. */
static ecnpp_trust trust_list(const ecnpp_endorsement *list, size_t n) {
  ecnpp_trust t;
  t.endorsement = NULL;
  t.endorsements = list;
  t.endorsements_len = n;
  return t;
}

/* Keys shared by the tests: device and verifier HSMs and their public keys. */
static hsm dev_hsm, ver_hsm;
static ecnpp_verifying_key_storage dev_vks, ver_vks;
static ecnpp_verifying_key *dev_vk, *ver_vk;

/* Signs `c` with the device HSM (kid "device-1") into out. */
static size_t sign_device(const ecnpp_evidence_claims *c, uint8_t *out, size_t cap) {
  size_t n = 0;
  CHECK_RC(ecnpp_evidence_sign(c, (const uint8_t *)"device-1", 8, hsm_signer(&dev_hsm), out,
                               cap, &n),
           ECNPP_OK);
  return n;
}

/* A COSE_Sign1 of an arbitrary payload (hex), signed by `h` with kid "device-1". */
static size_t sign_raw(hsm *h, const char *payload_hex, uint8_t *out, size_t cap) {
  uint8_t payload[256];
  size_t plen = from_hex(payload_hex, payload, sizeof payload), n = 0;
  CHECK_RC(ecnpp_sign1_sign(hsm_signer(h), (const uint8_t *)"device-1", 8, NULL, 0, payload,
                            plen, 0, out, cap, &n),
           ECNPP_OK);
  return n;
}

/* Checks that `got` (read back by ecnpp_evidence_verify) equals what `d` signed. */
static void check_claims_equal(const ecnpp_evidence_claims *got, const device *d) {
  const ecnpp_evidence_claims *w = &d->c;
  CHECK(bytes_eq(got->nonce, CHALLENGE, sizeof CHALLENGE));
  CHECK(bytes_eq(got->ueid, UEID, sizeof UEID));
  CHECK(bytes_eq(got->oemid, OEM, sizeof OEM));
  CHECK(bytes_eq(got->hwmodel, MODEL, strlen(MODEL)));
  CHECK(str_eq(got->swname, "edge-os") && str_eq(got->swversion, "4.2.1"));
  CHECK(str_eq(got->pp_ref, PP_REF));
  CHECK(got->oemboot == 1 && got->dbgstat == w->dbgstat && got->promise == w->promise);
  CHECK(got->measurements_len == 1 && got->measurements[0].content_type == 0);
  CHECK(bytes_eq(got->measurements[0].content, FW, sizeof FW));
  CHECK(got->has_iat == 1 && got->iat == NOW - 5);
  CHECK(got->has_lifecycle == 1 && got->lifecycle == ECNPP_LIFECYCLE_OPERATIONAL);
  CHECK(got->has_svn == 1 && got->svn == 7);
  CHECK(got->has_uptime == 0 && got->uptime == 0);
  CHECK(got->has_bootcount == 0 && got->bootcount == 0);
  CHECK(got->has_se == w->has_se);
  if (w->has_se) {
    CHECK(bytes_eq(got->se.oemid, OEM, sizeof OEM));
    CHECK(bytes_eq(got->se.hwmodel, SE_MODEL, strlen(SE_MODEL)));
    CHECK(got->se.dbgstat == ECNPP_DBGSTAT_DISABLED_FULLY_AND_PERMANENTLY);
  } else {
    CHECK(got->se.oemid.ptr == NULL && got->se.hwmodel.ptr == NULL);
  }
  CHECK(got->has_tee == w->has_tee);
  if (w->has_tee) {
    CHECK(got->tee.measurements_len == 1);
    CHECK(bytes_eq(got->tee.measurements[0].content, TEE_FW, sizeof TEE_FW));
  } else {
    CHECK(got->tee.measurements == NULL && got->tee.measurements_len == 0);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Constants and names.                                                                     */

static void test_names(void) {
  static const struct {
    uint32_t bit;
    const char *name;
  } reasons[] = {
      {ECNPP_REASON_NONCE_MISMATCH, "nonce-mismatch"},
      {ECNPP_REASON_CHALLENGE_EXPIRED, "challenge-expired"},
      {ECNPP_REASON_TOKEN_TIME_INVALID, "token-time-invalid"},
      {ECNPP_REASON_WRONG_PROFILE, "wrong-profile"},
      {ECNPP_REASON_EVIDENCE_INCOMPLETE, "evidence-incomplete"},
      {ECNPP_REASON_SUBMODULE_MISSING, "submodule-missing"},
      {ECNPP_REASON_UNCERTIFIED_CONFIG, "uncertified-config"},
      {ECNPP_REASON_PROMISE_ABOVE_CERTIFIED, "promise-above-certified"},
      {ECNPP_REASON_OEMBOOT_FAILED, "oemboot-failed"},
      {ECNPP_REASON_DEBUG_ENABLED, "debug-enabled"},
      {ECNPP_REASON_MEASUREMENT_MISMATCH, "measurement-mismatch"},
      {ECNPP_REASON_TOO_MANY_MEASUREMENTS, "too-many-measurements"},
      {ECNPP_REASON_NOT_OPERATIONAL, "not-operational"},
      {ECNPP_REASON_DECOMMISSIONED, "decommissioned"},
      {ECNPP_REASON_SE_DEBUG_ENABLED, "se-debug-enabled"},
      {ECNPP_REASON_MODEL_NOT_ENDORSED, "model-not-endorsed"},
      {ECNPP_REASON_UEID_NOT_ENDORSED, "ueid-not-endorsed"},
      {ECNPP_REASON_PP_REF_MISMATCH, "pp-ref-mismatch"},
      {ECNPP_REASON_PROMISE_NOT_SHOWN, "promise-not-shown"},
  };
  static const uint32_t unknown[] = {0, 3, 1u << 19, 1u << 31, 0xffffffffu};
  size_t i;
  uint32_t all = 0;
  for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
    CHECK(reasons[i].bit == 1u << i); /* stable bit positions, none skipped */
    CHECK(strcmp(ecnpp_result_reason_str(reasons[i].bit), reasons[i].name) == 0);
    CHECK(ecnpp_result_reason_str(reasons[i].bit) == ecnpp_result_reason_str(reasons[i].bit));
    all |= reasons[i].bit;
  }
  CHECK(all == 0x7ffffu);
  for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
    CHECK(strcmp(ecnpp_result_reason_str(unknown[i]), "unknown reason") == 0);

  /* enumerations are the wire values; 0 is never a status, nor a promise a device claims */
  CHECK(ECNPP_DBGSTAT_ENABLED == 0 && ECNPP_DBGSTAT_DISABLED_FULLY_AND_PERMANENTLY == 4);
  CHECK(ECNPP_PROMISE_NONE == 0 && ECNPP_PROMISE_STANDARD == 1 &&
        ECNPP_PROMISE_SECURE_ELEMENT == 2 && ECNPP_PROMISE_SECURE_ENCLAVE == 3);
  CHECK(ECNPP_LIFECYCLE_PROVISIONING == 1 && ECNPP_LIFECYCLE_DECOMMISSIONED == 4);
  CHECK(ECNPP_STATUS_AFFIRMING == 1 && ECNPP_STATUS_WARNING == 2 &&
        ECNPP_STATUS_CONTRAINDICATED == 3);
  CHECK(ECNPP_REFUSAL_PROMISE_TOO_LOW == 1 && ECNPP_REFUSAL_NOT_EVALUATED == 2 &&
        ECNPP_REFUSAL_TOO_OLD == 4);
  CHECK(ECNPP_MAX_MEASUREMENTS == 16 && ECNPP_MAX_ROBUSTNESS == 8);
  CHECK(sizeof(ecnpp_dbgstat) == 4 && sizeof(ecnpp_status) == 4);
}

/* ---------------------------------------------------------------------------------------- */
/* Evidence signing.                                                                        */

static void test_evidence_sign(void) {
  device d;
  ecnpp_evidence_claims c;
  ecnpp_measurement many[ECNPP_MAX_MEASUREMENTS + 1], storage[4];
  ecnpp_evidence_claims back;
  ecnpp_endorsement dev_e = endorse(dev_vk, NULL);
  ecnpp_trust trust = trust_one(&dev_e);
  ecnpp_signer sw = hsm_signer(&dev_hsm), null_fn = {NULL, NULL};
  ecnpp_signer fail = {failing_sign, NULL}, silent = {silent_sign, NULL};
  int fail_calls = 0, silent_calls = 0, before;
  static uint64_t out2_words[128]; /* aligned: structs are placed inside it */
  uint8_t out[1024], *out2 = (uint8_t *)out2_words, bad_utf8[2] = {0xc3, 0x28};
  size_t q = 0, n = 0, n2 = 0, i;
  ecnpp_promise promise;
  static const uint8_t kid[] = {'d', '1'};

  fail.ctx = &fail_calls;
  silent.ctx = &silent_calls;

  /* every promise: size query (no signer call) == bytes written; the claims read back equal;
   * the read-back claims sign to the same bytes (deterministic encoding and ECDSA) */
  for (promise = ECNPP_PROMISE_STANDARD; promise <= ECNPP_PROMISE_SECURE_ENCLAVE; promise++) {
    device_init(&d, promise);
    before = dev_hsm.calls;
    CHECK_RC(ecnpp_evidence_sign(&d.c, kid, sizeof kid, sw, NULL, 0, &q), ECNPP_OK);
    CHECK(dev_hsm.calls == before);
    memset(out, POISON, sizeof out);
    CHECK_RC(ecnpp_evidence_sign(&d.c, kid, sizeof kid, sw, out, sizeof out, &n), ECNPP_OK);
    CHECK(dev_hsm.calls == before + 1);
    CHECK(n == q && out[0] == 0xd2 && out[n] == POISON);
    memset(&back, POISON, sizeof back);
    CHECK_RC(ecnpp_evidence_verify(out, n, ECNPP_SIGN1_DETERMINISTIC, &trust, storage, 4, &back),
             ECNPP_OK);
    check_claims_equal(&back, &d);
    CHECK(inside(back.nonce.ptr, back.nonce.len, out, n));
    CHECK(inside(back.measurements, sizeof *back.measurements, storage, sizeof storage));
    CHECK(inside(back.measurements[0].content.ptr, 32, out, n));
    CHECK_RC(ecnpp_evidence_sign(&back, kid, sizeof kid, sw, out2, sizeof out2_words, &n2), ECNPP_OK);
    CHECK(n2 == n && memcmp(out, out2, n) == 0);
    /* an exact-size buffer is enough; no kid is fine */
    CHECK_RC(ecnpp_evidence_sign(&d.c, kid, sizeof kid, sw, out2, q, &n2), ECNPP_OK);
    CHECK(n2 == q);
    CHECK_RC(ecnpp_evidence_sign(&d.c, NULL, 0, sw, NULL, 0, &n2), ECNPP_OK);
    CHECK(n2 == q - 4); /* the unprotected {4: h'6431'} became {} */
  }

  /* optional claims: uptime and bootcount appear; absent measurements are absent */
  device_init(&d, ECNPP_PROMISE_STANDARD);
  d.c.has_uptime = 1;
  d.c.uptime = 3600;
  d.c.has_bootcount = 1;
  d.c.bootcount = 12;
  d.c.measurements = NULL;
  d.c.measurements_len = 0;
  n = sign_device(&d.c, out, sizeof out);
  CHECK_RC(ecnpp_evidence_verify(out, n, 0, &trust, NULL, 0, &back), ECNPP_OK);
  CHECK(back.has_uptime == 1 && back.uptime == 3600 && back.has_bootcount == 1 &&
        back.bootcount == 12);
  CHECK(back.measurements == NULL && back.measurements_len == 0);
  /* a 16-byte random oemid */
  device_init(&d, ECNPP_PROMISE_STANDARD);
  d.c.oemid = bytes(UEID, 16);
  n = sign_device(&d.c, out, sizeof out);
  CHECK_RC(ecnpp_evidence_verify(out, n, 0, &trust, storage, 4, &back), ECNPP_OK);
  CHECK(bytes_eq(back.oemid, UEID, 16));

  /* too small: reported before the signer is asked; nothing written */
  device_init(&d, ECNPP_PROMISE_SECURE_ENCLAVE);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, sizeof kid, sw, NULL, 0, &q), ECNPP_OK);
  before = dev_hsm.calls;
  n = POISON_SIZE;
  memset(out, POISON, sizeof out);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, sizeof kid, sw, out, q - 1, &n),
           ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, sizeof kid, sw, out, 0, &n),
           ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK(dev_hsm.calls == before && n == POISON_SIZE && all_bytes(out, sizeof out, POISON));

  /* a failing HSM, and one that writes nothing; the size query never calls either */
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, sizeof kid, fail, out, sizeof out, &n),
           ECNPP_ERR_SIGNER_FAILED);
  CHECK(fail_calls == 1 && n == POISON_SIZE && all_bytes(out, sizeof out, POISON));
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, sizeof kid, fail, NULL, 0, &q), ECNPP_OK);
  CHECK(fail_calls == 1);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, sizeof kid, silent, out, sizeof out, &n),
           ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE);
  CHECK(silent_calls == 1 && n == POISON_SIZE && all_bytes(out, sizeof out, POISON));

  /* NULL for every pointer argument, lengths, empty kid, overlap: the signer is never asked */
  before = dev_hsm.calls;
  CHECK_RC(ecnpp_evidence_sign(NULL, kid, 2, sw, out, sizeof out, &n), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_sign(&d.c, NULL, 2, sw, out, sizeof out, &n), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, 2, null_fn, out, sizeof out, &n),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, 2, sw, NULL, 10, &n), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, 2, sw, out, sizeof out, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, 2, sw, NULL, 0, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, SIZE_MAX, sw, out, sizeof out, &n),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, 2, sw, out, SIZE_MAX, &n), ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, 0, sw, NULL, 0, &q), ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_evidence_sign(&d.c, kid, 0, sw, out, sizeof out, &n),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_evidence_sign(&d.c, out + 1000, 2, sw, out, sizeof out, &n),
           ECNPP_ERR_INVALID_ARGUMENT); /* kid inside out */
  c = d.c;
  memcpy(out + 500, CHALLENGE, sizeof CHALLENGE);
  c.nonce = bytes(out + 500, sizeof CHALLENGE); /* a claim inside out */
  CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, sizeof out, &n), ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, 500, &n), ECNPP_OK); /* adjacent is fine */
  memset(out, POISON, sizeof out);
  n = POISON_SIZE;
  before = dev_hsm.calls;
  {
    /* the claims struct itself, a measurement array and its content inside out */
    ecnpp_evidence_claims *in_out = (ecnpp_evidence_claims *)(void *)out2;
    *in_out = d.c;
    CHECK_RC(ecnpp_evidence_sign(in_out, kid, 2, sw, out2, sizeof out2_words, &n2),
             ECNPP_ERR_INVALID_ARGUMENT);
    c = d.c;
    memcpy(out2 + 600, d.fw, sizeof d.fw);
    c.measurements = (const ecnpp_measurement *)(const void *)(out2 + 600);
    CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out2, sizeof out2_words, &n2),
             ECNPP_ERR_INVALID_ARGUMENT);
    c = d.c;
    many[0] = d.fw[0];
    many[0].content = bytes(out2 + 900, 32);
    c.measurements = many;
    CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out2, sizeof out2_words, &n2),
             ECNPP_ERR_INVALID_ARGUMENT);
  }
  /* pointers inside the claims */
  {
    ecnpp_bytes *fields[7];
    ecnpp_str *texts[3];
    size_t f;
    c = d.c;
    fields[0] = &c.nonce;
    fields[1] = &c.ueid;
    fields[2] = &c.oemid;
    fields[3] = &c.hwmodel;
    fields[4] = &c.se.oemid;
    fields[5] = &c.se.hwmodel;
    fields[6] = &many[0].content; /* a measurement's content */
    c.measurements = many;
    many[0] = d.fw[0];
    for (f = 0; f < 7; f++) {
      ecnpp_bytes saved = *fields[f];
      fields[f]->ptr = NULL;
      CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, sizeof out, &n), ECNPP_ERR_NULL_POINTER);
      fields[f]->ptr = saved.ptr;
      fields[f]->len = SIZE_MAX;
      CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, NULL, 0, &n), ECNPP_ERR_LENGTH_OVERFLOW);
      *fields[f] = saved;
    }
    texts[0] = &c.swname;
    texts[1] = &c.swversion;
    texts[2] = &c.pp_ref;
    for (f = 0; f < 3; f++) {
      ecnpp_str saved = *texts[f];
      texts[f]->ptr = NULL;
      CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, sizeof out, &n), ECNPP_ERR_NULL_POINTER);
      texts[f]->ptr = (const char *)bad_utf8;
      texts[f]->len = 2;
      CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, sizeof out, &n), ECNPP_ERR_INVALID_UTF8);
      texts[f]->len = SIZE_MAX;
      CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, sizeof out, &n),
               ECNPP_ERR_LENGTH_OVERFLOW);
      *texts[f] = saved;
    }
    c.measurements = NULL;
    CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, sizeof out, &n), ECNPP_ERR_NULL_POINTER);
    c.measurements = many;
    c.measurements_len = SIZE_MAX / 8;
    CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, sizeof out, &n),
             ECNPP_ERR_LENGTH_OVERFLOW);
    c = d.c;
    c.tee.measurements = NULL;
    CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, sizeof out, &n), ECNPP_ERR_NULL_POINTER);
  }
  CHECK(dev_hsm.calls == before && n == POISON_SIZE && all_bytes(out, sizeof out, POISON));

  /* claims: missing, invalid, the submodule a promise needs; the size query agrees */
  {
    struct {
      const char *what;
      ecnpp_result want;
    } cases[] = {
        {"nonce absent", ECNPP_ERR_MISSING_CLAIM},
        {"nonce 7 bytes", ECNPP_ERR_INVALID_CLAIM},
        {"nonce 65 bytes", ECNPP_ERR_INVALID_CLAIM},
        {"ueid absent", ECNPP_ERR_MISSING_CLAIM},
        {"ueid 6 bytes", ECNPP_ERR_INVALID_CLAIM},
        {"oemid 4 bytes", ECNPP_ERR_INVALID_CLAIM},
        {"oemid absent", ECNPP_ERR_MISSING_CLAIM},
        {"hwmodel empty", ECNPP_ERR_INVALID_CLAIM},
        {"hwmodel 33 bytes", ECNPP_ERR_INVALID_CLAIM},
        {"swname absent", ECNPP_ERR_MISSING_CLAIM},
        {"swversion absent", ECNPP_ERR_MISSING_CLAIM},
        {"pp_ref absent", ECNPP_ERR_MISSING_CLAIM},
        {"oemboot 2", ECNPP_ERR_INVALID_CLAIM},
        {"dbgstat 5", ECNPP_ERR_INVALID_CLAIM},
        {"dbgstat -1", ECNPP_ERR_INVALID_CLAIM},
        {"promise 0", ECNPP_ERR_INVALID_CLAIM},
        {"promise 4", ECNPP_ERR_INVALID_CLAIM},
        {"lifecycle 0", ECNPP_ERR_INVALID_CLAIM},
        {"has_iat 2", ECNPP_ERR_INVALID_ARGUMENT},
        {"has_se 255", ECNPP_ERR_INVALID_ARGUMENT},
        {"17 measurements", ECNPP_ERR_INVALID_CLAIM},
        {"empty measurements", ECNPP_ERR_INVALID_CLAIM},
        {"no tee", ECNPP_ERR_MISSING_SUBMODULE},
        {"tee without measurements", ECNPP_ERR_MISSING_SUBMODULE},
        {"se debug 2", ECNPP_ERR_MISSING_SUBMODULE},
        {"se dbgstat 9", ECNPP_ERR_INVALID_CLAIM},
        {"se oemid 2 bytes", ECNPP_ERR_INVALID_CLAIM},
        {"se without hwmodel", ECNPP_ERR_MISSING_SUBMODULE},
    };
    static uint8_t long_buf[65];
    for (i = 0; i < ECNPP_MAX_MEASUREMENTS + 1; i++) many[i] = d.fw[0];
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      const char *w = cases[i].what;
      c = d.c; /* a secure-enclave device */
      if (!strcmp(w, "nonce absent")) c.nonce = bytes(NULL, 0);
      if (!strcmp(w, "nonce 7 bytes")) c.nonce.len = 7;
      if (!strcmp(w, "nonce 65 bytes")) c.nonce = bytes(long_buf, 65);
      if (!strcmp(w, "ueid absent")) c.ueid = bytes(NULL, 0);
      if (!strcmp(w, "ueid 6 bytes")) c.ueid.len = 6;
      if (!strcmp(w, "oemid 4 bytes")) c.oemid = bytes(UEID, 4);
      if (!strcmp(w, "oemid absent")) c.oemid = bytes(NULL, 0);
      if (!strcmp(w, "hwmodel empty")) c.hwmodel.len = 0;
      if (!strcmp(w, "hwmodel 33 bytes")) c.hwmodel = bytes(long_buf, 33);
      if (!strcmp(w, "swname absent")) c.swname = str(NULL);
      if (!strcmp(w, "swversion absent")) c.swversion = str(NULL);
      if (!strcmp(w, "pp_ref absent")) c.pp_ref = str(NULL);
      if (!strcmp(w, "oemboot 2")) c.oemboot = 2;
      if (!strcmp(w, "dbgstat 5")) c.dbgstat = 5;
      if (!strcmp(w, "dbgstat -1")) c.dbgstat = -1;
      if (!strcmp(w, "promise 0")) c.promise = ECNPP_PROMISE_NONE;
      if (!strcmp(w, "promise 4")) c.promise = 4;
      if (!strcmp(w, "lifecycle 0")) c.lifecycle = 0;
      if (!strcmp(w, "has_iat 2")) c.has_iat = 2;
      if (!strcmp(w, "has_se 255")) c.has_se = 255;
      if (!strcmp(w, "17 measurements")) {
        c.measurements = many;
        c.measurements_len = ECNPP_MAX_MEASUREMENTS + 1;
      }
      if (!strcmp(w, "empty measurements")) c.measurements_len = 0;
      if (!strcmp(w, "no tee")) c.has_tee = 0;
      if (!strcmp(w, "tee without measurements")) {
        c.tee.measurements = NULL;
        c.tee.measurements_len = 0;
      }
      if (!strcmp(w, "se debug 2")) {
        c.promise = ECNPP_PROMISE_SECURE_ELEMENT;
        c.se.dbgstat = ECNPP_DBGSTAT_DISABLED_SINCE_BOOT;
      }
      if (!strcmp(w, "se dbgstat 9")) c.se.dbgstat = 9;
      if (!strcmp(w, "se oemid 2 bytes")) c.se.oemid.len = 2;
      if (!strcmp(w, "se without hwmodel")) {
        c.promise = ECNPP_PROMISE_SECURE_ELEMENT;
        c.se.hwmodel = bytes(NULL, 0);
      }
      q = POISON_SIZE;
      CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, NULL, 0, &q), cases[i].want);
      CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, out, sizeof out, &n), cases[i].want);
      if (q != POISON_SIZE) fprintf(stderr, "case %s\n", w);
      CHECK(q == POISON_SIZE);
    }
    /* exactly ECNPP_MAX_MEASUREMENTS is accepted */
    c = d.c;
    c.measurements = many;
    c.measurements_len = ECNPP_MAX_MEASUREMENTS;
    CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, NULL, 0, &q), ECNPP_OK);
    /* no "se" is fine for a secure enclave; a standard device may still describe one */
    c = d.c;
    c.has_se = 0;
    CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, NULL, 0, &q), ECNPP_OK);
    c = d.c;
    c.promise = ECNPP_PROMISE_STANDARD;
    c.has_tee = 0;
    c.se.dbgstat = ECNPP_DBGSTAT_ENABLED;
    CHECK_RC(ecnpp_evidence_sign(&c, kid, 2, sw, NULL, 0, &q), ECNPP_OK);
  }
  CHECK(dev_hsm.calls == before && n == POISON_SIZE && all_bytes(out, sizeof out, POISON));
}

/* ---------------------------------------------------------------------------------------- */
/* Evidence verification.                                                                   */

/* The byte offset of `needle` in `hay`, or -1. */
static long find(const uint8_t *hay, size_t n, const char *needle_hex) {
  uint8_t needle[32];
  size_t k = from_hex(needle_hex, needle, sizeof needle), i;
  for (i = 0; i + k <= n; i++)
    if (memcmp(hay + i, needle, k) == 0) return (long)i;
  return -1;
}

static void test_evidence_verify(void) {
  device d;
  ecnpp_evidence_claims got, poisoned;
  ecnpp_measurement storage[2], small[1];
  ecnpp_endorsement dev_e = endorse(dev_vk, NULL), ends[3], one;
  ecnpp_trust trust = trust_one(&dev_e), t;
  ecnpp_verifying_key_storage stale_storage;
  ecnpp_verifying_key *stale = NULL;
  static uint64_t m_words[128]; /* aligned: a measurement array is placed inside it */
  uint8_t tok[1024], *m = (uint8_t *)m_words, payload[512], pk[65];
  const size_t m_size = sizeof m_words;
  const uint8_t *p = NULL;
  size_t n, len, pl = 0, w = 0;
  long at;

  device_init(&d, ECNPP_PROMISE_SECURE_ENCLAVE);
  n = sign_device(&d.c, tok, sizeof tok);
  memset(&poisoned, POISON, sizeof poisoned);

  /* endorsements: the kid selects among them (the second here), the signature decides */
  ends[0] = endorse(ver_vk, "device-0");
  ends[1] = endorse(dev_vk, "device-1");
  ends[2] = endorse(dev_vk, NULL);
  t = trust_list(ends, 2);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_OK);
  check_claims_equal(&got, &d);
  CHECK(inside(got.tee.measurements, sizeof(ecnpp_measurement), storage, sizeof storage));
  CHECK(got.measurements == &storage[0] && got.tee.measurements == &storage[1]);
  /* the right kid on the wrong key: the signature decides */
  ends[1].key = ver_vk;
  got = poisoned;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got),
           ECNPP_ERR_VERIFICATION_FAILED);
  ends[1].key = dev_vk;
  /* no endorsement with this kid, an empty list, a token without kid */
  t.endorsements_len = 1;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_KEY_NOT_TRUSTED);
  t.endorsements_len = 0;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_KEY_NOT_TRUSTED);
  {
    uint8_t nokid[1024];
    size_t nk = 0;
    CHECK_RC(ecnpp_evidence_sign(&d.c, NULL, 0, hsm_signer(&dev_hsm), nokid, sizeof nokid, &nk),
             ECNPP_OK);
    t = trust_list(&ends[2], 1); /* the empty kid is not "no kid" */
    CHECK_RC(ecnpp_evidence_verify(nokid, nk, 0, &t, storage, 2, &got),
             ECNPP_ERR_KEY_NOT_TRUSTED);
    CHECK_RC(ecnpp_evidence_verify(nokid, nk, 0, &trust, storage, 2, &got), ECNPP_OK);
  }
  CHECK(memcmp(&got, &poisoned, sizeof got) != 0); /* (the last call succeeded) */
  got = poisoned;

  /* trust errors (each endorsement's own are in test_endorsement_misuse) */
  t = trust_list(ends, 2);
  t.endorsement = &dev_e;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_INVALID_ARGUMENT);
  t.endorsements = NULL;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_INVALID_ARGUMENT);
  t.endorsement = NULL;
  t.endorsements_len = 0;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_NULL_POINTER);
  t.endorsements_len = 2;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_NULL_POINTER);
  t.endorsements = ends;
  t.endorsements_len = SIZE_MAX / 4;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_LENGTH_OVERFLOW);
  t.endorsements = (const ecnpp_endorsement *)(const void *)((const uint8_t *)ends + 1);
  t.endorsements_len = 1;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_INVALID_ARGUMENT);
  t = trust_one((const ecnpp_endorsement *)(const void *)((const uint8_t *)ends + 1));
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_INVALID_ARGUMENT);
  t = trust_list(ends, 2);
  ends[0].key = NULL;
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_NULL_POINTER);
  ends[0].key = ver_vk;
  ends[0].kid = bytes(NULL, 3);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_NULL_POINTER);
  ends[0].kid = bytes("device-0", 8);
  CHECK_RC(ecnpp_verifying_key_to_sec1(dev_vk, pk, sizeof pk, &w), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(&stale_storage, pk, w, &stale), ECNPP_OK);
  ecnpp_verifying_key_free(stale);
  ends[0].key = stale; /* checked even though another endorsement would be selected */
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_INVALID_HANDLE);
  ends[0].key = ver_vk;
  one = endorse(stale, NULL);
  t = trust_one(&one);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_INVALID_HANDLE);
  one = endorse((const ecnpp_verifying_key *)(const void *)dev_hsm.key, NULL); /* wrong type */
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_INVALID_HANDLE);

  /* NULLs, lengths, flags, storage */
  CHECK_RC(ecnpp_evidence_verify(NULL, n, 0, &trust, storage, 2, &got), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, NULL, storage, 2, &got), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &trust, NULL, 2, &got), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &trust, storage, 2, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_evidence_verify(tok, SIZE_MAX, 0, &trust, storage, 2, &got),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &trust, storage, SIZE_MAX / 8, &got),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_evidence_verify(tok, n, ECNPP_SIGN1_DETACHED, &trust, storage, 2, &got),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0x10000, &trust, storage, 2, &got),
           ECNPP_ERR_INVALID_ARGUMENT);
  /* the storage overlapping the token */
  memcpy(m, tok, n);
  CHECK_RC(ecnpp_evidence_verify(m, n, 0, &trust,
                                 (ecnpp_measurement *)(void *)(m + 64), 2, &got),
           ECNPP_ERR_INVALID_ARGUMENT);
  /* too little storage: an error, the storage untouched */
  memset(small, POISON, sizeof small);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &trust, small, 1, &got), ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &trust, NULL, 0, &got), ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK(all_bytes((const uint8_t *)small, sizeof small, POISON));
  CHECK(memcmp(&got, &poisoned, sizeof got) == 0);

  /* cryptography and structure */
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got), ECNPP_ERR_INVALID_HANDLE);
  one = endorse(ver_vk, NULL);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &t, storage, 2, &got),
           ECNPP_ERR_VERIFICATION_FAILED);
  memcpy(m, tok, n);
  m[n - 70] ^= 1; /* inside the payload */
  CHECK_RC(ecnpp_evidence_verify(m, n, 0, &trust, storage, 2, &got),
           ECNPP_ERR_VERIFICATION_FAILED);
  CHECK_RC(ecnpp_evidence_verify(tok, n - 1, 0, &trust, storage, 2, &got), ECNPP_ERR_TRUNCATED);
  CHECK_RC(ecnpp_evidence_verify(tok + 1, n - 1, 0, &trust, storage, 2, &got),
           ECNPP_ERR_MISSING_TAG);
  CHECK(memcmp(&got, &poisoned, sizeof got) == 0);
  CHECK_RC(ecnpp_evidence_verify(tok + 1, n - 1, ECNPP_SIGN1_ACCEPT_UNTAGGED, &trust, storage,
                                 2, &got),
           ECNPP_OK);
  CHECK(inside(got.ueid.ptr, got.ueid.len, tok + 1, n - 1));
  got = poisoned;

  /* payloads: not a map, no profile, a claim of the wrong type, the profile's rules */
  len = sign_raw(&dev_hsm, "01", m, m_size);
  CHECK_RC(ecnpp_evidence_verify(m, len, 0, &trust, storage, 2, &got), ECNPP_ERR_INVALID_PAYLOAD);
  len = sign_raw(&dev_hsm, "a10a486e6f6e63652d3031", m, m_size);
  CHECK_RC(ecnpp_evidence_verify(m, len, 0, &trust, storage, 2, &got), ECNPP_ERR_WRONG_PROFILE);
  len = sign_raw(&dev_hsm, "a10a01", m, m_size);
  CHECK_RC(ecnpp_evidence_verify(m, len, 0, &trust, storage, 2, &got), ECNPP_ERR_INVALID_CLAIM);
  /* {10: h'6e6f6e63652d3031', 265: <the profile's OID>}: ueid etc. missing */
  len = sign_raw(&dev_hsm,
                 "a2 0a 48 6e6f6e63652d3031 190109 54"
                 "69d9cea1b8dbcac2be95b8a2c8f9ccc892ce7001",
                 m, m_size);
  CHECK_RC(ecnpp_evidence_verify(m, len, 0, &trust, storage, 2, &got), ECNPP_ERR_MISSING_CLAIM);
  /* a standard device's payload re-signed claiming a secure enclave: no "tee" */
  device_init(&d, ECNPP_PROMISE_STANDARD);
  n = sign_device(&d.c, tok, sizeof tok);
  CHECK_RC(ecnpp_sign1_verify(tok, n, 0, dev_vk, NULL, 0, NULL, 0, &p, &pl), ECNPP_OK);
  memcpy(payload, p, pl);
  at = find(payload, pl, "3a00015ff401"); /* -90101: 1 */
  CHECK(at >= 0);
  if (at >= 0) payload[at + 5] = 3;
  {
    size_t k = 0;
    CHECK_RC(ecnpp_sign1_sign(hsm_signer(&dev_hsm), (const uint8_t *)"device-1", 8, NULL, 0,
                              payload, pl, 0, m, m_size, &k),
             ECNPP_OK);
    CHECK_RC(ecnpp_evidence_verify(m, k, 0, &trust, storage, 2, &got),
             ECNPP_ERR_MISSING_SUBMODULE);
    /* and with an unknown promise value */
    if (at >= 0) payload[at + 5] = 4;
    CHECK_RC(ecnpp_sign1_sign(hsm_signer(&dev_hsm), (const uint8_t *)"device-1", 8, NULL, 0,
                              payload, pl, 0, m, m_size, &k),
             ECNPP_OK);
    CHECK_RC(ecnpp_evidence_verify(m, k, 0, &trust, storage, 2, &got), ECNPP_ERR_INVALID_CLAIM);
  }
  CHECK(memcmp(&got, &poisoned, sizeof got) == 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Appraisal.                                                                               */

static void test_appraise(void) {
  device d;
  verifier_policy v;
  ecnpp_policy pol;
  ecnpp_certified_config cfg[2];
  ecnpp_measurement refs[ECNPP_MAX_MEASUREMENTS + 1];
  ecnpp_robustness rob[ECNPP_MAX_ROBUSTNESS + 1];
  ecnpp_appraisal a, poisoned;
  ecnpp_endorsement dev_e = endorse(dev_vk, NULL), by_kid = endorse(dev_vk, "device-1");
  ecnpp_trust trust = trust_one(&dev_e), selected = trust_list(&by_kid, 1);
  static const uint8_t long_model[40] = {0};
  uint8_t tok[1024], bad_tok[1024], m[512], bad_utf8[1] = {0xff};
  size_t n, len, i;

  memset(&poisoned, POISON, sizeof poisoned);
  device_init(&d, ECNPP_PROMISE_SECURE_ENCLAVE);
  n = sign_device(&d.c, tok, sizeof tok);
  memcpy(bad_tok, tok, n);
  bad_tok[n - 1] ^= 1;

  /* policy_init: core's defaults */
  memset(&pol, POISON, sizeof pol);
  CHECK_RC(ecnpp_policy_init(&pol), ECNPP_OK);
  CHECK(pol.max_challenge_age == 120 && pol.clock_skew == 30);
  CHECK(pol.debug_floor == ECNPP_DBGSTAT_DISABLED_PERMANENTLY && pol.require_oemboot == 1);
  CHECK(pol.challenge.nonce.ptr == NULL && pol.certified == NULL && pol.registrar.ptr == NULL);
  CHECK(pol.now == 0 && pol.certified_len == 0);
  CHECK_RC(ecnpp_policy_init(NULL), ECNPP_ERR_NULL_POINTER);

  /* affirming: the second configuration matches; one endorsement, or selected by kid */
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
  a = poisoned;
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, &a), ECNPP_OK);
  CHECK(a.status == ECNPP_STATUS_AFFIRMING && a.reasons == 0);
  CHECK(a.promise == ECNPP_PROMISE_SECURE_ENCLAVE && a.evaluated_config == 1);
  CHECK(a.has_config == 1 && a.config_index == 1);
  a = poisoned;
  CHECK_RC(ecnpp_appraise(tok, n, ECNPP_SIGN1_DETERMINISTIC, &selected, &v.p, &a), ECNPP_OK);
  CHECK(a.status == ECNPP_STATUS_AFFIRMING && a.config_index == 1);
  /* the first matching configuration applies */
  v.configs[0] = v.configs[1];
  v.configs[0].promise = ECNPP_PROMISE_STANDARD;
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, &a), ECNPP_OK);
  CHECK(a.config_index == 0 && a.promise == ECNPP_PROMISE_STANDARD);
  CHECK(a.status == ECNPP_STATUS_WARNING && a.reasons == ECNPP_REASON_PROMISE_ABOVE_CERTIFIED);
  CHECK(a.evaluated_config == 0);

  /* each refusal, with its reason */
  {
    struct {
      const char *what;
      ecnpp_status status;
      uint32_t reason;
    } cases[] = {
        {"certified secure element", ECNPP_STATUS_WARNING, ECNPP_REASON_PROMISE_ABOVE_CERTIFIED},
        {"other challenge", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_NONCE_MISMATCH},
        {"stale challenge", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_CHALLENGE_EXPIRED},
        {"iat in the future", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_TOKEN_TIME_INVALID},
        {"no configurations", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_UNCERTIFIED_CONFIG},
        {"other version", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_UNCERTIFIED_CONFIG},
        {"debug floor 4", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_DEBUG_ENABLED},
        {"other firmware", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_MEASUREMENT_MISMATCH},
        {"tee reference missing", ECNPP_STATUS_CONTRAINDICATED,
         ECNPP_REASON_MEASUREMENT_MISMATCH},
        {"oemboot false", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_OEMBOOT_FAILED},
        {"oemboot not required", ECNPP_STATUS_AFFIRMING, 0},
        {"maintenance", ECNPP_STATUS_WARNING, ECNPP_REASON_NOT_OPERATIONAL},
        {"decommissioned", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_DECOMMISSIONED},
        {"se debug", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_SE_DEBUG_ENABLED},
        {"capped without se", ECNPP_STATUS_CONTRAINDICATED, ECNPP_REASON_PROMISE_NOT_SHOWN},
    };
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      const char *w = cases[i].what;
      device dd;
      uint8_t t[1024];
      size_t tn;
      device_init(&dd, ECNPP_PROMISE_SECURE_ENCLAVE);
      policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
      if (!strcmp(w, "certified secure element"))
        v.configs[1].promise = ECNPP_PROMISE_SECURE_ELEMENT;
      if (!strcmp(w, "other challenge")) v.p.challenge.nonce = bytes("challenge-000002", 16);
      if (!strcmp(w, "stale challenge")) v.p.challenge.issued_at = NOW - 3600;
      if (!strcmp(w, "iat in the future")) dd.c.iat = NOW + 3600;
      if (!strcmp(w, "no configurations")) {
        v.p.certified = NULL;
        v.p.certified_len = 0;
      }
      if (!strcmp(w, "other version")) v.configs[1].swversion = str("4.2.2");
      if (!strcmp(w, "debug floor 4")) v.p.debug_floor = ECNPP_DBGSTAT_DISABLED_FULLY_AND_PERMANENTLY;
      if (!strcmp(w, "other firmware")) dd.fw[0].content = bytes(OTHER_FW, 32);
      if (!strcmp(w, "tee reference missing")) dd.c.has_tee = 0;
      if (!strcmp(w, "oemboot false")) dd.c.oemboot = 0;
      if (!strcmp(w, "oemboot not required")) v.p.require_oemboot = 0;
      if (!strcmp(w, "maintenance")) dd.c.lifecycle = ECNPP_LIFECYCLE_MAINTENANCE;
      if (!strcmp(w, "decommissioned")) dd.c.lifecycle = ECNPP_LIFECYCLE_DECOMMISSIONED;
      if (!strcmp(w, "capped without se")) {
        /* an enclave without a secure element, certified for a secure element only: the
         * capped promise needs an "se" the evidence does not show */
        dd.c.has_se = 0;
        v.configs[1].promise = ECNPP_PROMISE_SECURE_ELEMENT;
      }
      if (!strcmp(w, "se debug")) {
        dd.c.se.dbgstat = ECNPP_DBGSTAT_DISABLED_PERMANENTLY;
        v.p.debug_floor = ECNPP_DBGSTAT_DISABLED_FULLY_AND_PERMANENTLY;
        dd.c.dbgstat = ECNPP_DBGSTAT_DISABLED_FULLY_AND_PERMANENTLY;
      }
      if (!strcmp(w, "tee reference missing")) {
        /* sign as a secure-element device: the TEE's reference value is then absent */
        dd.c.promise = ECNPP_PROMISE_SECURE_ELEMENT;
      }
      tn = sign_device(&dd.c, t, sizeof t);
      a = poisoned;
      CHECK_RC(ecnpp_appraise(t, tn, 0, &trust, &v.p, &a), ECNPP_OK);
      if (a.status != cases[i].status || (a.reasons & cases[i].reason) != cases[i].reason ||
          (cases[i].reason == 0 && a.reasons != 0))
        fprintf(stderr, "appraisal case \"%s\": status %d reasons 0x%x\n", w, (int)a.status,
                (unsigned)a.reasons);
      CHECK(a.status == cases[i].status);
      CHECK((a.reasons & cases[i].reason) == cases[i].reason);
      CHECK(cases[i].reason != 0 || a.reasons == 0);
      CHECK(a.evaluated_config == (a.reasons == 0));
      if (cases[i].reason == ECNPP_REASON_UNCERTIFIED_CONFIG)
        CHECK(a.promise == ECNPP_PROMISE_NONE && a.has_config == 0 && a.config_index == 0);
      if (cases[i].reason == ECNPP_REASON_PROMISE_NOT_SHOWN)
        CHECK(a.promise == ECNPP_PROMISE_NONE && a.has_config == 1 && a.config_index == 1);
    }
  }
  /* another profile's token is appraised (reasons), not refused (errors) */
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
  len = sign_raw(&dev_hsm, "a10a50 6368616c6c656e67652d303030303031", m, sizeof m);
  CHECK_RC(ecnpp_appraise(m, len, 0, &trust, &v.p, &a), ECNPP_OK);
  CHECK(a.status == ECNPP_STATUS_CONTRAINDICATED);
  CHECK((a.reasons & ECNPP_REASON_WRONG_PROFILE) && !(a.reasons & ECNPP_REASON_NONCE_MISMATCH));
  /* what cannot be appraised at all is an error */
  len = sign_raw(&dev_hsm, "01", m, sizeof m);
  a = poisoned;
  CHECK_RC(ecnpp_appraise(m, len, 0, &trust, &v.p, &a), ECNPP_ERR_INVALID_PAYLOAD);
  len = sign_raw(&dev_hsm, "a10a01", m, sizeof m);
  CHECK_RC(ecnpp_appraise(m, len, 0, &trust, &v.p, &a), ECNPP_ERR_INVALID_CLAIM);
  CHECK_RC(ecnpp_appraise(bad_tok, n, 0, &trust, &v.p, &a), ECNPP_ERR_VERIFICATION_FAILED);
  by_kid.kid = bytes("device-2", 8);
  CHECK_RC(ecnpp_appraise(tok, n, 0, &selected, &v.p, &a), ECNPP_ERR_KEY_NOT_TRUSTED);
  CHECK(memcmp(&a, &poisoned, sizeof a) == 0);

  /* NULLs, lengths, flags */
  CHECK_RC(ecnpp_appraise(NULL, n, 0, &trust, &v.p, &a), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_appraise(tok, n, 0, NULL, &v.p, &a), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, NULL, &a), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_appraise(tok, SIZE_MAX, 0, &trust, &v.p, &a), ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_appraise(tok, n, 1, &trust, &v.p, &a), ECNPP_ERR_INVALID_ARGUMENT);
  CHECK(memcmp(&a, &poisoned, sizeof a) == 0);

  /* the policy is checked whole, before the evidence (here: one that would not verify) */
  for (i = 0; i < ECNPP_MAX_MEASUREMENTS + 1; i++) refs[i] = v.refs[0];
  for (i = 0; i < ECNPP_MAX_ROBUSTNESS + 1; i++) rob[i] = v.se_rob[0];
  {
    struct {
      const char *what;
      ecnpp_result want;
    } cases[] = {
        {"no challenge", ECNPP_ERR_INVALID_POLICY},
        {"challenge 7 bytes", ECNPP_ERR_INVALID_POLICY},
        {"challenge NULL with length", ECNPP_ERR_NULL_POINTER},
        {"no registrar", ECNPP_ERR_INVALID_POLICY},
        {"registrar not UTF-8", ECNPP_ERR_INVALID_UTF8},
        {"debug floor 5", ECNPP_ERR_INVALID_POLICY},
        {"require_oemboot 2", ECNPP_ERR_INVALID_POLICY},
        {"certified NULL with length", ECNPP_ERR_NULL_POINTER},
        {"certified too long", ECNPP_ERR_LENGTH_OVERFLOW},
        {"oemid 5 bytes", ECNPP_ERR_INVALID_POLICY},
        {"oemid absent", ECNPP_ERR_INVALID_POLICY},
        {"hwmodel absent", ECNPP_ERR_INVALID_POLICY},
        {"hwmodel 33 bytes", ECNPP_ERR_INVALID_POLICY},
        {"swname absent", ECNPP_ERR_INVALID_POLICY},
        {"swversion not UTF-8", ECNPP_ERR_INVALID_UTF8},
        {"promise none", ECNPP_ERR_INVALID_POLICY},
        {"certificate absent", ECNPP_ERR_INVALID_POLICY},
        {"17 references", ECNPP_ERR_INVALID_POLICY},
        {"references NULL with length", ECNPP_ERR_NULL_POINTER},
        {"reference content NULL", ECNPP_ERR_NULL_POINTER},
        {"9 robustness", ECNPP_ERR_INVALID_POLICY},
        {"robustness level absent", ECNPP_ERR_INVALID_POLICY},
        {"tee robustness NULL with length", ECNPP_ERR_NULL_POINTER},
    };
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      const char *w = cases[i].what;
      policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
      memcpy(cfg, v.configs, sizeof cfg);
      v.p.certified = cfg;
      if (!strcmp(w, "no challenge")) v.p.challenge.nonce = bytes(NULL, 0);
      if (!strcmp(w, "challenge 7 bytes")) v.p.challenge.nonce.len = 7;
      if (!strcmp(w, "challenge NULL with length")) v.p.challenge.nonce.ptr = NULL;
      if (!strcmp(w, "no registrar")) v.p.registrar = str(NULL);
      if (!strcmp(w, "registrar not UTF-8")) {
        v.p.registrar.ptr = (const char *)bad_utf8;
        v.p.registrar.len = 1;
      }
      if (!strcmp(w, "debug floor 5")) v.p.debug_floor = 5;
      if (!strcmp(w, "require_oemboot 2")) v.p.require_oemboot = 2;
      if (!strcmp(w, "certified NULL with length")) v.p.certified = NULL;
      if (!strcmp(w, "certified too long")) v.p.certified_len = SIZE_MAX / 16;
      /* the configuration errors are in the first one, which does not even match */
      if (!strcmp(w, "oemid 5 bytes")) cfg[0].oemid = bytes(UEID, 5);
      if (!strcmp(w, "oemid absent")) cfg[0].oemid = bytes(NULL, 0);
      if (!strcmp(w, "hwmodel absent")) cfg[0].hwmodel = bytes(NULL, 0);
      if (!strcmp(w, "hwmodel 33 bytes")) cfg[0].hwmodel = bytes(long_model, 33);
      if (!strcmp(w, "swname absent")) cfg[0].swname = str(NULL);
      if (!strcmp(w, "swversion not UTF-8")) {
        cfg[0].swversion.ptr = (const char *)bad_utf8;
        cfg[0].swversion.len = 1;
      }
      if (!strcmp(w, "promise none")) cfg[0].promise = ECNPP_PROMISE_NONE;
      if (!strcmp(w, "certificate absent")) cfg[0].certificate = str(NULL);
      if (!strcmp(w, "17 references")) {
        cfg[0].reference_measurements = refs;
        cfg[0].reference_measurements_len = ECNPP_MAX_MEASUREMENTS + 1;
      }
      if (!strcmp(w, "references NULL with length")) cfg[0].reference_measurements = NULL;
      if (!strcmp(w, "reference content NULL")) {
        refs[0].content.ptr = NULL;
        cfg[0].reference_measurements = refs;
      }
      if (!strcmp(w, "9 robustness")) {
        cfg[0].se_robustness = rob;
        cfg[0].se_robustness_len = ECNPP_MAX_ROBUSTNESS + 1;
      }
      if (!strcmp(w, "robustness level absent")) {
        rob[0].level = str(NULL);
        cfg[0].se_robustness = rob;
      }
      if (!strcmp(w, "tee robustness NULL with length")) cfg[0].tee_robustness_len = 1;
      a = poisoned;
      CHECK_RC(ecnpp_appraise(bad_tok, n, 0, &trust, &v.p, &a), cases[i].want);
      CHECK(memcmp(&a, &poisoned, sizeof a) == 0);
      refs[0] = v.refs[0];
      rob[0] = v.se_rob[0];
    }
    /* exactly the maxima are accepted */
    policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
    memcpy(cfg, v.configs, sizeof cfg);
    v.p.certified = cfg;
    cfg[0].reference_measurements = refs;
    cfg[0].reference_measurements_len = ECNPP_MAX_MEASUREMENTS;
    cfg[0].tee_robustness = rob;
    cfg[0].tee_robustness_len = ECNPP_MAX_ROBUSTNESS;
    CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, &a), ECNPP_OK);
    CHECK(a.status == ECNPP_STATUS_AFFIRMING && a.config_index == 1);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Endorsements, the certificate's PP and the result marker, from an attacker's side.       */

/* Appraises `tok` under `trust` with `v`; checks the status and that the reasons are exactly
 * `reasons`. */
static void appraise_expect(const uint8_t *tok, size_t n, const ecnpp_trust *trust,
                            const verifier_policy *v, ecnpp_status status, uint32_t reasons) {
  ecnpp_appraisal a;
  memset(&a, POISON, sizeof a);
  CHECK_RC(ecnpp_appraise(tok, n, 0, trust, &v->p, &a), ECNPP_OK);
  if (a.status != status || a.reasons != reasons)
    fprintf(stderr, "appraisal: status %d reasons 0x%x, want %d 0x%x\n", (int)a.status,
            (unsigned)a.reasons, (int)status, (unsigned)reasons);
  CHECK(a.status == status && a.reasons == reasons);
  CHECK(a.evaluated_config == (reasons == 0));
}

static void test_endorsement_refusals(void) {
  static const uint8_t OTHER_OEM[3] = {0x00, 0x1b, 0x45};
  static const uint8_t OTHER_UEID[17] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18};
  device d;
  verifier_policy v;
  ecnpp_model models[2];
  ecnpp_endorsement e = endorse(dev_vk, NULL), ver_e = endorse(ver_vk, NULL);
  ecnpp_trust trust = trust_one(&e), ver_trust = trust_one(&ver_e);
  ecnpp_evidence_claims got;
  ecnpp_measurement storage[2];
  ecnpp_appraisal a, poisoned;
  ecnpp_verified_result r;
  uint8_t tok[1024], res[1024], m[1024];
  size_t n, rn = 0, len, w = POISON_SIZE;
  int before;

  memset(&poisoned, POISON, sizeof poisoned);
  device_init(&d, ECNPP_PROMISE_SECURE_ENCLAVE);
  n = sign_device(&d.c, tok, sizeof tok);
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_AFFIRMING, 0);

  /* A key endorsed for model A (edge-node-x0, certified too) signs evidence for model B
   * (edge-node-x1): everything else right, and still contraindicated, never issued. */
  models[0].oemid = bytes(OEM, sizeof OEM);
  models[0].hwmodel = bytes("edge-node-x0", 12);
  e.models = models;
  e.models_len = 1;
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_MODEL_NOT_ENDORSED);
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, &a), ECNPP_OK);
  CHECK(a.has_config == 1 && a.config_index == 1); /* B is certified: only the key is wrong */
  before = ver_hsm.calls;
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, hsm_signer(&ver_hsm), res,
                             sizeof res, &rn),
           ECNPP_ERR_RESULT_CONTRAINDICATED);
  CHECK(ver_hsm.calls == before);
  /* the signature is the key's all the same: evidence_verify judges only the key */
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &trust, storage, 2, &got), ECNPP_OK);
  /* the same model of another OEM, and the same OEM's model as a prefix: not endorsed */
  models[0].oemid = bytes(OTHER_OEM, sizeof OTHER_OEM);
  models[0].hwmodel = bytes(MODEL, strlen(MODEL));
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_MODEL_NOT_ENDORSED);
  models[0].oemid = bytes(OEM, sizeof OEM);
  models[0].hwmodel = bytes(MODEL, strlen(MODEL) - 1);
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_MODEL_NOT_ENDORSED);
  /* no model at all: the key verifies, and nothing it signs is better than contraindicated */
  e.models = NULL;
  e.models_len = 0;
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_MODEL_NOT_ENDORSED);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &trust, storage, 2, &got), ECNPP_OK);
  /* B among the models listed: covered */
  models[0].hwmodel = bytes("edge-node-x0", 12);
  models[1] = DEVICE_MODEL[0];
  e.models = models;
  e.models_len = 2;
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_AFFIRMING, 0);

  /* An endorsement bound to one device: its key, cloned into another device (another ueid),
   * is refused there; the device itself is affirmed. */
  e = endorse(dev_vk, NULL);
  e.ueid = bytes(UEID, sizeof UEID);
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_AFFIRMING, 0);
  d.c.ueid = bytes(OTHER_UEID, sizeof OTHER_UEID);
  len = sign_device(&d.c, m, sizeof m);
  appraise_expect(m, len, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_UEID_NOT_ENDORSED);
  e.ueid = bytes(NULL, 0); /* unbound: any device of the model */
  appraise_expect(m, len, &trust, &v, ECNPP_STATUS_AFFIRMING, 0);
  e.ueid = bytes(OTHER_UEID, sizeof OTHER_UEID);
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_UEID_NOT_ENDORSED);
  /* both scopes wrong: both reasons */
  e.models = NULL;
  e.models_len = 0;
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_MODEL_NOT_ENDORSED | ECNPP_REASON_UEID_NOT_ENDORSED);
  e = endorse(dev_vk, NULL);
  device_init(&d, ECNPP_PROMISE_SECURE_ENCLAVE);

  /* The certificate is for one PP: a device naming any other, or a policy written for any
   * other, is refused; the result carries the certificate's PP. */
  v.configs[1].pp_ref = str("ANY-PP/9.9");
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_PP_REF_MISMATCH);
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, &a), ECNPP_OK);
  CHECK(a.has_config == 1 && a.config_index == 1);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, hsm_signer(&ver_hsm), res,
                             sizeof res, &rn),
           ECNPP_ERR_RESULT_CONTRAINDICATED);
  v.configs[1].pp_ref = str(PP_REF);
  d.c.pp_ref = str("ANY-PP/9.9");
  len = sign_device(&d.c, m, sizeof m);
  appraise_expect(m, len, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_PP_REF_MISMATCH);
  d.c.pp_ref = str("NSCIB-PP-0112146/1.0.7 "); /* one byte more */
  len = sign_device(&d.c, m, sizeof m);
  appraise_expect(m, len, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_PP_REF_MISMATCH);
  v.configs[1].pp_ref = str("");
  appraise_expect(tok, n, &trust, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_PP_REF_MISMATCH);
  v.configs[1].pp_ref = str(NULL); /* required */
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, &a), ECNPP_ERR_INVALID_POLICY);
  v.configs[1].pp_ref.ptr = (const char *)"\xff";
  v.configs[1].pp_ref.len = 1;
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, &a), ECNPP_ERR_INVALID_UTF8);
  v.configs[1].pp_ref.ptr = NULL;
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, &a), ECNPP_ERR_NULL_POINTER);
  v.configs[1].pp_ref = str(PP_REF);

  /* A verifier's signed result replayed as evidence (to a verifier that, carelessly, endorses
   * the verifier key): refused by name, by every evidence entry point. */
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, hsm_signer(&ver_hsm), res,
                           sizeof res, &rn),
           ECNPP_OK);
  a = poisoned;
  CHECK_RC(ecnpp_appraise(res, rn, 0, &ver_trust, &v.p, &a), ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE);
  CHECK(memcmp(&a, &poisoned, sizeof a) == 0);
  CHECK_RC(ecnpp_evidence_verify(res, rn, 0, &ver_trust, storage, 2, &got),
           ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE);
  memset(m, POISON, sizeof m);
  CHECK_RC(ecnpp_result_sign(res, rn, 0, &ver_trust, &v.p, NULL, 0, hsm_signer(&ver_hsm), m,
                             sizeof m, &w),
           ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE);
  CHECK(w == POISON_SIZE && all_bytes(m, sizeof m, POISON));
  /* the marker is signed: a device stating the result profile is refused the same way */
  len = sign_raw(&dev_hsm,
                 "a1 190109 55 69d9cea1b8dbcac2be95b8a2c8f9ccc892ce700101", m, sizeof m);
  CHECK_RC(ecnpp_appraise(m, len, 0, &trust, &v.p, &a), ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE);
  /* and evidence given to a relying party as a result (one that trusts the device key as a
   * verifier's) */
  CHECK_RC(ecnpp_result_verify(tok, n, 0, dev_vk, &r), ECNPP_ERR_EVIDENCE_GIVEN_AS_RESULT);
  CHECK_RC(ecnpp_result_verify(res, rn, 0, ver_vk, &r), ECNPP_OK);
}

/* Every pointer and length of an endorsement, checked whether or not the token selects it. */
static void test_endorsement_misuse(void) {
  static const uint8_t long_bytes[40] = {0};
  static uint64_t m_words[128]; /* aligned: a model array is placed inside it */
  uint8_t *m = (uint8_t *)m_words, tok[1024];
  device d;
  verifier_policy v;
  ecnpp_model models[ECNPP_MAX_MODELS + 1], bad[1];
  ecnpp_endorsement ends[2], one = endorse(dev_vk, NULL);
  ecnpp_trust list, single = trust_one(&one);
  ecnpp_evidence_claims got, poisoned;
  ecnpp_measurement storage[2];
  ecnpp_appraisal a;
  size_t n, i, w = POISON_SIZE;
  struct {
    const char *what;
    ecnpp_result want;
  } cases[] = {
      {"key NULL", ECNPP_ERR_NULL_POINTER},
      {"key freed", ECNPP_ERR_INVALID_HANDLE},
      {"kid NULL with length", ECNPP_ERR_NULL_POINTER},
      {"kid too long", ECNPP_ERR_LENGTH_OVERFLOW},
      {"models NULL with length", ECNPP_ERR_NULL_POINTER},
      {"models too long", ECNPP_ERR_LENGTH_OVERFLOW},
      {"17 models", ECNPP_ERR_INVALID_ARGUMENT},
      {"models misaligned", ECNPP_ERR_INVALID_ARGUMENT},
      {"oemid absent", ECNPP_ERR_INVALID_ARGUMENT},
      {"oemid 5 bytes", ECNPP_ERR_INVALID_ARGUMENT},
      {"oemid NULL with length", ECNPP_ERR_NULL_POINTER},
      {"hwmodel absent", ECNPP_ERR_INVALID_ARGUMENT},
      {"hwmodel empty", ECNPP_ERR_INVALID_ARGUMENT},
      {"hwmodel 33 bytes", ECNPP_ERR_INVALID_ARGUMENT},
      {"hwmodel too long", ECNPP_ERR_LENGTH_OVERFLOW},
      {"ueid empty", ECNPP_ERR_INVALID_ARGUMENT},
      {"ueid 6 bytes", ECNPP_ERR_INVALID_ARGUMENT},
      {"ueid 34 bytes", ECNPP_ERR_INVALID_ARGUMENT},
      {"ueid NULL with length", ECNPP_ERR_NULL_POINTER},
      {"ueid too long", ECNPP_ERR_LENGTH_OVERFLOW},
  };
  ecnpp_verifying_key_storage stale_storage;
  ecnpp_verifying_key *stale = NULL;
  uint8_t pk[65];
  size_t pk_len = 0;

  CHECK_RC(ecnpp_verifying_key_to_sec1(dev_vk, pk, sizeof pk, &pk_len), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(&stale_storage, pk, pk_len, &stale), ECNPP_OK);
  ecnpp_verifying_key_free(stale);
  memset(&poisoned, POISON, sizeof poisoned);
  device_init(&d, ECNPP_PROMISE_SECURE_ENCLAVE);
  n = sign_device(&d.c, tok, sizeof tok);
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
  ends[0] = endorse(ver_vk, "device-0");
  ends[1] = endorse(dev_vk, "device-1");
  list = trust_list(ends, 2);
  for (i = 0; i < ECNPP_MAX_MODELS + 1; i++) {
    models[i].oemid = bytes(OEM, sizeof OEM);
    models[i].hwmodel = bytes("edge-node-x0", 12);
  }

  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *w_ = cases[i].what;
    int mode;
    /* mode 0: the first of a list, not the one the kid selects; mode 1: the only one */
    for (mode = 0; mode < 2; mode++) {
      ecnpp_endorsement *e = mode == 0 ? &ends[0] : &one;
      const ecnpp_trust *t = mode == 0 ? &list : &single;
      ends[0] = endorse(ver_vk, "device-0");
      ends[1] = endorse(dev_vk, "device-1");
      one = endorse(dev_vk, NULL);
      bad[0] = DEVICE_MODEL[0];
      if (!strcmp(w_, "key NULL")) e->key = NULL;
      if (!strcmp(w_, "key freed")) e->key = stale;
      if (!strcmp(w_, "kid NULL with length")) e->kid = bytes(NULL, 3);
      if (!strcmp(w_, "kid too long")) e->kid = bytes("k", SIZE_MAX);
      if (!strcmp(w_, "models NULL with length")) e->models = NULL;
      if (!strcmp(w_, "models too long")) e->models_len = SIZE_MAX / 8;
      if (!strcmp(w_, "17 models")) {
        e->models = models;
        e->models_len = ECNPP_MAX_MODELS + 1;
      }
      if (!strcmp(w_, "models misaligned"))
        e->models = (const ecnpp_model *)(const void *)((const uint8_t *)models + 1);
      if (!strncmp(w_, "oemid", 5) || !strncmp(w_, "hwmodel", 7)) e->models = bad;
      if (!strcmp(w_, "oemid absent")) bad[0].oemid = bytes(NULL, 0);
      if (!strcmp(w_, "oemid 5 bytes")) bad[0].oemid = bytes(UEID, 5);
      if (!strcmp(w_, "oemid NULL with length")) bad[0].oemid = bytes(NULL, 3);
      if (!strcmp(w_, "hwmodel absent")) bad[0].hwmodel = bytes(NULL, 0);
      if (!strcmp(w_, "hwmodel empty")) bad[0].hwmodel = bytes(MODEL, 0);
      if (!strcmp(w_, "hwmodel 33 bytes")) bad[0].hwmodel = bytes(long_bytes, 33);
      if (!strcmp(w_, "hwmodel too long")) bad[0].hwmodel = bytes(MODEL, SIZE_MAX);
      if (!strcmp(w_, "ueid empty")) e->ueid = bytes(UEID, 0);
      if (!strcmp(w_, "ueid 6 bytes")) e->ueid = bytes(UEID, 6);
      if (!strcmp(w_, "ueid 34 bytes")) e->ueid = bytes(long_bytes, 34);
      if (!strcmp(w_, "ueid NULL with length")) e->ueid = bytes(NULL, 7);
      if (!strcmp(w_, "ueid too long")) e->ueid = bytes(UEID, SIZE_MAX);
      got = poisoned;
      memset(&a, POISON, sizeof a);
      CHECK_RC(ecnpp_evidence_verify(tok, n, 0, t, storage, 2, &got), cases[i].want);
      CHECK_RC(ecnpp_appraise(tok, n, 0, t, &v.p, &a), cases[i].want);
      CHECK(memcmp(&got, &poisoned, sizeof got) == 0);
      CHECK(all_bytes((const uint8_t *)&a, sizeof a, POISON));
    }
  }

  /* exactly the bounds are accepted: 16 models (the device's last), ueid of 7 and 33 bytes */
  models[ECNPP_MAX_MODELS - 1] = DEVICE_MODEL[0];
  one = endorse(dev_vk, NULL);
  one.models = models;
  one.models_len = ECNPP_MAX_MODELS;
  appraise_expect(tok, n, &single, &v, ECNPP_STATUS_AFFIRMING, 0);
  one.ueid = bytes(UEID, 7);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &single, storage, 2, &got), ECNPP_OK);
  one.ueid = bytes(long_bytes, 33);
  appraise_expect(tok, n, &single, &v, ECNPP_STATUS_CONTRAINDICATED,
                  ECNPP_REASON_UEID_NOT_ENDORSED);
  /* the single endorsement's kid is not compared with the token's */
  one = endorse(dev_vk, "another-kid");
  appraise_expect(tok, n, &single, &v, ECNPP_STATUS_AFFIRMING, 0);

  /* result_sign: no part of an endorsement may lie inside the output */
  one = endorse(dev_vk, NULL);
  memcpy(m + 600, models, sizeof(ecnpp_model));
  one.models = (const ecnpp_model *)(const void *)(m + 600); /* the model array */
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &single, &v.p, NULL, 0, hsm_signer(&ver_hsm), m, 1024,
                             &w),
           ECNPP_ERR_INVALID_ARGUMENT);
  memcpy(m + 700, MODEL, strlen(MODEL));
  bad[0] = DEVICE_MODEL[0];
  bad[0].hwmodel = bytes(m + 700, strlen(MODEL)); /* a model's hwmodel */
  one.models = bad;
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &single, &v.p, NULL, 0, hsm_signer(&ver_hsm), m, 1024,
                             &w),
           ECNPP_ERR_INVALID_ARGUMENT);
  bad[0] = DEVICE_MODEL[0];
  memcpy(m + 800, UEID, sizeof UEID);
  one.ueid = bytes(m + 800, sizeof UEID); /* the ueid */
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &single, &v.p, NULL, 0, hsm_signer(&ver_hsm), m, 1024,
                             &w),
           ECNPP_ERR_INVALID_ARGUMENT);
  one.ueid = bytes(NULL, 0);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &single, &v.p, NULL, 0, hsm_signer(&ver_hsm), m,
                             1024, &w),
           ECNPP_OK);
  CHECK(w != POISON_SIZE);
}

/* ---------------------------------------------------------------------------------------- */
/* Attestation results and workload requirements.                                           */

static void test_results(void) {
  device d;
  verifier_policy v;
  ecnpp_endorsement dev_e = endorse(dev_vk, NULL);
  ecnpp_trust trust = trust_one(&dev_e);
  ecnpp_signer vs = hsm_signer(&ver_hsm), null_fn = {NULL, NULL}, fail = {failing_sign, NULL};
  ecnpp_verified_result r, poisoned;
  ecnpp_requirement req;
  uint8_t tok[1024], res[1024], m[1024];
  size_t n, q = 0, rn = 0, len, w = POISON_SIZE;
  int before, fail_calls = 0;
  uint32_t refusals;
  ecnpp_verifying_key_storage stale_storage;
  ecnpp_verifying_key *stale = NULL;
  uint8_t pk[65];

  fail.ctx = &fail_calls;
  memset(&poisoned, POISON, sizeof poisoned);
  device_init(&d, ECNPP_PROMISE_SECURE_ENCLAVE);
  n = sign_device(&d.c, tok, sizeof tok);
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);

  /* size query (no signer call) == bytes written; the result verifies with the verifier key */
  before = ver_hsm.calls;
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, (const uint8_t *)"verifier-1", 10, vs,
                             NULL, 0, &q),
           ECNPP_OK);
  CHECK(ver_hsm.calls == before);
  memset(res, POISON, sizeof res);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, (const uint8_t *)"verifier-1", 10, vs,
                             res, sizeof res, &rn),
           ECNPP_OK);
  CHECK(ver_hsm.calls == before + 1 && rn == q && res[0] == 0xd2 && res[rn] == POISON);
  r = poisoned;
  CHECK_RC(ecnpp_result_verify(res, rn, ECNPP_SIGN1_DETERMINISTIC, ver_vk, &r), ECNPP_OK);
  CHECK(r.promise == ECNPP_PROMISE_SECURE_ENCLAVE && r.evaluated_config == 1 && r.iat == NOW);
  CHECK(bytes_eq(r.ueid, UEID, sizeof UEID) && inside(r.ueid.ptr, r.ueid.len, res, rn));
  {
    /* the kid is the verifier's: a relying party selects the verifier key by it */
    const uint8_t *kid = NULL;
    size_t kid_len = 0;
    CHECK_RC(ecnpp_sign1_kid_untrusted(res, rn, 0, &kid, &kid_len), ECNPP_OK);
    CHECK(kid_len == 10 && memcmp(kid, "verifier-1", 10) == 0);
  }

  /* workload admission */
  CHECK_RC(ecnpp_requirement_parse(REQ_CONFIDENTIAL, &req), ECNPP_OK);
  CHECK(req.min_promise == ECNPP_PROMISE_SECURE_ENCLAVE && req.evaluated_config == 1 &&
        req.has_max_age == 1 && req.max_age == 300);
  refusals = 0xdead;
  CHECK_RC(ecnpp_requirement_admits(&req, &r, NOW + 10, &refusals), ECNPP_OK);
  CHECK(refusals == 0);
  CHECK_RC(ecnpp_requirement_admits(&req, &r, NOW + 300, &refusals), ECNPP_OK);
  CHECK(refusals == 0);
  CHECK_RC(ecnpp_requirement_admits(&req, &r, NOW + 301, &refusals), ECNPP_OK);
  CHECK(refusals == ECNPP_REFUSAL_TOO_OLD);
  CHECK_RC(ecnpp_requirement_admits(&req, &r, NOW - 1, &refusals), ECNPP_OK);
  CHECK(refusals == ECNPP_REFUSAL_TOO_OLD); /* from the future */

  /* a warning result (promise capped at secure element) is issued, and refused for enclave
   * workloads but admitted for standard ones */
  v.configs[1].promise = ECNPP_PROMISE_SECURE_ELEMENT;
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, res, sizeof res, &rn),
           ECNPP_OK);
  CHECK_RC(ecnpp_result_verify(res, rn, 0, ver_vk, &r), ECNPP_OK);
  CHECK(r.promise == ECNPP_PROMISE_SECURE_ELEMENT && r.evaluated_config == 0);
  CHECK_RC(ecnpp_requirement_admits(&req, &r, NOW + 10, &refusals), ECNPP_OK);
  CHECK(refusals == (ECNPP_REFUSAL_PROMISE_TOO_LOW | ECNPP_REFUSAL_NOT_EVALUATED));
  CHECK_RC(ecnpp_requirement_parse("promise>=standard", &req), ECNPP_OK);
  CHECK(req.min_promise == ECNPP_PROMISE_STANDARD && req.evaluated_config == 0 &&
        req.has_max_age == 0);
  CHECK_RC(ecnpp_requirement_admits(&req, &r, NOW + 1000000, &refusals), ECNPP_OK);
  CHECK(refusals == 0);
  CHECK_RC(ecnpp_requirement_parse(" evaluated , promise>=secure-element ", &req), ECNPP_OK);
  CHECK(req.min_promise == ECNPP_PROMISE_SECURE_ELEMENT && req.evaluated_config == 1);
  CHECK_RC(ecnpp_requirement_admits(&req, &r, NOW, &refusals), ECNPP_OK);
  CHECK(refusals == ECNPP_REFUSAL_NOT_EVALUATED);
  r.promise = ECNPP_PROMISE_NONE; /* no promise: refused by every requirement */
  CHECK_RC(ecnpp_requirement_admits(&req, &r, NOW, &refusals), ECNPP_OK);
  CHECK(refusals & ECNPP_REFUSAL_PROMISE_TOO_LOW);

  /* contraindicated: never issued, for the size query too; the signer is not asked */
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
  v.p.challenge.nonce = bytes("challenge-000002", 16);
  before = ver_hsm.calls;
  memset(m, POISON, sizeof m);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, NULL, 0, &w),
           ECNPP_ERR_RESULT_CONTRAINDICATED);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_RESULT_CONTRAINDICATED);
  CHECK(ver_hsm.calls == before && w == POISON_SIZE && all_bytes(m, sizeof m, POISON));
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);

  /* too small, a failing signer: outputs untouched */
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, NULL, 0, &q), ECNPP_OK);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, m, q - 1, &w),
           ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, fail, m, sizeof m, &w),
           ECNPP_ERR_SIGNER_FAILED);
  CHECK(fail_calls == 1 && ver_hsm.calls == before && w == POISON_SIZE &&
        all_bytes(m, sizeof m, POISON));
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, m, q, &w), ECNPP_OK);
  CHECK(w == q);
  w = POISON_SIZE;
  memset(m, POISON, sizeof m);

  /* NULLs, lengths, flags, empty kid, overlap, policy and trust errors */
  before = ver_hsm.calls;
  CHECK_RC(ecnpp_result_sign(NULL, n, 0, &trust, &v.p, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, NULL, &v.p, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, NULL, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 3, vs, m, sizeof m, &w),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, null_fn, m, sizeof m, &w),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, NULL, 5, &w),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, m, sizeof m, NULL),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_sign(tok, SIZE_MAX, 0, &trust, &v.p, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, (const uint8_t *)"k", SIZE_MAX, vs, m,
                             sizeof m, &w),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, m, SIZE_MAX, &w),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_result_sign(tok, n, ECNPP_SIGN1_UNTAGGED, &trust, &v.p, NULL, 0, vs, m,
                             sizeof m, &w),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, (const uint8_t *)"k", 0, vs, NULL, 0, &w),
           ECNPP_ERR_INVALID_ARGUMENT);
  memcpy(m + 600, tok, n);
  CHECK_RC(ecnpp_result_sign(m + 600, n, 0, &trust, &v.p, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_INVALID_ARGUMENT); /* evidence inside out */
  CHECK_RC(ecnpp_result_sign(m + 600, n, 0, &trust, &v.p, NULL, 0, vs, m, 600, &w), ECNPP_OK);
  CHECK(ver_hsm.calls == before + 1);
  before = ver_hsm.calls;
  w = POISON_SIZE;
  memcpy(m + 700, REGISTRAR, strlen(REGISTRAR));
  v.p.registrar.ptr = (const char *)(m + 700); /* a policy string inside out */
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_INVALID_ARGUMENT);
  v.p.registrar = str(REGISTRAR);
  v.refs[0].content = bytes(m + 800, 32); /* a reference value inside out */
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_INVALID_ARGUMENT);
  v.refs[0].content = bytes(FW, sizeof FW);
  {
    ecnpp_endorsement e = endorse(dev_vk, NULL);
    ecnpp_trust t = trust_list(&e, 1);
    e.kid = bytes(m + 900, 8); /* an endorsement's kid inside out */
    CHECK_RC(ecnpp_result_sign(tok, n, 0, &t, &v.p, NULL, 0, vs, m, sizeof m, &w),
             ECNPP_ERR_INVALID_ARGUMENT);
    e.kid = bytes("device-9", 8);
    memset(m, POISON, sizeof m); /* from here on, nothing may be written to it */
    CHECK_RC(ecnpp_result_sign(tok, n, 0, &t, &v.p, NULL, 0, vs, m, sizeof m, &w),
             ECNPP_ERR_KEY_NOT_TRUSTED);
  }
  v.p.require_oemboot = 7;
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_INVALID_POLICY);
  v.p.require_oemboot = 1;
  len = sign_raw(&dev_hsm, "01", res, sizeof res);
  CHECK_RC(ecnpp_result_sign(res, len, 0, &trust, &v.p, NULL, 0, vs, m, sizeof m, &w),
           ECNPP_ERR_INVALID_PAYLOAD);
  CHECK(ver_hsm.calls == before && w == POISON_SIZE && all_bytes(m, sizeof m, POISON));

  /* result verification */
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, vs, res, sizeof res, &rn),
           ECNPP_OK);
  r = poisoned;
  CHECK_RC(ecnpp_result_verify(res, rn, 0, dev_vk, &r), ECNPP_ERR_VERIFICATION_FAILED);
  CHECK_RC(ecnpp_result_verify(res, rn - 1, 0, ver_vk, &r), ECNPP_ERR_TRUNCATED);
  CHECK_RC(ecnpp_result_verify(tok, n, 0, dev_vk, &r), ECNPP_ERR_EVIDENCE_GIVEN_AS_RESULT);
  len = sign_raw(&ver_hsm, "a10a486e6f6e63652d3031", m, sizeof m);
  CHECK_RC(ecnpp_result_verify(m, len, 0, ver_vk, &r), ECNPP_ERR_WRONG_PROFILE);
  len = sign_raw(&ver_hsm, "01", m, sizeof m);
  CHECK_RC(ecnpp_result_verify(m, len, 0, ver_vk, &r), ECNPP_ERR_INVALID_PAYLOAD);
  len = sign_raw(&ver_hsm, "a1 3a00015ff4 07", m, sizeof m); /* promise 7 */
  CHECK_RC(ecnpp_result_verify(m, len, 0, ver_vk, &r), ECNPP_ERR_INVALID_CLAIM);
  CHECK_RC(ecnpp_result_verify(NULL, rn, 0, ver_vk, &r), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_verify(res, rn, 0, NULL, &r), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_verify(res, rn, 0, ver_vk, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_result_verify(res, SIZE_MAX, 0, ver_vk, &r), ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_result_verify(res, rn, 0x800, ver_vk, &r), ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_verifying_key_to_sec1(ver_vk, pk, sizeof pk, &len), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(&stale_storage, pk, len, &stale), ECNPP_OK);
  ecnpp_verifying_key_free(stale);
  CHECK_RC(ecnpp_result_verify(res, rn, 0, stale, &r), ECNPP_ERR_INVALID_HANDLE);
  CHECK(memcmp(&r, &poisoned, sizeof r) == 0);

  /* requirement parsing and admission errors: outputs untouched */
  {
    static const char *bad[] = {"",
                                "evaluated",
                                "promise>=gold",
                                "promise>=standard,promise>=standard",
                                "max-age=x,promise>=standard",
                                "promise>=standard,max-age=-1",
                                "promise>=standard,,evaluated",
                                "foo"};
    static const char not_utf8[] = {'p', (char)0xff, 0};
    ecnpp_requirement rq, poisoned_rq;
    size_t i;
    memset(&poisoned_rq, POISON, sizeof poisoned_rq);
    rq = poisoned_rq;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
      CHECK_RC(ecnpp_requirement_parse(bad[i], &rq), ECNPP_ERR_INVALID_ARGUMENT);
    CHECK_RC(ecnpp_requirement_parse(not_utf8, &rq), ECNPP_ERR_INVALID_UTF8);
    CHECK_RC(ecnpp_requirement_parse(NULL, &rq), ECNPP_ERR_NULL_POINTER);
    CHECK_RC(ecnpp_requirement_parse(REQ_CONFIDENTIAL, NULL), ECNPP_ERR_NULL_POINTER);
    CHECK(memcmp(&rq, &poisoned_rq, sizeof rq) == 0);

    CHECK_RC(ecnpp_result_verify(res, rn, 0, ver_vk, &r), ECNPP_OK);
    CHECK_RC(ecnpp_requirement_parse(REQ_CONFIDENTIAL, &rq), ECNPP_OK);
    refusals = 0xdead;
    CHECK_RC(ecnpp_requirement_admits(NULL, &r, NOW, &refusals), ECNPP_ERR_NULL_POINTER);
    CHECK_RC(ecnpp_requirement_admits(&rq, NULL, NOW, &refusals), ECNPP_ERR_NULL_POINTER);
    CHECK_RC(ecnpp_requirement_admits(&rq, &r, NOW, NULL), ECNPP_ERR_NULL_POINTER);
    rq.min_promise = ECNPP_PROMISE_NONE;
    CHECK_RC(ecnpp_requirement_admits(&rq, &r, NOW, &refusals), ECNPP_ERR_INVALID_ARGUMENT);
    rq.min_promise = ECNPP_PROMISE_STANDARD;
    rq.evaluated_config = 2;
    CHECK_RC(ecnpp_requirement_admits(&rq, &r, NOW, &refusals), ECNPP_ERR_INVALID_ARGUMENT);
    rq.evaluated_config = 0;
    rq.has_max_age = 9;
    CHECK_RC(ecnpp_requirement_admits(&rq, &r, NOW, &refusals), ECNPP_ERR_INVALID_ARGUMENT);
    rq.has_max_age = 0;
    r.promise = 4;
    CHECK_RC(ecnpp_requirement_admits(&rq, &r, NOW, &refusals), ECNPP_ERR_INVALID_ARGUMENT);
    r.promise = ECNPP_PROMISE_STANDARD;
    r.evaluated_config = 3;
    CHECK_RC(ecnpp_requirement_admits(&rq, &r, NOW, &refusals), ECNPP_ERR_INVALID_ARGUMENT);
    CHECK(refusals == 0xdead);
    /* a max-age beyond INT64_MAX never expires a result */
    r.evaluated_config = 1;
    rq.has_max_age = 1;
    rq.max_age = UINT64_MAX;
    r.iat = INT64_MIN;
    CHECK_RC(ecnpp_requirement_admits(&rq, &r, INT64_MAX, &refusals), ECNPP_OK);
    CHECK(refusals == 0);
  }
}

/* The whole flow with keys in caller storage and callback signers: no allocation at all. */
static void test_eat_heap_free(void) {
  device d;
  verifier_policy v;
  ecnpp_endorsement dev_e = endorse(dev_vk, NULL);
  ecnpp_trust trust = trust_one(&dev_e);
  ecnpp_evidence_claims back;
  ecnpp_measurement storage[2];
  ecnpp_appraisal a;
  ecnpp_verified_result r;
  ecnpp_requirement req;
  uint8_t tok[1024], res[1024];
  size_t q = 0, n = 0, rn = 0;
  uint32_t refusals = 1;
  long before;

  device_init(&d, ECNPP_PROMISE_SECURE_ENCLAVE);
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
  before = allocations;
  CHECK_RC(ecnpp_evidence_sign(&d.c, (const uint8_t *)"device-1", 8, hsm_signer(&dev_hsm), NULL,
                               0, &q),
           ECNPP_OK);
  CHECK_RC(ecnpp_evidence_sign(&d.c, (const uint8_t *)"device-1", 8, hsm_signer(&dev_hsm), tok,
                               q, &n),
           ECNPP_OK);
  CHECK_RC(ecnpp_evidence_verify(tok, n, 0, &trust, storage, 2, &back), ECNPP_OK);
  CHECK_RC(ecnpp_policy_init(&v.p), ECNPP_OK);
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
  CHECK_RC(ecnpp_appraise(tok, n, 0, &trust, &v.p, &a), ECNPP_OK);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, hsm_signer(&ver_hsm), NULL, 0,
                             &q),
           ECNPP_OK);
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, hsm_signer(&ver_hsm), res,
                             sizeof res, &rn),
           ECNPP_OK);
  CHECK_RC(ecnpp_result_verify(res, rn, 0, ver_vk, &r), ECNPP_OK);
  CHECK_RC(ecnpp_requirement_parse(REQ_CONFIDENTIAL, &req), ECNPP_OK);
  CHECK_RC(ecnpp_requirement_admits(&req, &r, NOW + 10, &refusals), ECNPP_OK);
  (void)ecnpp_result_reason_str(ECNPP_REASON_DEBUG_ENABLED);
  CHECK_RC(ecnpp_evidence_sign(&d.c, NULL, 0, hsm_signer(&dev_hsm), tok, 3, &n),
           ECNPP_ERR_BUFFER_TOO_SMALL); /* the error paths too */
  CHECK_RC(ecnpp_result_verify(tok, 3, 0, ver_vk, &r), ECNPP_ERR_TRUNCATED);
  CHECK(allocations == before);
  CHECK(a.status == ECNPP_STATUS_AFFIRMING && refusals == 0);
}

/* Evidence across the language boundary: the Rust API's token checked here; ours printed. */
static void test_eat_interop(const char *rust_hex) {
  static uint8_t rust_tok[2048], tok[2048], res[1024];
  device d;
  verifier_policy v;
  ecnpp_endorsement dev_e = endorse(dev_vk, NULL);
  ecnpp_trust trust = trust_one(&dev_e);
  ecnpp_evidence_claims got;
  ecnpp_measurement storage[2];
  ecnpp_appraisal a;
  size_t rn_tok = from_hex(rust_hex, rust_tok, sizeof rust_tok), n, rn = 0;

  CHECK(rn_tok > 0 && rn_tok < sizeof rust_tok);
  device_init(&d, ECNPP_PROMISE_SECURE_ENCLAVE);
  CHECK_RC(ecnpp_evidence_verify(rust_tok, rn_tok, ECNPP_SIGN1_DETERMINISTIC, &trust, storage, 2,
                                 &got),
           ECNPP_OK);
  check_claims_equal(&got, &d);
  policy_for(&v, ECNPP_PROMISE_SECURE_ENCLAVE, 1);
  CHECK_RC(ecnpp_appraise(rust_tok, rn_tok, 0, &trust, &v.p, &a), ECNPP_OK);
  CHECK(a.status == ECNPP_STATUS_AFFIRMING && a.reasons == 0);

  n = sign_device(&d.c, tok, sizeof tok);
  CHECK(n == rn_tok && memcmp(tok, rust_tok, n) == 0); /* byte-identical */
  printf("C_EVIDENCE=");
  print_hex(stdout, tok, n);
  printf("\n");
  CHECK_RC(ecnpp_result_sign(tok, n, 0, &trust, &v.p, NULL, 0, hsm_signer(&ver_hsm), res,
                             sizeof res, &rn),
           ECNPP_OK);
  printf("C_RESULT=");
  print_hex(stdout, res, rn);
  printf("\n");
}

void test_eat(const char *rust_evidence_hex) {
  memset(FW, 0x11, sizeof FW);
  memset(TEE_FW, 0x22, sizeof TEE_FW);
  memset(OTHER_FW, 0x99, sizeof OTHER_FW);
  hsm_init(&dev_hsm, 0x31);
  hsm_init(&ver_hsm, 0x32);
  dev_vk = hsm_public(&dev_hsm, &dev_vks);
  ver_vk = hsm_public(&ver_hsm, &ver_vks);

  test_names();
  test_evidence_sign();
  test_evidence_verify();
  test_appraise();
  test_endorsement_refusals();
  test_endorsement_misuse();
  test_results();
  test_eat_heap_free();
  if (rust_evidence_hex) test_eat_interop(rust_evidence_hex);

  ecnpp_verifying_key_free(ver_vk);
  ecnpp_verifying_key_free(dev_vk);
  ecnpp_signing_key_free(ver_hsm.key);
  ecnpp_signing_key_free(dev_hsm.key);
}
