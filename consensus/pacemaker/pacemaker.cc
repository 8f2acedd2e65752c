#include "consensus/pacemaker/pacemaker.h"

#include "common/assert.h"
#include "common/limits.h"

namespace ipl::consensus {

Pacemaker::Pacemaker(uint64_t base_ms, uint64_t max_ms) : base_ms_(base_ms), max_ms_(max_ms) {
  IPL_ASSERT(base_ms_ > 0);
  IPL_ASSERT(base_ms_ <= max_ms_);
  IPL_ASSERT(max_ms_ <= limits::round_timeout_max_ms);  // C8
}

bool Pacemaker::advance(Round certified_round) {
  const Round before = current_;
  if (certified_round.value() + 1 <= current_.value()) return false;
  current_ = Round(certified_round.value() + 1);
  IPL_ASSERT(current_ > before);  // rounds only grow within an epoch
  IPL_ASSERT(current_.value() == certified_round.value() + 1);  // C7
  return true;
}

void Pacemaker::reset() { current_ = Round(1); }

uint64_t Pacemaker::timeout_ms(Round highest_qc_round, uint32_t refires) const {
  const bool via_tc = current_.value() > highest_qc_round.value() + 1;
  const uint64_t exponent = uint64_t{refires} + (via_tc ? 1 : 0);
  uint64_t t = base_ms_;
  for (uint64_t i = 0; i < exponent && t < max_ms_; ++i) t *= 2;  // at most log2(max/base) steps
  if (t > max_ms_) t = max_ms_;
  IPL_ASSERT(t >= base_ms_);
  IPL_ASSERT(t <= limits::round_timeout_max_ms);  // C8
  return t;
}

ValidatorIndex Pacemaker::leader(Round round, size_t n, const std::vector<uint32_t>& override_for_test) {
  IPL_ASSERT(n > 0);
  if (round.value() < override_for_test.size()) {
    IPL_ASSERT(override_for_test[round.value()] < n);
    return ValidatorIndex(override_for_test[round.value()]);
  }
  return ValidatorIndex(static_cast<uint32_t>(round.value() % n));
}

}  // namespace ipl::consensus
