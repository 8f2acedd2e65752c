// Goal: the handshake and frame cipher of docs/protocol.md section 14 agree
// between the two roles and refuse every tampered, foreign or replayed
// input. Method: drive two Handshake objects in memory, byte for byte, with
// no sockets.
#include "node/net/handshake.h"

#include <gtest/gtest.h>

#include "common/limits.h"

namespace ipl::net {
namespace {

struct Pair {
  KeyPair a = KeyPair::for_test("net-a");
  KeyPair b = KeyPair::for_test("net-b");
  Hash32 genesis{};
  Pair() { genesis.fill(7); }
  HandshakeParams params(const KeyPair& k, std::optional<PublicKey> expected = std::nullopt) const {
    HandshakeParams p;
    p.protocol_version = 1;
    p.genesis_hash = genesis;
    p.key = &k;
    p.expected_key = expected;
    return p;
  }
};

// Runs a full handshake; returns {initiator keys, responder keys}.
std::pair<SessionKeys, SessionKeys> complete(Handshake& i, Handshake& r) {
  EXPECT_TRUE(i.on_peer_hello(r.our_hello()).is_ok());
  EXPECT_TRUE(r.on_peer_hello(i.our_hello()).is_ok());
  EXPECT_EQ(i.transcript(), r.transcript());
  auto ki = i.on_peer_auth(r.our_auth());
  auto kr = r.on_peer_auth(i.our_auth());
  EXPECT_TRUE(ki.is_ok());
  EXPECT_TRUE(kr.is_ok());
  return {ki.value(), kr.value()};
}

TEST(Hello, RoundTripsAndHasFixedSize) {
  Hello h;
  h.protocol_version = 3;
  h.genesis_hash.fill(1);
  h.static_key.bytes.fill(2);
  h.ephemeral_key.fill(3);
  h.nonce.fill(4);
  const Bytes bytes = encode_hello(h);
  ASSERT_EQ(bytes.size(), kHelloBytes);
  EXPECT_EQ(bytes[0], 'I');
  EXPECT_EQ(bytes[3], 'N');
  auto back = decode_hello(bytes);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->protocol_version, 3u);
  EXPECT_EQ(back->static_key, h.static_key);
  EXPECT_EQ(back->nonce, h.nonce);
}

TEST(Hello, RejectsBadMagicAndSize) {
  Bytes bytes(kHelloBytes, 0xAB);
  EXPECT_EQ(decode_hello(bytes).status().code(), Code::kInvalidArgument);
  bytes.resize(kHelloBytes - 1);
  EXPECT_EQ(decode_hello(bytes).status().code(), Code::kInvalidArgument);
}

TEST(Handshake, BothRolesDeriveCrossedKeys) {
  Pair p;
  Handshake i(Role::kInitiator, p.params(p.a, p.b.public_key));
  Handshake r(Role::kResponder, p.params(p.b));
  auto [ki, kr] = complete(i, r);
  EXPECT_EQ(ki.send, kr.receive);
  EXPECT_EQ(ki.receive, kr.send);
  EXPECT_NE(ki.send, ki.receive);
  EXPECT_EQ(i.peer_key(), p.b.public_key);
  EXPECT_EQ(r.peer_key(), p.a.public_key);
}

TEST(Handshake, FreshKeysEveryConnection) {
  Pair p;
  Handshake i1(Role::kInitiator, p.params(p.a));
  Handshake r1(Role::kResponder, p.params(p.b));
  Handshake i2(Role::kInitiator, p.params(p.a));
  Handshake r2(Role::kResponder, p.params(p.b));
  auto [k1, unused1] = complete(i1, r1);
  auto [k2, unused2] = complete(i2, r2);
  EXPECT_NE(k1.send, k2.send);
  EXPECT_NE(i1.transcript(), i2.transcript());
}

TEST(Handshake, RefusesGenesisVersionAndKeyMismatch) {
  Pair p;
  Handshake r(Role::kResponder, p.params(p.b));
  HandshakeParams other = p.params(p.a);
  other.genesis_hash.fill(8);
  Handshake wrong_genesis(Role::kInitiator, other);
  EXPECT_EQ(r.on_peer_hello(wrong_genesis.our_hello()).code(), Code::kInvalidArgument);

  Handshake r2(Role::kResponder, p.params(p.b));
  HandshakeParams v2 = p.params(p.a);
  v2.protocol_version = 2;
  Handshake wrong_version(Role::kInitiator, v2);
  EXPECT_EQ(r2.on_peer_hello(wrong_version.our_hello()).code(), Code::kInvalidArgument);

  const KeyPair c = KeyPair::for_test("net-c");
  Handshake expects_c(Role::kInitiator, p.params(p.a, c.public_key));
  Handshake r3(Role::kResponder, p.params(p.b));
  EXPECT_EQ(expects_c.on_peer_hello(r3.our_hello()).code(), Code::kPermissionDenied);

  Handshake self(Role::kInitiator, p.params(p.b));
  Handshake r4(Role::kResponder, p.params(p.b));
  EXPECT_EQ(r4.on_peer_hello(self.our_hello()).code(), Code::kInvalidArgument);
}

TEST(Handshake, ReplayedHelloAndSignatureFailOnNewConnection) {
  Pair p;
  // A real handshake, recorded.
  Handshake i1(Role::kInitiator, p.params(p.a));
  Handshake r1(Role::kResponder, p.params(p.b));
  complete(i1, r1);
  const Bytes old_hello = i1.our_hello();
  const Bytes old_auth = i1.our_auth();
  // The attacker replays both to a fresh responder.
  Handshake r2(Role::kResponder, p.params(p.b));
  ASSERT_TRUE(r2.on_peer_hello(old_hello).is_ok());  // a hello alone proves nothing
  auto keys = r2.on_peer_auth(old_auth);
  EXPECT_EQ(keys.status().code(), Code::kBadSignature);
}

TEST(Handshake, ResponderSignatureIsNotAnInitiatorSignature) {
  Pair p;
  Handshake i(Role::kInitiator, p.params(p.a));
  Handshake r(Role::kResponder, p.params(p.b));
  ASSERT_TRUE(i.on_peer_hello(r.our_hello()).is_ok());
  ASSERT_TRUE(r.on_peer_hello(i.our_hello()).is_ok());
  // Reflecting the responder's own signature back at it must fail.
  EXPECT_EQ(r.on_peer_auth(r.our_auth()).status().code(), Code::kBadSignature);
}

TEST(Frame, SealOpenAndRejectTampering) {
  Pair p;
  Handshake i(Role::kInitiator, p.params(p.a));
  Handshake r(Role::kResponder, p.params(p.b));
  auto [ki, kr] = complete(i, r);
  FrameSealer sealer(ki.send);
  FrameOpener opener(kr.receive);
  Bytes wire;
  sealer.seal(as_view("first"), wire);
  sealer.seal(as_view("second"), wire);
  ASSERT_EQ(wire.size(), 2 * kFrameHeaderBytes + 5 + 6 + 2 * limits::p2p_aead_bytes);

  const auto open_at = [&](FrameOpener& o, const Bytes& w, size_t at) -> Result<Bytes> {
    const ByteView header(w.data() + at, kFrameHeaderBytes);
    auto len = FrameOpener::check_length(header, limits::p2p_frame_bytes_max);
    if (!len.is_ok()) return len.status();
    return o.open(header, ByteView(w.data() + at + kFrameHeaderBytes, len.value()));
  };
  // Skipping the first frame (reorder/drop) fails: the counter is implicit.
  {
    FrameOpener skipper(kr.receive);
    EXPECT_EQ(open_at(skipper, wire, kFrameHeaderBytes + 5 + 16).status().code(), Code::kBadSignature);
  }
  // A flipped bit fails.
  {
    Bytes flipped = wire;
    flipped[kFrameHeaderBytes + 2] ^= 0x01;
    FrameOpener o(kr.receive);
    EXPECT_EQ(open_at(o, flipped, 0).status().code(), Code::kBadSignature);
  }
  auto first = open_at(opener, wire, 0);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(as_chars(first.value()), "first");
  // Replaying the first frame fails (the counter moved on).
  EXPECT_EQ(open_at(opener, wire, 0).status().code(), Code::kBadSignature);
  // The wrong direction's key fails.
  FrameOpener wrong(ki.receive);
  EXPECT_EQ(open_at(wrong, wire, 0).status().code(), Code::kBadSignature);
}

TEST(Frame, LengthJudgedBeforeAllocation) {
  const uint8_t huge[4] = {0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(FrameOpener::check_length(ByteView(huge, 4), limits::p2p_frame_bytes_max).status().code(),
            Code::kLimitExceeded);
  const uint8_t tiny[4] = {0, 0, 0, 5};
  EXPECT_EQ(FrameOpener::check_length(ByteView(tiny, 4), limits::p2p_frame_bytes_max).status().code(),
            Code::kInvalidArgument);
  const uint8_t ok[4] = {0, 0, 1, 0};
  EXPECT_EQ(FrameOpener::check_length(ByteView(ok, 4), limits::p2p_frame_bytes_max).value(), 256u);
}

}  // namespace
}  // namespace ipl::net
