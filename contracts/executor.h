// The executor (DESIGN.md data flow step 5): applies one committed block's
// transactions in order to a read-only base StateView (the committed state
// after the parent) and returns one receipt per transaction plus the
// ordered state writes the ledger commits.
//
// Per transaction (docs/transactions.md "Execution"):
//   prologue  decode, signature (optional re-check), chain id, expiry,
//             sender key (known, an API key, active; member active), nonce
//             = last executed + 1. A failure here writes nothing.
//   body      the nonce is consumed; value_date valid and not after the
//             block's civil date; type known at the protocol version in
//             force; sender's role allowed; payload valid; apply in a
//             per-transaction overlay bounded by limits::tx_state_ops_max;
//             no written record's value_date goes backwards. A failure
//             discards every write of the transaction but the nonce.
// The protocol version in force at height h is read from "sys/protocol";
// the epoch in force and any epoch whose boundary is h from "sys/epochs".
// Invariants: receipts.size() == txs.size(); writes are in execution order,
// each attributed to the transaction that made it; the result depends only
// on (registry, base, block, txs).
// Thread-safety: execute_block is reentrant; base must not change during
// the call.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/chain.h"
#include "common/state_view.h"
#include "contracts/module.h"

namespace ipl::contracts {

struct ExecOptions {
  // Signatures are verified once upstream (mempool, proposal check). The
  // executor re-checks by default; benchmarks and replays of verified
  // history may turn it off.
  bool verify_signatures = true;
};

struct StateWrite {
  std::string key;
  std::optional<Bytes> body;  // RecordBody bytes; nullopt deletes
  Hash32 tx_id{};
  bool operator==(const StateWrite&) const = default;
};

struct BlockResult {
  std::vector<Receipt> receipts;
  std::vector<StateWrite> writes;
  uint32_t protocol_version = 1;
  Epoch epoch;  // the epoch this height belongs to
  // Set when this height is an epoch boundary: goes into its LedgerInfo.
  std::optional<EpochState> next_epoch;
  // Epoch changes passed in this block (boundary = height + L + 1).
  std::vector<EpochEntry> scheduled;
};

// Requires base to hold an initialised chain (genesis state). A non-ok
// Result means the store failed; the block must not be committed.
Result<BlockResult> execute_block(const Registry& registry, const StateView& base, const BlockContext& block,
                                  std::span<const Transaction> txs, const ExecOptions& options = {});

// A StateView over a std::map: the test double and the overlay type.
class MemState final : public StateView {
 public:
  Result<std::optional<Bytes>> get(ByteView key) const override;
  void put(ByteView key, std::optional<Bytes> value) override;
  // Applies writes in order.
  void apply(const std::vector<StateWrite>& writes);
  const std::map<std::string, Bytes, std::less<>>& entries() const { return map_; }
  // SHA-256 over the sorted (key, value) pairs: a cheap state digest.
  Hash32 digest() const;

 private:
  std::map<std::string, Bytes, std::less<>> map_;
};

}  // namespace ipl::contracts
