/*
 * C tests of the ecnpp_attest C API, driven by ffi/tests/c_api.rs: phase 1 (keys, signers,
 * COSE_Sign1) here, phase 2 (evidence, appraisal, results) in test_eat.c, linked together.
 *
 * Built with -std=c99 -Wall -Wextra -Werror -pedantic, linked against the static library with
 * -lpthread -ldl -lm and -Wl,--wrap for the allocator (to prove the heap-free path), and run
 * plain, under valgrind --leak-check=full, and rebuilt with -fsanitize=address,undefined.
 *
 * Usage: test_c_api [RUST_TOKEN_HEX [RUST_EVIDENCE_HEX]]
 * With an argument, the token (signed by the Rust API: key TEST_D, kid "device-1", aad "ctx",
 * payload TEST_PAYLOAD) is verified here, and the same token signed through the C API is
 * printed as "C_TOKEN=<hex>" for the Rust side to verify and compare. The second argument is
 * ECN PP evidence signed by ecnpp::sign_evidence (see test_eat.c), which prints C_EVIDENCE= and
 * C_RESULT= lines in turn.
 *
 * Prints "N passed, M failed" last; exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecnpp_attest.h"
#include "harness.h"

#ifndef ECNPP_TEST_VERSION
#error "build with -DECNPP_TEST_VERSION=\"x.y.z\""
#endif

/* ---------------------------------------------------------------------------------------- */
/* The test framework (CHECK, CHECK_RC, seen[]) is in harness.h, shared with test_eat.c.       */

int passed, failed;
int seen[1000];

/* ---------------------------------------------------------------------------------------- */
/* Allocation counting through -Wl,--wrap=... (the heap-free check).                        */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
int __real_posix_memalign(void **p, size_t align, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);

volatile long allocations;
void *__wrap_malloc(size_t size) { allocations++; return __real_malloc(size); }
void *__wrap_calloc(size_t n, size_t size) { allocations++; return __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t size) { allocations++; return __real_realloc(p, size); }
int __wrap_posix_memalign(void **p, size_t align, size_t size) {
  allocations++;
  return __real_posix_memalign(p, align, size);
}
void *__wrap_aligned_alloc(size_t align, size_t size) {
  allocations++;
  return __real_aligned_alloc(align, size);
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers.                                                                                 */

size_t from_hex(const char *hex, uint8_t *out, size_t cap) {
  size_t n = 0;
  int hi = -1;
  for (; *hex; hex++) {
    int v;
    char c = *hex;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    if (hi < 0) {
      hi = v;
    } else {
      if (n < cap) out[n] = (uint8_t)(hi * 16 + v);
      n++;
      hi = -1;
    }
  }
  return n;
}

void print_hex(FILE *f, const uint8_t *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) fprintf(f, "%02x", b[i]);
}

int all_bytes(const uint8_t *b, size_t n, uint8_t v) {
  size_t i;
  for (i = 0; i < n; i++)
    if (b[i] != v) return 0;
  return 1;
}

/* The key of core's crypto tests, with its known public point. */
static const char *TEST_D = "57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3";
static const char *TEST_X = "bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff";
static const char *TEST_Y = "20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e";
/* {10: h'6e6f6e63652d3031'} */
static const char *TEST_PAYLOAD = "a10a486e6f6e63652d3031";

/* A 64-byte in-range signature item, for crafted messages. */
#define S8 "1111111111111111"
#define SIG " 5840" S8 S8 S8 S8 S8 S8 S8 S8

static ecnpp_signing_key *test_key(void) {
  uint8_t d[32];
  ecnpp_signing_key *k = NULL;
  from_hex(TEST_D, d, sizeof d);
  CHECK_RC(ecnpp_signing_key_from_bytes(d, sizeof d, &k), ECNPP_OK);
  return k;
}

static ecnpp_verifying_key *test_vk(const ecnpp_signing_key *k) {
  uint8_t pk[65];
  size_t n = 0;
  ecnpp_verifying_key *vk = NULL;
  CHECK_RC(ecnpp_signing_key_public_key(k, pk, sizeof pk, &n), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_from_sec1(pk, n, &vk), ECNPP_OK);
  return vk;
}

/* ---------------------------------------------------------------------------------------- */
/* Signer callbacks.                                                                        */

/* Counts calls and delegates to another signer (a software key standing in for an HSM). */
typedef struct {
  ecnpp_signer inner;
  int calls;
} counting_ctx;

static int counting_sign(void *ctx, const uint8_t digest[32], uint8_t sig_out[64]) {
  counting_ctx *c = (counting_ctx *)ctx;
  c->calls++;
  return c->inner.sign(c->inner.ctx, digest, sig_out);
}

static int failing_sign(void *ctx, const uint8_t digest[32], uint8_t sig_out[64]) {
  (void)digest;
  (void)sig_out;
  (*(int *)ctx)++;
  return -1;
}

/* "Succeeds" without writing: the zeroed signature is out of range. */
static int silent_sign(void *ctx, const uint8_t digest[32], uint8_t sig_out[64]) {
  (void)digest;
  (*(int *)ctx)++;
  if (!all_bytes(sig_out, 64, 0)) return 1; /* the contract: sig_out is zeroed beforehand */
  return 0;
}

/* Writes s = n, the group order: out of range. */
static int order_sign(void *ctx, const uint8_t digest[32], uint8_t sig_out[64]) {
  (void)digest;
  (void)ctx;
  memset(sig_out, 1, 32);
  from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", sig_out + 32, 32);
  return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Tests.                                                                                   */

static void test_version_and_result_str(void) {
  static const ecnpp_result codes[] = {
      ECNPP_OK,
      ECNPP_ERR_TRUNCATED, ECNPP_ERR_TRAILING_BYTES, ECNPP_ERR_MALFORMED,
      ECNPP_ERR_INDEFINITE_LENGTH, ECNPP_ERR_NON_DETERMINISTIC, ECNPP_ERR_INVALID_UTF8,
      ECNPP_ERR_DUPLICATE_KEY, ECNPP_ERR_DEPTH_EXCEEDED, ECNPP_ERR_TOO_MANY_ENTRIES,
      ECNPP_ERR_UNEXPECTED_TYPE, ECNPP_ERR_INTEGER_OUT_OF_RANGE, ECNPP_ERR_INVALID_MAP_KEY,
      ECNPP_ERR_UNEXPECTED_TAG, ECNPP_ERR_MISSING_TAG, ECNPP_ERR_INVALID_STRUCTURE,
      ECNPP_ERR_MISSING_ALGORITHM, ECNPP_ERR_ALGORITHM_NOT_PROTECTED,
      ECNPP_ERR_ALGORITHM_IN_BOTH_BUCKETS, ECNPP_ERR_UNSUPPORTED_ALGORITHM,
      ECNPP_ERR_ALGORITHM_KEY_MISMATCH, ECNPP_ERR_INVALID_CRITICAL,
      ECNPP_ERR_CRITICAL_NOT_PROTECTED, ECNPP_ERR_UNKNOWN_CRITICAL_HEADER,
      ECNPP_ERR_INVALID_HEADER, ECNPP_ERR_MISSING_DETACHED_PAYLOAD,
      ECNPP_ERR_UNEXPECTED_DETACHED_PAYLOAD, ECNPP_ERR_INVALID_PAYLOAD,
      ECNPP_ERR_INVALID_SIGNATURE_LENGTH, ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE,
      ECNPP_ERR_VERIFICATION_FAILED, ECNPP_ERR_INVALID_KEY, ECNPP_ERR_UNSUPPORTED_KEY_TYPE,
      ECNPP_ERR_SIGNER_FAILED, ECNPP_ERR_KEY_NOT_TRUSTED, ECNPP_ERR_BUFFER_TOO_SMALL,
      ECNPP_ERR_LENGTH_OVERFLOW, ECNPP_ERR_INVALID_ARGUMENT, ECNPP_ERR_INVALID_CLAIM,
      ECNPP_ERR_MISSING_CLAIM, ECNPP_ERR_WRONG_PROFILE, ECNPP_ERR_MISSING_SUBMODULE,
      ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE, ECNPP_ERR_EVIDENCE_GIVEN_AS_RESULT,
      ECNPP_ERR_INVALID_POLICY, ECNPP_ERR_RESULT_CONTRAINDICATED, ECNPP_ERR_PROFILE_WITHOUT_RULES,
      ECNPP_ERR_NULL_POINTER, ECNPP_ERR_PANIC, ECNPP_ERR_INVALID_HANDLE, ECNPP_ERR_INTERNAL,
  };
  static const int32_t unknown[] = {-1, 1, 99, 112, 215, 307, 699, 904, 999, INT32_MAX,
                                     INT32_MIN};
  size_t i, j;

  CHECK(ecnpp_version() != NULL);
  CHECK(strcmp(ecnpp_version(), ECNPP_TEST_VERSION) == 0);
  CHECK(ecnpp_version() == ecnpp_version()); /* static */

  CHECK(strcmp(ecnpp_result_str(ECNPP_OK), "success") == 0);
  CHECK(strcmp(ecnpp_result_str(ECNPP_ERR_VERIFICATION_FAILED), "verification failed") == 0);
  for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    const char *s = ecnpp_result_str(codes[i]);
    CHECK(s != NULL && strlen(s) > 0 && strlen(s) < 64);
    CHECK(strcmp(s, "unknown result code") != 0);
    CHECK(s == ecnpp_result_str(codes[i]));
    CHECK(i == 0 || codes[i] > codes[i - 1]); /* listed once, in order */
    for (j = 0; j < i; j++) CHECK(strcmp(s, ecnpp_result_str(codes[j])) != 0);
  }
  for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
    CHECK(strcmp(ecnpp_result_str(unknown[i]), "unknown result code") == 0);
}

