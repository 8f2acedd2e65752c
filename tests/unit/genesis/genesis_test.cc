// Goal: the genesis file round-trips through JSON, its hash ignores JSON
// formatting and parameter order, validation reports every problem at
// once, and block 1 is recomputable from the file alone. Method: the test
// consortium of fixture.h, mutated.
#include <gtest/gtest.h>

#include "fixture.h"
#include "ledger/ledger.h"

namespace ipl::testing {
namespace {

TEST(Genesis, JsonRoundTripKeepsHash) {
  const genesis::Genesis g = test_genesis();
  const std::string text = genesis::to_json(g).dump(2);
  auto back = genesis::load(text, contracts::Registry::standard());
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->hash(), g.hash());
  genesis::Genesis shuffled = g;
  std::reverse(shuffled.parameters.begin(), shuffled.parameters.end());
  EXPECT_EQ(shuffled.hash(), g.hash());
  auto compact = genesis::load(genesis::to_json(shuffled).dump(), contracts::Registry::standard());
  ASSERT_TRUE(compact.is_ok());
  EXPECT_EQ(compact->hash(), g.hash());
  genesis::Genesis other = g;
  other.chain_id = "ipl-other";
  EXPECT_NE(other.hash(), g.hash());
}

TEST(Genesis, ValidateReportsEveryProblemAtOnce) {
  genesis::Genesis g = test_genesis();
  g.chain_id = "Bad Chain";
  g.members[1].id = 7;                                 // ids not 1..n
  g.members[2].api_keys = {g.members[0].api_keys[0]};  // duplicate key
  g.validators.push_back(10);                          // auditor, no consensus key
  g.parameters.push_back({"riskcomp.ratio_ppm", contracts::ParamType::kFen, -1, CivilDate{20240101}});
  const auto problems = genesis::validate(g, contracts::Registry::standard());
  EXPECT_GE(problems.size(), 6u);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  for (const char* want : {"chain_id", "id must be 2", "already used", "no consensus_key", "out of range",
                           "type differs", "same effective_from"}) {
    EXPECT_NE(all.find(want), std::string::npos) << want << " missing in:\n" << all;
  }
  std::vector<std::string> parse_problems;
  genesis::parse_json(R"({"chain_id": 5, "members": [{"id": 1, "role": "KING", "api_keys": ["zz"]}], "extra": 1})",
                      parse_problems);
  EXPECT_GE(parse_problems.size(), 5u);
}

TEST(Genesis, BlockOneIsRecomputableFromTheFile) {
  const genesis::Genesis g = test_genesis();
  LedgerInfo infos[2];
  for (LedgerInfo& li : infos) {
    ledger::MemStore store;
    auto led = ledger::Ledger::open(store, {g.chain_id, 0, false});
    ASSERT_TRUE(led.is_ok());
    auto r = (*led)->commit_block(genesis::build_genesis_commit(g));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    li = *r;
  }
  EXPECT_EQ(infos[0], infos[1]);
  EXPECT_EQ(infos[0].height.value(), 1u);
  EXPECT_EQ(infos[0].epoch.value(), 1u);
  EXPECT_EQ(infos[0].block_tx_count, 0u);
  const ledger::BlockCommit c = genesis::build_genesis_commit(g);
  EXPECT_EQ(c.block.header.parent_id, g.hash());
  for (const auto& w : c.writes) EXPECT_EQ(w.tx_id, g.hash());
  EXPECT_EQ(g.validator_set().size(), 4u);
}

TEST(Genesis, ShanxiDefaultsAreLookedUpByDate) {
  const contracts::MemState s = genesis_state(test_genesis());
  auto v = contracts::param_at(s, "riskcomp.ratio_ppm", CivilDate{20240601});
  ASSERT_TRUE(v.is_ok() && *v);
  EXPECT_EQ(**v, 400'000);
  auto before = contracts::param_at(s, "riskcomp.ratio_ppm", CivilDate{20231231});
  ASSERT_TRUE(before.is_ok());
  EXPECT_FALSE(before->has_value());
}

}  // namespace
}  // namespace ipl::testing
