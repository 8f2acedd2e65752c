// The tree of blocks a replica knows in its current epoch, rooted at its
// last committed block, plus the two-chain commit rule.
// Invariants:
//   C9  every block in the tree other than the root has its parent in the
//       tree (inserted only after its parent), so every block reaches the
//       root by parent links and its id is the hash of its header;
//   C10 the committed chain only grows: a new commit extends the root
//       (commit_path refuses anything else).
// Thread-safety: none; owned by one Replica.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "common/chain.h"

namespace ipl::consensus {

class BlockTree {
 public:
  // Starts a tree at `root` (committed). `root_round` is the root's round in
  // this epoch: its own round, or 0 for the epoch's root block.
  void reset(const Block& root, Round root_round);
  bool contains(const Hash32& id) const { return blocks_.count(id) != 0; }
  // nullptr when unknown.
  const Block* get(const Hash32& id) const;
  // The block's round in this epoch (0 for an epoch root from the last epoch).
  Round round_of(const Hash32& id) const;
  // Requires !contains(id) and contains(parent_id) (C9).
  void insert(const Block& block, const Hash32& id);
  const Hash32& root_id() const { return root_id_; }
  const Block& root() const { return *get(root_id_); }
  Round root_round() const { return round_of(root_id_); }
  // The blocks strictly above the root up to `id` inclusive, oldest first;
  // nullopt if `id` does not descend from the root (C10).
  std::optional<std::vector<Hash32>> commit_path(const Hash32& id) const;
  // Moves the root to `id` (which must descend from it) and prunes blocks
  // that cannot matter any more: those not descending from the new root,
  // and committed ancestors beyond limits::committed_blocks_kept.
  void commit_to(const Hash32& id);
  // Up to `count` blocks: `id` and its ancestors, newest first.
  std::vector<Block> chain_from(const Hash32& id, uint32_t count) const;
  size_t size() const { return blocks_.size(); }
  // The greatest height of any block in the tree (the root's at least).
  Height highest_height() const;

 private:
  struct Entry {
    Block block;
    Round round;  // round in this epoch
    bool committed = false;
  };
  std::map<Hash32, Entry> blocks_;
  Hash32 root_id_{};
};

}  // namespace ipl::consensus
