// Ed25519 signatures with domain-separation contexts (DESIGN.md
// "Transactions and signatures"), backed by libsodium.
// Every signed message is  u8 len(ctx) ‖ ctx ‖ bytes ; a signature made
// under one context never verifies under another.
// Thread-safety: all functions are safe to call concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace ipl {

enum class SigContext : uint8_t {
  kTx,          // "IPL/tx/v1"         transaction body
  kVote,        // "IPL/vote/v1"       consensus vote
  kTimeout,     // "IPL/timeout/v1"    consensus timeout
  kLedgerInfo,  // "IPL/ledgerinfo/v1" execution result
  kApi,         // "IPL/api/v1"        signed API request
  kP2p,         // "IPL/p2p/v1"        transport handshake
};
inline constexpr SigContext kAllSigContexts[] = {SigContext::kTx,         SigContext::kVote,
                                                 SigContext::kTimeout,    SigContext::kLedgerInfo,
                                                 SigContext::kApi,        SigContext::kP2p};

std::string_view context_tag(SigContext ctx);

struct PublicKey {
  std::array<uint8_t, 32> bytes{};
  auto operator<=>(const PublicKey&) const = default;
  std::string hex() const { return to_hex(bytes); }
};

struct Signature {
  std::array<uint8_t, 64> bytes{};
  bool operator==(const Signature&) const = default;
};

// A libsodium secret key (seed ‖ public key). Wiped on destruction.
class SecretKey {
 public:
  SecretKey() = default;
  ~SecretKey();
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  const std::array<uint8_t, 64>& raw() const { return sk_; }
  // The 32-byte seed from which the key pair is derived.
  ByteView seed() const { return ByteView(sk_.data(), 32); }

 private:
  friend struct KeyPair;
  std::array<uint8_t, 64> sk_{};
};

struct KeyPair {
  PublicKey public_key;
  SecretKey secret_key;

  static KeyPair generate();
  static KeyPair from_seed(const std::array<uint8_t, 32>& seed);
  // Deterministic test keys: seed = SHA-256("IPL/testkey/v1" ‖ label).
  static KeyPair for_test(std::string_view label);
};

// The exact bytes that are signed: u8 len(ctx) ‖ ctx ‖ msg.
Bytes signing_message(SigContext ctx, ByteView msg);

Signature sign(SigContext ctx, const SecretKey& sk, ByteView msg);
// Plain Ed25519 over `msg` with no context: only for RFC 8032 vectors and
// for callers that build the framed message themselves.
Signature sign_raw(const SecretKey& sk, ByteView msg);
bool verify_raw(const PublicKey& pk, ByteView msg, const Signature& sig);
bool verify(SigContext ctx, const PublicKey& pk, ByteView msg, const Signature& sig);

// Key files. A secret key file holds "ipledger-ed25519-secret-v1\n" then the
// 64-hex-character seed and a newline; it is created with mode 0600 and
// refused on load when any group or other permission bit is set. A public
// key file holds the 64-hex-character public key and a newline.
Status save_secret_key(const std::string& path, const KeyPair& kp);
Result<KeyPair> load_secret_key(const std::string& path);
Status save_public_key(const std::string& path, const PublicKey& pk);
Result<PublicKey> load_public_key(const std::string& path);
Result<PublicKey> public_key_from_hex(std::string_view hex);

}  // namespace ipl
