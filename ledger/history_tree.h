// The history tree: an append-only RFC 9162 Merkle tree with one leaf per
// executed transaction, leaf data = tx_id ‖ SHA-256(receipt) (DESIGN.md
// "Ledger", data flow step 6). It proves inclusion ("this transaction, with
// this outcome, is in the history") and consistency ("this history extends
// that one") at every size the tree has ever had.
//
// Hashing (RFC 9162 §2.1.1):
//   leaf hash  = SHA-256(0x00 ‖ leaf data)
//   node hash  = SHA-256(0x01 ‖ left ‖ right)
//   empty root = SHA-256("")
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n.
//
// Storage (ledger/store.h key layout, prefix 'h'):
//   node key   = 'h' ‖ u8 level ‖ u64 index (big-endian)  ->  hash (32 bytes)
//   size key   = 'm' ‖ "history_size"                      ->  u64 (big-endian)
// There is one node record per perfect subtree (level, index), the hash of
// leaves [index·2^level, (index+1)·2^level). Any range that occurs in the
// MTH recursion starts at a multiple of a power of two at least its length,
// so it splits into at most 64 perfect subtrees (its length's binary digits,
// largest first); its hash is those subtrees folded from the right. That is
// how a root or proof at any past size costs O(log n) reads, never a rebuild.
//
// Invariants:
//   H1 every perfect subtree inside [0, size()) has its node record;
//   H2 frontier_[l] is the record (l, (size() >> l) - 1) for every bit l set
//      in size(); root() is the frontier folded from the lowest level up;
//   H3 the size record and the node records of an append are in one batch,
//      so a reader of the store never sees a size whose nodes are missing.
//
// Thread-safety: HistoryTree is not synchronised. Const members may run
// concurrently with each other; load, stage_append, commit_staged and
// abort_staged need exclusive access. The free functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "ledger/store.h"

namespace ipl::ledger {

// SHA-256(0x00 ‖ leaf_data).
Hash32 history_leaf_hash(ByteView leaf_data);
// SHA-256(0x01 ‖ left ‖ right).
Hash32 history_node_hash(const Hash32& left, const Hash32& right);
// SHA-256(""), the root of the tree with no leaves.
Hash32 history_empty_root();
// tx_id ‖ receipt_hash: the 64 bytes a transaction's leaf commits to.
Bytes history_leaf_data(const Hash32& tx_id, const Hash32& receipt_hash);

// Proof that the leaf at `index` is in the tree of `tree_size` leaves.
// Encoding (common/encoding.h): u64 index ‖ u64 tree_size ‖ list<hash> path,
// path ordered from the leaf's sibling up to the root's child (RFC 9162
// §2.1.3.1).
struct InclusionProof {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  std::vector<Hash32> path;

  // Requires path.size() <= limits::history_proof_hashes_max.
  Bytes encode() const;
  // Strict: rejects truncation, trailing bytes and paths longer than
  // limits::history_proof_hashes_max. Does not check index < tree_size;
  // verify_inclusion does.
  static Result<InclusionProof> decode(ByteView bytes);
};

// Proof that the tree of `new_size` leaves extends the tree of `old_size`.
// Encoding: u64 old_size ‖ u64 new_size ‖ list<hash> path (RFC 9162
// §2.1.4.1 order). old_size == new_size has the empty path.
struct ConsistencyProof {
  uint64_t old_size = 0;
  uint64_t new_size = 0;
  std::vector<Hash32> path;

  Bytes encode() const;
  static Result<ConsistencyProof> decode(ByteView bytes);
};

// RFC 9162 §2.1.3.2. Ok when `p` proves that `leaf_hash` is leaf p.index of
// the tree of p.tree_size leaves whose root is `root`; otherwise a non-ok
// Status saying why. Safe on hostile input: bounded work, no asserts.
// As in RFC 9162, the proof authenticates the sizes only as far as they
// shape the path: the caller must take root and size from one signed
// LedgerInfo, never from the prover.
Status verify_inclusion(const Hash32& leaf_hash, const InclusionProof& p, const Hash32& root);

// RFC 9162 §2.1.4.2, plus old_size == new_size (empty path, equal roots).
// Ok when `p` proves that the tree with root `new_root` extends the one with
// root `old_root`. Same safety and size caveat as verify_inclusion.
Status verify_consistency(const ConsistencyProof& p, const Hash32& old_root, const Hash32& new_root);

class HistoryTree {
 public:
  // Keeps a reference to `store`, which must outlive the tree. Does not
  // read: call load() before any other member.
  explicit HistoryTree(Store& store);

  HistoryTree(const HistoryTree&) = delete;
  HistoryTree& operator=(const HistoryTree&) = delete;

  // Reads the committed size and the right-edge frontier (popcount(size)
  // node records). An absent size record means the empty tree. Requires no
  // staged append. Returns corruption if a record is missing or malformed.
  Status load();

  // Committed size and root (the empty root at size 0). No store reads.
  uint64_t size() const { return size_; }
  Hash32 root() const { return root_; }

  // Stages an append of `leaf_hashes`: puts the node record of every new
  // perfect subtree and the new size into `batch` and returns the new root.
  // Reads nothing. The committed view is unchanged until commit_staged();
  // the caller writes `batch` in between. abort_staged() drops the staged
  // append. Requires load() was called and nothing is staged. Returns
  // limit when the tree would exceed 2^63 leaves (nothing is staged then).
  Result<Hash32> stage_append(std::span<const Hash32> leaf_hashes, WriteBatch& batch);
  // Makes the staged append the committed view. Requires a staged append.
  void commit_staged();
  // Drops the staged append, if any (safe to call on cleanup paths).
  void abort_staged();
  bool has_staged() const { return staged_.has_value(); }

  // Root of the first `tree_size` leaves; requires tree_size <= size()
  // (invalid otherwise). At most popcount(tree_size) reads.
  Result<Hash32> root_at(uint64_t tree_size) const;
  // Hash of leaf `index`; invalid unless index < size(). One read.
  Result<Hash32> leaf_hash(uint64_t index) const;
  // Invalid unless index < tree_size <= size(). O(log n) reads.
  Result<InclusionProof> inclusion_proof(uint64_t index, uint64_t tree_size) const;
  // Invalid unless 0 < old_size <= new_size <= size(). O(log n) reads.
  Result<ConsistencyProof> consistency_proof(uint64_t old_size, uint64_t new_size) const;

 private:
  // Right edge of a tree: frontier[l] is the hash of its perfect subtree at
  // level l for every bit l set in its size (H2); other entries are stale.
  using Frontier = std::array<Hash32, 64>;
  struct Staged {
    uint64_t size = 0;
    Hash32 root{};
    Frontier frontier{};
  };

  // The node record (level, index), from the frontier when it holds it.
  Result<Hash32> node(unsigned level, uint64_t index) const;
  // MTH of leaves [start, start + count); requires count >= 1, start a
  // multiple of the smallest power of two >= count, and the range inside
  // the committed tree. At most popcount(count) reads.
  Result<Hash32> range_hash(uint64_t start, uint64_t count) const;

  Store& store_;
  bool is_loaded_ = false;
  uint64_t size_ = 0;
  Hash32 root_{};
  Frontier frontier_{};
  std::optional<Staged> staged_;
};

}  // namespace ipl::ledger
