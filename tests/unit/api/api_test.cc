// Goal: the first API slice answers every documented status with the JSON
// {code, message} shape, rate-limits per sender key, bounds the body, and
// serves parseable Prometheus text. Method: a real ApiServer on 127.0.0.1
// port 0, httplib's client, and a fake NodeFacade backed by a real Mempool
// (real Ed25519) over a fake committed chain.
#include <httplib.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "api/routes.h"
#include "api/server.h"
#include "fake_node.h"

namespace ipl::api {
namespace {

using fakes::FakeNode;
using fakes::kChain;
using fakes::make_tx;

std::string json_tx(const Transaction& tx) { return nlohmann::json{{"tx", to_hex(tx.encode())}}.dump(); }

class Api : public ::testing::Test {
 protected:
  void SetUp() override {
    node::MempoolOptions o;
    o.chain_id = std::string(kChain);
    o.verify_threads = 2;
    o.limits.txs_max = 6;
    o.limits.sender_txs_max = 4;
    o.limits.nonce_window = 4;
    node_ = std::make_unique<FakeNode>(o);
    // Burst 4, and a refill so slow it never matters within a test.
    limiter_ = std::make_unique<RateLimiter>(0.001, 4, 100, clock_);
    ServerOptions so;
    so.body_bytes_max = 2 * limits::tx_bytes_max + 1024;
    so.threads = 4;
    server_ = std::make_unique<ApiServer>(so);
    for (Route& r : v1_routes(*node_, *limiter_)) server_->add_route(std::move(r));
    ASSERT_TRUE(server_->start("127.0.0.1", 0).is_ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override { server_->stop(); }

  httplib::Result post_json(const std::string& body) { return client_->Post("/v1/transactions", body, "application/json"); }

  // Every error body is exactly {"code": string, "message": string}.
  static std::string error_code(const httplib::Result& r) {
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r->body;
    if (!j.is_object()) return "";
    EXPECT_EQ(j.size(), 2u) << r->body;
    EXPECT_TRUE(j["message"].is_string());
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    return j["code"].is_string() ? j["code"].get<std::string>() : "";
  }

  SystemClock clock_;
  std::unique_ptr<FakeNode> node_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(Api, SubmitAcceptsJsonAndRawAndIsIdempotent) {
  auto kp = KeyPair::for_test("alice");
  Transaction t1 = make_tx(kp, 1);
  auto r = post_json(json_tx(t1));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["tx_id"], to_hex(t1.id()));
  EXPECT_EQ(j["status"], "pending");
  // Identical resubmission: 202, same id, no duplicate.
  auto again = post_json(json_tx(t1));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 202);
  EXPECT_EQ(nlohmann::json::parse(again->body)["tx_id"], to_hex(t1.id()));
  // Raw canonical bytes.
  Bytes raw = make_tx(kp, 2).encode();
  auto r2 = client_->Post("/v1/transactions", std::string(raw.begin(), raw.end()), "application/octet-stream");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 202);
  EXPECT_EQ(node_->metrics().mempool_size, 2u);
}

TEST_F(Api, SubmitErrorsHaveStableCodesAndStatuses) {
  auto kp = KeyPair::for_test("bob");
  struct Case {
    std::string body;
    std::string content_type;
    int status;
    std::string code;
  };
  Transaction forged = make_tx(kp, 1);
  forged.signature.bytes[5] ^= 1;
  Bytes big(limits::tx_bytes_max + 1, 0);
  std::vector<Case> cases = {
      {"not json", "application/json", 400, "request.malformed"},
      {R"({"tx": 5})", "application/json", 400, "request.malformed"},
      {R"({"tx": "zz"})", "application/json", 400, "tx.malformed"},
      {R"({"tx": "0102"})", "application/json", 400, "tx.malformed"},
      {"x", "text/plain", 415, "request.unsupported_media_type"},
      {json_tx(forged), "application/json", 401, "tx.bad_signature"},
      {std::string(big.begin(), big.end()), "application/octet-stream", 413, "tx.too_large"},
  };
  for (const Case& c : cases) {
    auto r = client_->Post("/v1/transactions", c.body, c.content_type.c_str());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << c.code << " " << r->body;
    EXPECT_EQ(error_code(r), c.code);
  }
}

TEST_F(Api, NonceConflictsAre409AndWrongChainIs422) {
  auto kp = KeyPair::for_test("carol");
  Transaction t1 = make_tx(kp, 1);
  node_->commit(t1, 3);
  auto low = post_json(json_tx(make_tx(kp, 1)));  // the committed one itself
  ASSERT_TRUE(low);
  EXPECT_EQ(low->status, 200);  // tx.committed: idempotent success
  EXPECT_EQ(nlohmann::json::parse(low->body)["status"], "committed");
  TxBody b = TxBody::decode(make_tx(kp, 1).body).value();
  b.payload = Bytes{9};  // a different transaction with a used nonce
  auto r = post_json(json_tx(Transaction::sign(b, kp.secret_key)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(error_code(r), "tx.nonce_too_low");
  auto far = post_json(json_tx(make_tx(kp, 99)));
  ASSERT_TRUE(far);
  EXPECT_EQ(far->status, 409);
  EXPECT_EQ(error_code(far), "tx.nonce_too_far");
  b.nonce = 2;
  b.chain_id = "other";
  auto wrong = post_json(json_tx(Transaction::sign(b, kp.secret_key)));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 422);
  EXPECT_EQ(error_code(wrong), "tx.wrong_chain");
}

TEST_F(Api, RateLimitedPerSenderKey) {
  auto a = KeyPair::for_test("spammer");
  for (uint64_t n = 1; n <= 4; ++n) {
    auto r = post_json(json_tx(make_tx(a, n)));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 202);
  }
  auto r = post_json(json_tx(make_tx(a, 5)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(error_code(r), "rate.limited");
  // Another key is not affected.
  auto other = post_json(json_tx(make_tx(KeyPair::for_test("quiet"), 1)));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 202);
}

TEST_F(Api, ForgedSubmissionsDoNotDrainTheVictimsQuota) {
  auto victim = KeyPair::for_test("victim");
  // Many forged copies under the victim's key: refused, and free.
  for (size_t i = 0; i < 10; ++i) {
    Transaction forged = make_tx(victim, 1);
    forged.signature.bytes[i] ^= 1;
    auto r = post_json(json_tx(forged));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  // The victim's own transactions still get the whole burst.
  for (uint64_t n = 1; n <= 4; ++n) {
    auto r = post_json(json_tx(make_tx(victim, n)));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 202) << n;
  }
}

TEST_F(Api, MempoolFullIs503) {
  // Senders 1..6 fill the pool (txs_max 6); limiter allows 4 per key.
  for (int s = 0; s < 6; ++s) {
    auto r = post_json(json_tx(make_tx(KeyPair::for_test("f" + std::to_string(s)), 1)));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
  }
  auto r = post_json(json_tx(make_tx(KeyPair::for_test("late"), 1)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(error_code(r), "mempool.full");
}

TEST_F(Api, BodyLimitAnswers413Json) {
  std::string huge(2 * limits::tx_bytes_max + 4096, 'a');
  auto r = client_->Post("/v1/transactions", huge, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(error_code(r), "request.too_large");
}

TEST_F(Api, GetTransactionPendingCommittedUnknown) {
  auto kp = KeyPair::for_test("dave");
  Transaction t1 = make_tx(kp, 1);
  ASSERT_EQ(post_json(json_tx(t1))->status, 202);
  auto pending = client_->Get("/v1/transactions/" + to_hex(t1.id()));
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->status, 202);
  EXPECT_EQ(nlohmann::json::parse(pending->body)["status"], "pending");

  node_->commit(t1, 4);
  auto done = client_->Get("/v1/transactions/" + to_hex(t1.id()));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  auto j = nlohmann::json::parse(done->body);
  EXPECT_EQ(j["status"], "committed");
  EXPECT_EQ(j["height"], 4);
  std::string ab;
  for (int i = 0; i < 32; ++i) ab += "ab";
  EXPECT_EQ(j["block_id"], ab);
  EXPECT_EQ(j["receipt"]["success"], true);
  EXPECT_EQ(j["receipt"]["reason"], "ok");
  EXPECT_EQ(j["receipt"]["events"][0]["type"], "test.done");
  EXPECT_EQ(j["receipt"]["events"][0]["data"], "0102");

  auto unknown = client_->Get("/v1/transactions/" + std::string(64, '0'));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(error_code(unknown), "tx.not_found");
  auto bad = client_->Get("/v1/transactions/xyz");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(error_code(bad), "tx.bad_id");
  auto no_route = client_->Get("/v1/nothing");
  ASSERT_TRUE(no_route);
  EXPECT_EQ(no_route->status, 404);
  EXPECT_EQ(error_code(no_route), "route.not_found");
}

TEST_F(Api, HealthAndMetrics) {
  auto h = client_->Get("/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(nlohmann::json::parse(h->body)["status"], "ok");

  auto kp = KeyPair::for_test("erin");
  Transaction t1 = make_tx(kp, 1);
  ASSERT_EQ(post_json(json_tx(t1))->status, 202);
  node_->commit(t1, 5);
  auto m = client_->Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_EQ(m->get_header_value("Content-Type").rfind("text/plain", 0), 0u);
  // Every line: a comment, or name{labels} value.
  const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? [-+]?([0-9.eE+-]+|Inf|NaN)$)");
  std::istringstream in(m->body);
  std::set<std::string> names;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  for (const char* want : {"ipl_height", "ipl_epoch", "ipl_round", "ipl_view_changes_total", "ipl_peers",
                           "ipl_mempool_size", "ipl_verify_rate_per_core", "ipl_commit_latency_seconds_bucket",
                           "ipl_commit_latency_seconds_sum", "ipl_commit_latency_seconds_count"}) {
    EXPECT_TRUE(names.contains(want)) << want;
  }
  EXPECT_NE(m->body.find("ipl_commit_latency_seconds_bucket{le=\"0.5\"} 1"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find("ipl_commit_latency_seconds_bucket{le=\"0.25\"} 0"), std::string::npos);
  EXPECT_NE(m->body.find("ipl_mempool_answers_total{code=\"ok\"} 1"), std::string::npos);
}

std::string hex_of(uint8_t byte, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += to_hex(ByteView(&byte, 1));
  return out;
}

TEST_F(Api, StatusServesEveryFieldWithHexKeys) {
  NodeStatus s;
  s.chain_id = std::string(kChain);
  s.genesis_hash.fill(0x11);
  s.mode = "validator";
  s.consensus_key.bytes.fill(0x22);
  s.height = 40;
  s.committed_height = 42;
  s.certified_height = 38;
  s.epoch = 3;
  s.round = 57;
  PublicKey leader;
  leader.bytes.fill(0x33);
  s.leader = leader;
  s.last_commit_age_ms = 250;
  s.mempool_size = 17;
  s.is_halted = true;
  s.halt_reason = "state root diverged at 39";
  PeerStatus up;
  up.key.bytes.fill(0x44);
  up.address = "127.0.0.1:7001";
  up.is_connected = true;
  PeerStatus down = up;
  down.key.bytes.fill(0x55);
  down.address = "127.0.0.1:7002";
  down.is_connected = false;
  s.peers = {up, down};
  node_->set_status(s);

  auto r = client_->Get("/v1/status");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["chain_id"], kChain);
  EXPECT_EQ(j["genesis_hash"], hex_of(0x11, 32));
  EXPECT_EQ(j["mode"], "validator");
  EXPECT_EQ(j["consensus_key"], hex_of(0x22, 32));
  EXPECT_EQ(j["height"], 40);
  EXPECT_EQ(j["committed_height"], 42);
  EXPECT_EQ(j["certified_height"], 38);
  EXPECT_EQ(j["epoch"], 3);
  EXPECT_EQ(j["round"], 57);
  EXPECT_EQ(j["leader"], hex_of(0x33, 32));
  EXPECT_EQ(j["last_commit_age_ms"], 250);
  EXPECT_EQ(j["mempool_size"], 17);
  EXPECT_EQ(j["is_halted"], true);
  EXPECT_EQ(j["halt_reason"], "state root diverged at 39");
  EXPECT_EQ(j["peers_connected"], 1);
  EXPECT_EQ(j["peers_total"], 2);
  ASSERT_EQ(j["peers"].size(), 2u);
  EXPECT_EQ(j["peers"][0]["key"], hex_of(0x44, 32));
  EXPECT_EQ(j["peers"][0]["address"], "127.0.0.1:7001");
  EXPECT_EQ(j["peers"][0]["is_connected"], true);
  EXPECT_EQ(j["peers"][1]["key"], hex_of(0x55, 32));
  EXPECT_EQ(j["peers"][1]["is_connected"], false);
}

TEST_F(Api, StatusOfAnObserverWithoutLeaderHasNulls) {
  NodeStatus s;
  s.chain_id = std::string(kChain);
  s.mode = "observer";
  node_->set_status(s);  // zero consensus key, no leader, no peers
  auto r = client_->Get("/v1/status");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto j = nlohmann::json::parse(r->body);
  EXPECT_TRUE(j["consensus_key"].is_null()) << r->body;
  EXPECT_TRUE(j["leader"].is_null()) << r->body;
  EXPECT_EQ(j["is_halted"], false);
  EXPECT_EQ(j["peers_total"], 0);
  EXPECT_TRUE(j["peers"].is_array());
}

// A block at height 7 of epoch 2 with two transactions (one failed), a
// LedgerInfo that starts epoch 3, and optionally a 3-signer certificate.
BlockView sample_block(bool is_certified) {
  BlockView v;
  BlockHeader& h = v.block.header;
  h.chain_id = std::string(kChain);
  h.epoch = Epoch(2);
  h.round = Round(9);
  h.height = Height(7);
  h.parent_id.fill(0x01);
  h.parent_qc.data = VoteData{std::string(kChain), Epoch(2), Round(8), h.parent_id};
  for (uint32_t i = 0; i < 3; ++i) h.parent_qc.signers.add(ValidatorIndex(i), Signature{}, 4);
  h.proposer = ValidatorIndex(1);
  h.timestamp_ms = 1'704'160'800'000;
  auto kp = KeyPair::for_test("blocker");
  v.block.txs = {make_tx(kp, 1), make_tx(kp, 2)};
  h.payload_hash = Block::payload_hash(v.block.txs);
  Receipt ok;
  ok.tx_id = v.block.txs[0].id();
  ok.success = true;
  ok.reason = "ok";
  Receipt bad;
  bad.tx_id = v.block.txs[1].id();
  bad.success = false;
  bad.reason = "tx.bad_nonce";
  v.receipts = {ok, bad};
  LedgerInfo& li = v.ledger_info;
  li.chain_id = std::string(kChain);
  li.epoch = Epoch(2);
  li.height = Height(7);
  li.block_id = h.id();
  li.timestamp_ms = h.timestamp_ms;
  li.block_tx_count = 2;
  li.history_size = 12;
  li.history_root.fill(0x0a);
  li.state_root.fill(0x0b);
  PublicKey k;
  k.bytes.fill(0x0c);
  li.next_epoch = EpochState{Epoch(3), ValidatorSet{Epoch(3), {k}}};
  if (is_certified) {
    ExecutionCertificate c;
    c.ledger_info = li;
    for (uint32_t i : {0u, 2u, 3u}) c.signers.add(ValidatorIndex(i), Signature{}, 4);
    v.certificate = c;
  }
  return v;
}

TEST_F(Api, BlockFoundServesHeaderReceiptsLedgerInfoAndSigners) {
  BlockView v = sample_block(true);
  node_->add_block(v);
  auto r = client_->Get("/v1/blocks/7");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["height"], 7);
  EXPECT_EQ(j["block_id"], to_hex(v.block.header.id()));
  const auto& h = j["header"];
  EXPECT_EQ(h["chain_id"], kChain);
  EXPECT_EQ(h["epoch"], 2);
  EXPECT_EQ(h["round"], 9);
  EXPECT_EQ(h["height"], 7);
  EXPECT_EQ(h["parent_id"], hex_of(0x01, 32));
  EXPECT_EQ(h["parent_qc"]["round"], 8);
  EXPECT_EQ(h["parent_qc"]["signers"], 3);
  EXPECT_EQ(h["proposer"], 1);
  EXPECT_EQ(h["timestamp_ms"], 1'704'160'800'000ull);
  EXPECT_EQ(h["payload_hash"], to_hex(v.block.header.payload_hash));
  EXPECT_EQ(j["tx_count"], 2);
  ASSERT_EQ(j["txs"].size(), 2u);
  EXPECT_EQ(j["txs"][0]["tx_id"], to_hex(v.block.txs[0].id()));
  EXPECT_EQ(j["txs"][0]["success"], true);
  EXPECT_EQ(j["txs"][0]["reason"], "ok");
  EXPECT_EQ(j["txs"][1]["tx_id"], to_hex(v.block.txs[1].id()));
  EXPECT_EQ(j["txs"][1]["success"], false);
  EXPECT_EQ(j["txs"][1]["reason"], "tx.bad_nonce");
  const auto& li = j["ledger_info"];
  EXPECT_EQ(li["height"], 7);
  EXPECT_EQ(li["epoch"], 2);
  EXPECT_EQ(li["block_id"], to_hex(v.block.header.id()));
  EXPECT_EQ(li["protocol_version"], 1);
  EXPECT_EQ(li["block_tx_count"], 2);
  EXPECT_EQ(li["history_size"], 12);
  EXPECT_EQ(li["history_root"], hex_of(0x0a, 32));
  EXPECT_EQ(li["state_root"], hex_of(0x0b, 32));
  EXPECT_EQ(li["next_epoch"]["number"], 3);
  EXPECT_EQ(li["next_epoch"]["consensus_keys"][0], hex_of(0x0c, 32));
  EXPECT_EQ(j["certificate_signers"], 3);
}

TEST_F(Api, BlockWithoutCertificateHasNullSigners) {
  node_->add_block(sample_block(false));
  auto r = client_->Get("/v1/blocks/7");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto j = nlohmann::json::parse(r->body);
  EXPECT_TRUE(j["certificate_signers"].is_null()) << r->body;
}

TEST_F(Api, BlockNotExecutedIs404AndBadHeightsAre400) {
  node_->add_block(sample_block(true));
  auto missing = client_->Get("/v1/blocks/8");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(error_code(missing), "block.not_found");
  for (std::string bad : {"0", "-1", "+7", "7x", "abc", "0x7", "18446744073709551616", "99999999999999999999999",
                          "%207"}) {
    auto r = client_->Get("/v1/blocks/" + bad);
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad << " " << r->body;
    EXPECT_EQ(error_code(r), "block.bad_height") << bad;
  }
  // The largest height parses (and is simply not there).
  auto max = client_->Get("/v1/blocks/18446744073709551615");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->status, 404);
  EXPECT_EQ(error_code(max), "block.not_found");
  node_->fail_store();
  auto broken = client_->Get("/v1/blocks/7");
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 503);
  EXPECT_EQ(error_code(broken), "node.unavailable");
}

// Hand-run measurement for docs/benchmarks-api.md (disabled in CI):
//   build/default/tests/unit_api --gtest_also_run_disabled_tests --gtest_filter='*KeepAlive*'
// One keep-alive client, sequential GET /health for 2 s, with TCP_NODELAY on
// and off.
TEST(ApiBench, DISABLED_KeepAliveRequestsPerSecond) {
  for (bool nodelay : {true, false}) {
    node::MempoolOptions o;
    o.chain_id = std::string(kChain);
    FakeNode node(o);
    ServerOptions so;
    so.is_tcp_nodelay = nodelay;
    ApiServer server(so);
    server.add_route(health_route(node));
    ASSERT_TRUE(server.start("127.0.0.1", 0).is_ok());
    httplib::Client client("127.0.0.1", server.port());
    client.set_keep_alive(true);
    client.set_tcp_nodelay(nodelay);
    const auto start = std::chrono::steady_clock::now();
    uint64_t n = 0;
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(2)) {
      auto r = client.Get("/health");
      ASSERT_TRUE(r);
      ++n;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("TCP_NODELAY %s: %llu requests in %.2f s = %.0f req/s\n", nodelay ? "on " : "off",
                static_cast<unsigned long long>(n), s, static_cast<double>(n) / s);
    server.stop();
  }
}

TEST(RateLimiter, RefillsAndBoundsKeys) {
  ManualClock clock;
  RateLimiter l(2.0, 2.0, 3, clock);
  EXPECT_TRUE(l.allow("a"));
  EXPECT_TRUE(l.allow("a"));
  EXPECT_FALSE(l.allow("a"));
  clock.advance_ms(500);  // one token back
  EXPECT_TRUE(l.allow("a"));
  EXPECT_FALSE(l.allow("a"));
  for (std::string k : {"b", "c", "d", "e"}) EXPECT_TRUE(l.allow(k));
  EXPECT_LE(l.keys(), 3u);
}

TEST(Histogram, CumulativeBuckets) {
  Histogram h({0.1, 1.0});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(7);
  HistogramSnapshot s = h.snapshot();
  EXPECT_EQ(s.counts, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(s.count, 3u);
  EXPECT_DOUBLE_EQ(s.sum, 7.55);
}

}  // namespace
}  // namespace ipl::api
