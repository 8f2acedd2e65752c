// The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of
// EVP, but EVP allocates a context per digest, which costs more than the
// hash itself for the 65-byte Merkle nodes we hash millions of times.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "common/hash.h"

#include <openssl/sha.h>

namespace ipl {

static_assert(sizeof(SHA256_CTX) <= 128, "Sha256::ctx_ too small");

Sha256::Sha256() { SHA256_Init(reinterpret_cast<SHA256_CTX*>(ctx_)); }

Sha256& Sha256::update(ByteView data) {
  IPL_ASSERT(!finished_);
  SHA256_Update(reinterpret_cast<SHA256_CTX*>(ctx_), data.data(), data.size());
  return *this;
}

Hash32 Sha256::finish() {
  IPL_ASSERT(!finished_);
  finished_ = true;
  Hash32 out;
  SHA256_Final(out.data(), reinterpret_cast<SHA256_CTX*>(ctx_));
  return out;
}

// Not OpenSSL's one-shot SHA256(): in OpenSSL 3 it goes through EVP and
// costs more than the compression itself on short inputs.
Hash32 sha256(ByteView data) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  Hash32 out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Hash32 sha256(std::initializer_list<ByteView> parts) {
  Sha256 h;
  for (ByteView p : parts) h.update(p);
  return h.finish();
}

}  // namespace ipl
