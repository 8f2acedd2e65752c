// spec: docs/protocol.md section 14 (P2P transport).
#include "node/net/handshake.h"

#include <sodium.h>

#include <cstring>
#include <string_view>
#include <utility>

#include "common/assert.h"
#include "common/hash.h"
#include "common/limits.h"

namespace ipl::net {

static_assert(crypto_kx_PUBLICKEYBYTES == 32 && crypto_kx_SECRETKEYBYTES == 32);
static_assert(crypto_kx_SESSIONKEYBYTES == 32);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == limits::p2p_aead_bytes);

namespace {

void ensure_sodium() {
  static const int rc = sodium_init();
  IPL_ASSERT(rc >= 0);
}

void put_u32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint32_t get_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

template <size_t N>
void put_array(Bytes& out, const std::array<uint8_t, N>& a) {
  out.insert(out.end(), a.begin(), a.end());
}

template <size_t N>
void get_array(const uint8_t*& p, std::array<uint8_t, N>& a) {
  std::memcpy(a.data(), p, N);
  p += N;
}

using Nonce = std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES>;

Nonce counter_nonce(uint64_t counter) {
  Nonce n{};
  for (size_t i = 0; i < 8; ++i) n[n.size() - 1 - i] = static_cast<uint8_t>(counter >> (8 * i));
  return n;
}

Key32 direction_key(Role sender, const Hash32& transcript, const uint8_t* kx_key) {
  const uint8_t tag = static_cast<uint8_t>(sender);
  const Hash32 h = sha256({as_view("IPL/p2p-key/v1"), ByteView(&tag, 1), transcript,
                           ByteView(kx_key, crypto_kx_SESSIONKEYBYTES)});
  Key32 k;
  std::memcpy(k.data(), h.data(), k.size());
  return k;
}

}  // namespace

Bytes encode_hello(const Hello& hello) {
  Bytes out;
  out.reserve(kHelloBytes);
  put_u32(out, kHelloMagic);
  put_u32(out, hello.protocol_version);
  put_array(out, hello.genesis_hash);
  put_array(out, hello.static_key.bytes);
  put_array(out, hello.ephemeral_key);
  put_array(out, hello.nonce);
  IPL_ASSERT(out.size() == kHelloBytes);
  return out;
}

Result<Hello> decode_hello(ByteView bytes) {
  if (bytes.size() != kHelloBytes) return Status::invalid("hello has the wrong size");
  const uint8_t* p = bytes.data();
  if (get_u32(p) != kHelloMagic) return Status::invalid("bad hello magic (not an IPLedger peer)");
  p += 4;
  Hello h;
  h.protocol_version = get_u32(p);
  p += 4;
  get_array(p, h.genesis_hash);
  get_array(p, h.static_key.bytes);
  get_array(p, h.ephemeral_key);
  get_array(p, h.nonce);
  IPL_ASSERT(p == bytes.data() + bytes.size());
  return h;
}

Hash32 transcript_hash(const Hello& initiator, const Hello& responder) {
  IPL_ASSERT(initiator.genesis_hash == responder.genesis_hash);
  IPL_ASSERT(initiator.protocol_version == responder.protocol_version);
  Bytes version;
  put_u32(version, initiator.protocol_version);
  const uint8_t tag_i = static_cast<uint8_t>(Role::kInitiator);
  const uint8_t tag_r = static_cast<uint8_t>(Role::kResponder);
  return sha256({as_view("IPL/p2p-transcript/v1"), initiator.genesis_hash, version,
                 ByteView(&tag_i, 1), initiator.static_key.bytes, initiator.ephemeral_key,
                 initiator.nonce, ByteView(&tag_r, 1), responder.static_key.bytes,
                 responder.ephemeral_key, responder.nonce});
}

Bytes auth_message(Role signer, const Hash32& transcript) {
  Bytes out;
  out.reserve(1 + transcript.size());
  out.push_back(static_cast<uint8_t>(signer));
  out.insert(out.end(), transcript.begin(), transcript.end());
  return out;
}

SessionKeys::~SessionKeys() {
  sodium_memzero(send.data(), send.size());
  sodium_memzero(receive.data(), receive.size());
}

Handshake::Handshake(Role role, HandshakeParams params) : role_(role), params_(std::move(params)) {
  IPL_ASSERT(params_.key != nullptr);
  IPL_ASSERT(role_ == Role::kInitiator || !params_.expected_key.has_value());
  ensure_sodium();
  our_hello_.protocol_version = params_.protocol_version;
  our_hello_.genesis_hash = params_.genesis_hash;
  our_hello_.static_key = params_.key->public_key;
  crypto_kx_keypair(our_hello_.ephemeral_key.data(), ephemeral_secret_.data());
  randombytes_buf(our_hello_.nonce.data(), our_hello_.nonce.size());
  our_hello_bytes_ = encode_hello(our_hello_);
}

Handshake::~Handshake() { sodium_memzero(ephemeral_secret_.data(), ephemeral_secret_.size()); }

Status Handshake::on_peer_hello(ByteView bytes) {
  IPL_ASSERT(!peer_hello_.has_value());
  auto decoded = decode_hello(bytes);
  if (!decoded.is_ok()) return decoded.status();
  const Hello& h = decoded.value();
  if (h.protocol_version != params_.protocol_version) {
    return Status::invalid("protocol version mismatch: peer " + std::to_string(h.protocol_version) +
                           ", ours " + std::to_string(params_.protocol_version));
  }
  if (h.genesis_hash != params_.genesis_hash) {
    return Status::invalid("genesis hash mismatch: peer " + to_hex(h.genesis_hash));
  }
  if (h.static_key == params_.key->public_key) return Status::invalid("peer presents our own key");
  if (params_.expected_key.has_value() && h.static_key != *params_.expected_key) {
    return Status::permission("peer presents key " + h.static_key.hex() + ", expected " +
                              params_.expected_key->hex());
  }
  if (h.ephemeral_key == our_hello_.ephemeral_key || h.nonce == our_hello_.nonce) {
    return Status::invalid("peer reflects our hello");
  }
  peer_hello_ = h;
  transcript_ = role_ == Role::kInitiator ? transcript_hash(our_hello_, h) : transcript_hash(h, our_hello_);
  return Status::ok();
}

