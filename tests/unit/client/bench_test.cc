// Goal: `ipledger bench` sends transactions that really succeed, finds only
// usable sender keys, computes its statistics correctly, and tells the
// truth in its report: all succeeded, or which failed and why, or which
// node it could not reach. Method: pure functions on fixed inputs; the
// real executor on the pre-signed transactions; the whole timed run
// against real HTTP servers over a fake chain (tests/unit/client/
// fake_chain.h) that executes blocks with the real executor.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fake_chain.h"
#include "node/bench.h"

namespace ipl::bench {
namespace {

using testing::api_key;
using testing::bench_genesis;
using testing::FakeChain;
using testing::FakeServer;
using testing::TempDir;

TEST(BenchStats, NearestRankPercentile) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // unsorted on purpose
  EXPECT_EQ(percentile(v, 50), 50);
  EXPECT_EQ(percentile(v, 99), 99);
  EXPECT_EQ(percentile(v, 100), 100);
  EXPECT_EQ(percentile(v, 0.5), 1);
  EXPECT_EQ(percentile({7.5}, 50), 7.5);
  EXPECT_EQ(percentile({7.5}, 99), 7.5);
  EXPECT_EQ(percentile({3, 1, 2}, 50), 2);  // rank ceil(1.5) = 2
  EXPECT_EQ(percentile({1, 2, 3, 4}, 50), 2);
  EXPECT_EQ(percentile({1, 2, 3, 4}, 99), 4);
  EXPECT_EQ(percentile({}, 99), 0);
  // p99 of 1,000 values is the 990th.
  std::vector<double> w;
  for (int i = 1; i <= 1000; ++i) w.push_back(i);
  EXPECT_EQ(percentile(w, 99), 990);
}

TEST(BenchStats, RatioToTheVerifyBound) {
  // 4 nodes on 2 cores each verifying 11,500/s: bound 5,750 tx/s.
  EXPECT_NEAR(bound_ratio(3'000, 2, 11'500, 4), 3'000.0 / 5'750.0, 1e-12);
  EXPECT_NEAR(bound_ratio(5'750, 2, 11'500, 4), 1.0, 1e-12);
  EXPECT_NEAR(bound_ratio(1'000, 1, 2'000, 1), 0.5, 1e-12);
  EXPECT_EQ(bound_ratio(1'000, 0, 2'000, 1), 0);
  EXPECT_EQ(bound_ratio(1'000, 2, 0, 1), 0);
  EXPECT_EQ(bound_ratio(1'000, 2, 2'000, 0), 0);
}

TEST(BenchPlan, SendersInterleaveWithContiguousNonces) {
  EXPECT_EQ(sender_of(0, 3), 0u);
  EXPECT_EQ(sender_of(4, 3), 1u);
  EXPECT_EQ(nonce_of(0, 3, 1), 1u);
  EXPECT_EQ(nonce_of(2, 3, 1), 1u);
  EXPECT_EQ(nonce_of(3, 3, 1), 2u);
  EXPECT_EQ(nonce_of(8, 3, 5), 7u);
  EXPECT_EQ(next_nonce_after(9, 3, 1), std::optional<uint64_t>(4));
  EXPECT_EQ(next_nonce_after(3, 3, 10), std::optional<uint64_t>(11));
  EXPECT_EQ(next_nonce_after(10, 3, 1), std::nullopt);
  EXPECT_EQ(next_nonce_after(2, 3, 1), std::nullopt);
}

TEST(BenchKeys, KeepsOnlyBankKeysWithABranchCode) {
  const genesis::Genesis g = bench_genesis();
  ASSERT_TRUE(genesis::validate(g, contracts::Registry::standard()).empty());
  TempDir dir("keys");
  testing::write_key(dir, "bench_b.key", api_key("bank2"));
  testing::write_key(dir, "bench_a.key", api_key("bank"));
  testing::write_key(dir, "bench_c.key", api_key("ipa"));       // not a bank
  testing::write_key(dir, "bench_d.key", KeyPair::for_test("stranger"));  // not in the genesis
  testing::write_key(dir, "bench_e.key", api_key("bank4"));     // bank without branch code
  testing::write_key(dir, "other.key", api_key("bank3"));       // prefix does not match
  ASSERT_TRUE(save_public_key(dir.str() + "/bench_b.key.pub", api_key("bank2").public_key).is_ok());
  auto scan = find_senders(g, dir.str(), "bench");
  ASSERT_TRUE(scan.is_ok()) << scan.status().to_string();
  EXPECT_EQ(scan->files_seen, 5u);
  ASSERT_EQ(scan->senders.size(), 2u);
  EXPECT_EQ(scan->senders[0].file, "bench_a.key");  // sorted by name
  EXPECT_EQ(scan->senders[0].member_id, 9u);
  EXPECT_EQ(scan->senders[1].file, "bench_b.key");
  EXPECT_EQ(scan->senders[1].member_id, 11u);
  ASSERT_EQ(scan->skipped.size(), 3u);
  EXPECT_NE(scan->skipped[0].find("not BANK"), std::string::npos) << scan->skipped[0];
  EXPECT_NE(scan->skipped[1].find("not an API key"), std::string::npos) << scan->skipped[1];
  EXPECT_NE(scan->skipped[2].find("no branch code"), std::string::npos) << scan->skipped[2];
  EXPECT_FALSE(find_senders(g, dir.str() + "/missing", "bench").is_ok());
}

std::vector<Sender> three_banks() {
  std::vector<Sender> s;
  for (const char* n : {"bank", "bank2", "bank3"}) s.push_back(Sender{api_key(n), 0, n});
  return s;
}

PresignPlan plan_for(const genesis::Genesis& g, uint64_t first_nonce) {
  PresignPlan p;
  p.chain_id = g.chain_id;
  p.first_nonce = first_nonce;
  p.valid_until_height = 1'000;
  p.value_date = contracts::BlockContext{g.chain_id, 1, g.genesis_time_ms}.civil_date();
  return p;
}

// The pre-signed transactions succeed with the real executor, in blocks
// cut anywhere, and a second batch from next_nonce_after succeeds too.
TEST(BenchPresign, TransactionsSucceedWithTheRealExecutor) {
  const genesis::Genesis g = bench_genesis();
  const std::vector<Sender> senders = three_banks();
  contracts::MemState state;
  state.apply(genesis::initial_state(g));
  const contracts::Registry registry = contracts::Registry::standard();
  uint64_t height = 2;
  uint64_t first = 1;
  for (int batch = 0; batch < 2; ++batch) {
    const std::vector<Transaction> txs = presign(senders, 12, plan_for(g, first), 3);
    ASSERT_EQ(txs.size(), 12u);
    std::set<Hash32> ids;
    for (const Transaction& t : txs) ids.insert(t.id());
    EXPECT_EQ(ids.size(), 12u);
    for (size_t cut : {5u, 12u}) {
      const size_t from = cut == 5 ? 0 : 5;
      std::span<const Transaction> part(txs.data() + from, cut - from);
      contracts::BlockContext ctx{g.chain_id, height++, g.genesis_time_ms + 86'400'000};
      auto r = contracts::execute_block(registry, state, ctx, part);
      ASSERT_TRUE(r.is_ok()) << r.status().to_string();
      for (const Receipt& rc : r->receipts) EXPECT_TRUE(rc.success) << rc.reason;
      state.apply(r->writes);
    }
    first = next_nonce_after(12, senders.size(), first).value();
  }
  EXPECT_EQ(first, 9u);
  // The attestation records exist (member 11 = bank2).
  EXPECT_TRUE(state.entries().contains(contracts::keys::bank_totals(11, 202401)));
}

TEST(BenchPresign, VerifyRateCountsEveryCheck) {
  const genesis::Genesis g = bench_genesis();
  const std::vector<Transaction> txs = presign(three_banks(), 4, plan_for(g, 1), 1);
  const VerifyRate v = measure_verify_rate(txs, 10);
  EXPECT_EQ(v.checks, 10u);
  EXPECT_GT(v.per_second, 0);
  EXPECT_GT(v.seconds, 0);
}

RunOptions options_for(const std::vector<const FakeServer*>& servers, size_t senders) {
  RunOptions o;
  for (const FakeServer* s : servers) o.nodes.push_back(s->endpoint());
  o.follow = servers.front()->endpoint();
  o.senders = senders;
  o.connections = 4;
  o.start_height = 1;
  o.poll_ms = 1;
  o.idle_timeout_ms = 5'000;
  o.retry_ms = 20'000;
  return o;
}

Report report_of(const RunResult& r, size_t txs, size_t senders) {
  Report rep;
  rep.urls = {"http://x:1"};
  rep.nodes = 1;
  rep.senders = senders;
  rep.txs = txs;
  rep.run = r;
  return rep;
}

// Two HTTP servers over one chain (two "nodes" of one consortium): every
// transaction accepted, committed once, with a success receipt; pushed-back
// submissions are retried.
TEST(BenchRun, AllCommittedAndSucceededThroughTwoNodes) {
  const genesis::Genesis g = bench_genesis();
  FakeChain chain(g);
  chain.push_back_first = 5;
  FakeServer a(chain), b(chain);
  const std::vector<Transaction> txs = presign(three_banks(), 60, plan_for(g, 1), 2);
  auto r = run(options_for({&a, &b}, 3), txs);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->abort_reason, "");
  EXPECT_EQ(r->submitted, 60u);
  EXPECT_EQ(r->accepted, 60u);
  EXPECT_EQ(r->committed, 60u);
  EXPECT_EQ(r->succeeded, 60u);
  EXPECT_EQ(r->duplicates, 0u);
  EXPECT_TRUE(r->rejected.empty());
  EXPECT_TRUE(r->failed.empty());
  EXPECT_EQ(r->retried.at("mempool.full"), 5u);
  EXPECT_FALSE(r->is_idle_timeout);
  EXPECT_GE(r->end_height, 2u);
  EXPECT_GT(r->committed_per_s, 0);
  EXPECT_LE(r->latency_p50_s, r->latency_p99_s);
  EXPECT_LE(r->latency_p99_s, r->latency_max_s);
  Report rep = report_of(*r, 60, 3);
  EXPECT_TRUE(rep.is_all_succeeded());
  const std::string text = report_text(rep);
  EXPECT_NE(text.find("all 60 committed transactions succeeded"), std::string::npos) << text;
  EXPECT_NE(text.find("ALL SUCCEEDED"), std::string::npos);
  EXPECT_NE(text.find("--first-nonce 21"), std::string::npos) << text;
  const auto j = nlohmann::json::parse(report_json(rep));
  EXPECT_EQ(j["all_succeeded"], true);
  EXPECT_EQ(j["committed"], 60);
  EXPECT_EQ(j["next_nonce"], 21);
  EXPECT_TRUE(j["aborted"].is_null());
}

// Nonces that are not the senders' next ones: the chain executes them and
// every receipt fails; the bench says so, with the reason.
TEST(BenchRun, FailedReceiptsAreReportedWithReasons) {
  const genesis::Genesis g = bench_genesis();
  FakeChain chain(g);
  chain.is_ordering_nonces = false;
  FakeServer a(chain);
  const std::vector<Transaction> txs = presign(three_banks(), 9, plan_for(g, 2), 1);
  auto r = run(options_for({&a}, 3), txs);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->accepted, 9u);
  EXPECT_EQ(r->committed, 9u);
  EXPECT_EQ(r->succeeded, 0u);
  EXPECT_EQ(r->failed.at("tx.bad_nonce"), 9u);
  Report rep = report_of(*r, 9, 3);
  EXPECT_FALSE(rep.is_all_succeeded());
  const std::string text = report_text(rep);
  EXPECT_NE(text.find("NOT all succeeded: 9 of 9 failed: tx.bad_nonce x9"), std::string::npos) << text;
  EXPECT_NE(text.find("NOT ALL SUCCEEDED"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(report_json(rep))["failed"]["tx.bad_nonce"], 9);
}

TEST(BenchRun, RejectionsAreCountedByCodeAndNotWaitedFor) {
  const genesis::Genesis g = bench_genesis();
  FakeChain chain(g);
  chain.answer_code = "tx.nonce_too_low";
  FakeServer a(chain);
  const std::vector<Transaction> txs = presign(three_banks(), 6, plan_for(g, 1), 1);
  auto r = run(options_for({&a}, 3), txs);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->submitted, 6u);
  EXPECT_EQ(r->accepted, 0u);
  EXPECT_EQ(r->committed, 0u);
  EXPECT_EQ(r->rejected.at("tx.nonce_too_low"), 6u);
  EXPECT_EQ(r->rejected_example.at("tx.nonce_too_low"), "refused (test)");
  EXPECT_FALSE(r->is_idle_timeout);
  const std::string text = report_text(report_of(*r, 6, 3));
  EXPECT_NE(text.find("tx.nonce_too_low x6"), std::string::npos) << text;
  EXPECT_NE(text.find("--first-nonce"), std::string::npos);
}

TEST(BenchRun, UnreachableNodeAbortsWithItsAddress) {
  const genesis::Genesis g = bench_genesis();
  FakeChain chain(g);
  std::unique_ptr<FakeServer> live = std::make_unique<FakeServer>(chain);
  FakeServer follow(chain);
  const api::HttpEndpoint dead = live->endpoint();
  live.reset();  // its port now refuses connections
  RunOptions o = options_for({&follow}, 3);
  o.nodes = {dead};
  o.retry_ms = 200;
  const std::vector<Transaction> txs = presign(three_banks(), 6, plan_for(g, 1), 1);
  auto r = run(o, txs);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_NE(r->abort_reason.find(dead.url() + " unreachable"), std::string::npos) << r->abort_reason;
  EXPECT_EQ(r->accepted, 0u);
  EXPECT_GE(r->rejected.at("transport"), 1u);
  Report rep = report_of(*r, 6, 3);
  EXPECT_FALSE(rep.is_all_succeeded());
  EXPECT_NE(report_text(rep).find("ABORTED"), std::string::npos);
}

// Batch mode: the same run through POST /v1/transactions/batch. Every
// transaction still gets its own answer: the pushed-back ones (the fake's
// first 5 submissions, inside the first batches) are retried alone, the
// others are not sent twice.
TEST(BenchRun, BatchModeCommitsAllAndRetriesPerTransaction) {
  const genesis::Genesis g = bench_genesis();
  FakeChain chain(g);
  chain.push_back_first = 5;
  FakeServer a(chain), b(chain);
  const std::vector<Transaction> txs = presign(three_banks(), 60, plan_for(g, 1), 2);
  RunOptions o = options_for({&a, &b}, 3);
  o.batch = 7;
  auto r = run(o, txs);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->abort_reason, "");
  EXPECT_EQ(r->batch, 7u);
  EXPECT_EQ(r->submitted, 60u);
  EXPECT_EQ(r->accepted, 60u);
  EXPECT_EQ(r->committed, 60u);
  EXPECT_EQ(r->succeeded, 60u);
  EXPECT_EQ(r->duplicates, 0u);
  EXPECT_TRUE(r->rejected.empty());
  EXPECT_EQ(r->retried.at("mempool.full"), 5u);  // per transaction, not per request
  // Node 0 gets senders 0 and 2 (40 transactions), node 1 sender 1 (20):
  // 6 + 3 first requests, plus at least one retry request.
  EXPECT_GE(r->requests, 10u);
  EXPECT_LE(r->requests, 9u + 5u);
  Report rep = report_of(*r, 60, 3);
  EXPECT_TRUE(rep.is_all_succeeded());
  const std::string text = report_text(rep);
  EXPECT_NE(text.find("batches of up to 7 transactions"), std::string::npos) << text;
  const auto j = nlohmann::json::parse(report_json(rep));
  EXPECT_EQ(j["batch"], 7);
  EXPECT_EQ(j["requests"], r->requests);
  EXPECT_EQ(j["committed"], 60);
}

