// StateTree: the versioned, prunable compact sparse Merkle tree over the
// state (DESIGN.md "Ledger"; docs/protocol.md "State tree"). A binary
// tree keyed by key_hash = SHA-256(raw state key), 256 bits, most
// significant bit first; the ideas (immutable node records keyed by
// version, a stale-node index for pruning) follow Diem's Jellyfish Merkle
// tree, with one bit per level instead of a nibble.
//
// Invariants (checked by asserts at write time and by decoders at read):
//   T1 A subtree holding one leaf is that leaf, at the shallowest depth
//      where its key prefix is unique; an empty subtree hashes to 32 zero
//      bytes; an internal node has >= 2 leaves beneath it.
//   T2 leaf = SHA-256(0x00 ‖ key_hash ‖ value_hash),
//      internal = SHA-256(0x01 ‖ left ‖ right), empty tree root = zeros.
//   T3 Node records are immutable; a record written at height v stays
//      readable until its stale-since height s satisfies s <= first
//      retained height (then the tree of every retained height is intact).
//   T4 Every height in [first_retained, latest] has a root record; value
//      versions are kept for every height forever.
//
// Store layout (prefixes from ledger/store.h), all integers big-endian:
//   node key   = u64 version ‖ u16 depth ‖ path
//                (path = the first ceil(depth/8) bytes of any key_hash
//                 under the node, bits at and after `depth` zeroed)
//   'n' ‖ node key                    -> node
//   node       = 0x00 ‖ key_hash(32) ‖ value_hash(32)           (leaf)
//              | 0x01 ‖ child(left) ‖ child(right)             (internal)
//   child      = 0x00                                           (empty)
//              | 0x01 ‖ u64 version ‖ hash(32)                  (leaf)
//              | 0x02 ‖ u64 version ‖ hash(32)                  (internal)
//                (the child's record is at u64 version ‖ u16 depth+1 ‖ path)
//   'R' ‖ u64 height                  -> child (the root, at depth 0)
//   'v' ‖ key_hash ‖ u64 (~height) ‖ u32 (~seq)
//                                     -> 0x01 ‖ value bytes | 0x00 (deleted)
//                (every write of the block, seq = 0, 1, ... per key in
//                 execution order: the latest sorts first, and the records
//                 of one key are its whole history)
//   'x' ‖ key_hash                    -> raw key (first write only)
//   'S' ‖ u64 stale_since           -> (u8 len ‖ node key)*  (nodes made stale
//                                        by that height; node key without 'n')
//   'm' ‖ "state_latest_height"       -> u64
//   'm' ‖ "state_first_retained"      -> u64
// Height 0 is the empty genesis tree and has no root record.
//
// Thread-safety: get, prove, root_at, root, latest_height and
// first_retained_height may run on any thread concurrently with each other
// and with one writer thread calling stage_block / commit_staged /
// abort_staged (readers take a shared lock on the committed view only; a
// read racing a pruning commit answers kPruned, never a wrong value).
// load() must run before any other call, with no concurrent callers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "ledger/store.h"

namespace ipl::ledger {

// A path from the root down to the terminal position of a key: the
// siblings in root-to-terminal order and the terminal leaf, if any.
// Encoding (canonical, common/encoding.h):
//   proof = list<hash> siblings (count <= 256) ‖ opt<hash key_hash ‖ hash value_hash>
struct StateProof {
  std::vector<Hash32> siblings;
  // The terminal found at the end of the path: none (empty subtree), or a
  // leaf (possibly another key's leaf, for non-membership).
  std::optional<std::pair<Hash32, Hash32>> leaf;  // (key_hash, value_hash)

  Bytes encode() const;
  static Result<StateProof> decode(ByteView bytes);
  bool operator==(const StateProof&) const = default;
};

// Checks `proof` against `root` for `raw_key`: membership with exactly
// `*value` (the envelope bytes) when `value` is set, non-membership when
// nullopt. Every input may be hostile; returns a non-ok Status (never
// asserts) when anything fails to check.
Status verify_state_proof(const Hash32& root, ByteView raw_key, const std::optional<Bytes>& value,
                          const StateProof& proof);

// Leaf and internal node hashes (invariant T2), exposed for tests and
// offline verifiers.
Hash32 state_leaf_hash(const Hash32& key_hash, const Hash32& value_hash);
Hash32 state_internal_hash(const Hash32& left, const Hash32& right);

struct StateWrite {
  Bytes key;
  std::optional<Bytes> value;  // nullopt = delete
};

class StateTree {
 public:
  // `store` must outlive the tree. retained_heights = 0 keeps every
  // height's tree (archive); N > 0 keeps the trees of the last N heights.
  StateTree(Store& store, uint64_t retained_heights);

