// The committed state of a ledger at its current height, as the executor's
// read-only base view (record bodies, not envelopes).
// Thread-safety: as ledger::Ledger's readers.
#pragma once

#include "common/assert.h"
#include "common/state_view.h"
#include "ledger/ledger.h"

namespace ipl::node {

class LedgerView final : public StateView {
 public:
  explicit LedgerView(const ledger::Ledger& l) : ledger_(l) {}
  Result<std::optional<Bytes>> get(ByteView key) const override {
    IPL_ASSIGN_OR_RETURN(std::optional<StateEnvelope> env, ledger_.record_at(key, ledger_.height()));
    if (!env) return std::optional<Bytes>();
    return std::optional<Bytes>(std::move(env->body));
  }
  void put(ByteView, std::optional<Bytes>) override { IPL_ASSERT(false && "LedgerView is read-only"); }

 private:
  const ledger::Ledger& ledger_;
};

}  // namespace ipl::node