static void test_signing_key(void) {
  uint8_t d[32], zero[32] = {0}, order[32], pk[65], x[32], y[32];
  ecnpp_signing_key *k = (ecnpp_signing_key *)POISON_PTR, *k2 = NULL;
  ecnpp_signing_key_storage storage;
  ecnpp_signer signer;
  size_t n = POISON_SIZE;
  uint8_t buf[80];

  from_hex(TEST_D, d, sizeof d);
  from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", order, 32);

  /* errors leave *key_out alone */
  CHECK_RC(ecnpp_signing_key_from_bytes(NULL, 32, &k), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_signing_key_from_bytes(d, 32, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_signing_key_from_bytes(NULL, 0, &k), ECNPP_ERR_INVALID_KEY);
  CHECK_RC(ecnpp_signing_key_from_bytes(d, 31, &k), ECNPP_ERR_INVALID_KEY);
  CHECK_RC(ecnpp_signing_key_from_bytes(d, 33, &k), ECNPP_ERR_INVALID_KEY);
  CHECK_RC(ecnpp_signing_key_from_bytes(zero, 32, &k), ECNPP_ERR_INVALID_KEY);
  CHECK_RC(ecnpp_signing_key_from_bytes(order, 32, &k), ECNPP_ERR_INVALID_KEY);
  CHECK_RC(ecnpp_signing_key_from_bytes(d, SIZE_MAX, &k), ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_signing_key_from_bytes(d, (size_t)PTRDIFF_MAX + 1, &k),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK(k == (ecnpp_signing_key *)POISON_PTR);

  CHECK_RC(ecnpp_signing_key_from_bytes(d, sizeof d, &k), ECNPP_OK);
  CHECK(k != NULL && k != (ecnpp_signing_key *)POISON_PTR);

  /* public key: known answer, size query, short buffer, NULLs */
  CHECK_RC(ecnpp_signing_key_public_key(k, NULL, 0, &n), ECNPP_OK);
  CHECK(n == 65 && n == ECNPP_SEC1_UNCOMPRESSED_LEN);
  n = POISON_SIZE;
  memset(buf, POISON, sizeof buf);
  CHECK_RC(ecnpp_signing_key_public_key(k, buf, 65, &n), ECNPP_OK);
  CHECK(n == 65 && buf[0] == 0x04 && buf[65] == POISON);
  from_hex(TEST_X, x, 32);
  from_hex(TEST_Y, y, 32);
  CHECK(memcmp(buf + 1, x, 32) == 0 && memcmp(buf + 33, y, 32) == 0);
  memcpy(pk, buf, 65);
  n = POISON_SIZE;
  memset(buf, POISON, sizeof buf);
  CHECK_RC(ecnpp_signing_key_public_key(k, buf, 64, &n), ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK_RC(ecnpp_signing_key_public_key(k, buf, 0, &n), ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK(n == POISON_SIZE && all_bytes(buf, sizeof buf, POISON));
  CHECK_RC(ecnpp_signing_key_public_key(NULL, buf, 65, &n), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_signing_key_public_key(k, NULL, 65, &n), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_signing_key_public_key(k, buf, 65, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_signing_key_public_key(k, buf, SIZE_MAX, &n), ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK(n == POISON_SIZE && all_bytes(buf, sizeof buf, POISON));

  /* as_signer */
  memset(&signer, POISON, sizeof signer);
  CHECK_RC(ecnpp_signing_key_as_signer(NULL, &signer), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_signing_key_as_signer(k, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK(all_bytes((const uint8_t *)&signer, sizeof signer, POISON));
  CHECK_RC(ecnpp_signing_key_as_signer(k, &signer), ECNPP_OK);
  CHECK(signer.sign != NULL && signer.ctx == (void *)k);
  {
    uint8_t digest[32] = {1, 2, 3}, sig1[64], sig2[64];
    CHECK(signer.sign(signer.ctx, digest, sig1) == 0);
    CHECK(signer.sign(signer.ctx, digest, sig2) == 0);
    CHECK(memcmp(sig1, sig2, 64) == 0); /* RFC 6979: deterministic */
    CHECK(!all_bytes(sig1, 64, 0));
    CHECK(signer.sign(NULL, digest, sig1) != 0);
    CHECK(signer.sign(signer.ctx, NULL, sig1) != 0);
    CHECK(signer.sign(signer.ctx, digest, NULL) != 0);
  }

  /* in caller storage */
  memset(&storage, POISON, sizeof storage);
  CHECK_RC(ecnpp_signing_key_from_bytes_in(NULL, d, 32, &k2), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_signing_key_from_bytes_in(&storage, NULL, 32, &k2), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_signing_key_from_bytes_in(&storage, d, 32, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_signing_key_from_bytes_in(&storage, d, SIZE_MAX, &k2),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_signing_key_from_bytes_in(&storage, zero, 32, &k2), ECNPP_ERR_INVALID_KEY);
  CHECK(k2 == NULL && all_bytes((const uint8_t *)&storage, sizeof storage, POISON));
  CHECK_RC(ecnpp_signing_key_from_bytes_in(&storage, d, 32, &k2), ECNPP_OK);
  CHECK((void *)k2 == (void *)&storage);
  n = 0;
  memset(buf, 0, sizeof buf);
  CHECK_RC(ecnpp_signing_key_public_key(k2, buf, sizeof buf, &n), ECNPP_OK);
  CHECK(n == 65 && memcmp(buf, pk, 65) == 0);
  ecnpp_signing_key_free(k2);
  CHECK(all_bytes((const uint8_t *)&storage, sizeof storage, 0)); /* zeroized */
  /* a stale handle into freed storage is detected, and a second free is a no-op */
  CHECK_RC(ecnpp_signing_key_public_key(k2, buf, sizeof buf, &n),
           ECNPP_ERR_INVALID_HANDLE);
  CHECK_RC(ecnpp_signing_key_as_signer(k2, &signer), ECNPP_ERR_INVALID_HANDLE);
  ecnpp_signing_key_free(k2);
  CHECK(all_bytes((const uint8_t *)&storage, sizeof storage, 0));
  /* the storage can be reused */
  CHECK_RC(ecnpp_signing_key_from_bytes_in(&storage, d, 32, &k2), ECNPP_OK);
  ecnpp_signing_key_free(k2);

  ecnpp_signing_key_free(k);
  ecnpp_signing_key_free(NULL);
}

static void test_verifying_key(void) {
  ecnpp_signing_key *sk = test_key();
  uint8_t pk[65], pk2[65], compressed[33], bad[65], buf[128];
  ecnpp_verifying_key *vk = (ecnpp_verifying_key *)POISON_PTR, *vk2 = NULL, *vk3 = NULL;
  ecnpp_verifying_key_storage storage;
  size_t n = 0;

  CHECK_RC(ecnpp_signing_key_public_key(sk, pk, sizeof pk, &n), ECNPP_OK);
  compressed[0] = (uint8_t)(0x02 | (pk[64] & 1));
  memcpy(compressed + 1, pk + 1, 32);
  memcpy(bad, pk, 65);
  bad[64] ^= 1; /* off the curve */

  CHECK_RC(ecnpp_verifying_key_from_sec1(NULL, 65, &vk), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_sec1(pk, 65, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_sec1(pk, SIZE_MAX, &vk), ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_verifying_key_from_sec1(bad, 65, &vk), ECNPP_ERR_INVALID_KEY);
  CHECK_RC(ecnpp_verifying_key_from_sec1(pk, 64, &vk), ECNPP_ERR_INVALID_KEY);
  CHECK_RC(ecnpp_verifying_key_from_sec1(NULL, 0, &vk), ECNPP_ERR_INVALID_KEY);
  CHECK(vk == (ecnpp_verifying_key *)POISON_PTR);
  CHECK_RC(ecnpp_verifying_key_from_sec1(pk, 65, &vk), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_from_sec1(compressed, 33, &vk2), ECNPP_OK);

  /* to_sec1: both give the uncompressed point; size query; short; NULLs */
  n = 0;
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk2, NULL, 0, &n), ECNPP_OK);
  CHECK(n == 65);
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk2, pk2, sizeof pk2, &n), ECNPP_OK);
  CHECK(n == 65 && memcmp(pk, pk2, 65) == 0);
  n = POISON_SIZE;
  memset(buf, POISON, sizeof buf);
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk, buf, 64, &n), ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK_RC(ecnpp_verifying_key_to_sec1(NULL, buf, 65, &n), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk, NULL, 65, &n), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk, buf, 65, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk, buf, SIZE_MAX, &n), ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK(n == POISON_SIZE && all_bytes(buf, sizeof buf, POISON));

  /* in storage */
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(NULL, pk, 65, &vk3), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(&storage, NULL, 65, &vk3), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(&storage, pk, 65, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(&storage, pk, SIZE_MAX, &vk3),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(&storage, bad, 65, &vk3), ECNPP_ERR_INVALID_KEY);
  CHECK(vk3 == NULL);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(&storage, pk, 65, &vk3), ECNPP_OK);
  CHECK((void *)vk3 == (void *)&storage);
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk3, pk2, sizeof pk2, &n), ECNPP_OK);
  CHECK(n == 65 && memcmp(pk, pk2, 65) == 0);
  ecnpp_verifying_key_free(vk3);
  CHECK(all_bytes((const uint8_t *)&storage, sizeof storage, 0));
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk3, pk2, sizeof pk2, &n), ECNPP_ERR_INVALID_HANDLE);
  ecnpp_verifying_key_free(vk3);

  /* a signing key handle passed as a verifying key is caught by the type tag */
  CHECK_RC(ecnpp_verifying_key_to_sec1((const ecnpp_verifying_key *)(const void *)sk, pk2,
                                       sizeof pk2, &n),
           ECNPP_ERR_INVALID_HANDLE);

  ecnpp_verifying_key_free(vk);
  ecnpp_verifying_key_free(vk2);
  ecnpp_verifying_key_free(NULL);
  ecnpp_signing_key_free(sk);
}