TEST(BenchRun, BatchModeCountsRejectionsPerTransaction) {
  const genesis::Genesis g = bench_genesis();
  FakeChain chain(g);
  chain.answer_code = "tx.nonce_too_low";
  FakeServer a(chain);
  const std::vector<Transaction> txs = presign(three_banks(), 6, plan_for(g, 1), 1);
  RunOptions o = options_for({&a}, 3);
  o.batch = 4;
  auto r = run(o, txs);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->submitted, 6u);
  EXPECT_EQ(r->accepted, 0u);
  EXPECT_EQ(r->requests, 2u);  // 4 + 2, none retried
  EXPECT_EQ(r->rejected.at("tx.nonce_too_low"), 6u);
  EXPECT_EQ(r->rejected_example.at("tx.nonce_too_low"), "refused (test)");
  EXPECT_FALSE(r->is_idle_timeout);
}

TEST(BenchRun, SingleModeIsOneRequestPerTransaction) {
  const genesis::Genesis g = bench_genesis();
  FakeChain chain(g);
  FakeServer a(chain);
  const std::vector<Transaction> txs = presign(three_banks(), 9, plan_for(g, 1), 1);
  auto r = run(options_for({&a}, 3), txs);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->batch, 1u);
  EXPECT_EQ(r->requests, 9u);
  EXPECT_EQ(r->committed, 9u);
  const std::string text = report_text(report_of(*r, 9, 3));
  EXPECT_NE(text.find("one transaction per request (POST /v1/transactions)"), std::string::npos) << text;
}

