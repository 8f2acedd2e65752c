// Shared fixture of the reason-code tests (reason_codes_test.cc,
// reason_codes_issue6_test.cc, reason_codes_issue7_test.cc): executes one
// transaction on a copy of the chain's state and checks its receipt code
// and that a failed transaction wrote nothing but the sender's nonce
// record (docs/adr/0006 "Nonces").
// Not thread-safe; one fixture per test.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "chain.h"

namespace ipl::testing {

class ReasonCodeTest : public ::testing::Test {
 protected:
  // Executes `tx` in block height+1 on a copy; checks the reason and that
  // state changed at most in the sender's nonce record.
  void expect_code(std::string_view code, const Transaction& tx, const PublicKey& sender) {
    contracts::MemState before = chain.state();
    auto r = contracts::execute_block(chain.registry(), before, block_at(chain.height() + 1, chain.time_ms() + 1000),
                                      std::span<const Transaction>(&tx, 1));
    ASSERT_TRUE(r.is_ok());
    ASSERT_EQ(r->receipts.size(), 1u);
    EXPECT_EQ(r->receipts[0].reason, code);
    seen.insert(r->receipts[0].reason);
    if (code == contracts::codes::kOk) return;
    EXPECT_FALSE(r->receipts[0].success);
    EXPECT_TRUE(r->receipts[0].events.empty());
    for (const contracts::StateWrite& w : r->writes) {
      EXPECT_EQ(w.key, contracts::keys::nonce(sender)) << code << " wrote " << w.key;
    }
  }
  void expect_code(std::string_view code, TxSpec spec) {
    if (spec.nonce == 0) spec.nonce = chain.next_nonce(spec.sender);
    expect_code(code, make_tx(spec), api_key(spec.sender).public_key);
  }

  // Prepares enterprises, IP assets and pledges, then triggers every code
  // of codes::kIssue6 (reason_codes_issue6_test.cc). Requires the test
  // genesis (bank = member 9) and no enterprise or pledge yet; advances
  // the chain's time by 45 days.
  void trigger_issue6_codes();
  // Prepares members, enterprises, pledges, loans and covers, then
  // triggers every code of codes::kIssue7 (reason_codes_issue7_test.cc).
  // Requires the test genesis and a chain time before 2024-03-01; leaves
  // it at 2024-06-20 with large books (the bounds are filled last).
  void trigger_issue7_codes();

  TestChain chain{test_genesis()};
  std::set<std::string> seen;
};

}  // namespace ipl::testing