static void test_cose_key(void) {
  ecnpp_signing_key *sk = test_key();
  ecnpp_verifying_key *vk = test_vk(sk), *vk2 = (ecnpp_verifying_key *)POISON_PTR;
  ecnpp_verifying_key_storage storage;
  uint8_t ck[128], ck2[128], pk[65], pk2[65];
  const uint8_t *kid = POISON_PTR;
  size_t kid_len = POISON_SIZE, n = POISON_SIZE, q = 0, n2 = 0;
  static const uint8_t kid_in[] = {'k', 'e', 'y', '-', '1'};
  struct {
    const char *hex;
    ecnpp_result want;
  } bad[] = {
      {"a301012001215820", ECNPP_ERR_TRUNCATED},
      {"a20101200f", ECNPP_ERR_UNSUPPORTED_KEY_TYPE},            /* kty OKP */
      {"a201022002", ECNPP_ERR_UNSUPPORTED_KEY_TYPE},            /* crv P-384 */
      {"a30102200103 3823", ECNPP_ERR_ALGORITHM_KEY_MISMATCH},   /* alg ES512 */
      {"a30102200103 3903e6", ECNPP_ERR_UNSUPPORTED_ALGORITHM},  /* alg -999 */
      {"a201022001", ECNPP_ERR_INVALID_KEY},                     /* no x, y */
      {"a301022001234101", ECNPP_ERR_INVALID_KEY},               /* private d */
      {"01", ECNPP_ERR_UNEXPECTED_TYPE},                         /* not a map */
      {"a1 1bffffffffffffffff 00", ECNPP_ERR_INTEGER_OUT_OF_RANGE},
      {"a2 0102 0102", ECNPP_ERR_DUPLICATE_KEY},
      {"a1 80 00", ECNPP_ERR_INVALID_MAP_KEY}, /* an array as a key */
      {"a1 0102 00", ECNPP_ERR_TRAILING_BYTES},
      {"bf 0102 ff", ECNPP_ERR_INDEFINITE_LENGTH},
      {"a1 1c 00", ECNPP_ERR_MALFORMED},
  };
  size_t i;

  CHECK_RC(ecnpp_signing_key_public_key(sk, pk, sizeof pk, &n), ECNPP_OK);

  /* to_cose_key without and with kid: size query == written, deterministic bytes */
  CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, NULL, 0, NULL, 0, &q), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, NULL, 0, ck, sizeof ck, &n), ECNPP_OK);
  CHECK(q == n && n == 77);
  CHECK(ck[0] == 0xa5 && ck[1] == 0x01 && ck[2] == 0x02); /* {1: 2, ...} */
  CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, kid_in, sizeof kid_in, NULL, 0, &q), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, kid_in, sizeof kid_in, ck2, sizeof ck2, &n2),
           ECNPP_OK);
  CHECK(q == n2 && n2 == n + 7);
  /* an empty kid is present (and encoded), NULL is absent */
  CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, kid_in, 0, NULL, 0, &q), ECNPP_OK);
  CHECK(q == n + 2);

  /* errors: nothing written */
  {
    uint8_t out[128];
    size_t w = POISON_SIZE;
    memset(out, POISON, sizeof out);
    CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, NULL, 0, out, n - 1, &w),
             ECNPP_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(ecnpp_verifying_key_to_cose_key(NULL, NULL, 0, out, sizeof out, &w),
             ECNPP_ERR_NULL_POINTER);
    CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, NULL, 3, out, sizeof out, &w),
             ECNPP_ERR_NULL_POINTER);
    CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, NULL, 0, NULL, 5, &w), ECNPP_ERR_NULL_POINTER);
    CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, NULL, 0, out, sizeof out, NULL),
             ECNPP_ERR_NULL_POINTER);
    CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, kid_in, SIZE_MAX, out, sizeof out, &w),
             ECNPP_ERR_LENGTH_OVERFLOW);
    CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, NULL, 0, out, SIZE_MAX, &w),
             ECNPP_ERR_LENGTH_OVERFLOW);
    /* kid inside the output buffer */
    CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, out + 10, 4, out, sizeof out, &w),
             ECNPP_ERR_INVALID_ARGUMENT);
    CHECK(w == POISON_SIZE && all_bytes(out, sizeof out, POISON));
  }

  /* from_cose_key: round trip, kid borrowed from the input */
  CHECK_RC(ecnpp_verifying_key_from_cose_key(ck2, n2, &kid, &kid_len, &vk2), ECNPP_OK);
  CHECK(kid_len == sizeof kid_in && kid >= ck2 && kid + kid_len <= ck2 + n2);
  CHECK(memcmp(kid, kid_in, kid_len) == 0);
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk2, pk2, sizeof pk2, &n), ECNPP_OK);
  CHECK(memcmp(pk, pk2, 65) == 0);
  ecnpp_verifying_key_free(vk2);
  /* no kid: NULL, 0; and the optional pair may be omitted */
  CHECK_RC(ecnpp_verifying_key_from_cose_key(ck, 77, &kid, &kid_len, &vk2), ECNPP_OK);
  CHECK(kid == NULL && kid_len == 0);
  ecnpp_verifying_key_free(vk2);
  CHECK_RC(ecnpp_verifying_key_from_cose_key(ck2, n2, NULL, NULL, &vk2), ECNPP_OK);
  ecnpp_verifying_key_free(vk2);

  /* NULLs */
  vk2 = (ecnpp_verifying_key *)POISON_PTR;
  kid = POISON_PTR;
  kid_len = POISON_SIZE;
  CHECK_RC(ecnpp_verifying_key_from_cose_key(NULL, 77, NULL, NULL, &vk2),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_cose_key(ck, 77, NULL, NULL, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_cose_key(ck, 77, &kid, NULL, &vk2), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_cose_key(ck, 77, NULL, &kid_len, &vk2),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_cose_key(ck, SIZE_MAX, NULL, NULL, &vk2),
           ECNPP_ERR_LENGTH_OVERFLOW);
  /* every malformed key: an error, outputs untouched */
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint8_t in[64];
    size_t len = from_hex(bad[i].hex, in, sizeof in);
    CHECK_RC(ecnpp_verifying_key_from_cose_key(in, len, &kid, &kid_len, &vk2), bad[i].want);
  }
  CHECK(vk2 == (ecnpp_verifying_key *)POISON_PTR && kid == POISON_PTR &&
        kid_len == POISON_SIZE);

  /* in storage */
  vk2 = NULL;
  CHECK_RC(ecnpp_verifying_key_from_cose_key_in(NULL, ck, 77, NULL, NULL, &vk2),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_cose_key_in(&storage, NULL, 77, NULL, NULL, &vk2),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_cose_key_in(&storage, ck, 77, &kid, NULL, &vk2),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_cose_key_in(&storage, ck, 77, NULL, &kid_len, &vk2),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_cose_key_in(&storage, ck, 77, NULL, NULL, NULL),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_verifying_key_from_cose_key_in(&storage, ck, SIZE_MAX, NULL, NULL, &vk2),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_verifying_key_from_cose_key_in(&storage, ck, 76, NULL, NULL, &vk2),
           ECNPP_ERR_TRUNCATED);
  CHECK(vk2 == NULL);
  CHECK_RC(ecnpp_verifying_key_from_cose_key_in(&storage, ck2, n2, &kid, &kid_len, &vk2),
           ECNPP_OK);
  CHECK((void *)vk2 == (void *)&storage && kid_len == sizeof kid_in);
  CHECK_RC(ecnpp_verifying_key_to_sec1(vk2, pk2, sizeof pk2, &n), ECNPP_OK);
  CHECK(memcmp(pk, pk2, 65) == 0);
  ecnpp_verifying_key_free(vk2);
  CHECK(all_bytes((const uint8_t *)&storage, sizeof storage, 0));

  ecnpp_verifying_key_free(vk);
  ecnpp_signing_key_free(sk);
}