TEST(BenchRun, BatchModeUnreachableNodeAbortsWithItsAddress) {
  const genesis::Genesis g = bench_genesis();
  FakeChain chain(g);
  std::unique_ptr<FakeServer> live = std::make_unique<FakeServer>(chain);
  FakeServer follow(chain);
  const api::HttpEndpoint dead = live->endpoint();
  live.reset();
  RunOptions o = options_for({&follow}, 3);
  o.nodes = {dead};
  o.retry_ms = 200;
  o.batch = 3;
  const std::vector<Transaction> txs = presign(three_banks(), 6, plan_for(g, 1), 1);
  auto r = run(o, txs);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_NE(r->abort_reason.find(dead.url() + " unreachable"), std::string::npos) << r->abort_reason;
  EXPECT_EQ(r->accepted, 0u);
  EXPECT_GE(r->rejected.at("transport"), 1u);
}

TEST(BenchRun, RefusesUnusableOptions) {
  const genesis::Genesis g = bench_genesis();
  const std::vector<Transaction> txs = presign(three_banks(), 3, plan_for(g, 1), 1);
  RunOptions o;
  o.follow = api::HttpEndpoint{"127.0.0.1", 1};
  EXPECT_FALSE(run(o, txs).is_ok());  // no nodes
  o.nodes = {o.follow};
  o.connections = 0;
  EXPECT_FALSE(run(o, txs).is_ok());
  o.connections = 1;
  o.rate = -1;
  EXPECT_FALSE(run(o, txs).is_ok());
  o.rate = 0;
  std::vector<Transaction> dup = {txs[0], txs[0]};
  EXPECT_FALSE(run(o, dup).is_ok());
  o.batch = 0;
  EXPECT_FALSE(run(o, txs).is_ok());
  o.batch = limits::http_batch_txs_max + 1;
  EXPECT_FALSE(run(o, txs).is_ok());
}

}  // namespace
}  // namespace ipl::bench
