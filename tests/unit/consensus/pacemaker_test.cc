// Goal: the pacemaker backs off exponentially up to the ceiling (C8),
// rotates leaders round-robin, and only moves forward on a certificate (C7).
// Method: drive Pacemaker directly.
#include "consensus/pacemaker/pacemaker.h"

#include <gtest/gtest.h>

#include "common/limits.h"

namespace ipl::consensus {
namespace {

TEST(Pacemaker, BacksOffToCeiling) {
  Pacemaker p(1'000, limits::round_timeout_max_ms);
  EXPECT_EQ(p.timeout_ms(Round(0), 0), 1'000u);  // round 1 entered by the QC of round 0
  EXPECT_EQ(p.timeout_ms(Round(0), 1), 2'000u);  // the timer fired once: no TC formed
  EXPECT_EQ(p.timeout_ms(Round(0), 2), 4'000u);
  EXPECT_EQ(p.timeout_ms(Round(0), 40), limits::round_timeout_max_ms);
  p.advance(Round(1));  // round 2 entered through a TC (highest QC still 0)
  EXPECT_EQ(p.timeout_ms(Round(0), 0), 2'000u);
  EXPECT_EQ(p.timeout_ms(Round(0), 3), limits::round_timeout_max_ms);
  p.advance(Round(40));
  EXPECT_EQ(p.timeout_ms(Round(40), 0), 1'000u);  // a QC of the previous round: base again
}

TEST(Pacemaker, AdvancesOnlyForward) {
  Pacemaker p(1'000, 8'000);
  EXPECT_EQ(p.current_round(), Round(1));
  EXPECT_TRUE(p.advance(Round(3)));
  EXPECT_EQ(p.current_round(), Round(4));
  EXPECT_FALSE(p.advance(Round(2)));
  EXPECT_FALSE(p.advance(Round(3)));
  EXPECT_EQ(p.current_round(), Round(4));
  p.reset();
  EXPECT_EQ(p.current_round(), Round(1));
}

TEST(Pacemaker, RoundRobinLeaders) {
  for (uint64_t r = 0; r < 20; ++r) EXPECT_EQ(Pacemaker::leader(Round(r), 7, {}).value(), r % 7);
  EXPECT_EQ(Pacemaker::leader(Round(2), 4, {0, 3, 3}).value(), 3u);
  EXPECT_EQ(Pacemaker::leader(Round(5), 4, {0, 3, 3}).value(), 1u);
}

}  // namespace
}  // namespace ipl::consensus
