// SHA-256, the one hash of IPLedger (DESIGN.md "Ledger"). Backed by
// OpenSSL's libcrypto, which uses the CPU's SHA extensions; see
// docs/adr/0002-crypto-libraries.md for the measurement behind the choice.
// Thread-safety: Sha256 objects are not shared; free functions are safe.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "common/bytes.h"

namespace ipl {

class Sha256 {
 public:
  Sha256();
  Sha256& update(ByteView data);
  Sha256& update(uint8_t byte) { return update(ByteView(&byte, 1)); }
  // Finishes the digest; the object must not be updated afterwards.
  Hash32 finish();

 private:
  // Storage for OpenSSL's SHA256_CTX (kept out of this header).
  alignas(8) unsigned char ctx_[128];
  bool finished_ = false;
};

Hash32 sha256(ByteView data);
// Hash of the concatenation of the parts.
Hash32 sha256(std::initializer_list<ByteView> parts);

}  // namespace ipl
