// Goal: transports on real loopback sockets connect, authenticate and carry
// messages both ways in order, broadcast to all, survive a peer restart, and
// keep one connection per pair. Method: two and four Transport instances on
// 127.0.0.1 with port 0; every wait is a bounded poll with a generous
// deadline.
#include <gtest/gtest.h>

#include "net_test_util.h"

namespace ipl::net {
namespace {

using testing::Members;
using testing::TestNode;
using testing::wait_until;

TEST(Transport, StartRefusesBadConfig) {
  Members members;
  TransportConfig c;
  c.key = KeyPair::for_test("net-a");
  c.peers.push_back(PeerAddress{"127.0.0.1", 1, c.key.public_key});
  EXPECT_EQ(Transport::start(c, {}, members.fn()).status().code(), Code::kInvalidArgument);
  c.peers.clear();
  c.limits.handshake_timeout_ms = limits::p2p_handshake_timeout_ms + 1;
  EXPECT_EQ(Transport::start(c, {}, members.fn()).status().code(), Code::kInvalidArgument);
  c.limits = {};
  c.listen_host = "not-an-ip";
  EXPECT_EQ(Transport::start(c, {}, members.fn()).status().code(), Code::kInvalidArgument);
}

TEST(Transport, TwoPeersExchangeTenThousandMessagesEachWayInOrder) {
  testing::log_capture();
  Members members;
  TestNode a("A", KeyPair::for_test("net-a"));
  TestNode b("B", KeyPair::for_test("net-b"));
  members.add(a.key());
  members.add(b.key());
  b.start(members, {});
  a.start(members, {b.address()});
  ASSERT_TRUE(wait_until([&] { return a.is_up(b.key()) && b.is_up(a.key()); }));

  constexpr uint64_t kCount = 10'000;
  for (uint64_t i = 0; i < kCount; ++i) {
    ASSERT_TRUE(a.t().send(b.key(), testing::numbered(i, 200)).is_ok());
    ASSERT_TRUE(b.t().send(a.key(), testing::numbered(i, 100 + i % 300)).is_ok());
  }
  ASSERT_TRUE(wait_until([&] { return b.received_count(a.key()) == kCount && a.received_count(b.key()) == kCount; }))
      << b.received_count(a.key()) << " " << a.received_count(b.key());
  const auto at_b = b.received(a.key());
  const auto at_a = a.received(b.key());
  for (uint64_t i = 0; i < kCount; ++i) {
    ASSERT_EQ(testing::number_of(at_b[i]), i);
    ASSERT_EQ(at_b[i], testing::numbered(i, 200));
    ASSERT_EQ(testing::number_of(at_a[i]), i);
  }
  for (const PeerInfo& p : a.t().peers()) {
    EXPECT_TRUE(p.is_connected);
    EXPECT_EQ(p.messages_dropped, 0u);
  }
  EXPECT_EQ(a.ups(), 1u);  // one connection, never replaced
  EXPECT_EQ(b.ups(), 1u);
  EXPECT_TRUE(testing::log_capture().has_line({"[A]", "connected to"}));
  a.stop();
  b.stop();
}

TEST(Transport, FourPeersMeshAndBroadcast) {
  Members members;
  std::vector<std::unique_ptr<TestNode>> nodes;
  for (const char* name : {"N0", "N1", "N2", "N3"}) {
    nodes.push_back(std::make_unique<TestNode>(name, KeyPair::for_test(std::string("net-") + name)));
    members.add(nodes.back()->key());
  }
  // Start in two waves so that the first dials fail and are retried.
  std::vector<PeerAddress> none;
  nodes[0]->start(members, none);
  nodes[1]->start(members, {nodes[0]->address()});
  nodes[2]->start(members, {nodes[0]->address(), nodes[1]->address()});
  nodes[3]->start(members, {nodes[0]->address(), nodes[1]->address(), nodes[2]->address()});
  ASSERT_TRUE(wait_until([&] {
    for (auto& n : nodes) {
      if (n->up_count() != 3) return false;
    }
    return true;
  }));

  constexpr uint64_t kCount = 500;
  for (uint64_t i = 0; i < kCount; ++i) {
    for (auto& n : nodes) ASSERT_TRUE(n->t().broadcast(testing::numbered(i, 64)).is_ok());
  }
  ASSERT_TRUE(wait_until([&] {
    for (auto& n : nodes) {
      for (auto& m : nodes) {
        if (n != m && n->received_count(m->key()) != kCount) return false;
      }
    }
    return true;
  }));
  for (auto& n : nodes) {
    for (auto& m : nodes) {
      if (n == m) continue;
      const auto got = n->received(m->key());
      for (uint64_t i = 0; i < kCount; ++i) ASSERT_EQ(testing::number_of(got[i]), i);
    }
  }
  for (auto& n : nodes) n->stop();
}

TEST(Transport, CrossingDialsKeepOneConnection) {
  Members members;
  TestNode a("A", KeyPair::for_test("net-a"));
  TestNode b("B", KeyPair::for_test("net-b"));
  members.add(a.key());
  members.add(b.key());
  TransportLimits fast;
  fast.dial_defer_ms = 20;  // the higher key's dial comes soon too
  a.start(members, {}, fast);
  b.start(members, {a.address()}, fast);
  // Restart A with B configured, on the same port, so both sides dial.
  const uint16_t port_a = a.address().port;
  ASSERT_TRUE(wait_until([&] { return a.is_up(b.key()) && b.is_up(a.key()); }));
  a.stop();
  a.start(members, {b.address()}, fast, testing::test_genesis(), port_a);
  ASSERT_TRUE(wait_until([&] { return a.is_up(b.key()) && b.is_up(a.key()); }));
  // Whatever crossed, exactly one connection stays and both agree on it.
  ASSERT_TRUE(wait_until([&] {
    auto pa = a.t().peers();
    auto pb = b.t().peers();
    return pa.size() == 1 && pb.size() == 1 && pa[0].is_connected && pb[0].is_connected &&
           pa[0].is_outbound != pb[0].is_outbound;
  }));
  ASSERT_TRUE(a.t().send(b.key(), testing::numbered(7, 32)).is_ok());
  ASSERT_TRUE(wait_until([&] { return b.has_received(a.key(), testing::numbered(7, 32)); }));
  a.stop();
  b.stop();
}

TEST(Transport, ReconnectsAfterPeerRestartAndDeliversQueued) {
  Members members;
  TestNode a("A", KeyPair::for_test("net-a"));
  TestNode b("B", KeyPair::for_test("net-b"));
  members.add(a.key());
  members.add(b.key());
  b.start(members, {});
  const uint16_t port_b = b.address().port;
  a.start(members, {b.address()});
  ASSERT_TRUE(wait_until([&] { return a.is_up(b.key()); }));
  b.stop();
  ASSERT_TRUE(wait_until([&] { return !a.is_up(b.key()); }));
  // Queued while B is down: kept for a configured peer.
  ASSERT_TRUE(a.t().send(b.key(), testing::numbered(42, 50)).is_ok());
  b.start(members, {}, {}, testing::test_genesis(), port_b);
  ASSERT_TRUE(wait_until([&] { return a.is_up(b.key()) && b.is_up(a.key()); }));
  ASSERT_TRUE(wait_until([&] { return b.has_received(a.key(), testing::numbered(42, 50)); }));
  a.stop();
  b.stop();
}

TEST(Transport, SendToUnknownPeerAndOversizeAreErrors) {
  Members members;
  TestNode a("A", KeyPair::for_test("net-a"));
  members.add(a.key());
  a.start(members, {});
  EXPECT_EQ(a.t().send(KeyPair::for_test("nobody").public_key, Bytes(10)).code(), Code::kNotFound);
  EXPECT_EQ(a.t().send(a.key(), Bytes(limits::wire_message_bytes_max + 1)).code(), Code::kLimitExceeded);
  EXPECT_EQ(a.t().stats().messages_dropped, 1u);
  a.stop();
}

TEST(Transport, FullQueueDropsOldestAndCounts) {
  Members members;
  TestNode a("A", KeyPair::for_test("net-a"));
  members.add(a.key());
  TransportLimits small;
  small.send_queue_messages_max = 10;
  // A configured peer that never answers: messages queue up.
  a.start(members, {PeerAddress{"127.0.0.1", 1, KeyPair::for_test("net-b").public_key}}, small);
  for (uint64_t i = 0; i < 25; ++i) ASSERT_TRUE(a.t().send(KeyPair::for_test("net-b").public_key, Bytes(8)).is_ok());
  auto peers = a.t().peers();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].queued_messages, 10u);
  EXPECT_EQ(peers[0].messages_dropped, 15u);
  EXPECT_FALSE(peers[0].is_connected);
  a.stop();
}

TEST(Transport, LargeMessagesCrossIntact) {
  Members members;
  TestNode a("A", KeyPair::for_test("net-a"));
  TestNode b("B", KeyPair::for_test("net-b"));
  members.add(a.key());
  members.add(b.key());
  b.start(members, {});
  a.start(members, {b.address()});
  ASSERT_TRUE(wait_until([&] { return a.is_up(b.key()) && b.is_up(a.key()); }));
  Bytes big(limits::wire_message_bytes_max);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 31 + 7);
  ASSERT_TRUE(a.t().send(b.key(), big).is_ok());
  ASSERT_TRUE(a.t().send(b.key(), Bytes{}).is_ok());  // empty messages are frames too
  ASSERT_TRUE(wait_until([&] { return b.received_count(a.key()) == 2; }, 60));
  const auto got = b.received(a.key());
  EXPECT_EQ(got[0], big);
  EXPECT_TRUE(got[1].empty());
  a.stop();
  b.stop();
}

}  // namespace
}  // namespace ipl::net