static void test_sign(void) {
  ecnpp_signing_key *sk = test_key();
  ecnpp_verifying_key *vk = test_vk(sk);
  ecnpp_signer sw, cb, fail = {failing_sign, NULL}, silent = {silent_sign, NULL};
  ecnpp_signer order = {order_sign, NULL}, null_fn = {NULL, NULL};
  counting_ctx counter;
  int fail_calls = 0, silent_calls = 0;
  uint8_t payload[16], out[256], out2[256];
  static const uint8_t kid[] = {'d', '1'}, aad[] = {'a', 'a', 'd'};
  size_t plen = from_hex(TEST_PAYLOAD, payload, sizeof payload), q = 0, n = 0, n2 = 0;
  uint32_t flags;

  fail.ctx = &fail_calls;
  silent.ctx = &silent_calls;
  CHECK_RC(ecnpp_signing_key_as_signer(sk, &sw), ECNPP_OK);
  counter.inner = sw;
  counter.calls = 0;
  cb.sign = counting_sign;
  cb.ctx = &counter;

  /* every flag combination, with and without kid/aad: size query == written, verifies */
  for (flags = 0; flags < 4; flags++) {
    int with_kid;
    for (with_kid = 0; with_kid < 2; with_kid++) {
      const uint8_t *k = with_kid ? kid : NULL;
      size_t klen = with_kid ? sizeof kid : 0;
      const uint8_t *p = NULL;
      size_t pl = 0;
      int before = counter.calls;
      CHECK_RC(ecnpp_sign1_sign(cb, k, klen, aad, sizeof aad, payload, plen, flags, NULL, 0, &q),
               ECNPP_OK);
      CHECK(counter.calls == before); /* a size query never signs */
      memset(out, POISON, sizeof out);
      CHECK_RC(ecnpp_sign1_sign(cb, k, klen, aad, sizeof aad, payload, plen, flags, out,
                                sizeof out, &n),
               ECNPP_OK);
      CHECK(counter.calls == before + 1);
      CHECK(n == q && out[n] == POISON);
      CHECK((flags & ECNPP_SIGN1_UNTAGGED) ? out[0] == 0x84 : out[0] == 0xd2);
      /* the software signer gives the same bytes (deterministic ECDSA) */
      CHECK_RC(ecnpp_sign1_sign(sw, k, klen, aad, sizeof aad, payload, plen, flags, out2,
                                sizeof out2, &n2),
               ECNPP_OK);
      CHECK(n2 == n && memcmp(out, out2, n) == 0);
      /* an exact-size buffer is enough */
      CHECK_RC(ecnpp_sign1_sign(sw, k, klen, aad, sizeof aad, payload, plen, flags, out2, q,
                                &n2),
               ECNPP_OK);
      CHECK(n2 == q);
      if (flags & ECNPP_SIGN1_DETACHED) {
        CHECK_RC(ecnpp_sign1_verify(out, n,
                                    (flags & ECNPP_SIGN1_UNTAGGED) ? ECNPP_SIGN1_ACCEPT_UNTAGGED
                                                                   : 0,
                                    vk, aad, sizeof aad, payload, plen, &p, &pl),
                 ECNPP_OK);
        CHECK(p == payload && pl == plen);
      } else {
        CHECK_RC(ecnpp_sign1_verify(out, n,
                                    (flags & ECNPP_SIGN1_UNTAGGED) ? ECNPP_SIGN1_ACCEPT_UNTAGGED
                                                                   : 0,
                                    vk, aad, sizeof aad, NULL, 0, &p, &pl),
                 ECNPP_OK);
        CHECK(pl == plen && p > out && p + pl < out + n && memcmp(p, payload, plen) == 0);
      }
    }
  }

  /* empty payload and empty aad; (NULL, 0) is the empty buffer */
  CHECK_RC(ecnpp_sign1_sign(sw, NULL, 0, NULL, 0, NULL, 0, 0, out, sizeof out, &n), ECNPP_OK);
  {
    const uint8_t *p = POISON_PTR;
    size_t pl = POISON_SIZE;
    CHECK_RC(ecnpp_sign1_verify(out, n, 0, vk, NULL, 0, NULL, 0, &p, &pl), ECNPP_OK);
    CHECK(pl == 0);
  }

  /* too small: reported before the signer is called; nothing written */
  counter.calls = 0;
  CHECK_RC(ecnpp_sign1_sign(cb, kid, sizeof kid, NULL, 0, payload, plen, 0, NULL, 0, &q),
           ECNPP_OK);
  n = POISON_SIZE;
  memset(out, POISON, sizeof out);
  CHECK_RC(ecnpp_sign1_sign(cb, kid, sizeof kid, NULL, 0, payload, plen, 0, out, q - 1, &n),
           ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK_RC(ecnpp_sign1_sign(cb, kid, sizeof kid, NULL, 0, payload, plen, 0, out, 0, &n),
           ECNPP_ERR_BUFFER_TOO_SMALL);
  CHECK(counter.calls == 0 && n == POISON_SIZE && all_bytes(out, sizeof out, POISON));

  /* failing, silent and out-of-range signers */
  CHECK_RC(ecnpp_sign1_sign(fail, NULL, 0, NULL, 0, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_SIGNER_FAILED);
  CHECK(fail_calls == 1);
  CHECK_RC(ecnpp_sign1_sign(fail, NULL, 0, NULL, 0, payload, plen, 0, NULL, 0, &q), ECNPP_OK);
  CHECK(fail_calls == 1);
  CHECK_RC(ecnpp_sign1_sign(silent, NULL, 0, NULL, 0, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE);
  CHECK(silent_calls == 1);
  CHECK_RC(ecnpp_sign1_sign(order, NULL, 0, NULL, 0, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE);
  CHECK(n == POISON_SIZE && all_bytes(out, sizeof out, POISON));

  /* NULLs, lengths, flags, overlap: the signer is never called */
  CHECK_RC(ecnpp_sign1_sign(null_fn, NULL, 0, NULL, 0, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 2, NULL, 0, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 3, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, NULL, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, payload, plen, 0, NULL, 10, &n),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, payload, plen, 0, out, sizeof out, NULL),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, payload, plen, 0, NULL, 0, NULL),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_sign(cb, kid, SIZE_MAX, NULL, 0, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, aad, SIZE_MAX, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, payload, SIZE_MAX, 0, out, sizeof out, &n),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, payload, plen, 0, out, SIZE_MAX, &n),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, payload, plen, 4, out, sizeof out, &n),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, payload, plen, ECNPP_SIGN1_ACCEPT_UNTAGGED,
                            out, sizeof out, &n),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, payload, plen, 0x80000000u, out, sizeof out,
                            &n),
           ECNPP_ERR_INVALID_ARGUMENT);
  memcpy(out + 100, payload, plen);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, out + 100, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_sign1_sign(cb, out + 255, 1, NULL, 0, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, out, 1, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_INVALID_ARGUMENT);
  /* an empty kid is refused by the size query as by signing, before the signer is asked */
  CHECK_RC(ecnpp_sign1_sign(cb, kid, 0, NULL, 0, payload, plen, 0, NULL, 0, &q),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_sign1_sign(cb, kid, 0, NULL, 0, payload, plen, 0, out, sizeof out, &n),
           ECNPP_ERR_INVALID_ARGUMENT);
  /* adjacent is not overlapping */
  CHECK_RC(ecnpp_sign1_sign(cb, NULL, 0, NULL, 0, out2, plen, 0, out2 + plen, 200, &n),
           ECNPP_OK);
  CHECK(counter.calls == 1);

  ecnpp_verifying_key_free(vk);
  ecnpp_signing_key_free(sk);
}

