// A tiny in-memory chain for tests: state, height, time and nonces.
#pragma once

#include <map>
#include <set>

#include "fixture.h"

namespace ipl::testing {

class TestChain {
 public:
  explicit TestChain(const genesis::Genesis& g, contracts::Registry registry = contracts::Registry::with_test_module())
      : registry_(std::move(registry)), state_(genesis_state(g)) {}

  // Signs specs (nonce 0 = next nonce) and executes them as block height+1.
  contracts::BlockResult block(std::vector<TxSpec> specs, uint64_t advance_ms = 60'000,
                               contracts::ExecOptions opts = {}) {
    std::vector<Transaction> txs;
    for (TxSpec& t : specs) {
      if (t.nonce == 0) {
        if (!nonces_.count(t.sender)) nonces_[t.sender] = next_nonce(t.sender) - 1;
        t.nonce = ++nonces_[t.sender];
      }
      txs.push_back(make_tx(t));
    }
    return raw_block(txs, advance_ms, opts);
  }
  contracts::BlockResult raw_block(const std::vector<Transaction>& txs, uint64_t advance_ms = 60'000,
                                   contracts::ExecOptions opts = {}) {
    ++height_;
    ts_ += advance_ms;
    auto r = contracts::execute_block(registry_, state_, block_at(height_, ts_), txs, opts);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    state_.apply(r->writes);
    // Re-sync nonces with what executed (prologue failures consume none).
    for (auto& [who, n] : nonces_) {
      auto raw = contracts::read_record(state_, contracts::keys::nonce(api_key(who).public_key));
      uint64_t last = 0;
      if (raw.is_ok() && *raw) {
        Decoder d(**raw);
        (void)d.u64(last);
      }
      n = last;
    }
    return std::move(*r);
  }
  // The next nonce of `who` per executed state.
  uint64_t next_nonce(const std::string& who) const {
    auto raw = contracts::read_record(state_, contracts::keys::nonce(api_key(who).public_key));
    uint64_t last = 0;
    if (raw.is_ok() && *raw) {
      Decoder d(**raw);
      (void)d.u64(last);
    }
    return last + 1;
  }
  contracts::MemState& state() { return state_; }
  uint64_t height() const { return height_; }
  uint64_t time_ms() const { return ts_; }
  const contracts::Registry& registry() const { return registry_; }

 private:
  contracts::Registry registry_;
  contracts::MemState state_;
  uint64_t height_ = 1;
  uint64_t ts_ = 1'704'160'800'000;  // 2024-01-02T10:00+08:00
  std::map<std::string, uint64_t> nonces_;
};

}  // namespace ipl::testing