  // Reads the latest height, its root and the first retained height from
  // the store (all zero / empty for a fresh store).
  Status load();

  uint64_t latest_height() const;  // 0 before any block
  Hash32 root() const;             // committed root at latest_height()
  uint64_t first_retained_height() const;

  // Root of the tree at `height`: kPruned below first_retained_height(),
  // kInvalidArgument above latest_height().
  Result<Hash32> root_at(uint64_t height) const;

  // Stages block `height` (must be latest_height()+1). A key may repeat in
  // `writes`; the last write wins. Adds node records, the root record, the
  // value versions, record-index entries, stale-index entries and pruning
  // deletions to `batch` and returns the new root. Nothing becomes visible
  // until the caller writes `batch` and calls commit_staged(). Staging again
  // before commit/abort replaces the previous staged block.
  Result<Hash32> stage_block(uint64_t height, std::span<const StateWrite> writes, WriteBatch& batch);
  // Requires a staged block whose batch has been written to the store.
  void commit_staged();
  // Forgets the staged block (its batch must not be written).
  void abort_staged();
  bool has_staged() const { return staged_.has_value(); }

  // The value of `raw_key` at `height` (<= latest_height()); nullopt when
  // absent. Value versions are never pruned, so any height works. Costs one
  // store seek.
  Result<std::optional<Bytes>> get(ByteView raw_key, uint64_t height) const;
  // Every value ever written to the key with this hash, newest first
  // (deletions skipped), until fn returns false. Never pruned.
  Status scan_values(const Hash32& key_hash, const std::function<bool(ByteView value)>& fn) const;
  // For batched look-ups with Store::first_in_ranges: the range holding
  // every value record of a key (its first entry is the latest write), and
  // the value a record holds (nullopt for a deletion).
  static Store::Range value_range(const Hash32& key_hash);
  static Result<std::optional<ByteView>> value_of_record(ByteView record);
  // The value at `height` and a proof of it (membership) or of its absence.
  // kPruned below first_retained_height(). Costs O(depth) store reads.
  Result<std::pair<std::optional<Bytes>, StateProof>> prove(ByteView raw_key, uint64_t height) const;

  // Implementation types, public only so the .cc's helpers can name them.
  enum class Kind : uint8_t { kEmpty = 0, kLeaf = 1, kInternal = 2 };
  struct Ref {
    Kind kind = Kind::kEmpty;
    uint64_t version = 0;
    Hash32 hash{};
    bool operator==(const Ref&) const = default;
  };
  struct Internal {
    Ref child[2];
  };

 private:
  struct View {
    uint64_t latest_height = 0;
    Ref root;
    uint64_t first_retained = 0;
  };
  struct Staged {
    View view;
    // Upper internal nodes written by the staged block and the (slot,
    // version) of upper nodes made stale by it, to update cache_ at commit.
    std::vector<std::pair<size_t, Internal>> cache_puts;
    std::vector<std::pair<size_t, uint64_t>> cache_erases;
    // Node keys (without the 'n' prefix) made stale by the staged block,
    // each as u8 length ‖ key, stored as ONE 'S' record for the height.
    Bytes stale_list;
  };
  class Stager;

  View view() const;
  Result<Ref> root_ref_at(uint64_t height, const View& v) const;
  // Status for a node that could not be read at `height`: kPruned when the
  // window moved past it meanwhile, else corruption.
  Status missing_node(uint64_t height, const Bytes& node_key) const;

  Store& store_;
  const uint64_t retained_heights_;
  mutable std::shared_mutex mu_;  // guards view_
  View view_;
  // Heights below this may be deleted by a staged (maybe already written)
  // batch; readers that miss a record below it answer kPruned.
  uint64_t pruning_floor_ = 0;
  std::optional<Staged> staged_;  // writer thread only
  // Internal nodes of the latest tree at depth <= 16 (kCacheDepthMax in
  // the .cc), one slot per tree position: slot (2^depth - 1 + the first
  // `depth` bits of the path) holds the node last written there and its
  // version, or nothing. A position has one node in the latest tree, so a
  // lookup is an index and a version compare (no hashing, no allocation).
  // 2^17 - 1 slots, allocated zeroed (pages are touched only when used).
  // Writer thread only.
  struct CacheSlot {
    uint64_t version = 0;  // 0 = empty: no node is written at height 0
    Internal node;
  };
  struct FreeSlots {
    void operator()(CacheSlot* p) const;
  };
  std::unique_ptr<CacheSlot[], FreeSlots> cache_;
};

}  // namespace ipl::ledger
