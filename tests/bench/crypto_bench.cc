// Benchmarks of the primitives: SHA-256 (OpenSSL, the one we use, against
// libsodium's, the alternative) and Ed25519 sign/verify (libsodium, the one
// we use, against OpenSSL's EVP). Figures and the decision: docs/adr/0002.
//   build/default/tests/bench_crypto
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "common/crypto.h"
#include "common/hash.h"

namespace {

void BM_Sha256_OpenSSL(benchmark::State& state) {
  const ipl::Bytes data(static_cast<size_t>(state.range(0)), 0xab);
  for (auto _ : state) benchmark::DoNotOptimize(ipl::sha256(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Sha256_OpenSSL)->Arg(65)->Arg(256)->Arg(4096);

void BM_Sha256_Libsodium(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init");
  const ipl::Bytes data(static_cast<size_t>(state.range(0)), 0xab);
  unsigned char out[32];
  for (auto _ : state) {
    crypto_hash_sha256(out, data.data(), data.size());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Sha256_Libsodium)->Arg(65)->Arg(256)->Arg(4096);

void BM_Ed25519_Sign_Libsodium(benchmark::State& state) {
  const ipl::KeyPair kp = ipl::KeyPair::for_test("bench");
  const ipl::Bytes msg(200, 0x42);
  for (auto _ : state) benchmark::DoNotOptimize(ipl::sign(ipl::SigContext::kTx, kp.secret_key, msg));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ed25519_Sign_Libsodium);

void BM_Ed25519_Verify_Libsodium(benchmark::State& state) {
  const ipl::KeyPair kp = ipl::KeyPair::for_test("bench");
  const ipl::Bytes msg(200, 0x42);
  const ipl::Signature sig = ipl::sign(ipl::SigContext::kTx, kp.secret_key, msg);
  for (auto _ : state) {
    if (!ipl::verify(ipl::SigContext::kTx, kp.public_key, msg, sig)) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ed25519_Verify_Libsodium);

void BM_Ed25519_Verify_OpenSSL(benchmark::State& state) {
  const ipl::KeyPair kp = ipl::KeyPair::for_test("bench");
  const ipl::Bytes msg = ipl::signing_message(ipl::SigContext::kTx, ipl::Bytes(200, 0x42));
  const ipl::Signature sig = ipl::sign_raw(kp.secret_key, msg);
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, kp.public_key.bytes.data(), 32);
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey);
    const int ok = EVP_DigestVerify(ctx, sig.bytes.data(), sig.bytes.size(), msg.data(), msg.size());
    EVP_MD_CTX_free(ctx);
    if (ok != 1) state.SkipWithError("verify failed");
  }
  EVP_PKEY_free(pkey);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Ed25519_Verify_OpenSSL);

}  // namespace

BENCHMARK_MAIN();