/* Builds a crafted message from hex; for TOO_MANY_ENTRIES a 257-entry unprotected map. */
static size_t too_many_entries(uint8_t *out, size_t cap) {
  size_t n = from_hex("d2 84 43a10126 b90101", out, cap), i;
  for (i = 1; i <= 257; i++) {
    if (i <= 24) {
      out[n++] = (uint8_t)(0x20 + i - 1);
    } else if (i <= 256) {
      out[n++] = 0x38;
      out[n++] = (uint8_t)(i - 1);
    } else {
      out[n++] = 0x39;
      out[n++] = (uint8_t)((i - 1) >> 8);
      out[n++] = (uint8_t)((i - 1) & 0xff);
    }
    out[n++] = 0xf6;
  }
  n += from_hex("f6" SIG, out + n, cap - n);
  return n;
}

static void test_verify(void) {
  ecnpp_signing_key *sk = test_key();
  ecnpp_verifying_key *vk = test_vk(sk), *other = NULL;
  ecnpp_verifying_key_storage storage;
  ecnpp_verifying_key *stale = NULL;
  ecnpp_signer sw;
  uint8_t payload[16], msg[256], det[256], m[1024], other_d[32];
  static const uint8_t aad[] = {'x'};
  size_t plen = from_hex(TEST_PAYLOAD, payload, sizeof payload), n = 0, dn = 0, len;
  const uint8_t *p = POISON_PTR, *kid = POISON_PTR;
  size_t pl = POISON_SIZE, kid_len = POISON_SIZE;
  struct {
    const char *hex;
    uint32_t flags;
    ecnpp_result want;
  } cases[] = {
      {"d2 84 1c a0 f6" SIG, 0, ECNPP_ERR_MALFORMED},
      {"d2 84 43a10126 a0 f6 ff" SIG, 0, ECNPP_ERR_MALFORMED},
      {"d2 9f ff", 0, ECNPP_ERR_INDEFINITE_LENGTH},
      {"d2 84 43a10126 a1 61ff 01 f6" SIG, 0, ECNPP_ERR_INVALID_UTF8},
      {"d2 84 43a10126 a2 0440 0440 f6" SIG, 0, ECNPP_ERR_DUPLICATE_KEY},
      {"d2 84 43a10126 a1 05 8181818181818181818181818181818181818181 00 f6" SIG, 0,
       ECNPP_ERR_DEPTH_EXCEEDED},
      {"d2 84 5803a10126 a0 f6" SIG, ECNPP_SIGN1_DETERMINISTIC, ECNPP_ERR_NON_DETERMINISTIC},
      {"d1 84 43a10126 a0 f6" SIG, 0, ECNPP_ERR_UNEXPECTED_TAG},
      {"d1 84 43a10126 a0 f6" SIG, ECNPP_SIGN1_ACCEPT_UNTAGGED | ECNPP_SIGN1_ACCEPT_CWT_TAG,
       ECNPP_ERR_UNEXPECTED_TAG},
      {"d83d d2 84 43a10126 a0 f6" SIG, 0, ECNPP_ERR_UNEXPECTED_TAG},
      {"d83d d1 84 43a10126 a0 f6" SIG, ECNPP_SIGN1_ACCEPT_CWT_TAG, ECNPP_ERR_UNEXPECTED_TAG},
      {"84 43a10126 a0 f6" SIG, 0, ECNPP_ERR_MISSING_TAG},
      {"84 43a10126 a0 f6" SIG, ECNPP_SIGN1_ACCEPT_CWT_TAG, ECNPP_ERR_MISSING_TAG},
      {"d2 83 43a10126 a0 f6", 0, ECNPP_ERR_INVALID_STRUCTURE},
      {"d2 84 43a10126 80 f6" SIG, 0, ECNPP_ERR_INVALID_STRUCTURE},
      {"d2 84 40 a0 f6" SIG, 0, ECNPP_ERR_MISSING_ALGORITHM},
      {"d2 84 40 a10126 f6" SIG, 0, ECNPP_ERR_ALGORITHM_NOT_PROTECTED},
      {"d2 84 43a10126 a10126 f6" SIG, 0, ECNPP_ERR_ALGORITHM_IN_BOTH_BUCKETS},
      {"d2 84 45a1013903e6 a0 f6" SIG, 0, ECNPP_ERR_UNSUPPORTED_ALGORITHM},
      {"d2 84 45a2012602 80 a0 f6" SIG, 0, ECNPP_ERR_INVALID_CRITICAL},
      {"d2 84 43a10126 a1 028101 f6" SIG, 0, ECNPP_ERR_CRITICAL_NOT_PROTECTED},
      {"d2 84 47a20126 02811863 a0 f6" SIG, 0, ECNPP_ERR_UNKNOWN_CRITICAL_HEADER},
      {"d2 84 43a10126 a1 0401 f6" SIG, 0, ECNPP_ERR_INVALID_HEADER},
      {"d2 84 43a10126 a0 f6 583f" S8 S8 S8 S8 S8 S8 S8 "11111111111111", 0,
       ECNPP_ERR_INVALID_SIGNATURE_LENGTH},
      {"d2 84 43a10126 a0 f6 5840"
       "0000000000000000000000000000000000000000000000000000000000000000"
       "0000000000000000000000000000000000000000000000000000000000000000",
       0, ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE},
  };
  size_t i;

  CHECK_RC(ecnpp_signing_key_as_signer(sk, &sw), ECNPP_OK);
  CHECK_RC(ecnpp_sign1_sign(sw, (const uint8_t *)"kid-7", 5, aad, sizeof aad, payload, plen, 0,
                            msg, sizeof msg, &n),
           ECNPP_OK);
  CHECK_RC(ecnpp_sign1_sign(sw, NULL, 0, aad, sizeof aad, payload, plen, ECNPP_SIGN1_DETACHED,
                            det, sizeof det, &dn),
           ECNPP_OK);

  /* kid_untrusted */
  CHECK_RC(ecnpp_sign1_kid_untrusted(msg, n, 0, &kid, &kid_len), ECNPP_OK);
  CHECK(kid_len == 5 && memcmp(kid, "kid-7", 5) == 0 && kid > msg && kid < msg + n);
  CHECK_RC(ecnpp_sign1_kid_untrusted(det, dn, 0, &kid, &kid_len), ECNPP_OK);
  CHECK(kid == NULL && kid_len == 0);
  kid = POISON_PTR;
  kid_len = POISON_SIZE;
  CHECK_RC(ecnpp_sign1_kid_untrusted(NULL, n, 0, &kid, &kid_len), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_kid_untrusted(msg, n, 0, NULL, &kid_len), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_kid_untrusted(msg, n, 0, &kid, NULL), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_kid_untrusted(msg, SIZE_MAX, 0, &kid, &kid_len),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_sign1_kid_untrusted(msg, n, ECNPP_SIGN1_DETACHED, &kid, &kid_len),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_sign1_kid_untrusted(msg, n - 1, 0, &kid, &kid_len), ECNPP_ERR_TRUNCATED);
  CHECK_RC(ecnpp_sign1_kid_untrusted(NULL, 0, 0, &kid, &kid_len), ECNPP_ERR_TRUNCATED);
  CHECK(kid == POISON_PTR && kid_len == POISON_SIZE);

  /* verify: success, wrong aad, wrong key, tampered */
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl), ECNPP_OK);
  CHECK(pl == plen && memcmp(p, payload, plen) == 0);
  CHECK_RC(ecnpp_sign1_verify(msg, n, ECNPP_SIGN1_DETERMINISTIC, vk, aad, sizeof aad, NULL, 0,
                              &p, &pl),
           ECNPP_OK);
  p = POISON_PTR;
  pl = POISON_SIZE;
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, NULL, 0, NULL, 0, &p, &pl),
           ECNPP_ERR_VERIFICATION_FAILED);
  from_hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", other_d, 32);
  {
    ecnpp_signing_key *osk = NULL;
    CHECK_RC(ecnpp_signing_key_from_bytes(other_d, 32, &osk), ECNPP_OK);
    other = test_vk(osk);
    ecnpp_signing_key_free(osk);
  }
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, other, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_VERIFICATION_FAILED);
  memcpy(m, msg, n);
  m[n - 10] ^= 0x01; /* inside s, stays in range */
  CHECK_RC(ecnpp_sign1_verify(m, n, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_VERIFICATION_FAILED);
  memcpy(m, msg, n);
  m[n - 66 - 1] ^= 0x01; /* the last payload byte */
  CHECK_RC(ecnpp_sign1_verify(m, n, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_VERIFICATION_FAILED);
  CHECK(p == POISON_PTR && pl == POISON_SIZE);

  /* trailing bytes, truncation */
  memcpy(m, msg, n);
  m[n] = 0x00;
  CHECK_RC(ecnpp_sign1_verify(m, n + 1, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_TRAILING_BYTES);
  CHECK_RC(ecnpp_sign1_verify(msg, n - 1, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_TRUNCATED);
  CHECK_RC(ecnpp_sign1_verify(NULL, 0, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_TRUNCATED);

  /* detached */
  CHECK_RC(ecnpp_sign1_verify(det, dn, 0, vk, aad, sizeof aad, payload, plen, &p, &pl),
           ECNPP_OK);
  CHECK(p == payload && pl == plen);
  p = POISON_PTR;
  pl = POISON_SIZE;
  CHECK_RC(ecnpp_sign1_verify(det, dn, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_MISSING_DETACHED_PAYLOAD);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, aad, sizeof aad, payload, plen, &p, &pl),
           ECNPP_ERR_UNEXPECTED_DETACHED_PAYLOAD);
  /* a present, empty detached payload is not an absent one */
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, aad, sizeof aad, payload, 0, &p, &pl),
           ECNPP_ERR_UNEXPECTED_DETACHED_PAYLOAD);
  CHECK_RC(ecnpp_sign1_verify(det, dn, 0, vk, aad, sizeof aad, payload, 0, &p, &pl),
           ECNPP_ERR_VERIFICATION_FAILED);
  CHECK(p == POISON_PTR && pl == POISON_SIZE);

  /* tags: untagged and the CWT wrapper only with their flags */
  CHECK_RC(ecnpp_sign1_verify(msg + 1, n - 1, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_MISSING_TAG);
  CHECK_RC(ecnpp_sign1_verify(msg + 1, n - 1, ECNPP_SIGN1_ACCEPT_UNTAGGED, vk, aad, sizeof aad,
                              NULL, 0, &p, &pl),
           ECNPP_OK);
  m[0] = 0xd8;
  m[1] = 0x3d;
  memcpy(m + 2, msg, n);
  CHECK_RC(ecnpp_sign1_verify(m, n + 2, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_UNEXPECTED_TAG);
  CHECK_RC(ecnpp_sign1_verify(m, n + 2, ECNPP_SIGN1_ACCEPT_CWT_TAG, vk, aad, sizeof aad, NULL, 0,
                              &p, &pl),
           ECNPP_OK);
  CHECK(pl == plen && p > m && p < m + n + 2);

  /* algorithm and key: ES384 in the protected header */
  len = from_hex("d2 84 44a1013822 a0 f6" SIG, m, sizeof m);
  CHECK_RC(ecnpp_sign1_kid_untrusted(m, len, 0, &kid, &kid_len), ECNPP_OK);
  CHECK_RC(ecnpp_sign1_verify(m, len, 0, vk, NULL, 0, payload, plen, &p, &pl),
           ECNPP_ERR_ALGORITHM_KEY_MISMATCH);

  /* non-deterministic encoding passes without the flag (and still verifies: same bytes) */
  len = from_hex("d2 84 5803a10126 a0 f6" SIG, m, sizeof m);
  CHECK_RC(ecnpp_sign1_kid_untrusted(m, len, 0, &kid, &kid_len), ECNPP_OK);

  /* every crafted parse error, through both entry points; outputs untouched */
  kid = POISON_PTR;
  kid_len = POISON_SIZE;
  p = POISON_PTR;
  pl = POISON_SIZE;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    len = from_hex(cases[i].hex, m, sizeof m);
    CHECK_RC(ecnpp_sign1_kid_untrusted(m, len, cases[i].flags, &kid, &kid_len),
             cases[i].want);
    CHECK_RC(ecnpp_sign1_verify(m, len, cases[i].flags, vk, NULL, 0, payload, plen, &p, &pl),
             cases[i].want);
  }
  len = too_many_entries(m, sizeof m);
  CHECK_RC(ecnpp_sign1_kid_untrusted(m, len, 0, &kid, &kid_len), ECNPP_ERR_TOO_MANY_ENTRIES);
  CHECK(kid == POISON_PTR && kid_len == POISON_SIZE && p == POISON_PTR && pl == POISON_SIZE);

  /* NULLs, lengths, flags, handles */
  CHECK_RC(ecnpp_sign1_verify(NULL, n, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, NULL, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, NULL, 1, NULL, 0, &p, &pl), ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, aad, sizeof aad, NULL, 4, &p, &pl),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, aad, sizeof aad, NULL, 0, NULL, &pl),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, aad, sizeof aad, NULL, 0, &p, NULL),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, aad, sizeof aad, NULL, 0, NULL, NULL),
           ECNPP_ERR_NULL_POINTER);
  CHECK_RC(ecnpp_sign1_verify(msg, SIZE_MAX, 0, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, aad, SIZE_MAX, NULL, 0, &p, &pl),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_sign1_verify(det, dn, 0, vk, aad, sizeof aad, payload, SIZE_MAX, &p, &pl),
           ECNPP_ERR_LENGTH_OVERFLOW);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0x8, vk, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_INVALID_ARGUMENT);
  CHECK_RC(ecnpp_sign1_verify(msg, n, ECNPP_SIGN1_UNTAGGED, vk, aad, sizeof aad, NULL, 0, &p,
                              &pl),
           ECNPP_ERR_INVALID_ARGUMENT);
  {
    uint8_t pk[65];
    size_t w = 0;
    CHECK_RC(ecnpp_verifying_key_to_sec1(vk, pk, sizeof pk, &w), ECNPP_OK);
    CHECK_RC(ecnpp_verifying_key_from_sec1_in(&storage, pk, 65, &stale), ECNPP_OK);
    ecnpp_verifying_key_free(stale);
  }
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, stale, aad, sizeof aad, NULL, 0, &p, &pl),
           ECNPP_ERR_INVALID_HANDLE);
  CHECK(p == POISON_PTR && pl == POISON_SIZE);

  ecnpp_verifying_key_free(other);
  ecnpp_verifying_key_free(vk);
  ecnpp_signing_key_free(sk);
}

