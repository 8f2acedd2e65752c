// Goal: POST /v1/transactions/batch handles every transaction exactly as
// the single route does (same codes, same per-sender rate limit charged
// after the verdict), answers in input order with counts, refuses bad
// framing as a whole with a stable code before submitting anything, and
// is bounded by its own body limit while the single route keeps its
// smaller one (also for chunked bodies). Method: a real ApiServer on
// 127.0.0.1 port 0 with every v1 route, httplib's client, and the fake
// NodeFacade of fake_node.h (a real Mempool, real Ed25519) that counts its
// submit_tx calls.
#include <httplib.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "api/server.h"
#include "fake_node.h"

namespace ipl::api {
namespace {

using fakes::FakeNode;
using fakes::kChain;
using fakes::make_tx;
using nlohmann::json;

// u32 big-endian length ‖ bytes, the batch route's frame.
void frame(std::string& out, ByteView tx) {
  const auto n = static_cast<uint32_t>(tx.size());
  const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                       static_cast<char>(n)};
  out.append(len, 4);
  out.append(reinterpret_cast<const char*>(tx.data()), tx.size());
}

std::string batch_of(const std::vector<Transaction>& txs) {
  std::string body;
  for (const Transaction& t : txs) frame(body, t.encode());
  return body;
}

// The single route's body bound in this fixture (below the default, so a
// body between the two bounds is easy to build).
constexpr size_t kSingleBodyBytesMax = 2 * limits::tx_bytes_max + 1024;

class Batch : public ::testing::Test {
 protected:
  void SetUp() override {
    node::MempoolOptions o;
    o.chain_id = std::string(kChain);
    o.verify_threads = 2;
    o.limits.txs_max = 64;
    o.limits.sender_txs_max = 8;
    o.limits.nonce_window = 8;
    node_ = std::make_unique<FakeNode>(o);
    // Burst 4 per sender key, and a refill so slow it never matters here.
    limiter_ = std::make_unique<RateLimiter>(0.001, 4, 100, clock_);
    ServerOptions so;
    so.body_bytes_max = kSingleBodyBytesMax;
    so.threads = 4;
    server_ = std::make_unique<ApiServer>(so);
    for (Route& r : v1_routes(*node_, *limiter_)) server_->add_route(std::move(r));
    ASSERT_TRUE(server_->start("127.0.0.1", 0).is_ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override { server_->stop(); }

  httplib::Result post_batch(const std::string& body) {
    return client_->Post("/v1/transactions/batch", body, "application/octet-stream");
  }

  // A 200 batch answer, checked for its shape: counts that add up and one
  // result per transaction, each {tx_id: hex|null, code, message}.
  static json batch_answer(const httplib::Result& r, size_t txs) {
    EXPECT_EQ(r->status, 200) << r->body;
    json j = json::parse(r->body, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r->body;
    if (!j.is_object()) return json::object();
    EXPECT_EQ(j.size(), 3u) << r->body;
    EXPECT_TRUE(j["results"].is_array());
    EXPECT_EQ(j["results"].size(), txs);
    EXPECT_EQ(j["accepted"].get<size_t>() + j["rejected"].get<size_t>(), txs);
    for (const json& x : j["results"]) {
      EXPECT_EQ(x.size(), 3u) << x.dump();
      EXPECT_TRUE(x["tx_id"].is_null() || x["tx_id"].is_string()) << x.dump();
      EXPECT_TRUE(x["code"].is_string()) << x.dump();
      EXPECT_TRUE(x["message"].is_string()) << x.dump();
    }
    return j;
  }

  static std::string error_code(const httplib::Result& r) {
    auto j = json::parse(r->body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.size() == 2) << r->body;
    if (!j.is_object() || !j["code"].is_string()) return "";
    return j["code"].get<std::string>();
  }

  SystemClock clock_;
  std::unique_ptr<FakeNode> node_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(Batch, AllAcceptedInOrder) {
  std::vector<Transaction> txs;
  for (const char* who : {"a", "b", "c"}) {
    for (uint64_t n = 1; n <= 2; ++n) txs.push_back(make_tx(KeyPair::for_test(who), n));
  }
  auto r = post_batch(batch_of(txs));
  ASSERT_TRUE(r);
  const json j = batch_answer(r, txs.size());
  EXPECT_EQ(j["accepted"], 6);
  EXPECT_EQ(j["rejected"], 0);
  for (size_t i = 0; i < txs.size(); ++i) {
    EXPECT_EQ(j["results"][i]["code"], "ok") << i;
    EXPECT_EQ(j["results"][i]["tx_id"], to_hex(txs[i].id())) << i;
  }
  EXPECT_EQ(node_->submissions(), 6u);
  EXPECT_EQ(node_->metrics().mempool_size, 6u);
  // The same batch again: idempotent, every one "ok" with the same id.
  auto again = post_batch(batch_of(txs));
  ASSERT_TRUE(again);
  const json k = batch_answer(again, txs.size());
  EXPECT_EQ(k["accepted"], 6);
  EXPECT_EQ(node_->metrics().mempool_size, 6u);
}

TEST_F(Batch, MixedResultsKeepInputOrder) {
  auto kp = KeyPair::for_test("mixed");
  const Transaction committed = make_tx(kp, 1);
  node_->commit(committed, 3);
  Transaction forged = make_tx(KeyPair::for_test("victim"), 1);
  forged.signature.bytes[3] ^= 1;
  TxBody other_chain = TxBody::decode(make_tx(kp, 2).body).value();
  other_chain.chain_id = "other";
  const Transaction wrong_chain = Transaction::sign(other_chain, kp.secret_key);
  const Transaction good = make_tx(kp, 2);
  const Transaction far = make_tx(kp, 99);

  std::string body;
  frame(body, good.encode());
  frame(body, as_view("not a transaction"));
  frame(body, forged.encode());
  frame(body, committed.encode());
  frame(body, wrong_chain.encode());
  frame(body, far.encode());
  frame(body, ByteView{});  // an empty transaction
  auto r = post_batch(body);
  ASSERT_TRUE(r);
  const json j = batch_answer(r, 7);
  struct Want {
    std::string code;
    std::optional<Hash32> tx_id;
  };
  const std::vector<Want> want = {
      {"ok", good.id()},
      {"tx.malformed", std::nullopt},
      {"tx.bad_signature", forged.id()},
      {"tx.committed", committed.id()},
      {"tx.wrong_chain", wrong_chain.id()},
      {"tx.nonce_too_far", far.id()},
      {"tx.malformed", std::nullopt},
  };
  for (size_t i = 0; i < want.size(); ++i) {
    const json& x = j["results"][i];
    EXPECT_EQ(x["code"], want[i].code) << i << " " << x.dump();
    if (want[i].tx_id) {
      EXPECT_EQ(x["tx_id"], to_hex(*want[i].tx_id)) << i;
    } else {
      EXPECT_TRUE(x["tx_id"].is_null()) << i;
    }
  }
  EXPECT_EQ(j["accepted"], 2);  // ok and tx.committed
  EXPECT_EQ(j["rejected"], 5);
  // The undecodable ones never reach the node, like on the single route.
  EXPECT_EQ(node_->submissions(), 5u);
  EXPECT_EQ(node_->metrics().mempool_size, 1u);
}

TEST_F(Batch, BadFramingIs400AndSubmitsNothing) {
  const Bytes good = make_tx(KeyPair::for_test("framer"), 1).encode();
  std::string one;
  frame(one, good);  // a valid first frame: still nothing may be submitted
  struct Case {
    std::string name;
    std::string body;
    std::string code;
  };
  std::vector<Case> cases;
  cases.push_back({"empty", "", "batch.empty"});
  {
    std::string b = one;
    b.append("\x00\x00", 2);
    cases.push_back({"trailing", b, "batch.trailing_bytes"});
  }
  cases.push_back({"lone length byte", std::string("\x00", 1), "batch.trailing_bytes"});
  {
    std::string b = one;
    b += one.substr(0, one.size() - 1);  // second transaction cut short
    cases.push_back({"truncated", b, "batch.truncated"});
  }
  {
    std::string b = one;
    const uint32_t n = limits::tx_bytes_max + 1;
    const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                         static_cast<char>(n)};
    b.append(len, 4);
    b.append(limits::tx_bytes_max + 1, 'x');
    cases.push_back({"length above tx_bytes_max", b, "batch.tx_too_large"});
  }
  {
    std::string b = one;
    for (size_t i = 1; i < limits::http_batch_txs_max; ++i) frame(b, ByteView{});
    ASSERT_EQ(b.size(), one.size() + 4 * (limits::http_batch_txs_max - 1));  // exactly the maximum: framing ok
    frame(b, ByteView{});
    cases.push_back({"too many", b, "batch.too_many"});
  }
  for (const Case& c : cases) {
    auto r = post_batch(c.body);
    ASSERT_TRUE(r) << c.name;
    EXPECT_EQ(r->status, 400) << c.name << " " << r->body;
    EXPECT_EQ(error_code(r), c.code) << c.name;
  }
  auto typed = client_->Post("/v1/transactions/batch", one, "application/json");
  ASSERT_TRUE(typed);
  EXPECT_EQ(typed->status, 415);
  EXPECT_EQ(error_code(typed), "request.unsupported_media_type");
  EXPECT_EQ(node_->submissions(), 0u);
  EXPECT_EQ(node_->metrics().mempool_size, 0u);
}

TEST_F(Batch, ExactlyTheMaximumCountIsFramedFine) {
  // 1,000 frames: the framing passes; the empty ones are each tx.malformed
  // and never reach the node.
  std::string b;
  frame(b, make_tx(KeyPair::for_test("max"), 1).encode());
  for (size_t i = 1; i < limits::http_batch_txs_max; ++i) frame(b, ByteView{});
  auto r = post_batch(b);
  ASSERT_TRUE(r);
  const json j = batch_answer(r, limits::http_batch_txs_max);
  EXPECT_EQ(j["accepted"], 1);
  EXPECT_EQ(j["results"][0]["code"], "ok");
  EXPECT_EQ(j["results"][limits::http_batch_txs_max - 1]["code"], "tx.malformed");
  EXPECT_EQ(node_->submissions(), 1u);
}

TEST_F(Batch, RateLimitedPerSenderInsideABatch) {
  // Burst 4: the spammer's fifth and sixth are refused, the quiet sender
  // between them is not; retried alone later, the spammer is still out.
  std::vector<Transaction> txs;
  const auto spammer = KeyPair::for_test("spammer");
  for (uint64_t n = 1; n <= 4; ++n) txs.push_back(make_tx(spammer, n));
  txs.push_back(make_tx(spammer, 5));
  txs.push_back(make_tx(KeyPair::for_test("quiet"), 1));
  txs.push_back(make_tx(spammer, 6));
  auto r = post_batch(batch_of(txs));
  ASSERT_TRUE(r);
  const json j = batch_answer(r, txs.size());
  const std::vector<std::string> want = {"ok", "ok", "ok", "ok", "rate.limited", "ok", "rate.limited"};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(j["results"][i]["code"], want[i]) << i;
  EXPECT_EQ(j["results"][4]["tx_id"], to_hex(txs[4].id()));
  EXPECT_EQ(j["accepted"], 5);
  EXPECT_EQ(node_->submissions(), 5u);  // refused before the mempool
  // The single route shares the bucket.
  auto single = client_->Post("/v1/transactions", json{{"tx", to_hex(txs[4].encode())}}.dump(), "application/json");
  ASSERT_TRUE(single);
  EXPECT_EQ(single->status, 429);
}

TEST_F(Batch, ForgedCopiesInABatchDoNotDrainTheVictimsQuota) {
  const auto victim = KeyPair::for_test("victim");
  std::vector<Transaction> txs;
  for (size_t i = 0; i < 6; ++i) {
    Transaction forged = make_tx(victim, 1);
    forged.signature.bytes[i] ^= 1;
    txs.push_back(forged);
  }
  for (uint64_t n = 1; n <= 4; ++n) txs.push_back(make_tx(victim, n));
  auto r = post_batch(batch_of(txs));
  ASSERT_TRUE(r);
  const json j = batch_answer(r, txs.size());
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(j["results"][i]["code"], "tx.bad_signature") << i;
  for (size_t i = 6; i < 10; ++i) EXPECT_EQ(j["results"][i]["code"], "ok") << i;
}

TEST_F(Batch, BodyAboveTheBatchBoundIs413AndNeverHandled) {
  std::string b = batch_of({make_tx(KeyPair::for_test("big"), 1)});
  b.append(limits::http_batch_body_bytes_max + 1 - b.size(), '\0');  // one byte over
  auto r = post_batch(b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(error_code(r), "request.too_large");
  EXPECT_EQ(node_->submissions(), 0u);
  // The refused body was consumed, not left on the connection: the same
  // keep-alive client goes on.
  auto next = post_batch(batch_of({make_tx(KeyPair::for_test("big"), 1)}));
  ASSERT_TRUE(next);
  EXPECT_EQ(batch_answer(next, 1)["accepted"], 1);
  EXPECT_EQ(node_->submissions(), 1u);
}

TEST_F(Batch, SingleRouteKeepsItsOwnBound) {
  // Between the single route's bound and the batch's: the server as a whole
  // accepts that much now, the single route does not.
  const std::string over(kSingleBodyBytesMax + 1, 'a');
  ASSERT_LT(over.size(), limits::http_batch_body_bytes_max);
  for (const char* type : {"application/json", "application/octet-stream"}) {
    auto r = client_->Post("/v1/transactions", over, type);
    ASSERT_TRUE(r) << type;
    EXPECT_EQ(r->status, 413) << type;
    EXPECT_EQ(error_code(r), "request.too_large") << type;
  }
  // A declared length at the bound reaches the route (which then judges
  // the transaction itself).
  const std::string at(kSingleBodyBytesMax, 'a');
  auto r = client_->Post("/v1/transactions", at, "application/octet-stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(error_code(r), "tx.too_large");
  // And the single route still works on the same connection.
  const std::string one = json{{"tx", to_hex(make_tx(KeyPair::for_test("s"), 1).encode())}}.dump();
  auto ok = client_->Post("/v1/transactions", one, "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 202);
  EXPECT_EQ(node_->submissions(), 1u);
}

// A body without Content-Length (chunked) is bounded too: stored only up
// to the route's bound, 413 beyond it (before this change httplib stored
// any chunked body whole).
TEST_F(Batch, ChunkedBodiesAreBoundedPerRoute) {
  const auto kp = KeyPair::for_test("chunky");
  const std::string batch = batch_of({make_tx(kp, 1), make_tx(kp, 2)});
  auto chunked = [](std::string body) {
    return [body = std::move(body)](size_t offset, httplib::DataSink& sink) {
      if (offset < body.size()) {
        const size_t n = std::min<size_t>(16 << 10, body.size() - offset);
        sink.write(body.data() + offset, n);
      } else {
        sink.done();
      }
      return true;
    };
  };
  {
    httplib::Client c("127.0.0.1", server_->port());
    auto r = c.Post("/v1/transactions/batch", chunked(batch), "application/octet-stream");
    ASSERT_TRUE(r);
    EXPECT_EQ(batch_answer(r, 2)["accepted"], 2);
  }
  {
    httplib::Client c("127.0.0.1", server_->port());
    auto r = c.Post("/v1/transactions", chunked(std::string(kSingleBodyBytesMax + 1, 'a')), "application/octet-stream");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(error_code(r), "request.too_large");
  }
  EXPECT_EQ(node_->submissions(), 2u);
}

TEST_F(Batch, MultipartIsRefusedAs415NotAnInternalError) {
  httplib::MultipartFormDataItems items = {{"tx", "00", "", "application/octet-stream"}};
  for (const char* path : {"/v1/transactions", "/v1/transactions/batch"}) {
    auto r = client_->Post(path, items);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 415) << path << " " << r->body;
    EXPECT_EQ(error_code(r), "request.unsupported_media_type") << path;
  }
  EXPECT_EQ(node_->submissions(), 0u);
}

}  // namespace
}  // namespace ipl::api
