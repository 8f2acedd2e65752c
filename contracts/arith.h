// Integer arithmetic for contracts (DOMAIN.md Part A decision 6, §2.1):
// money in fen (int64), rates in parts per million, every intermediate in
// 128-bit integers, and ONE rounding helper (half-up, i.e. 四舍五入: halves
// round away from zero). No floating point anywhere in contracts/.
// Invariants: results that do not fit int64 are reported, never wrapped.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/assert.h"
// Declares ParamType::kPpm before contracts::kPpm below, so that a file
// including both never sees the enumerator shadow the constant (-Wshadow).
#include "contracts/records.h"

namespace ipl::contracts {

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

inline constexpr int64_t kPpm = 1'000'000;
inline constexpr int64_t kBp = 10'000;  // basis points in one
inline constexpr i128 kI128Max = static_cast<i128>(~u128{0} >> 1);

// The one rounding helper: num / den rounded half-up (away from zero on an
// exact half). Requires den > 0.
constexpr i128 round_half_up(i128 num, i128 den) {
  IPL_ASSERT(den > 0);
  const bool negative = num < 0;
  const i128 magnitude = negative ? -num : num;
  const i128 r = magnitude % den;
  const i128 q = magnitude / den + ((2 * r >= den) ? 1 : 0);
  IPL_ASSERT(q >= 0);
  return negative ? -q : q;
}

// a × b / d rounded half-up, in 128 bits; nullopt when the result does not
// fit int64. Requires d > 0. Example: fen × ppm / 1e6.
constexpr std::optional<int64_t> mul_div_round(int64_t a, int64_t b, int64_t d) {
  IPL_ASSERT(d > 0);
  const i128 r = round_half_up(static_cast<i128>(a) * b, d);
  if (r > INT64_MAX || r < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(r);
}

// a × b / d rounded down (floor toward zero for non-negative inputs), for
// proration by floor-then-largest-remainder. Requires d > 0, a, b >= 0.
constexpr std::optional<int64_t> mul_div_floor(int64_t a, int64_t b, int64_t d) {
  IPL_ASSERT(d > 0);
  IPL_ASSERT(a >= 0 && b >= 0);
  const i128 r = static_cast<i128>(a) * b / d;
  if (r > INT64_MAX) return std::nullopt;
  return static_cast<int64_t>(r);
}

// Checked int64 addition; nullopt on overflow.
constexpr std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  const i128 r = static_cast<i128>(a) + b;
  if (r > INT64_MAX || r < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(r);
}

// Splits `total` over `weights` in proportion (DOMAIN.md §2.1 budget
// proration, also a loan's pro-rata schedule reduction): each share is
// floor(total × w_i / Σw), then the leftover fen go one each to the
// largest remainders, ties to the lower index. Requires total >= 0, every
// w_i >= 0 and Σw > 0 (fitting int64). Returns shares summing to total.
inline std::vector<int64_t> prorate_largest_remainder(const std::vector<int64_t>& weights, int64_t total) {
  IPL_ASSERT(total >= 0);
  i128 sum = 0;
  for (int64_t w : weights) {
    IPL_ASSERT(w >= 0);
    sum += w;
  }
  IPL_ASSERT(sum > 0 && sum <= INT64_MAX);
  std::vector<int64_t> out(weights.size());
  std::vector<i128> rem(weights.size());
  int64_t handed = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const i128 num = static_cast<i128>(total) * weights[i];
    out[i] = static_cast<int64_t>(num / sum);
    rem[i] = num % sum;
    handed += out[i];
  }
  IPL_ASSERT(handed <= total);
  // At most weights.size() - 1 fen are left over (each floor loses < 1).
  for (int64_t left = total - handed; left > 0; --left) {
    size_t best = weights.size();
    for (size_t i = 0; i < weights.size(); ++i) {
      if (rem[i] > 0 && (best == weights.size() || rem[i] > rem[best])) best = i;
    }
    IPL_ASSERT(best < weights.size());
    ++out[best];
    rem[best] = 0;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The NPL tolerance test (DOMAIN.md §9.1; the Shanxi plan §三): a branch's
// IP-pledge NPL ratio at most `tolerance_ppm` (3 percentage points =
// 30,000 ppm, inclusive) above its overall NPL ratio is no reason for a
// penalty. The decision is the exact integer test
//   exempt ⇔ IPB > 0 and 1e6·(IPN·TOTB − TOTN·IPB) ≤ tolerance_ppm·IPB·TOTB
// (DOMAIN's 10000·(…) ≤ 300·IPB·TOTB with the threshold in ppm); the
// ratios in basis points are rounded half-up for display only.
// Balances are bounded by kNplBalanceFenMax (10^15 fen, ten trillion
// yuan, far above any branch) so that every product fits 128 bits.

inline constexpr int64_t kNplBalanceFenMax = 1'000'000'000'000'000;
static_assert(static_cast<i128>(kPpm) * kNplBalanceFenMax * kNplBalanceFenMax < kI128Max / 2,
              "the NPL test's products must fit in 128 bits with room for the difference");

struct NplTolerance {
  bool applicable = false;  // IPB > 0
  bool exempt = false;      // applicable and within the tolerance
  int64_t ratio_ip_bp = 0;   // IPN / IPB (0 when not applicable)
  int64_t ratio_all_bp = 0;  // TOTN / TOTB (0 when TOTB = 0)
  int64_t diff_bp = 0;       // ratio_ip − ratio_all, exact then rounded (0 when not applicable)
};

// Requires 0 <= ipn <= ipb <= totb <= kNplBalanceFenMax, 0 <= ipn <= totn
// <= totb and 0 <= tolerance_ppm <= kPpm.
constexpr NplTolerance npl_tolerance(int64_t ipb, int64_t ipn, int64_t totb, int64_t totn, int64_t tolerance_ppm) {
  IPL_ASSERT(0 <= ipn && ipn <= ipb && ipb <= totb && totb <= kNplBalanceFenMax);
  IPL_ASSERT(ipn <= totn && totn <= totb);
  IPL_ASSERT(0 <= tolerance_ppm && tolerance_ppm <= kPpm);
  NplTolerance r;
  if (totb > 0) r.ratio_all_bp = static_cast<int64_t>(round_half_up(static_cast<i128>(totn) * kBp, totb));
  if (ipb == 0) return r;
  r.applicable = true;
  r.ratio_ip_bp = static_cast<int64_t>(round_half_up(static_cast<i128>(ipn) * kBp, ipb));
  const i128 cross = static_cast<i128>(ipn) * totb - static_cast<i128>(totn) * ipb;  // |.| <= 1e30
  const i128 both = static_cast<i128>(ipb) * totb;                                     // > 0, <= 1e30
  r.exempt = cross * kPpm <= both * tolerance_ppm;
  r.diff_bp = static_cast<int64_t>(round_half_up(cross * kBp, both));
  return r;
}

}  // namespace ipl::contracts