/* The heap-free path: keys in caller storage, a callback signer; no allocation at all. */
static void test_heap_free(void) {
  ecnpp_signing_key_storage sks;
  ecnpp_verifying_key_storage vks, vks2;
  ecnpp_signing_key *sk = NULL;
  ecnpp_verifying_key *vk = NULL, *vk2 = NULL;
  ecnpp_signer sw;
  counting_ctx counter;
  ecnpp_signer cb;
  uint8_t d[32], pk[65], ck[96], payload[16], msg[256];
  size_t plen = from_hex(TEST_PAYLOAD, payload, sizeof payload), n = 0, q = 0, ckn = 0;
  const uint8_t *p = NULL, *kid = NULL;
  size_t pl = 0, kid_len = 0;
  long before;

  from_hex(TEST_D, d, sizeof d);
  before = allocations;
  CHECK_RC(ecnpp_signing_key_from_bytes_in(&sks, d, sizeof d, &sk), ECNPP_OK);
  CHECK_RC(ecnpp_signing_key_public_key(sk, pk, sizeof pk, &n), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_from_sec1_in(&vks, pk, sizeof pk, &vk), ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_to_cose_key(vk, (const uint8_t *)"k", 1, ck, sizeof ck, &ckn),
           ECNPP_OK);
  CHECK_RC(ecnpp_verifying_key_from_cose_key_in(&vks2, ck, ckn, &kid, &kid_len, &vk2), ECNPP_OK);
  CHECK_RC(ecnpp_signing_key_as_signer(sk, &sw), ECNPP_OK);
  counter.inner = sw;
  counter.calls = 0;
  cb.sign = counting_sign;
  cb.ctx = &counter;
  CHECK_RC(ecnpp_sign1_sign(cb, (const uint8_t *)"k", 1, NULL, 0, payload, plen, 0, NULL, 0, &q),
           ECNPP_OK);
  CHECK_RC(ecnpp_sign1_sign(cb, (const uint8_t *)"k", 1, NULL, 0, payload, plen, 0, msg,
                            sizeof msg, &n),
           ECNPP_OK);
  CHECK(n == q && counter.calls == 1);
  CHECK_RC(ecnpp_sign1_kid_untrusted(msg, n, 0, &kid, &kid_len), ECNPP_OK);
  CHECK(kid_len == 1 && kid[0] == 'k');
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk2, NULL, 0, NULL, 0, &p, &pl), ECNPP_OK);
  CHECK(pl == plen && memcmp(p, payload, plen) == 0);
  CHECK_RC(ecnpp_sign1_verify(msg, n, 0, vk, (const uint8_t *)"x", 1, NULL, 0, &p, &pl),
           ECNPP_ERR_VERIFICATION_FAILED);
  (void)ecnpp_result_str(ECNPP_ERR_VERIFICATION_FAILED);
  (void)ecnpp_version();
  ecnpp_verifying_key_free(vk2);
  ecnpp_verifying_key_free(vk);
  ecnpp_signing_key_free(sk);
  CHECK(allocations == before);

  /* and the heap handles do allocate (so the counter works) */
  before = allocations;
  CHECK_RC(ecnpp_signing_key_from_bytes(d, sizeof d, &sk), ECNPP_OK);
  CHECK(allocations > before);
  ecnpp_signing_key_free(sk);
}

