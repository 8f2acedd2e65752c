#include "consensus/exec_cert.h"

#include "common/hash.h"
#include "common/limits.h"

namespace ipl::consensus {

void ExecCertCollector::reset(Height floor, const ValidatorSet& vs) {
  vs_ = vs;
  floor_ = floor;
  highest_certified_ = floor;
  pending_.clear();
  certified_.clear();
  IPL_ASSERT(vs_.size() > 0);
  IPL_ASSERT(pending_.empty());
}

ExecCertCollector::Added ExecCertCollector::add(const LedgerInfo& li, ValidatorIndex signer, const Signature& sig,
                                                Height executed_height) {
  IPL_ASSERT(signer.value() < vs_.size());
  IPL_ASSERT(li.epoch == vs_.epoch);
  Added out;
  const uint64_t h = li.height.value();
  if (h <= floor_.value()) return out;
  if (h > executed_height.value() + limits::ledger_info_lookahead_max) return out;  // bounded memory
  PerHeight& ph = pending_[h];
  const Hash32 digest = sha256(li.encode());
  auto seen = ph.by_signer.find(signer.value());
  if (seen != ph.by_signer.end()) {
    if (seen->second != digest) out.equivocation = ph.by_digest.at(seen->second).li;  // C11
    return out;
  }
  ph.by_signer[signer.value()] = digest;
  Bucket& b = ph.by_digest[digest];
  if (b.signers.signatures.empty()) b.li = li;
  b.signers.add(signer, sig, vs_.size());
  if (b.signers.count() != vs_.quorum()) return out;  // forms exactly once, at the quorum-th signature
  auto existing = certified_.find(h);
  if (existing != certified_.end()) {
    out.conflicting_certificate = true;  // C12 would break: report, keep the first
    return out;
  }
  ExecutionCertificate cert{b.li, b.signers};
  certified_[h] = cert;
  if (li.height > highest_certified_) highest_certified_ = li.height;
  // Keep a short tail of certificates; settle older pending heights.
  while (!certified_.empty() && certified_.begin()->first + 2 * limits::uncertified_blocks_max < h) {
    certified_.erase(certified_.begin());
  }
  while (!pending_.empty() && pending_.begin()->first + 2 * limits::uncertified_blocks_max < h) {
    pending_.erase(pending_.begin());
  }
  out.certificate = cert;
  IPL_ASSERT(out.certificate->signers.count() >= vs_.quorum());
  return out;
}

const ExecutionCertificate* ExecCertCollector::certified(Height h) const {
  auto it = certified_.find(h.value());
  return it == certified_.end() ? nullptr : &it->second;
}

}  // namespace ipl::consensus
