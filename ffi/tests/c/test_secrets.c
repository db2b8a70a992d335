/*
 * Secrets left behind, through the C API (docs/constant-time.md, "Secrets"): imports a P-256
 * key from a distinctive scalar, signs with it, frees it, boxed and in caller storage, and then
 * looks for the secret as an attacker with a memory dump would:
 *
 *   - on the stack: each piece of work runs in its own function, called from main between a
 *     sibling that zeroes the stack below main and a sibling that copies it out (same caller,
 *     so the same addresses);
 *   - in freed memory: linked with -Wl,--wrap=free, every block freed while the work runs
 *     (the library's Rust allocator frees through free) is copied before it is released.
 *
 * What is looked for, in any byte position: each 8-byte piece of the scalar d, as serialized
 * (big-endian) and as p256 holds it (four little-endian 64-bit limbs), and the same for the
 * RFC 6979 nonce k of the signature over DIGEST (and n - k, as low-S normalisation may negate
 * s): k with the public signature gives d away. SECRET, DIGEST, SIG and K are those of
 * tests/tests/secrets_scan.rs; the signature check below proves K belongs to this signature.
 *
 * Prints one line of counts and exits non-zero if any piece is found. Built and run by
 * ffi/tests/c_api.rs (c_no_secret_left_on_stack_or_in_freed_memory).
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecnpp_attest.h"

#define SCAN (256 * 1024)

static const uint8_t SECRET[32] = {
    0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90,
    0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf1, 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21};
/* SHA-256("secrets left behind") */
static const char DIGEST_HEX[] = "2496397339d52f9bbdf0e5b72bd8ef9a9bd4c5eb78d233cc3736e4e70db79e0c";
static const char SIG_HEX[] =
    "06fa1db2a01de9f8cf99759adacca1b04432590e705192a1a43fdfd503a67f52"
    "a12c0621adc226ad6308415a8abe6ae63b59462a141c31166d71401e80eaa53a";
static const char K_HEX[] = "c7be7aa3de28510661b6e07c368a6022342383b8c3a9748e5e8befd2e55f16c0";
static const char K_NEG_HEX[] = "3841855b21d7aefa9e491f83c9759fdd88c376f4e36e29f6952ddaf017040e91";

static uint8_t digest[32], expected_sig[64], k[32], k_neg[32];

/* d, k, n - k: four serialized 8-byte pieces and four limbs each, as native 64-bit loads. */
static uint64_t patterns[24];

static void unhex(const char *hex, uint8_t *out, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) abort();
    out[i] = (uint8_t)v;
  }
}

static void add_patterns(const uint8_t scalar[32], uint64_t *out) {
  int i, j;
  for (i = 0; i < 4; i++) {
    uint64_t limb = 0;
    memcpy(&out[i], scalar + 8 * i, 8); /* the bytes as serialized */
    for (j = 0; j < 8; j++) limb = (limb << 8) | scalar[8 * i + j];
    out[4 + i] = limb; /* the big-endian piece as a little-endian limb holds it */
  }
}

/* Hits of pieces of d and of k (or n - k) in buf. */
static void count(const unsigned char *buf, size_t len, size_t *d, size_t *kk) {
  size_t i;
  int p;
  *d = 0;
  *kk = 0;
  for (i = 0; i + 8 <= len; i++) {
    uint64_t w;
    memcpy(&w, buf + i, 8);
    for (p = 0; p < 24; p++) {
      if (w == patterns[p]) {
        if (p < 8) (*d)++;
        else (*kk)++;
        break;
      }
    }
  }
}

/* ---- freed memory ---------------------------------------------------------------------- */

void __real_free(void *p);
void __wrap_free(void *p);

static int armed;
static unsigned char *freed;
static size_t freed_len, freed_cap, freed_overflow;

void __wrap_free(void *p) {
  if (p != NULL && armed) {
    size_t n = malloc_usable_size(p);
    if (freed_cap - freed_len >= n) {
      memcpy(freed + freed_len, p, n);
      freed_len += n;
    } else {
      freed_overflow += n;
    }
  }
  __real_free(p);
}

/* ---- the stack ------------------------------------------------------------------------- */

static unsigned char stack_copy[SCAN];

__attribute__((noinline)) static void zero_stack_below(void) {
  volatile unsigned char region[SCAN + 4096];
  size_t i;
  for (i = 0; i < sizeof region; i++) region[i] = 0;
}