/* Distinct handles on different threads, and one const handle shared by both. */
typedef struct {
  const ecnpp_verifying_key *shared;
  uint8_t seed;
  int ok;
} thread_arg;

static void *thread_main(void *varg) {
  thread_arg *a = (thread_arg *)varg;
  ecnpp_signing_key_storage sks;
  ecnpp_signing_key *sk = NULL, *shared_sk = NULL;
  ecnpp_verifying_key *vk = NULL;
  ecnpp_signer sw;
  uint8_t d[32], pk[65], msg[128], payload[4] = {a->seed, 1, 2, 3};
  size_t n = 0, round;
  const uint8_t *p = NULL;
  size_t pl = 0;
  int ok = 1;

  memset(d, a->seed, sizeof d);
  ok &= ecnpp_signing_key_from_bytes_in(&sks, d, sizeof d, &sk) == ECNPP_OK;
  ok &= ecnpp_signing_key_public_key(sk, pk, sizeof pk, &n) == ECNPP_OK;
  ok &= ecnpp_verifying_key_from_sec1(pk, n, &vk) == ECNPP_OK;
  ok &= ecnpp_signing_key_as_signer(sk, &sw) == ECNPP_OK;
  from_hex(TEST_D, d, sizeof d);
  ok &= ecnpp_signing_key_from_bytes(d, sizeof d, &shared_sk) == ECNPP_OK;
  for (round = 0; round < 3; round++) {
    ecnpp_signer ssw;
    ok &= ecnpp_sign1_sign(sw, NULL, 0, NULL, 0, payload, sizeof payload, 0, msg, sizeof msg,
                           &n) == ECNPP_OK;
    ok &= ecnpp_sign1_verify(msg, n, 0, vk, NULL, 0, NULL, 0, &p, &pl) == ECNPP_OK;
    ok &= pl == sizeof payload && memcmp(p, payload, pl) == 0;
    ok &= ecnpp_sign1_verify(msg, n, 0, a->shared, NULL, 0, NULL, 0, &p, &pl) ==
          ECNPP_ERR_VERIFICATION_FAILED;
    ok &= ecnpp_signing_key_as_signer(shared_sk, &ssw) == ECNPP_OK;
    ok &= ecnpp_sign1_sign(ssw, NULL, 0, NULL, 0, payload, sizeof payload, 0, msg, sizeof msg,
                           &n) == ECNPP_OK;
    ok &= ecnpp_sign1_verify(msg, n, 0, a->shared, NULL, 0, NULL, 0, &p, &pl) == ECNPP_OK;
  }
  ecnpp_signing_key_free(shared_sk);
  ecnpp_verifying_key_free(vk);
  ecnpp_signing_key_free(sk);
  a->ok = ok;
  return NULL;
}

