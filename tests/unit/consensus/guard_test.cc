// Goal: the vote guard enforces the two-chain safety rules (C3–C5).
// Method: drive Guard directly through votes and timeouts, legal and not.
#include "consensus/safety/guard.h"

#include <gtest/gtest.h>

namespace ipl::consensus {
namespace {

TEST(Guard, VotesOncePerRound) {
  Guard g(SafetyData{Epoch(1), Round(0), Round(0)});
  EXPECT_TRUE(g.check_vote(Round(1), Round(0), std::nullopt, Round(0)).is_ok());
  EXPECT_FALSE(g.check_vote(Round(1), Round(0), std::nullopt, Round(0)).is_ok());
  EXPECT_EQ(g.data().last_voted_round, Round(1));
}

TEST(Guard, RequiresCertificateOfPreviousRound) {
  Guard g(SafetyData{Epoch(1), Round(0), Round(0)});
  EXPECT_FALSE(g.check_vote(Round(3), Round(1), std::nullopt, Round(0)).is_ok());
  // Via a TC of round 2 whose highest high QC is 1: allowed.
  EXPECT_TRUE(g.check_vote(Round(3), Round(1), Round(2), Round(1)).is_ok());
  // Via a TC whose high QC is above the block's QC: refused.
  EXPECT_FALSE(g.check_vote(Round(5), Round(1), Round(4), Round(3)).is_ok());
}

TEST(Guard, NoVoteAfterTimeoutInRound) {
  Guard g(SafetyData{Epoch(1), Round(0), Round(0)});
  EXPECT_TRUE(g.check_timeout(Round(1), Round(0), std::nullopt).is_ok());
  EXPECT_FALSE(g.check_vote(Round(1), Round(0), std::nullopt, Round(0)).is_ok());
  // A timeout may repeat in the same round.
  EXPECT_TRUE(g.check_timeout(Round(1), Round(0), std::nullopt).is_ok());
}

TEST(Guard, TimeoutBelowLockRefused) {
  Guard g(SafetyData{Epoch(1), Round(0), Round(0)});
  g.observe_qc(Round(4));
  EXPECT_FALSE(g.check_timeout(Round(4), Round(3), std::nullopt).is_ok());
  EXPECT_TRUE(g.check_timeout(Round(5), Round(4), std::nullopt).is_ok());
}

TEST(Guard, PlantedBugSkipsChecks) {
  Guard g(SafetyData{Epoch(1), Round(0), Round(0)});
  g.set_bugs(PlantedBugs{true, false});
  EXPECT_TRUE(g.check_vote(Round(1), Round(0), std::nullopt, Round(0)).is_ok());
  EXPECT_TRUE(g.check_vote(Round(1), Round(0), std::nullopt, Round(0)).is_ok());
}

TEST(SafetyData, RoundTrips) {
  SafetyData d{Epoch(3), Round(9), Round(8)};
  auto back = SafetyData::decode(d.encode());
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, d);
  EXPECT_FALSE(SafetyData::decode(Bytes(23, 0)).is_ok());
}

}  // namespace
}  // namespace ipl::consensus
