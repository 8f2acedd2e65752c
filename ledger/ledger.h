// Ledger: the block store and the one place a committed block becomes
// durable (DESIGN.md data flow steps 6-7, "Ledger").
//
// commit_block() writes, in ONE synced LevelDB batch: the block, its
// LedgerInfo, every transaction by id with its location and receipt,
// the history-tree nodes (one leaf per transaction: tx_id ‖ SHA-256(receipt)),
// the state-tree nodes and values of the block's writes wrapped in
// StateEnvelopes (every write kept: the record's version history), and the
// new committed height.
// A crash at any moment therefore leaves either the whole block or none of
// it; open() returns the last fully committed block.
// Execution certificates arrive later (a quorum must sign the LedgerInfo
// first) and are stored by store_certificate() in their own synced batch.
//
// Invariants (docs/protocol.md L1-L4):
//   L1 height h+1 is committed only on top of h; heights start at 1.
//   L2 history_size(h) = history_size(h-1) + block_tx_count(h).
//   L3 a transaction id is committed at most once.
//   L4 every record version v > 1 names SHA-256 of version v-1 as prev_hash.
// Thread-safety: writers (commit_block, store_certificate) are serialised
// by a mutex; every read may run concurrently with them and sees the
// committed prefix only (the in-memory views advance under an exclusive
// lock after the batch is durable).
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/chain.h"
#include "common/limits.h"
#include "common/status.h"
#include "ledger/history_tree.h"
#include "ledger/state_tree.h"
#include "ledger/store.h"

namespace ipl::ledger {

struct LedgerOptions {
  std::string chain_id;
  // Heights of state tree kept for proofs; 0 keeps all (archive node).
  uint64_t state_retained_heights = limits::state_retained_heights_default;
  // fsync every block batch (turn off only in benchmarks and tests).
  bool sync = true;
};

// One state write produced by executing a block, in execution order.
struct RecordWrite {
  Bytes key;
  std::optional<Bytes> body;  // nullopt deletes the record
  Hash32 tx_id{};             // the transaction that made the write
};

struct BlockCommit {
  Block block;
  std::vector<Receipt> receipts;  // one per transaction, same order
  std::vector<RecordWrite> writes;
  uint32_t protocol_version = 1;
  std::optional<EpochState> next_epoch;
};

// Where a committed transaction lives.
struct TxLocation {
  uint64_t height = 0;
  uint64_t history_index = 0;
  Transaction tx;
  Receipt receipt;
};

// A transaction with its outcome, included in the history of the certified
// LedgerInfo of its block (DESIGN.md step 7). Verified offline by
// verify_tx_proof() with nothing but the validator set of the anchor's
// epoch (itself proven by an EpochChangeProof from the genesis file).
struct TxProof {
  Transaction tx;
  Receipt receipt;
  InclusionProof inclusion;
  ExecutionCertificate anchor;
  Bytes encode() const;
  static Result<TxProof> decode(ByteView bytes);
};

// A record's value at a height with its state proof, anchored likewise.
struct RecordProof {
  Bytes key;
  std::optional<Bytes> envelope;  // nullopt: proof of absence
  StateProof proof;
  ExecutionCertificate anchor;
  Bytes encode() const;
  static Result<RecordProof> decode(ByteView bytes);
};

Status verify_tx_proof(const TxProof& p, const ValidatorSet& anchor_set);
Status verify_record_proof(const RecordProof& p, const ValidatorSet& anchor_set);

class Ledger {
 public:
  // `store` must outlive the ledger. Loads the committed prefix.
  static Result<std::unique_ptr<Ledger>> open(Store& store, LedgerOptions options);

  uint64_t height() const;
  Hash32 history_root() const;
  uint64_t history_size() const;
  Hash32 state_root() const;

  // Commits block height()+1. Checks the block (height, payload hash,
  // receipts match transactions, no transaction id already committed)
  // and returns the LedgerInfo that validators sign. Nothing is written
  // when it returns an error.
  Result<LedgerInfo> commit_block(const BlockCommit& commit);
  // Stores a certificate for an already committed height; the certified
  // LedgerInfo must equal the stored one.
  // `sync` = false leaves the write to the OS: a node that can fetch a lost
  // certificate again from its peers (node/node.cc) need not fsync it.
  Status store_certificate(const ExecutionCertificate& cert, bool sync = true);

  Result<Block> block_at(uint64_t height) const;
  Result<LedgerInfo> ledger_info_at(uint64_t height) const;
  Result<std::optional<ExecutionCertificate>> certificate_at(uint64_t height) const;
  Result<std::optional<uint64_t>> height_of_block(const Hash32& block_id) const;
  Result<std::optional<TxLocation>> find_tx(const Hash32& tx_id) const;
  // The current envelope of a record at a height (any committed height).
  Result<std::optional<StateEnvelope>> record_at(ByteView key, uint64_t height) const;
  // Every version of a record, oldest first.
  Result<std::vector<StateEnvelope>> record_history(ByteView key) const;

  // Proofs anchored to the certificate of the transaction's block (or, for
  // records, of `height`); not_found when that height has no certificate.
  Result<TxProof> prove_tx(const Hash32& tx_id) const;
  Result<RecordProof> prove_record(ByteView key, uint64_t height) const;
  Result<ConsistencyProof> prove_consistency(uint64_t old_size, uint64_t new_size) const;

  const HistoryTree& history() const { return history_; }
  const StateTree& state() const { return state_; }

 private:
  Ledger(Store& store, LedgerOptions options);
  Status load();

  Store& store_;
  LedgerOptions options_;
  std::mutex write_mu_;                 // one writer at a time
  mutable std::shared_mutex view_mu_;   // readers vs. the in-memory views' advance
  // Records at the latest height (encoded envelope, or nullopt when absent),
  // filled by reads and by commits: the executor and the mempool read the
  // same few records (keys, members, nonces) for every transaction, and a
  // versioned look-up in the store costs an iterator. Valid only while
  // height_ does not change: entries are added under view_mu_ (shared, with
  // cache_mu_) and the commit updates them under view_mu_ (exclusive).
  // Cleared when it grows past kLatestCacheMax (a bound, not an LRU).
  static constexpr size_t kLatestCacheMax = 1u << 18;
  mutable std::mutex cache_mu_;
  // Looked up by string_view (the raw key bytes), without a copy.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  mutable std::unordered_map<std::string, std::optional<Bytes>, KeyHash, std::equal_to<>> latest_;
  HistoryTree history_;
  StateTree state_;
  uint64_t height_ = 0;
};

}  // namespace ipl::ledger