static void test_threads(void) {
  ecnpp_signing_key *sk = test_key();
  ecnpp_verifying_key *vk = test_vk(sk);
  pthread_t t[2];
  thread_arg args[2] = {{NULL, 0x21, 0}, {NULL, 0x42, 0}};
  int i;
  for (i = 0; i < 2; i++) {
    args[i].shared = vk;
    CHECK(pthread_create(&t[i], NULL, thread_main, &args[i]) == 0);
  }
  for (i = 0; i < 2; i++) {
    CHECK(pthread_join(t[i], NULL) == 0);
    CHECK(args[i].ok == 1);
  }
  ecnpp_verifying_key_free(vk);
  ecnpp_signing_key_free(sk);
}

/* Tokens across the language boundary: the Rust API's token verified here, ours printed. */
static void test_interop(const char *rust_token_hex) {
  static uint8_t rust_token[512], payload[16], out[512];
  ecnpp_signing_key *sk = test_key();
  ecnpp_verifying_key *vk = test_vk(sk);
  ecnpp_signer sw;
  size_t tn, plen = from_hex(TEST_PAYLOAD, payload, sizeof payload), n = 0, kid_len = 0, pl = 0;
  const uint8_t *kid = NULL, *p = NULL;

  tn = from_hex(rust_token_hex, rust_token, sizeof rust_token);
  CHECK(tn > 0 && tn <= sizeof rust_token);
  CHECK_RC(ecnpp_sign1_kid_untrusted(rust_token, tn, 0, &kid, &kid_len), ECNPP_OK);
  CHECK(kid_len == 8 && memcmp(kid, "device-1", 8) == 0);
  CHECK_RC(ecnpp_sign1_verify(rust_token, tn, ECNPP_SIGN1_DETERMINISTIC, vk,
                              (const uint8_t *)"ctx", 3, NULL, 0, &p, &pl),
           ECNPP_OK);
  CHECK(pl == plen && memcmp(p, payload, plen) == 0);

  CHECK_RC(ecnpp_signing_key_as_signer(sk, &sw), ECNPP_OK);
  CHECK_RC(ecnpp_sign1_sign(sw, (const uint8_t *)"device-1", 8, (const uint8_t *)"ctx", 3,
                            payload, plen, 0, out, sizeof out, &n),
           ECNPP_OK);
  CHECK(n == tn && memcmp(out, rust_token, n) == 0); /* deterministic: byte-identical */
  printf("C_TOKEN=");
  print_hex(stdout, out, n);
  printf("\n");

  ecnpp_verifying_key_free(vk);
  ecnpp_signing_key_free(sk);
}

/* Every result code the API can produce was produced by some test (phase 1 above, phase 2 in
 * test_eat.c): all but ECNPP_ERR_PANIC and ECNPP_ERR_INTERNAL, unreachable by construction, and
 * ECNPP_ERR_PROFILE_WITHOUT_RULES, which no C policy can cause (it accepts only the profile
 * whose rules the library has). */
static void test_codes_reached(void) {
  static const ecnpp_result reachable[] = {
      ECNPP_ERR_TRUNCATED, ECNPP_ERR_TRAILING_BYTES, ECNPP_ERR_MALFORMED,
      ECNPP_ERR_INDEFINITE_LENGTH, ECNPP_ERR_NON_DETERMINISTIC, ECNPP_ERR_INVALID_UTF8,
      ECNPP_ERR_DUPLICATE_KEY, ECNPP_ERR_DEPTH_EXCEEDED, ECNPP_ERR_TOO_MANY_ENTRIES,
      ECNPP_ERR_UNEXPECTED_TYPE, ECNPP_ERR_INTEGER_OUT_OF_RANGE, ECNPP_ERR_INVALID_MAP_KEY,
      ECNPP_ERR_UNEXPECTED_TAG, ECNPP_ERR_MISSING_TAG, ECNPP_ERR_INVALID_STRUCTURE, ECNPP_ERR_MISSING_ALGORITHM,
      ECNPP_ERR_ALGORITHM_NOT_PROTECTED, ECNPP_ERR_ALGORITHM_IN_BOTH_BUCKETS,
      ECNPP_ERR_UNSUPPORTED_ALGORITHM, ECNPP_ERR_ALGORITHM_KEY_MISMATCH,
      ECNPP_ERR_INVALID_CRITICAL, ECNPP_ERR_CRITICAL_NOT_PROTECTED,
      ECNPP_ERR_UNKNOWN_CRITICAL_HEADER, ECNPP_ERR_INVALID_HEADER,
      ECNPP_ERR_MISSING_DETACHED_PAYLOAD, ECNPP_ERR_UNEXPECTED_DETACHED_PAYLOAD,
      ECNPP_ERR_INVALID_SIGNATURE_LENGTH, ECNPP_ERR_SIGNATURE_SCALAR_OUT_OF_RANGE,
      ECNPP_ERR_VERIFICATION_FAILED, ECNPP_ERR_INVALID_KEY, ECNPP_ERR_UNSUPPORTED_KEY_TYPE,
      ECNPP_ERR_SIGNER_FAILED, ECNPP_ERR_BUFFER_TOO_SMALL, ECNPP_ERR_LENGTH_OVERFLOW,
      ECNPP_ERR_INVALID_ARGUMENT, ECNPP_ERR_NULL_POINTER, ECNPP_ERR_INVALID_HANDLE,
      /* phase 2 */
      ECNPP_ERR_INVALID_PAYLOAD, ECNPP_ERR_KEY_NOT_TRUSTED, ECNPP_ERR_INVALID_CLAIM,
      ECNPP_ERR_MISSING_CLAIM, ECNPP_ERR_WRONG_PROFILE, ECNPP_ERR_MISSING_SUBMODULE,
      ECNPP_ERR_RESULT_GIVEN_AS_EVIDENCE, ECNPP_ERR_EVIDENCE_GIVEN_AS_RESULT,
      ECNPP_ERR_INVALID_POLICY, ECNPP_ERR_RESULT_CONTRAINDICATED,
  };
  size_t i;
  int code, listed;
  /* the list is complete: every named code but PANIC and INTERNAL is in it */
  for (code = 1; code < 1000; code++) {
    if (code == ECNPP_ERR_PANIC || code == ECNPP_ERR_INTERNAL ||
        code == ECNPP_ERR_PROFILE_WITHOUT_RULES)
      continue;
    if (strcmp(ecnpp_result_str(code), "unknown result code") == 0) continue;
    listed = 0;
    for (i = 0; i < sizeof reachable / sizeof reachable[0]; i++) listed |= reachable[i] == code;
    if (!listed)
      fprintf(stderr, "code %d (%s) not in the reachable list\n", code, ecnpp_result_str(code));
    CHECK(listed);
  }
  for (i = 0; i < sizeof reachable / sizeof reachable[0]; i++) {
    if (!seen[reachable[i]])
      fprintf(stderr, "code %d (%s) never reached\n", (int)reachable[i],
              ecnpp_result_str(reachable[i]));
    CHECK(seen[reachable[i]]);
  }
}

int main(int argc, char **argv) {
  test_version_and_result_str();
  test_signing_key();
  test_verifying_key();
  test_cose_key();
  test_sign();
  test_verify();
  test_heap_free();
  test_threads();
  if (argc > 1) test_interop(argv[1]);
  test_eat(argc > 2 ? argv[2] : NULL);
  test_codes_reached();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
