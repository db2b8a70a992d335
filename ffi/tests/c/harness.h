/*
 * The C tests' shared framework: test_c_api.c (phase 1, and main) and test_eat.c (phase 2,
 * evidence, appraisal and results) are linked into one program.
 */
#ifndef ECNPP_TEST_HARNESS_H
#define ECNPP_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ecnpp_attest.h"

extern int passed, failed;
/* Every code a CHECK_RC has seen returned, to check that every reachable code is reached. */
extern int seen[1000];
/* Allocations made through the wrapped allocator (-Wl,--wrap=malloc,...). */
extern volatile long allocations;

#define CHECK(cond)                                                                        \
  do {                                                                                     \
    if (cond) {                                                                            \
      passed++;                                                                            \
    } else {                                                                               \
      failed++;                                                                            \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
    }                                                                                      \
  } while (0)

#define CHECK_RC(expr, want)                                                               \
  do {                                                                                     \
    ecnpp_result rc_ = (expr);                                                             \
    ecnpp_result want_ = (want);                                                           \
    if (rc_ >= 0 && rc_ < 1000) seen[rc_] = 1;                                             \
    if (rc_ == want_) {                                                                    \
      passed++;                                                                            \
    } else {                                                                               \
      failed++;                                                                            \
      fprintf(stderr, "%s:%d: %s\n  returned %d (%s), want %d (%s)\n", __FILE__, __LINE__, \
              #expr, (int)rc_, ecnpp_result_str(rc_), (int)want_,                          \
              ecnpp_result_str(want_));                                                    \
    }                                                                                      \
  } while (0)

#define POISON 0xA5
#define POISON_SIZE ((size_t)0xA5A5A5A5u)
#define POISON_PTR ((const uint8_t *)(uintptr_t)0xA5A5A5A5u)

/* Decodes hex (spaces ignored) into out; returns the byte count. */
size_t from_hex(const char *hex, uint8_t *out, size_t cap);
void print_hex(FILE *f, const uint8_t *b, size_t n);
int all_bytes(const uint8_t *b, size_t n, uint8_t v);

/* Phase 2 (test_eat.c): every test, with the Rust API's evidence token (hex) or NULL. */
void test_eat(const char *rust_evidence_hex);

#endif
