// The vote guard (Diem's safety rules, two-chain variant): the only place
// that decides whether this validator may sign a vote or a timeout.
// Persisted state per epoch: last voted round and highest certified round
// (the one-chain lock). docs/protocol.md §12.5 states the rules; the
// invariants they keep:
//   C3  a validator signs at most one vote per (epoch, round), and no vote
//       for a round it has timed out in;
//   C4  it votes for a block of round r only if r = qc_round + 1, or r =
//       tc_round + 1 and qc_round ≥ the TC's highest high-QC round;
//   C5  it signs a timeout for round r only if r = qc_round + 1 or r =
//       tc_round + 1, and its high QC is at least its lock;
//   C6  the caller persists data() after a successful check and before
//       anything signed leaves the node (the replica emits PersistSafety
//       first; the driver fsyncs before sending).
// Thread-safety: none; owned by one Replica.
#pragma once

#include <optional>

#include "common/chain.h"

namespace ipl::consensus {

struct SafetyData {
  Epoch epoch;
  Round last_voted_round;
  Round highest_qc_round;  // the lock: highest round with a QC seen
  Bytes encode() const;    // u64 epoch ‖ u64 last_voted_round ‖ u64 highest_qc_round
  static Result<SafetyData> decode(ByteView bytes);
  bool operator==(const SafetyData&) const = default;
};

// Test-only switches that plant the bugs the simulator must catch
// (issue 4 "Must show"). Never set outside tests.
struct PlantedBugs {
  bool skip_safety_check = false;  // vote whatever the rules say
  bool skip_persist = false;       // send votes without PersistSafety
};

class Guard {
 public:
  explicit Guard(SafetyData data) : data_(data) {}
  // Raises the lock to qc_round if higher (observe_qc of Diem).
  void observe_qc(Round qc_round);
  // C3, C4. On ok, last_voted_round = round; the caller persists data().
  // tc_round / tc_max_high_qc_round: the certificate the block was
  // proposed with, if any.
  Status check_vote(Round round, Round qc_round, std::optional<Round> tc_round, Round tc_max_high_qc_round);
  // C3, C5. On ok, last_voted_round = max(last, round).
  Status check_timeout(Round round, Round qc_round, std::optional<Round> tc_round);
  const SafetyData& data() const { return data_; }
  void set_bugs(const PlantedBugs& bugs) { bugs_ = bugs; }

 private:
  SafetyData data_;
  PlantedBugs bugs_;
};

}  // namespace ipl::consensus
