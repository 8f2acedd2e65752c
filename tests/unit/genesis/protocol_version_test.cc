// Goal (issue 3 scope 7): the executor runs the rule set of the protocol
// version in force at each height, and history re-executes identically
// after a second version is activated. Method: the two-version test module
// (test.counter adds 1 under v1 and 2 under v2; test.counter.v2only exists
// only in v2); activate v2 by vote at a height; re-execute every block from
// genesis and compare receipts and state digests block by block.
#include <gtest/gtest.h>

#include "chain.h"

namespace ipl::testing {
namespace {

using nlohmann::json;

TEST(ProtocolVersion, SecondVersionActivatesAtHeightAndHistoryReexecutesIdentically) {
  const genesis::Genesis g = test_genesis();
  TestChain chain(g);
  std::vector<std::vector<Transaction>> history;
  std::vector<uint64_t> times;
  std::vector<Hash32> digests;
  std::vector<std::vector<Receipt>> receipts;
  auto run = [&](std::vector<TxSpec> specs) {
    for (TxSpec& t : specs) {
      if (t.nonce == 0) t.nonce = chain.next_nonce(t.sender);
    }
    std::vector<Transaction> txs;
    std::map<std::string, uint64_t> bump;
    for (TxSpec& t : specs) {
      t.nonce += bump[t.sender]++;
      txs.push_back(make_tx(t));
    }
    auto r = chain.raw_block(txs);
    history.push_back(txs);
    times.push_back(chain.time_ms());
    digests.push_back(chain.state().digest());
    receipts.push_back(r.receipts);
    return r;
  };
  auto r = run({{"bank", "test.counter"}, {"bank", "test.counter.v2only"}});
  EXPECT_EQ(r.protocol_version, 1u);
  EXPECT_EQ(r.receipts[0].reason, "ok");
  EXPECT_EQ(r.receipts[1].reason, "tx.unknown_type");
  const uint64_t activation = chain.height() + 1 + 20;
  r = run({{"ipa", "gov.propose",
            {{"kind", "protocol_activation"}, {"deadline_ms", chain.time_ms() + 86'400'000},
             {"action", {{"version", 2}, {"height", activation}}}}}});
  ASSERT_EQ(r.receipts[0].reason, "ok");
  std::vector<TxSpec> votes;
  for (const char* who : {"ipa", "fin", "cr", "sme", "lfr"}) votes.push_back({who, "gov.vote", {{"proposal_id", 1}, {"approve", true}}});
  r = run(votes);
  for (const Receipt& rc : r.receipts) ASSERT_EQ(rc.reason, "ok");
  while (chain.height() + 1 < activation) {
    r = run({{"bank", "test.counter"}});
    EXPECT_EQ(r.protocol_version, 1u);
  }
  r = run({{"bank", "test.counter"}, {"bank", "test.counter.v2only"}});
  EXPECT_EQ(r.protocol_version, 2u);
  EXPECT_EQ(r.receipts[1].reason, "ok");
  // v1 blocks added 1 each; in the first v2 block both types add 2.
  auto counter = contracts::read_record(chain.state(), "test/counter/9");
  ASSERT_TRUE(counter.is_ok() && *counter);
  Decoder d(**counter);
  uint64_t v = 0;
  ASSERT_TRUE(d.u64(v).is_ok());
  const uint64_t v1_blocks = 1 + (activation - 1 - 4);  // heights 2 and 5..activation-1
  EXPECT_EQ(v, v1_blocks + 4);

  // Re-execute the whole history from genesis: identical, block by block.
  contracts::MemState state = genesis_state(g);
  for (size_t i = 0; i < history.size(); ++i) {
    auto again = contracts::execute_block(chain.registry(), state, block_at(2 + i, times[i]), history[i]);
    ASSERT_TRUE(again.is_ok());
    state.apply(again->writes);
    EXPECT_EQ(again->receipts, receipts[i]) << "height " << 2 + i;
    EXPECT_EQ(state.digest(), digests[i]) << "height " << 2 + i;
  }
  // A binary without v2 refuses to execute past the activation height.
  contracts::MemState s2 = state;
  auto refused = contracts::execute_block(contracts::Registry::standard(), s2, block_at(activation + 5, times.back() + 1), {});
  EXPECT_FALSE(refused.is_ok());
}

}  // namespace
}  // namespace ipl::testing
