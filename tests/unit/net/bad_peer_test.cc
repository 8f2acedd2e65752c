// Goal: every bad peer of issue 5 ("Must show: Bad peers") is refused or
// disconnected, logged with its reason and counted, while the good peers
// of the victim keep exchanging messages. Method: three good transports
// (A, B, C; B is the victim, with a short handshake timeout) on loopback;
// attackers are raw sockets, transports with wrong keys or genesis, and a
// byte proxy that records or corrupts a real member's connection to B.
#include <sodium.h>

#include <gtest/gtest.h>

#include "net_test_util.h"
#include "node/net/handshake.h"

namespace ipl::net {
namespace {

using testing::Members;
using testing::Proxy;
using testing::RawClient;
using testing::TestNode;
using testing::wait_until;

constexpr size_t kHandshakeBytes = kHelloBytes + kAuthBytes;

class BadPeer : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::log_capture().clear();
    for (auto* n : {&a_, &b_, &c_, &e_}) members_.add(n->key());
    victim_limits_.handshake_timeout_ms = 1'000;
    victim_limits_.dial_defer_ms = 200;
    b_.start(members_, {}, victim_limits_);
    a_.start(members_, {b_.address()});
    c_.start(members_, {b_.address()});
    ASSERT_TRUE(wait_until([&] { return b_.up_count() == 2 && a_.is_up(b_.key()) && c_.is_up(b_.key()); }));
  }

  void TearDown() override {
    e_.stop();
    for (auto* n : {&a_, &b_, &c_}) n->stop();
  }

  // The good peers still talk to B, both ways.
  void expect_good_peers_exchange() {
    const Bytes m = testing::numbered(++round_, 40);
    ASSERT_TRUE(a_.t().send(b_.key(), m).is_ok());
    ASSERT_TRUE(c_.t().send(b_.key(), m).is_ok());
    ASSERT_TRUE(b_.t().broadcast(m).is_ok());
    EXPECT_TRUE(wait_until([&] {
      return b_.has_received(a_.key(), m) && b_.has_received(c_.key(), m) && a_.has_received(b_.key(), m) &&
             c_.has_received(b_.key(), m);
    }));
  }

  bool logged(const std::vector<std::string>& parts) {
    return wait_until([&] { return testing::log_capture().has_line(parts); });
  }

  // Starts E, a member, connected to B through `proxy`.
  void start_e_through(Proxy& proxy) {
    e_.start(members_, {PeerAddress{"127.0.0.1", proxy.port(), b_.key()}});
    ASSERT_TRUE(wait_until([&] { return e_.is_up(b_.key()) && b_.is_up(e_.key()); }));
  }

  Members members_;
  TransportLimits victim_limits_;
  TestNode a_{"A", KeyPair::for_test("net-a")};
  TestNode b_{"B", KeyPair::for_test("net-b")};
  TestNode c_{"C", KeyPair::for_test("net-c")};
  TestNode e_{"E", KeyPair::for_test("net-e")};
  uint64_t round_ = 0;
};

TEST_F(BadPeer, RandomBytesAfterConnect) {
  Bytes garbage(4096);
  randombytes_buf(garbage.data(), garbage.size());
  garbage[0] = 0x00;  // never the magic's first byte 'I'
  RawClient raw(b_.address().port);
  ASSERT_TRUE(raw.is_connected());
  raw.send(garbage);
  EXPECT_TRUE(raw.wait_closed());
  EXPECT_TRUE(logged({"[B]", "unauthenticated", "bad hello magic"}));
  EXPECT_GE(b_.t().stats().protocol_violations, 1u);
  expect_good_peers_exchange();
}

TEST_F(BadPeer, HugeLengthPrefixRightAfterConnect) {
  Bytes prefix(kHelloBytes, 0x00);
  prefix[0] = prefix[1] = prefix[2] = prefix[3] = 0xFF;  // 4 GiB - 1
  RawClient raw(b_.address().port);
  raw.send(prefix);
  EXPECT_TRUE(raw.wait_closed());
  EXPECT_TRUE(logged({"[B]", "bad hello magic"}));
  expect_good_peers_exchange();
}

