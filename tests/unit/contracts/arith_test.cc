// Goal: the one rounding helper rounds half-up (四舍五入, halves away from
// zero) and the 128-bit helpers never overflow silently. Method: table of
// hand-computed cases, including DOMAIN.md §2.1's 1e22 intermediate.
#include "contracts/arith.h"

#include <gtest/gtest.h>

namespace ipl::contracts {
namespace {

TEST(Arith, RoundHalfUpTable) {
  EXPECT_EQ(round_half_up(5, 10), 1);
  EXPECT_EQ(round_half_up(4, 10), 0);
  EXPECT_EQ(round_half_up(15, 10), 2);
  EXPECT_EQ(round_half_up(-15, 10), -2);
  EXPECT_EQ(round_half_up(-14, 10), -1);
  EXPECT_EQ(round_half_up(1, 3), 0);
  EXPECT_EQ(round_half_up(2, 3), 1);
  EXPECT_EQ(round_half_up(0, 7), 0);
}

TEST(Arith, MulDivUses128Bits) {
  // 1e10 fen × 1e8 / 1e6 overflows int64 in the product but not the result.
  EXPECT_EQ(mul_div_round(10'000'000'000, 100'000'000, 1'000'000), 1'000'000'000'000);
  // DOMAIN.md §8.2: 3,200,000 CNY × 40% = 1,280,000 CNY, in fen and ppm.
  EXPECT_EQ(mul_div_round(320'000'000, 400'000, kPpm), 128'000'000);
  EXPECT_EQ(mul_div_round(INT64_MAX, 2, 1), std::nullopt);
  EXPECT_EQ(mul_div_floor(7, 1, 2), 3);
  EXPECT_EQ(checked_add(INT64_MAX, 1), std::nullopt);
  EXPECT_EQ(checked_add(1, 2), 3);
}

}  // namespace
}  // namespace ipl::contracts
