// The header used from C++17: it compiles with -Wall -Wextra -Werror -pedantic, the result enum
// is a real C++ enum, and a captureless lambda is a valid signer.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "ecnpp_attest.h"

namespace {
int passes = 0;
int failures = 0;
void check(bool ok, const char *what) {
  if (ok) {
    passes++;
  } else {
    std::fprintf(stderr, "C++ check failed: %s\n", what);
    failures++;
  }
}
}  // namespace

int main() {
  static_assert(sizeof(ecnpp_result) == sizeof(std::int32_t), "ecnpp_result is 32 bits");
  check(std::strcmp(ecnpp_result_str(ECNPP_OK), "success") == 0, "result_str");
  check(ecnpp_version() != nullptr, "version");

  std::uint8_t secret[32];
  std::memset(secret, 0x11, sizeof secret);
  ecnpp_signing_key_storage storage;
  ecnpp_signing_key *key = nullptr;
  check(ecnpp_signing_key_from_bytes_in(&storage, secret, sizeof secret, &key) == ECNPP_OK,
        "key");

  struct Ctx {
    ecnpp_signer inner;
    int calls;
  } ctx{};
  check(ecnpp_signing_key_as_signer(key, &ctx.inner) == ECNPP_OK, "as_signer");
  ecnpp_signer signer{};
  signer.sign = +[](void *c, const std::uint8_t *digest, std::uint8_t *sig) -> int {
    auto *cx = static_cast<Ctx *>(c);
    cx->calls++;
    return cx->inner.sign(cx->inner.ctx, digest, sig);
  };
  signer.ctx = &ctx;

  const std::uint8_t payload[] = {0xa0};
  std::uint8_t token[128];
  std::size_t n = 0;
  ecnpp_result rc = ecnpp_sign1_sign(signer, nullptr, 0, nullptr, 0, payload, sizeof payload, 0,
                                     token, sizeof token, &n);
  check(rc == ECNPP_OK && ctx.calls == 1, "sign");

  std::uint8_t pub[ECNPP_SEC1_UNCOMPRESSED_LEN];
  std::size_t pn = 0;
  ecnpp_verifying_key *vk = nullptr;
  check(ecnpp_signing_key_public_key(key, pub, sizeof pub, &pn) == ECNPP_OK, "pub");
  check(ecnpp_verifying_key_from_sec1(pub, pn, &vk) == ECNPP_OK, "vk");
  const std::uint8_t *p = nullptr;
  std::size_t pl = 0;
  rc = ecnpp_sign1_verify(token, n, 0, vk, nullptr, 0, nullptr, 0, &p, &pl);
  switch (rc) {
    case ECNPP_OK:
      check(pl == 1 && p[0] == 0xa0, "payload");
      break;
    default:
      check(false, ecnpp_result_str(rc));
  }
  // Phase 2 types: value-initialised aggregates are "everything absent"; enumerations are
  // int32_t constants usable in a switch.
  ecnpp_evidence_claims claims{};
  check(claims.nonce.ptr == nullptr && claims.has_se == 0, "zeroed claims");
  rc = ecnpp_evidence_sign(&claims, nullptr, 0, signer, nullptr, 0, &n);
  // promise 0 is no promise: a value out of range, found before any missing claim
  check(rc == ECNPP_ERR_INVALID_CLAIM && ctx.calls == 1, "claims checked, signer not called");
  claims.promise = ECNPP_PROMISE_STANDARD;
  rc = ecnpp_evidence_sign(&claims, nullptr, 0, signer, nullptr, 0, &n);
  check(rc == ECNPP_ERR_MISSING_CLAIM, "missing claims");
  ecnpp_requirement req{};
  check(ecnpp_requirement_parse("promise>=secure-element,evaluated", &req) == ECNPP_OK,
        "requirement");
  switch (req.min_promise) {
    case ECNPP_PROMISE_SECURE_ELEMENT:
      check(req.evaluated_config == 1 && req.has_max_age == 0, "requirement fields");
      break;
    default:
      check(false, "promise");
  }
  ecnpp_policy policy{};
  check(ecnpp_policy_init(&policy) == ECNPP_OK && policy.max_challenge_age == 120, "policy");
  check(std::strcmp(ecnpp_result_reason_str(ECNPP_REASON_NONCE_MISMATCH), "nonce-mismatch") == 0,
        "reason");

  ecnpp_verifying_key_free(vk);
  ecnpp_signing_key_free(key);
  std::printf("%d passed, %d failed\n", passes, failures);
  return failures == 0 ? 0 : 1;
}
