// The pacemaker: the current round, the leader of each round and the
// round's timeout. A round is entered only through a certificate for the
// round before it (C7: QC or TC of round r − 1; no message without one
// moves a replica), so a single Byzantine sender with an absurd round
// number cannot start a view-change storm. Timeouts back off
// exponentially, capped at limits::round_timeout_max_ms (C8): the exponent
// is the number of times the round's timer already fired (no TC could
// form: the network is slower than the timeout or split), plus one when
// the round was entered through a TC rather than a QC. A TC resets the
// growth because it proves a quorum is exchanging messages again; so
// after the network heals a faulty leader costs at most 2 × base, not the
// ceiling (docs/protocol.md §12.5).
// Thread-safety: none; owned by one Replica.
#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"

namespace ipl::consensus {

class Pacemaker {
 public:
  // Requires 0 < base_ms ≤ max_ms ≤ limits::round_timeout_max_ms.
  Pacemaker(uint64_t base_ms, uint64_t max_ms);
  Round current_round() const { return current_; }
  // Enters certified_round + 1 if that is later than the current round
  // (C7). Returns whether the round changed.
  bool advance(Round certified_round);
  // Restarts the epoch at round 1.
  void reset();
  // C8: base · 2^(refires + [current > highest_qc_round + 1]), capped.
  uint64_t timeout_ms(Round highest_qc_round, uint32_t refires) const;
  // Round-robin; `override_for_test` (Twins) replaces rounds it lists.
  static ValidatorIndex leader(Round round, size_t n, const std::vector<uint32_t>& override_for_test);

 private:
  uint64_t base_ms_;
  uint64_t max_ms_;
  Round current_{1};
};

}  // namespace ipl::consensus
