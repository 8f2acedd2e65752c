// Equivocation evidence: two messages signed by one validator for one
// slot (a round for votes and proposals, a height for LedgerInfo
// signatures) that differ. Both signed messages are kept verbatim so the
// node can hand them to governance; anyone can re-check them with the
// validator's key. Thread-safety: plain values.
#pragma once

#include <cstdint>

#include "common/chain.h"

namespace ipl::consensus {

enum class EvidenceKind : uint8_t {
  kDoubleVote = 1,        // two votes (or proposals) for one (epoch, round)
  kDoubleLedgerInfo = 2,  // two LedgerInfo signatures for one height
};

struct Evidence {
  EvidenceKind kind = EvidenceKind::kDoubleVote;
  Epoch epoch;
  ValidatorIndex validator;
  uint64_t slot = 0;  // round or height
  Bytes first;        // canonical bytes of the first signed message
  Bytes second;       // ... and of the conflicting one
  bool operator==(const Evidence&) const = default;
};

}  // namespace ipl::consensus
