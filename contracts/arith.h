// Integer arithmetic for contracts (DOMAIN.md Part A decision 6, §2.1):
// money in fen (int64), rates in parts per million, every intermediate in
// 128-bit integers, and ONE rounding helper (half-up, i.e. 四舍五入: halves
// round away from zero). No floating point anywhere in contracts/.
// Invariants: results that do not fit int64 are reported, never wrapped.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>

#include "common/assert.h"

namespace ipl::contracts {

__extension__ typedef __int128 i128;

inline constexpr int64_t kPpm = 1'000'000;

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

}  // namespace ipl::contracts
