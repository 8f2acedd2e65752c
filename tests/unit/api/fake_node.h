// Test doubles of the API suite: a NodeFacade backed by a real Mempool
// (real Ed25519) over a fake committed chain, counting every submit_tx
// call, and signed test transactions.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "api/node_facade.h"
#include "common/chain.h"
#include "common/crypto.h"
#include "node/mempool.h"

namespace ipl::api::fakes {

inline constexpr std::string_view kChain = "ipl-test";

class FakeLookup final : public node::CommittedLookup {
 public:
  bool is_committed(const Hash32& id) const override {
    std::lock_guard<std::mutex> l(mu_);
    return committed_.contains(id);
  }
  uint64_t next_nonce(const PublicKey& k) const override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = next_.find(k);
    return it == next_.end() ? 1 : it->second;
  }
  uint64_t committed_height() const override { return 5; }
  void commit(const Transaction& tx) {
    std::lock_guard<std::mutex> l(mu_);
    committed_.insert(tx.id());
    auto b = TxBody::decode(tx.body).value();
    next_[b.sender_key] = b.nonce + 1;
  }

 private:
  mutable std::mutex mu_;
  std::set<Hash32> committed_;
  std::map<PublicKey, uint64_t> next_;
};

class FakeNode final : public NodeFacade {
 public:
  explicit FakeNode(node::MempoolOptions o) : mempool_(std::move(o), lookup_) {}
  SubmitAnswer submit_tx(ByteView bytes) override {
    ++submissions_;
    node::SubmitResult r = mempool_.submit(bytes);
    return SubmitAnswer{std::string(node::verdict_code(r.verdict)), r.message, r.tx_id};
  }
  Result<TxStatus> find_tx(const Hash32& id) override {
    std::lock_guard<std::mutex> l(mu_);
    if (auto it = committed_.find(id); it != committed_.end()) return it->second;
    TxStatus s;
    s.state = mempool_.contains(id) ? TxState::kPending : TxState::kUnknown;
    return s;
  }
  Health health() override { return Health{true, "ok", "validator", 5, 120}; }
  MetricsSnapshot metrics() override {
    node::MempoolStats s = mempool_.stats();
    MetricsSnapshot m;
    m.height = 5;
    m.epoch = 1;
    m.round = 9;
    m.peers = 3;
    m.mempool_size = s.size;
    m.mempool_bytes = s.bytes;
    m.verified_total = s.verified_total;
    m.verify_rate_per_core = s.verify_rate_per_core();
    for (size_t i = 0; i < node::kTxVerdictCount; ++i) {
      m.mempool_answers_total.emplace_back(std::string(node::verdict_code(static_cast<node::TxVerdict>(i))),
                                           s.answers_total[i]);
    }
    m.commit_latency_seconds = latency_.snapshot();
    return m;
  }
  NodeStatus status() override {
    std::lock_guard<std::mutex> l(mu_);
    return status_;
  }
  Result<std::optional<BlockView>> block_at(uint64_t height) override {
    std::lock_guard<std::mutex> l(mu_);
    if (is_store_failing_) return Status::io_error("disk on fire");
    auto it = blocks_.find(height);
    if (it == blocks_.end()) return std::optional<BlockView>();
    return std::optional<BlockView>(it->second);
  }
  void set_status(NodeStatus s) {
    std::lock_guard<std::mutex> l(mu_);
    status_ = std::move(s);
  }
  void add_block(BlockView v) {
    std::lock_guard<std::mutex> l(mu_);
    blocks_[v.block.header.height.value()] = std::move(v);
  }
  // submit_tx calls so far (a route that refuses a request must not call it).
  size_t submissions() const { return submissions_; }
  void fail_store() {
    std::lock_guard<std::mutex> l(mu_);
    is_store_failing_ = true;
  }
  void commit(const Transaction& tx, uint64_t height) {
    lookup_.commit(tx);
    std::vector<Transaction> block = {tx};
    mempool_.on_committed(block);
    std::lock_guard<std::mutex> l(mu_);
    TxStatus s;
    s.state = TxState::kCommitted;
    s.height = height;
    s.block_id.fill(0xab);
    s.receipt.tx_id = tx.id();
    s.receipt.success = true;
    s.receipt.reason = "ok";
    s.receipt.events.push_back(Event{"test.done", Bytes{1, 2}});
    committed_[tx.id()] = s;
    latency_.observe(0.3);
  }

 private:
  FakeLookup lookup_;
  node::Mempool mempool_;
  std::mutex mu_;
  std::map<Hash32, TxStatus> committed_;
  NodeStatus status_;
  std::map<uint64_t, BlockView> blocks_;
  bool is_store_failing_ = false;
  std::atomic<size_t> submissions_{0};
  Histogram latency_{Histogram::latency_bounds()};
};

inline Transaction make_tx(const KeyPair& kp, uint64_t nonce) {
  TxBody b;
  b.chain_id = std::string(kChain);
  b.sender_key = kp.public_key;
  b.nonce = nonce;
  b.valid_until_height = 100;
  b.type = "test.noop";
  b.value_date = CivilDate{20250101};
  b.payload = Bytes(16, 7);
  return Transaction::sign(b, kp.secret_key);
}

}  // namespace ipl::api::fakes
