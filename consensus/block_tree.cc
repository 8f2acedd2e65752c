#include "consensus/block_tree.h"

#include <algorithm>
#include <set>

#include "common/limits.h"

namespace ipl::consensus {

void BlockTree::reset(const Block& root, Round root_round) {
  blocks_.clear();
  root_id_ = root.header.id();
  blocks_[root_id_] = Entry{root, root_round, true};
  IPL_ASSERT(blocks_.size() == 1);
  IPL_ASSERT(contains(root_id_));
}

const Block* BlockTree::get(const Hash32& id) const {
  auto it = blocks_.find(id);
  return it == blocks_.end() ? nullptr : &it->second.block;
}

Round BlockTree::round_of(const Hash32& id) const {
  auto it = blocks_.find(id);
  IPL_ASSERT(it != blocks_.end());
  return it->second.round;
}

void BlockTree::insert(const Block& block, const Hash32& id) {
  IPL_ASSERT(!contains(id));
  IPL_ASSERT(contains(block.header.parent_id));  // C9
  IPL_DEBUG_ASSERT(block.header.id() == id);
  blocks_[id] = Entry{block, block.header.round, false};
}

std::optional<std::vector<Hash32>> BlockTree::commit_path(const Hash32& id) const {
  std::vector<Hash32> path;
  Hash32 cur = id;
  const Round root_round = this->root_round();
  // Bounded: each step moves to a block of strictly lower round (C9).
  while (cur != root_id_) {
    auto it = blocks_.find(cur);
    if (it == blocks_.end() || it->second.committed || it->second.round <= root_round) return std::nullopt;
    path.push_back(cur);
    cur = it->second.block.header.parent_id;
  }
  std::reverse(path.begin(), path.end());
  IPL_ASSERT(path.empty() || blocks_.at(path.front()).block.header.parent_id == root_id_);  // C10
  IPL_ASSERT(path.empty() || path.back() == id);
  return path;
}

void BlockTree::commit_to(const Hash32& id) {
  auto path = commit_path(id);
  IPL_ASSERT(path.has_value());  // C10
  for (const Hash32& h : *path) blocks_.at(h).committed = true;
  root_id_ = id;
  const Round root_round = blocks_.at(root_id_).round;
  const uint64_t root_height = blocks_.at(root_id_).block.header.height.value();
  // Keep: the committed chain (within the retention window) and blocks of
  // higher round that descend from the new root.
  std::set<Hash32> keep;
  for (const auto& [bid, e] : blocks_) {
    if (e.committed) {
      if (e.block.header.height.value() + limits::committed_blocks_kept >= root_height) keep.insert(bid);
      continue;
    }
    if (e.round <= root_round) continue;
    Hash32 cur = bid;
    bool descends = false;
    for (size_t steps = 0; steps <= blocks_.size(); ++steps) {
      if (cur == root_id_) {
        descends = true;
        break;
      }
      auto it = blocks_.find(cur);
      if (it == blocks_.end() || it->second.committed) break;
      cur = it->second.block.header.parent_id;
    }
    if (descends) keep.insert(bid);
  }
  keep.insert(root_id_);
  for (auto it = blocks_.begin(); it != blocks_.end();) {
    it = keep.count(it->first) ? std::next(it) : blocks_.erase(it);
  }
  IPL_ASSERT(contains(root_id_));
  IPL_ASSERT(blocks_.at(root_id_).committed);
}

Height BlockTree::highest_height() const {
  IPL_ASSERT(contains(root_id_));
  Height top = blocks_.at(root_id_).block.header.height;
  for (const auto& [id, e] : blocks_) top = std::max(top, e.block.header.height);
  IPL_ASSERT(top >= blocks_.at(root_id_).block.header.height);
  return top;
}

std::vector<Block> BlockTree::chain_from(const Hash32& id, uint32_t count) const {
  std::vector<Block> out;
  Hash32 cur = id;
  while (out.size() < count) {
    auto it = blocks_.find(cur);
    if (it == blocks_.end()) break;
    out.push_back(it->second.block);
    cur = it->second.block.header.parent_id;
  }
  IPL_ASSERT(out.size() <= count);
  IPL_ASSERT(out.empty() || out.front().header.id() == id);
  return out;
}

}  // namespace ipl::consensus