const PublicKey& Handshake::peer_key() const {
  IPL_ASSERT(peer_hello_.has_value());
  return peer_hello_->static_key;
}

const Hash32& Handshake::transcript() const {
  IPL_ASSERT(peer_hello_.has_value());
  return transcript_;
}

Bytes Handshake::our_auth() const {
  IPL_ASSERT(peer_hello_.has_value());
  const Signature sig = sign(SigContext::kP2p, params_.key->secret_key, auth_message(role_, transcript_));
  Bytes out(sig.bytes.begin(), sig.bytes.end());
  IPL_ASSERT(out.size() == kAuthBytes);
  return out;
}

Result<SessionKeys> Handshake::on_peer_auth(ByteView bytes) {
  IPL_ASSERT(peer_hello_.has_value());
  if (bytes.size() != kAuthBytes) return Status::invalid("handshake signature has the wrong size");
  Signature sig;
  std::memcpy(sig.bytes.data(), bytes.data(), sig.bytes.size());
  const Role peer_role = role_ == Role::kInitiator ? Role::kResponder : Role::kInitiator;
  if (!verify(SigContext::kP2p, peer_hello_->static_key, auth_message(peer_role, transcript_), sig)) {
    return Status::bad_signature("handshake signature does not verify over this transcript");
  }
  // crypto_kx: the initiator is the client. client tx == server rx carries
  // initiator -> responder traffic.
  std::array<uint8_t, crypto_kx_SESSIONKEYBYTES> rx{};
  std::array<uint8_t, crypto_kx_SESSIONKEYBYTES> tx{};
  int rc = 0;
  if (role_ == Role::kInitiator) {
    rc = crypto_kx_client_session_keys(rx.data(), tx.data(), our_hello_.ephemeral_key.data(),
                                       ephemeral_secret_.data(), peer_hello_->ephemeral_key.data());
  } else {
    rc = crypto_kx_server_session_keys(rx.data(), tx.data(), our_hello_.ephemeral_key.data(),
                                       ephemeral_secret_.data(), peer_hello_->ephemeral_key.data());
  }
  if (rc != 0) {
    sodium_memzero(rx.data(), rx.size());
    sodium_memzero(tx.data(), tx.size());
    return Status::invalid("peer ephemeral key is unusable");
  }
  SessionKeys keys;
  keys.send = direction_key(role_, transcript_, tx.data());
  keys.receive = direction_key(peer_role, transcript_, rx.data());
  sodium_memzero(rx.data(), rx.size());
  sodium_memzero(tx.data(), tx.size());
  IPL_ASSERT(keys.send != keys.receive);
  return keys;
}

FrameSealer::~FrameSealer() { sodium_memzero(key_.data(), key_.size()); }

void FrameSealer::seal(ByteView message, Bytes& out) {
  IPL_ASSERT(message.size() <= limits::wire_message_bytes_max);
  IPL_ASSERT(counter_ < UINT64_MAX);
  const size_t ct_len = message.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  const size_t at = out.size();
  out.resize(at + kFrameHeaderBytes + ct_len);
  uint8_t* header = out.data() + at;
  const uint32_t len32 = static_cast<uint32_t>(ct_len);
  for (size_t i = 0; i < 4; ++i) header[i] = static_cast<uint8_t>(len32 >> (24 - 8 * i));
  const Nonce nonce = counter_nonce(counter_++);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(header + kFrameHeaderBytes, &written, message.data(),
                                             message.size(), header, kFrameHeaderBytes, nullptr,
                                             nonce.data(), key_.data());
  IPL_ASSERT(written == ct_len);
}

FrameOpener::~FrameOpener() { sodium_memzero(key_.data(), key_.size()); }

Result<size_t> FrameOpener::check_length(ByteView header, size_t frame_bytes_max) {
  IPL_ASSERT(header.size() == kFrameHeaderBytes);
  IPL_ASSERT(frame_bytes_max <= limits::p2p_frame_bytes_max);
  const size_t len = get_u32(header.data());
  if (len > frame_bytes_max) {
    return Status::limit("frame length " + std::to_string(len) + " exceeds " + std::to_string(frame_bytes_max));
  }
  if (len < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return Status::invalid("frame length " + std::to_string(len) + " is shorter than the tag");
  }
  return len;
}

Result<Bytes> FrameOpener::open(ByteView header, ByteView ciphertext) {
  IPL_ASSERT(header.size() == kFrameHeaderBytes);
  IPL_ASSERT(ciphertext.size() >= crypto_aead_xchacha20poly1305_ietf_ABYTES);
  IPL_ASSERT(get_u32(header.data()) == ciphertext.size());
  Bytes plain(ciphertext.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  const Nonce nonce = counter_nonce(counter_);
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_len, nullptr, ciphertext.data(),
                                                 ciphertext.size(), header.data(), header.size(),
                                                 nonce.data(), key_.data()) != 0) {
    return Status::bad_signature("frame " + std::to_string(counter_) + " fails authentication");
  }
  IPL_ASSERT(plain_len == plain.size());
  ++counter_;
  return plain;
}

}  // namespace ipl::net
