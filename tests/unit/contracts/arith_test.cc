// Goal: the one rounding helper rounds half-up (四舍五入, halves away from
// zero), the 128-bit helpers never overflow silently, proration hands out
// every fen by largest remainder, and the NPL tolerance test of DOMAIN.md
// §9.1 decides exactly (inclusive 3.00 points) at any balance up to 10^15
// fen. Method: table of hand-computed cases, including DOMAIN.md §2.1's
// 1e22 intermediate and §9.1's worked example, a case exactly at 3.00
// points and one fen either side of it at 10^12-fen balances.
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

TEST(Arith, ProrationFloorsThenHandsLeftoverFenToLargestRemainders) {
  // 100 over 1:1:1 = 33.33 each: one leftover fen, the tie goes to the first.
  EXPECT_EQ(prorate_largest_remainder({1, 1, 1}, 100), (std::vector<int64_t>{34, 33, 33}));
  // 10 over 1:2:4 = 1.43, 2.86, 5.71: floors 1, 2, 5 and the two leftover
  // fen to the largest remainders (0.86, 0.71).
  EXPECT_EQ(prorate_largest_remainder({1, 2, 4}, 10), (std::vector<int64_t>{1, 3, 6}));
  // §2.1's Chongqing example: 500,000 over claims 1,000,000 : 100,000 : 900,000.
  EXPECT_EQ(prorate_largest_remainder({100'000'000, 10'000'000, 90'000'000}, 50'000'000),
            (std::vector<int64_t>{25'000'000, 2'500'000, 22'500'000}));
  EXPECT_EQ(prorate_largest_remainder({0, 5}, 7), (std::vector<int64_t>{0, 7}));
  // Large weights: the products need 128 bits.
  const auto big = prorate_largest_remainder({kNplBalanceFenMax, kNplBalanceFenMax, 1}, kNplBalanceFenMax);
  EXPECT_EQ(big[0] + big[1] + big[2], kNplBalanceFenMax);
  EXPECT_EQ(big[0], 500'000'000'000'000);
}

// DOMAIN.md §9.1: IP 6M / 120M = 5.00%, overall 180M / 10bn = 1.80%, 3.20
// points: not exempt. In yuan the integer form is 3.84e20 > 3.6e20.
TEST(NplTolerance, WorkedExampleIsNotExemptAtThreePointTwenty) {
  const i128 ipb = 120'000'000, ipn = 6'000'000, totb = 10'000'000'000, totn = 180'000'000;  // yuan
  const i128 lhs = 10'000 * (ipn * totb - totn * ipb);
  const i128 rhs = 300 * ipb * totb;
  EXPECT_TRUE(lhs == static_cast<i128>(384) * 1'000'000'000'000'000'000);  // 3.84e20: beyond int64
  EXPECT_TRUE(rhs == static_cast<i128>(360) * 1'000'000'000'000'000'000);
  EXPECT_GT(lhs, static_cast<i128>(INT64_MAX));
  // The same in fen through the implementation.
  const NplTolerance t = npl_tolerance(12'000'000'000, 600'000'000, 1'000'000'000'000, 18'000'000'000, 30'000);
  EXPECT_TRUE(t.applicable);
  EXPECT_FALSE(t.exempt);
  EXPECT_EQ(t.ratio_ip_bp, 500);
  EXPECT_EQ(t.ratio_all_bp, 180);
  EXPECT_EQ(t.diff_bp, 320);
  // At a 3.20-point tolerance the same branch is exempt (inclusive).
  EXPECT_TRUE(npl_tolerance(12'000'000'000, 600'000'000, 1'000'000'000'000, 18'000'000'000, 32'000).exempt);
}

TEST(NplTolerance, ExactlyThreePointsIsExemptAndOneFenMoreIsNot) {
  // 5.00% vs 2.00% on small balances.
  NplTolerance t = npl_tolerance(100, 5, 1000, 20, 30'000);
  EXPECT_TRUE(t.exempt);
  EXPECT_EQ(t.diff_bp, 300);
  EXPECT_FALSE(npl_tolerance(100, 5, 1000, 19, 30'000).exempt);  // 5.00 vs 1.90: 3.10 points
  // 10^12-fen balances: IPB = 10^12, IPN = 5×10^10 (5.00%); TOTB = 10^15,
  // TOTN = 2×10^13 (2.00%): exactly 3.00 points. The cross products are
  // 5×10^25 and the scaled ones 10^31: far beyond 64 bits.
  const int64_t ipb = 1'000'000'000'000, ipn = 50'000'000'000;
  const int64_t totb = kNplBalanceFenMax, totn = 20'000'000'000'000;
  t = npl_tolerance(ipb, ipn, totb, totn, 30'000);
  EXPECT_TRUE(t.applicable);
  EXPECT_TRUE(t.exempt);
  EXPECT_EQ(t.ratio_ip_bp, 500);
  EXPECT_EQ(t.ratio_all_bp, 200);
  EXPECT_EQ(t.diff_bp, 300);
  // One fen more of IP NPL tips it over, though every displayed ratio
  // still rounds to the same basis points: the decision is the exact test.
  t = npl_tolerance(ipb, ipn + 1, totb, totn, 30'000);
  EXPECT_FALSE(t.exempt);
  EXPECT_EQ(t.diff_bp, 300);
  EXPECT_EQ(t.ratio_ip_bp, 500);
  // One fen less of overall NPL also tips it over; one fen more restores.
  EXPECT_FALSE(npl_tolerance(ipb, ipn, totb, totn - 1, 30'000).exempt);
  EXPECT_TRUE(npl_tolerance(ipb, ipn, totb, totn + 1, 30'000).exempt);
  // Equal 10^12 balances everywhere: IPN = TOTN, both 3.00% and 0 points apart.
  t = npl_tolerance(ipb, 30'000'000'000, ipb, 30'000'000'000, 30'000);
  EXPECT_TRUE(t.exempt);
  EXPECT_EQ(t.diff_bp, 0);
}

TEST(NplTolerance, NotApplicableWithoutIpPledgeLoansAndExtremesStayExact) {
  NplTolerance t = npl_tolerance(0, 0, 1'000'000, 18'000, 30'000);
  EXPECT_FALSE(t.applicable);
  EXPECT_FALSE(t.exempt);
  EXPECT_EQ(t.ratio_ip_bp, 0);
  EXPECT_EQ(t.ratio_all_bp, 180);
  t = npl_tolerance(0, 0, 0, 0, 30'000);
  EXPECT_FALSE(t.applicable);
  EXPECT_EQ(t.ratio_all_bp, 0);
  // All balances at the bound: all IP loans NPL, nothing else NPL.
  const int64_t m = kNplBalanceFenMax;
  t = npl_tolerance(m, m, m, m, 30'000);
  EXPECT_TRUE(t.exempt);  // 100% vs 100%
  t = npl_tolerance(1, 1, m, 1, 30'000);
  EXPECT_FALSE(t.exempt);  // 100% vs ~0%
  EXPECT_EQ(t.diff_bp, 10'000);
  // A zero tolerance exempts only an IP ratio no higher than the overall one.
  EXPECT_TRUE(npl_tolerance(100, 2, 1000, 20, 0).exempt);
  EXPECT_FALSE(npl_tolerance(100, 3, 1000, 20, 0).exempt);
  // Half a basis point rounds up for display (1 of 20,000 = 0.5 bp).
  EXPECT_EQ(npl_tolerance(20'000, 1, 20'000, 1, 30'000).ratio_ip_bp, 1);
}

}  // namespace
}  // namespace ipl::contracts
