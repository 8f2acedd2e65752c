// The P2P handshake and frame cipher (docs/protocol.md section 14), free of
// sockets so that it can be unit-tested byte for byte and driven by test
// clients that misbehave on purpose.
//
// Handshake, per connection (both sides run the same steps; the side that
// dialled is the initiator):
//   1. send our Hello, read the peer's Hello (fixed 136 bytes each);
//   2. validate it (magic, version, genesis, not ourselves, the expected key
//      when we dialled); the caller adds its own checks (membership,
//      backoff) between steps 2 and 3;
//   3. send our signature (64 bytes) under SigContext::kP2p over
//      role ‖ transcript, read and verify the peer's;
//   4. derive one key per direction from crypto_kx bound to the transcript.
// Invariants: the transcript covers both fresh ephemeral keys and nonces, so
// a signature never verifies on another connection (P1); keys are wiped on
// destruction.
// Thread-safety: none; one object per connection, used by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "common/bytes.h"
#include "common/crypto.h"
#include "common/status.h"

namespace ipl::net {

// "IPLN": the first four bytes of every hello.
inline constexpr uint32_t kHelloMagic = 0x49504C4E;
inline constexpr size_t kHelloBytes = 4 + 4 + 32 + 32 + 32 + 32;
inline constexpr size_t kAuthBytes = 64;
inline constexpr size_t kFrameHeaderBytes = 4;

enum class Role : uint8_t { kInitiator = 'I', kResponder = 'R' };

using Key32 = std::array<uint8_t, 32>;

struct Hello {
  uint32_t protocol_version = 0;
  Hash32 genesis_hash{};
  PublicKey static_key;
  Key32 ephemeral_key{};
  Key32 nonce{};
};

// hello = u32 magic ‖ u32 protocol_version ‖ hash32 genesis_hash ‖
//         pk32 static_key ‖ pk32 ephemeral_key ‖ 32 nonce   (big-endian)
Bytes encode_hello(const Hello& hello);
// Requires exactly kHelloBytes bytes and the magic; values are not judged.
Result<Hello> decode_hello(ByteView bytes);

// SHA-256("IPL/p2p-transcript/v1" ‖ genesis ‖ u32 version ‖
//   'I' ‖ static_i ‖ ephemeral_i ‖ nonce_i ‖ 'R' ‖ static_r ‖ ephemeral_r ‖ nonce_r)
// Requires both hellos to carry the same genesis and version.
Hash32 transcript_hash(const Hello& initiator, const Hello& responder);
// The bytes signed under SigContext::kP2p: u8 role ‖ transcript.
Bytes auth_message(Role signer, const Hash32& transcript);

// One key per direction; wiped on destruction.
struct SessionKeys {
  Key32 send{};
  Key32 receive{};
  SessionKeys() = default;
  SessionKeys(const SessionKeys&) = default;
  SessionKeys& operator=(const SessionKeys&) = default;
  ~SessionKeys();
};

struct HandshakeParams {
  uint32_t protocol_version = 0;
  Hash32 genesis_hash{};
  const KeyPair* key = nullptr;  // borrowed; outlives the handshake
  // For outbound connections: the key the peer must present.
  std::optional<PublicKey> expected_key;
};

class Handshake {
 public:
  // Generates a fresh ephemeral crypto_kx key pair and nonce.
  Handshake(Role role, HandshakeParams params);
  ~Handshake();
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  Role role() const { return role_; }
  const Bytes& our_hello() const { return our_hello_bytes_; }
  // Validates the peer's hello. Returns a refusal (kInvalidArgument for bad
  // bytes or mismatches, kPermissionDenied for an unexpected key).
  Status on_peer_hello(ByteView bytes);
  // Requires on_peer_hello succeeded.
  const PublicKey& peer_key() const;
  const Hash32& transcript() const;
  // Our kAuthBytes signature over role ‖ transcript.
  Bytes our_auth() const;
  // Verifies the peer's signature and derives the session keys.
  Result<SessionKeys> on_peer_auth(ByteView bytes);

 private:
  Role role_;
  HandshakeParams params_;
  Hello our_hello_;
  Bytes our_hello_bytes_;
  Key32 ephemeral_secret_{};
  std::optional<Hello> peer_hello_;
  Hash32 transcript_{};
};

// Frames after the handshake: u32 length ‖ ciphertext, where ciphertext is
// crypto_aead_xchacha20poly1305_ietf of the message with additional data the
// 4 length bytes and nonce = 16 zero bytes ‖ u64 counter (big-endian), the
// counter starting at 0 per direction and growing by one per frame.
class FrameSealer {
 public:
  explicit FrameSealer(const Key32& key) : key_(key) {}
  ~FrameSealer();
  // Appends one whole frame for `message` to `out`. Requires
  // message.size() <= limits::wire_message_bytes_max.
  void seal(ByteView message, Bytes& out);
  uint64_t counter() const { return counter_; }

 private:
  Key32 key_;
  uint64_t counter_ = 0;
};

class FrameOpener {
 public:
  explicit FrameOpener(const Key32& key) : key_(key) {}
  ~FrameOpener();
  // Judges a length prefix before anything is allocated for it: returns the
  // ciphertext length, or kLimitExceeded (too long) / kInvalidArgument (too
  // short to hold a tag).
  static Result<size_t> check_length(ByteView header, size_t frame_bytes_max);
  // Decrypts the next frame (header = its 4 length bytes). A failure
  // (tampered, reordered, replayed or foreign bytes) is kBadSignature.
  Result<Bytes> open(ByteView header, ByteView ciphertext);
  uint64_t counter() const { return counter_; }

 private:
  Key32 key_;
  uint64_t counter_ = 0;
};

}  // namespace ipl::net
