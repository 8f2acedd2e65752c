// Test doubles for the network clients of the CLI (`ipledger status`,
// `ipledger bench`): a genesis with BANK members, their key files in a
// temporary directory, and a NodeFacade that orders submitted transactions
// like the mempool (per sender, contiguous nonces) and executes them with
// the real executor when a block is asked for, so receipts are real.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "api/http_client.h"
#include "api/node_facade.h"
#include "api/rate_limiter.h"
#include "api/routes.h"
#include "api/server.h"
#include "contracts/executor.h"
#include "genesis/genesis.h"
#include "tests/unit/genesis/fixture.h"

namespace ipl::testing {

// The execution-core test consortium plus banks bank2, bank3 (branch codes)
// and bank4 (none): member ids 11, 12, 13.
inline genesis::Genesis bench_genesis() {
  genesis::Genesis g = test_genesis();
  for (const char* name : {"bank2", "bank3", "bank4"}) {
    genesis::GenesisMember m;
    m.id = g.members.size() + 1;
    m.name = name;
    m.role = contracts::Role::kBank;
    m.org = name;
    if (std::string(name) != "bank4") m.branch_code = std::string("TY") + name;
    m.api_keys = {api_key(name).public_key};
    g.members.push_back(m);
  }
  return g;
}

// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() /
            ("ipl_client_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }

 private:
  static std::atomic<int>& counter() {
    static std::atomic<int> c{0};
    return c;
  }
  std::filesystem::path path_;
};

inline void write_key(const TempDir& dir, const std::string& file, const KeyPair& kp) {
  ASSERT_TRUE(save_secret_key(dir.str() + "/" + file, kp).is_ok()) << file;
}

class FakeChain final : public api::NodeFacade {
 public:
  explicit FakeChain(genesis::Genesis g) : genesis_(std::move(g)), registry_(contracts::Registry::standard()) {
    state_.apply(genesis::initial_state(genesis_));
  }

  // Knobs, set before traffic starts.
  std::string answer_code = "ok";   // every submission's answer when not "ok"
  size_t push_back_first = 0;       // the first n submissions answer mempool.full
  bool is_ordering_nonces = true;   // false: blocks take submissions in arrival order
  api::NodeStatus base_status;          // fields status() returns besides chain, genesis, height

  api::SubmitAnswer submit_tx(ByteView bytes) override {
    std::lock_guard<std::mutex> l(mu_);
    ++submissions_;
    if (submissions_ <= push_back_first) return {"mempool.full", "full (test)", std::nullopt};
    if (answer_code != "ok") return {answer_code, "refused (test)", std::nullopt};
    auto tx = Transaction::decode(bytes);
    if (!tx.is_ok()) return {"tx.malformed", tx.status().message(), std::nullopt};
    auto body = tx->verify();
    if (!body.is_ok()) return {"tx.bad_signature", body.status().message(), std::nullopt};
    const Hash32 id = tx->id();
    if (seen_.contains(id)) return {"ok", "", id};  // idempotent
    seen_.insert(id);
    if (is_ordering_nonces) {
      pending_[body->sender_key][body->nonce] = *tx;
    } else {
      arrival_.push_back(*tx);
    }
    return {"ok", "", id};
  }
  Result<api::TxStatus> find_tx(const Hash32&) override { return api::TxStatus{}; }
  api::Health health() override { return {}; }
  api::MetricsSnapshot metrics() override { return {}; }
  api::NodeStatus status() override {
    std::lock_guard<std::mutex> l(mu_);
    api::NodeStatus s = base_status;
    s.chain_id = genesis_.chain_id;
    s.genesis_hash = genesis_.hash();
    s.height = height_locked();
    s.committed_height = s.height;
    return s;
  }
  // Executes the next block on demand: the pending transactions that are
  // executable now (per sender from its next nonce, without gaps).
  Result<std::optional<api::BlockView>> block_at(uint64_t height) override {
    std::lock_guard<std::mutex> l(mu_);
    if (height >= 2 && height <= height_locked()) return std::optional<api::BlockView>(blocks_[height - 2]);
    if (height != height_locked() + 1) return std::optional<api::BlockView>();
    std::vector<Transaction> txs = take_ready_locked();
    if (txs.empty()) return std::optional<api::BlockView>();
    contracts::BlockContext ctx{genesis_.chain_id, height, genesis_.genesis_time_ms + 86'400'000 + height};
    auto r = contracts::execute_block(registry_, state_, ctx, txs);
    if (!r.is_ok()) return r.status();
    state_.apply(r->writes);
    api::BlockView v;
    v.block.header.chain_id = genesis_.chain_id;
    v.block.header.height = Height(height);
    v.block.header.timestamp_ms = ctx.timestamp_ms;
    v.block.header.payload_hash = Block::payload_hash(txs);
    v.block.txs = std::move(txs);
    v.receipts = r->receipts;
    v.ledger_info.chain_id = genesis_.chain_id;
    v.ledger_info.height = Height(height);
    v.ledger_info.block_id = v.block.header.id();
    blocks_.push_back(v);
    return std::optional<api::BlockView>(std::move(v));
  }

  const contracts::MemState& state() const { return state_; }

 private:
  uint64_t height_locked() const { return 1 + blocks_.size(); }

  std::vector<Transaction> take_ready_locked() {
    std::vector<Transaction> out;
    if (!is_ordering_nonces) {
      out.swap(arrival_);
      return out;
    }
    for (auto& [sender, by_nonce] : pending_) {
      uint64_t& next = next_nonce_[sender];
      if (next == 0) next = 1;
      for (auto it = by_nonce.find(next); it != by_nonce.end(); it = by_nonce.find(next)) {
        out.push_back(it->second);
        by_nonce.erase(it);
        ++next;
      }
    }
    return out;
  }

  std::mutex mu_;
  genesis::Genesis genesis_;
  contracts::Registry registry_;
  contracts::MemState state_;
  size_t submissions_ = 0;
  std::set<Hash32> seen_;
  std::map<PublicKey, std::map<uint64_t, Transaction>> pending_;
  std::map<PublicKey, uint64_t> next_nonce_;
  std::vector<Transaction> arrival_;
  std::vector<api::BlockView> blocks_;
};

// The fake behind a real ApiServer on 127.0.0.1, port 0, with every v1
// route.
class FakeServer {
 public:
  explicit FakeServer(api::NodeFacade& node) : limiter_(5'000, 10'000, 1'000, clock_), server_(options()) {
    for (api::Route& r : api::v1_routes(node, limiter_)) server_.add_route(std::move(r));
    EXPECT_TRUE(server_.start("127.0.0.1", 0).is_ok());
  }
  ~FakeServer() { server_.stop(); }
  api::HttpEndpoint endpoint() const { return api::HttpEndpoint{"127.0.0.1", server_.port()}; }
  std::string url() const { return endpoint().url(); }

 private:
  static api::ServerOptions options() {
    api::ServerOptions o;
    o.threads = 8;
    return o;
  }
  SystemClock clock_;
  api::RateLimiter limiter_;
  api::ApiServer server_;
};

}  // namespace ipl::testing