TEST_F(BadPeer, HugeLengthPrefixInsideTheSession) {
  // E is a member; the proxy rewrites the first frame's length to 0xFFFFFFFF.
  Proxy proxy(b_.address().port, [](Bytes& chunk, size_t offset) {
    for (size_t i = 0; i < chunk.size(); ++i) {
      const size_t at = offset + i;
      if (at >= kHandshakeBytes && at < kHandshakeBytes + 4) chunk[i] = 0xFF;
    }
  });
  start_e_through(proxy);
  ASSERT_TRUE(e_.t().send(b_.key(), Bytes(100, 1)).is_ok());
  EXPECT_TRUE(logged({"[B]", "bad frame", "4294967295 exceeds"}));
  EXPECT_TRUE(wait_until([&] { return b_.t().stats().protocol_violations >= 1; }));
  EXPECT_EQ(b_.received_count(e_.key()), 0u);
  expect_good_peers_exchange();
}

TEST_F(BadPeer, ValidHandshakeWithUnknownKey) {
  TestNode stranger("X", KeyPair::for_test("net-stranger"));  // not a member of B's set
  Members own;
  own.add(b_.key());  // the stranger itself accepts B
  stranger.start(own, {b_.address()});
  EXPECT_TRUE(logged({"[B]", "refused", "not a current member"}));
  EXPECT_TRUE(wait_until([&] { return b_.t().stats().handshakes_refused >= 1; }));
  EXPECT_FALSE(b_.is_up(stranger.key()));
  EXPECT_FALSE(stranger.is_up(b_.key()));
  expect_good_peers_exchange();
  stranger.stop();
}

TEST_F(BadPeer, ReplayedHandshake) {
  // Capture a real member's handshake bytes on the way to B ...
  Proxy proxy(b_.address().port, nullptr);
  start_e_through(proxy);
  const Bytes captured = proxy.recorded();
  ASSERT_GE(captured.size(), kHandshakeBytes);
  // ... and replay them on a fresh connection.
  RawClient raw(b_.address().port);
  raw.send(Bytes(captured.begin(), captured.begin() + kHandshakeBytes));
  EXPECT_TRUE(raw.wait_closed());
  EXPECT_TRUE(logged({"[B]", "does not verify over this transcript"}));
  expect_good_peers_exchange();
}

TEST_F(BadPeer, FlippedBitInEncryptedFrame) {
  Proxy proxy(b_.address().port, [](Bytes& chunk, size_t offset) {
    const size_t target = kHandshakeBytes + 4 + 3;  // inside the first ciphertext
    if (target >= offset && target < offset + chunk.size()) chunk[target - offset] ^= 0x10;
  });
  start_e_through(proxy);
  ASSERT_TRUE(e_.t().send(b_.key(), Bytes(100, 1)).is_ok());
  EXPECT_TRUE(logged({"[B]", "bad frame", "fails authentication"}));
  EXPECT_EQ(b_.received_count(e_.key()), 0u);
  // E is backed off, then readmitted on a clean connection (the proxy only
  // corrupts the first one).
  EXPECT_TRUE(wait_until([&] { return b_.is_up(e_.key()) && e_.is_up(b_.key()); }));
  expect_good_peers_exchange();
}

TEST_F(BadPeer, WrongGenesisHash) {
  TestNode forked("F", KeyPair::for_test("net-f"));
  members_.add(forked.key());
  forked.start(members_, {b_.address()}, {}, testing::test_genesis(0x99));
  EXPECT_TRUE(logged({"[B]", "genesis hash mismatch"}));
  EXPECT_TRUE(logged({"[F]", "genesis hash mismatch"}));
  EXPECT_FALSE(b_.is_up(forked.key()));
  expect_good_peers_exchange();
  forked.stop();
}

TEST_F(BadPeer, SilentPeerTimesOut) {
  RawClient raw(b_.address().port);
  ASSERT_TRUE(raw.is_connected());
  EXPECT_TRUE(raw.wait_closed());  // B's handshake timeout is 1 s
  EXPECT_TRUE(logged({"[B]", "handshake timeout"}));
  EXPECT_GE(b_.t().stats().handshake_timeouts, 1u);
  expect_good_peers_exchange();
}

}  // namespace
}  // namespace ipl::net
