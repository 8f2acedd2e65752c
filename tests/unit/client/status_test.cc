// Goal: `ipledger status` prints every field the issue asks for from a real
// GET /v1/status answer, exits 1 for a halted node and 2 for an unreachable
// one or a body that is not a status. Method: a real ApiServer over the
// fake chain; status_text on its answer; node_status for the exit codes.
#include <gtest/gtest.h>

#include "fake_chain.h"
#include "node/cli.h"

namespace ipl::cli {
namespace {

using testing::bench_genesis;
using testing::FakeChain;
using testing::FakeServer;

api::NodeStatus sample_status() {
  api::NodeStatus s;
  s.mode = "validator";
  s.consensus_key.bytes.fill(0x22);
  s.certified_height = 1;
  s.epoch = 2;
  s.round = 57;
  PublicKey leader;
  leader.bytes.fill(0x33);
  s.leader = leader;
  s.last_commit_age_ms = 1'250;
  s.mempool_size = 4;
  for (int i = 0; i < 4; ++i) {
    api::PeerStatus p;
    p.key.bytes.fill(static_cast<uint8_t>(0x40 + i));
    p.address = "127.0.0.1:700" + std::to_string(i);
    p.is_connected = i != 2;
    s.peers.push_back(p);
  }
  return s;
}

TEST(StatusCli, PrintsEveryFieldFromTheRoute) {
  FakeChain chain(bench_genesis());
  chain.base_status = sample_status();
  FakeServer server(chain);
  api::HttpClient client(server.endpoint());
  auto r = client.get("/v1/status");
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->status, 200);
  auto text = status_text(r->body);
  ASSERT_TRUE(text.is_ok()) << text.status().to_string();
  const std::string& t = *text;
  EXPECT_NE(t.find("chain          ipl-unit (genesis " + to_hex(bench_genesis().hash()) + ")"), std::string::npos) << t;
  EXPECT_NE(t.find("mode           validator"), std::string::npos) << t;
  EXPECT_NE(t.find("height         1 executed, 1 committed, 1 certified"), std::string::npos) << t;
  EXPECT_NE(t.find("epoch          2"), std::string::npos) << t;
  EXPECT_NE(t.find("round          57"), std::string::npos) << t;
  EXPECT_NE(t.find("peers          3/4 connected"), std::string::npos) << t;
  EXPECT_NE(t.find("leader         " + std::string(64, '3')), std::string::npos) << t;
  EXPECT_NE(t.find("last commit    1.25 s ago"), std::string::npos) << t;
  EXPECT_NE(t.find("halted         no"), std::string::npos) << t;
  EXPECT_EQ(node_status(server.url(), false), 0);
  EXPECT_EQ(node_status(server.url(), true), 0);
}

TEST(StatusCli, HaltedNodeShowsTheReasonAndExits1) {
  FakeChain chain(bench_genesis());
  api::NodeStatus s = sample_status();
  s.is_halted = true;
  s.halt_reason = "state root diverged at height 9";
  s.leader.reset();
  chain.base_status = s;
  FakeServer server(chain);
  api::HttpClient client(server.endpoint());
  auto r = client.get("/v1/status");
  ASSERT_TRUE(r.is_ok());
  auto text = status_text(r->body);
  ASSERT_TRUE(text.is_ok());
  EXPECT_NE(text->find("halted         YES: state root diverged at height 9"), std::string::npos) << *text;
  EXPECT_NE(text->find("leader         unknown"), std::string::npos) << *text;
  EXPECT_EQ(node_status(server.url(), false), 1);
}

TEST(StatusCli, UnreachableOrMalformedExits2) {
  uint16_t port = 0;
  {
    FakeChain chain(bench_genesis());
    FakeServer server(chain);
    port = server.endpoint().port;
  }
  EXPECT_EQ(node_status("http://127.0.0.1:" + std::to_string(port), false), 2);
  EXPECT_EQ(node_status("127.0.0.1:80", false), 2);  // not a URL
  EXPECT_FALSE(status_text("not json").is_ok());
  EXPECT_FALSE(status_text(R"({"height": 1})").is_ok());
  EXPECT_FALSE(status_text(R"([1,2])").is_ok());
}

}  // namespace
}  // namespace ipl::cli
