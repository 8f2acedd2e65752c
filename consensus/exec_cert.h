// The execution-certificate collector (DESIGN.md data-flow step 7): per
// executed height, the LedgerInfo signatures received, grouped by the
// exact LedgerInfo signed; a quorum over one LedgerInfo is its certificate.
// Invariants:
//   C11 a validator's signature counts at most once per height (the first
//       one received; a second, different one is equivocation evidence);
//   C12 at most one LedgerInfo per height is ever certified here (two
//       would need a quorum intersection to have signed both, i.e. more
//       than f Byzantine; add() then reports a conflict, never a second
//       certificate);
//   memory is bounded: heights beyond limits::ledger_info_lookahead_max
//   above the owner's executed height are refused, and heights below the
//   last certified one are pruned.
// Signatures must be verified by the caller before add().
// Thread-safety: none; owned by one Replica.
#pragma once

#include <map>
#include <optional>
#include <set>

#include "common/chain.h"

namespace ipl::consensus {

class ExecCertCollector {
 public:
  struct Added {
    std::optional<ExecutionCertificate> certificate;  // formed by this signature
    bool conflicting_certificate = false;             // a second LedgerInfo reached a quorum (C12 broken)
    std::optional<LedgerInfo> equivocation;           // this signer's earlier, different LedgerInfo
  };
  // Starts an epoch's collection; heights ≤ floor are already settled.
  void reset(Height floor, const ValidatorSet& vs);
  Added add(const LedgerInfo& li, ValidatorIndex signer, const Signature& sig, Height executed_height);
  // The certificate for `h`, if one formed (and was not pruned).
  const ExecutionCertificate* certified(Height h) const;
  Height highest_certified() const { return highest_certified_; }

 private:
  struct Bucket {
    LedgerInfo li;
    SignerSet signers;
  };
  struct PerHeight {
    std::map<Hash32, Bucket> by_digest;
    std::map<uint32_t, Hash32> by_signer;
  };
  ValidatorSet vs_;
  Height floor_;
  Height highest_certified_;
  std::map<uint64_t, PerHeight> pending_;
  std::map<uint64_t, ExecutionCertificate> certified_;
};

}  // namespace ipl::consensus