/* Reads its own uninitialised array, which lies where the previous sibling's frames were:
 * reading those leftovers is the point (unsigned char, volatile: each byte is loaded). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((noinline)) static void copy_stack_below(void) {
  volatile unsigned char region[SCAN];
  size_t i;
  for (i = 0; i < SCAN; i++) stack_copy[i] = region[i];
}
#pragma GCC diagnostic pop

/* ---- the work -------------------------------------------------------------------------- */

/* With `sign`, signs a COSE_Sign1 message and then DIGEST through the signer (last, so that
 * what that signing leaves, with the known nonce, is what the scan sees), checking the
 * signature; without, only imports and frees the key. */
static int use_key(const struct ecnpp_signing_key *key, int sign) {
  static const uint8_t payload[] = {0xa1, 0x0a, 0x48, 'n', 'o', 'n', 'c', 'e', '-', '0', '1'};
  struct ecnpp_signer signer;
  uint8_t sig[64], out[256];
  size_t n = 0;
  if (!sign) return 1;
  if (ecnpp_signing_key_as_signer(key, &signer) != ECNPP_OK) return 0;
  if (ecnpp_sign1_sign(signer, NULL, 0, NULL, 0, payload, sizeof payload, 0, out, sizeof out,
                       &n) != ECNPP_OK)
    return 0;
  if (signer.sign(signer.ctx, digest, sig) != 0) return 0;
  return memcmp(sig, expected_sig, 64) == 0;
}

__attribute__((noinline)) static int work_boxed(int sign) {
  struct ecnpp_signing_key *key = NULL;
  int ok;
  if (ecnpp_signing_key_from_bytes(SECRET, sizeof SECRET, &key) != ECNPP_OK) return 0;
  ok = use_key(key, sign);
  ecnpp_signing_key_free(key);
  return ok;
}

__attribute__((noinline)) static int work_in_storage(int sign) {
  struct ecnpp_signing_key_storage storage;
  struct ecnpp_signing_key *key = NULL;
  int ok;
  if (ecnpp_signing_key_from_bytes_in(&storage, SECRET, sizeof SECRET, &key) != ECNPP_OK) return 0;
  ok = use_key(key, sign);
  ecnpp_signing_key_free(key);
  return ok;
}

int main(void) {
  size_t stack_d[4], stack_k[4], freed_d, freed_k, d, kk, found = 0;
  int ok = 1, run;

  unhex(DIGEST_HEX, digest, sizeof digest);
  unhex(SIG_HEX, expected_sig, sizeof expected_sig);
  unhex(K_HEX, k, sizeof k);
  unhex(K_NEG_HEX, k_neg, sizeof k_neg);
  add_patterns(SECRET, patterns);
  add_patterns(k, patterns + 8);
  add_patterns(k_neg, patterns + 16);
  /* The patterns are found where they are known to be. */
  count(SECRET, 32, &d, &kk);
  if (d != 4 || kk != 0) ok = 0;
  count(k, 32, &d, &kk);
  if (d != 0 || kk != 4) ok = 0;
  freed_cap = 16u << 20;
  freed = malloc(freed_cap);
  if (freed == NULL || !ok) {
    fprintf(stderr, "test_secrets: set-up failed\n");
    return 1;
  }

  armed = 1;
  for (run = 0; run < 4; run++) {
    zero_stack_below();
    ok &= run < 2 ? work_boxed(run % 2) : work_in_storage(run % 2);
    copy_stack_below();
    count(stack_copy, SCAN, &stack_d[run], &stack_k[run]);
  }
  armed = 0;
  count(freed, freed_len, &freed_d, &freed_k);

  printf("secrets: 8-byte pieces of (d, k) on the stack after a boxed key imported and freed "
         "(%zu, %zu), also used to sign (%zu, %zu); in caller storage (%zu, %zu), (%zu, %zu); "
         "in %zu bytes of freed blocks (%zu, %zu)\n",
         stack_d[0], stack_k[0], stack_d[1], stack_k[1], stack_d[2], stack_k[2], stack_d[3],
         stack_k[3], freed_len, freed_d, freed_k);
  for (run = 0; run < 4; run++) found += stack_d[run] + stack_k[run];
  found += freed_d + freed_k;
  if (!ok) fprintf(stderr, "test_secrets: a C API call failed or the signature differs\n");
  if (freed_overflow != 0) fprintf(stderr, "test_secrets: freed-block buffer too small\n");
  if (freed_len == 0) fprintf(stderr, "test_secrets: the key's block was not seen being freed\n");
  __real_free(freed);
  return ok && freed_overflow == 0 && freed_len != 0 && found == 0 ? 0 : 1;
}
