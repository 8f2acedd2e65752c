// RFC 9162 history tree; see history_tree.h for the format and invariants.
#include "ledger/history_tree.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <string_view>

#include "common/encoding.h"
#include "common/hash.h"
#include "common/limits.h"

namespace ipl::ledger {
namespace {

// Largest tree we build: keeps every level below 63 and every size, index
// and size + 1 inside u64 without overflow checks in the hot path.
constexpr uint64_t kTreeSizeMax = uint64_t{1} << 63;
constexpr size_t kNodeKeyBytes = 1 + 1 + 8;
constexpr std::string_view kSizeKeyName = "history_size";
// A path hash is 32 bytes; a proof's fixed part is two u64 and a u32 count.
constexpr size_t kProofFixedBytes = 8 + 8 + 4;

static_assert(limits::history_proof_hashes_max >= 64,
              "a tree of 2^63 leaves has consistency proofs of 64 hashes");

using NodeKey = std::array<uint8_t, kNodeKeyBytes>;

NodeKey node_key(unsigned level, uint64_t index) {
  NodeKey key;
  key[0] = prefix::kHistoryNode;
  key[1] = static_cast<uint8_t>(level);
  for (size_t i = 0; i < 8; ++i) key[2 + i] = static_cast<uint8_t>(index >> (56 - 8 * i));
  return key;
}

Bytes size_key() {
  Bytes key;
  key.reserve(1 + kSizeKeyName.size());
  key.push_back(prefix::kMeta);
  key.insert(key.end(), kSizeKeyName.begin(), kSizeKeyName.end());
  return key;
}

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::string node_name(unsigned level, uint64_t index) {
  return "history node (level " + std::to_string(level) + ", index " + std::to_string(index) + ")";
}

// Reads one node record straight from the store.
Result<Hash32> read_node(const Store& store, unsigned level, uint64_t index) {
  IPL_ASSERT(level < 64);
  const NodeKey key = node_key(level, index);
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> value, store.get(key));
  if (!value) return Status::corruption(node_name(level, index) + " is missing");
  if (value->size() != sizeof(Hash32)) {
    return Status::corruption(node_name(level, index) + " is " + std::to_string(value->size()) +
                              " bytes, not 32");
  }
  Hash32 out;
  std::memcpy(out.data(), value->data(), out.size());
  return out;
}

// The root of a tree of `tree_size` leaves from its right edge (H2): the
// frontier subtrees folded from the smallest (rightmost) to the largest.
Hash32 fold_frontier(const std::array<Hash32, 64>& frontier, uint64_t tree_size) {
  if (tree_size == 0) return history_empty_root();
  const int lowest = std::countr_zero(tree_size);
  Hash32 acc = frontier[static_cast<size_t>(lowest)];
  for (int level = lowest + 1; level < 64; ++level) {
    if ((tree_size >> level & 1) != 0) acc = history_node_hash(frontier[static_cast<size_t>(level)], acc);
  }
  return acc;
}

// Largest power of two strictly below n; requires n >= 2 (the MTH split).
uint64_t split_point(uint64_t n) {
  IPL_ASSERT(n >= 2);
  const uint64_t k = std::bit_floor(n - 1);
  IPL_ASSERT(k < n && 2 * k >= n);
  return k;
}

}  // namespace

// --- Hashes ---------------------------------------------------------------

Hash32 history_leaf_hash(ByteView leaf_data) {
  const uint8_t tag = 0x00;
  Sha256 h;
  h.update(tag);
  h.update(leaf_data);
  return h.finish();
}

Hash32 history_node_hash(const Hash32& left, const Hash32& right) {
  // One contiguous 65-byte message: a single one-shot digest, no allocation.
  std::array<uint8_t, 1 + 2 * sizeof(Hash32)> msg;
  msg[0] = 0x01;
  std::memcpy(msg.data() + 1, left.data(), left.size());
  std::memcpy(msg.data() + 1 + left.size(), right.data(), right.size());
  return sha256(ByteView(msg.data(), msg.size()));
}

Hash32 history_empty_root() { return sha256(ByteView()); }

Bytes history_leaf_data(const Hash32& tx_id, const Hash32& receipt_hash) {
  Bytes out;
  out.reserve(tx_id.size() + receipt_hash.size());
  out.insert(out.end(), tx_id.begin(), tx_id.end());
  out.insert(out.end(), receipt_hash.begin(), receipt_hash.end());
  IPL_ASSERT(out.size() == 64);
  return out;
}

// --- Proof encoding -------------------------------------------------------

namespace {

Bytes encode_proof(uint64_t a, uint64_t b, const std::vector<Hash32>& path) {
  IPL_ASSERT(path.size() <= limits::history_proof_hashes_max);
  Encoder e(kProofFixedBytes + path.size() * sizeof(Hash32));
  e.u64(a).u64(b).count(path.size());
  for (const Hash32& h : path) e.hash(h);
  IPL_ASSERT(e.out().size() == kProofFixedBytes + path.size() * sizeof(Hash32));
  return e.take();
}

Status decode_proof(ByteView bytes, uint64_t& a, uint64_t& b, std::vector<Hash32>& path) {
  Decoder d(bytes);
  IPL_RETURN_IF_ERROR(d.u64(a));
  IPL_RETURN_IF_ERROR(d.u64(b));
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::history_proof_hashes_max, sizeof(Hash32)));
  path.resize(n);
  for (Hash32& h : path) IPL_RETURN_IF_ERROR(d.hash(h));
  return d.finish();
}

}  // namespace

Bytes InclusionProof::encode() const { return encode_proof(index, tree_size, path); }

Result<InclusionProof> InclusionProof::decode(ByteView bytes) {
  InclusionProof p;
  IPL_RETURN_IF_ERROR(decode_proof(bytes, p.index, p.tree_size, p.path));
  return p;
}

Bytes ConsistencyProof::encode() const { return encode_proof(old_size, new_size, path); }

Result<ConsistencyProof> ConsistencyProof::decode(ByteView bytes) {
  ConsistencyProof p;
  IPL_RETURN_IF_ERROR(decode_proof(bytes, p.old_size, p.new_size, p.path));
  return p;
}

// --- Verifiers ------------------------------------------------------------
// Both follow RFC 9162 step by step; fn and sn walk the binary positions of
// the leaf (or old size) and the last leaf up the tree. Every loop shifts a
// u64 right or consumes one of at most history_proof_hashes_max hashes, so
// work is bounded whatever the input.

Status verify_inclusion(const Hash32& leaf_hash, const InclusionProof& p, const Hash32& root) {
  if (p.tree_size == 0) return Status::invalid("inclusion proof: tree size is 0");
  if (p.index >= p.tree_size) return Status::invalid("inclusion proof: index is not below the tree size");
  if (p.path.size() > limits::history_proof_hashes_max) {
    return Status::invalid("inclusion proof: path has more hashes than the limit");
  }
  uint64_t fn = p.index;
  uint64_t sn = p.tree_size - 1;
  Hash32 r = leaf_hash;
  for (const Hash32& sibling : p.path) {
    if (sn == 0) return Status::invalid("inclusion proof: path is longer than the tree is deep");
    if ((fn & 1) != 0 || fn == sn) {
      r = history_node_hash(sibling, r);
      // Skip the levels where this node is a lone right-edge child.
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = history_node_hash(r, sibling);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::invalid("inclusion proof: path is shorter than the tree is deep");
  if (r != root) return Status::invalid("inclusion proof: path does not lead to the root");
  return Status::ok();
}

Status verify_consistency(const ConsistencyProof& p, const Hash32& old_root, const Hash32& new_root) {
  if (p.old_size == 0) return Status::invalid("consistency proof: old size is 0");
  if (p.old_size > p.new_size) return Status::invalid("consistency proof: old size exceeds new size");
  if (p.path.size() > limits::history_proof_hashes_max) {
    return Status::invalid("consistency proof: path has more hashes than the limit");
  }
  if (p.old_size == p.new_size) {
    if (!p.path.empty()) return Status::invalid("consistency proof: equal sizes need an empty path");
    if (old_root != new_root) return Status::invalid("consistency proof: equal sizes but different roots");
    return Status::ok();
  }
  if (p.path.empty()) return Status::invalid("consistency proof: path is empty");

  // When the old tree is a perfect subtree of the new one, its root is the
  // starting node and the proof omits it (RFC 9162 step 2).
  size_t next = 0;
  Hash32 fr;
  if (is_power_of_two(p.old_size)) {
    fr = old_root;
  } else {
    fr = p.path[0];
    next = 1;
  }
  Hash32 sr = fr;
  uint64_t fn = p.old_size - 1;
  uint64_t sn = p.new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < p.path.size(); ++next) {
    const Hash32& c = p.path[next];
    if (sn == 0) return Status::invalid("consistency proof: path is longer than the tree is deep");
    if ((fn & 1) != 0 || fn == sn) {
      fr = history_node_hash(c, fr);
      sr = history_node_hash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = history_node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::invalid("consistency proof: path is shorter than the tree is deep");
  if (fr != old_root) return Status::invalid("consistency proof: path does not lead to the old root");
  if (sr != new_root) return Status::invalid("consistency proof: path does not lead to the new root");
  return Status::ok();
}

// --- HistoryTree ----------------------------------------------------------

HistoryTree::HistoryTree(Store& store) : store_(store), root_(history_empty_root()) {}

Status HistoryTree::load() {
  IPL_ASSERT(!staged_.has_value());
  const Bytes key = size_key();
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> value, store_.get(key));
  uint64_t tree_size = 0;
  if (value) {
    if (value->size() != 8) return Status::corruption("history size record is not 8 bytes");
    for (uint8_t b : *value) tree_size = tree_size << 8 | b;
    if (tree_size > kTreeSizeMax) return Status::corruption("history size record is out of range");
  }
  Frontier frontier{};
  for (unsigned level = 0; level < 64; ++level) {
    if ((tree_size >> level & 1) == 0) continue;
    IPL_ASSIGN_OR_RETURN(frontier[level], read_node(store_, level, (tree_size >> level) - 1));
  }
  // Commit only after every read succeeded, so a failed load changes nothing.
  size_ = tree_size;
  frontier_ = frontier;
  root_ = fold_frontier(frontier_, size_);
  is_loaded_ = true;
  IPL_ASSERT(size_ <= kTreeSizeMax);
  return Status::ok();
}

Result<Hash32> HistoryTree::stage_append(std::span<const Hash32> leaf_hashes, WriteBatch& batch) {
  IPL_ASSERT(is_loaded_);  // appending to an unloaded tree would overwrite history
  IPL_ASSERT(!staged_.has_value());
  if (leaf_hashes.size() > kTreeSizeMax - size_) {
    return Status::limit("history tree would exceed 2^63 leaves");
  }
  Staged s;
  s.size = size_;
  s.frontier = frontier_;
  for (const Hash32& leaf : leaf_hashes) {
    const uint64_t n = s.size;  // index of the new leaf
    const NodeKey leaf_key = node_key(0, n);
    batch.put(Bytes(leaf_key.begin(), leaf_key.end()), Bytes(leaf.begin(), leaf.end()));
    // Binary carry: every trailing 1 bit of n is a perfect subtree that the
    // new leaf completes into one of the next level.
    Hash32 cur = leaf;
    unsigned level = 0;
    while ((n >> level & 1) != 0) {
      cur = history_node_hash(s.frontier[level], cur);
      ++level;
      IPL_ASSERT(level < 64);
      const NodeKey key = node_key(level, ((n + 1) >> level) - 1);
      batch.put(Bytes(key.begin(), key.end()), Bytes(cur.begin(), cur.end()));
    }
    s.frontier[level] = cur;
    s.size = n + 1;
  }
  IPL_ASSERT(s.size == size_ + leaf_hashes.size());
  s.root = fold_frontier(s.frontier, s.size);
  Encoder e(8);
  e.u64(s.size);
  batch.put(size_key(), e.take());
  const Hash32 root = s.root;
  staged_ = s;
  return root;
}

void HistoryTree::commit_staged() {
  IPL_ASSERT(staged_.has_value());
  IPL_ASSERT(staged_->size >= size_);
  size_ = staged_->size;
  root_ = staged_->root;
  frontier_ = staged_->frontier;
  staged_.reset();
}

void HistoryTree::abort_staged() { staged_.reset(); }

Result<Hash32> HistoryTree::node(unsigned level, uint64_t index) const {
  IPL_ASSERT(level < 64);
  IPL_ASSERT(index < (size_ >> level));  // H1: only complete subtrees exist
  if ((size_ >> level & 1) != 0 && index == (size_ >> level) - 1) return frontier_[level];
  return read_node(store_, level, index);
}

Result<Hash32> HistoryTree::range_hash(uint64_t start, uint64_t count) const {
  IPL_ASSERT(count >= 1);
  IPL_ASSERT(start <= size_ && count <= size_ - start);
  // The range's perfect subtrees, largest (leftmost) first.
  std::array<Hash32, 64> parts;
  size_t part_count = 0;
  uint64_t pos = start;
  for (int level = 63; level >= 0; --level) {
    if ((count >> level & 1) == 0) continue;
    const uint64_t width = uint64_t{1} << level;
    IPL_ASSERT((pos & (width - 1)) == 0);  // MTH ranges are aligned (header)
    IPL_ASSIGN_OR_RETURN(parts[part_count], node(static_cast<unsigned>(level), pos >> level));
    ++part_count;
    pos += width;
  }
  IPL_ASSERT(part_count == static_cast<size_t>(std::popcount(count)));
  Hash32 acc = parts[part_count - 1];
  for (size_t i = part_count - 1; i-- > 0;) acc = history_node_hash(parts[i], acc);
  return acc;
}

Result<Hash32> HistoryTree::root_at(uint64_t tree_size) const {
  if (tree_size > size_) {
    return Status::invalid("history root: size " + std::to_string(tree_size) + " exceeds the committed size " +
                           std::to_string(size_));
  }
  if (tree_size == size_) return root_;
  if (tree_size == 0) return history_empty_root();
  return range_hash(0, tree_size);
}

Result<Hash32> HistoryTree::leaf_hash(uint64_t index) const {
  if (index >= size_) {
    return Status::invalid("history leaf: index " + std::to_string(index) + " is not below the committed size " +
                           std::to_string(size_));
  }
  return node(0, index);
}

Result<InclusionProof> HistoryTree::inclusion_proof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size_) {
    return Status::invalid("inclusion proof: tree size " + std::to_string(tree_size) +
                           " exceeds the committed size " + std::to_string(size_));
  }
  if (index >= tree_size) {
    return Status::invalid("inclusion proof: index " + std::to_string(index) + " is not below the tree size " +
                           std::to_string(tree_size));
  }
  // Walk RFC 9162's PATH recursion from the root down over [start, start +
  // count), collecting siblings; the proof lists them leaf first. Only the
  // first step into a left half can meet a non-perfect sibling, so the walk
  // reads O(log n) records.
  InclusionProof p;
  p.index = index;
  p.tree_size = tree_size;
  uint64_t start = 0;
  uint64_t count = tree_size;
  while (count > 1) {
    IPL_ASSERT(p.path.size() < 64);
    const uint64_t k = split_point(count);
    if (index - start < k) {
      IPL_ASSIGN_OR_RETURN(Hash32 right, range_hash(start + k, count - k));
      p.path.push_back(right);
      count = k;
    } else {
      IPL_ASSIGN_OR_RETURN(Hash32 left, range_hash(start, k));
      p.path.push_back(left);
      start += k;
      count -= k;
    }
  }
  IPL_ASSERT(start == index);
  std::reverse(p.path.begin(), p.path.end());
  return p;
}

Result<ConsistencyProof> HistoryTree::consistency_proof(uint64_t old_size, uint64_t new_size) const {
  if (new_size > size_) {
    return Status::invalid("consistency proof: new size " + std::to_string(new_size) +
                           " exceeds the committed size " + std::to_string(size_));
  }
  if (old_size == 0) return Status::invalid("consistency proof: old size must be at least 1");
  if (old_size > new_size) {
    return Status::invalid("consistency proof: old size " + std::to_string(old_size) + " exceeds new size " +
                           std::to_string(new_size));
  }
  ConsistencyProof p;
  p.old_size = old_size;
  p.new_size = new_size;
  // RFC 9162 SUBPROOF(m, D[start:start+count], whole_old) from the root
  // down; `whole_old` stays true while the old tree is a prefix subtree
  // that the verifier knows by its root.
  uint64_t start = 0;
  uint64_t count = new_size;
  uint64_t m = old_size;  // old leaves inside the current range
  bool whole_old = true;
  while (m != count) {
    IPL_ASSERT(m < count);
    IPL_ASSERT(p.path.size() < 64);
    const uint64_t k = split_point(count);
    if (m <= k) {
      IPL_ASSIGN_OR_RETURN(Hash32 right, range_hash(start + k, count - k));
      p.path.push_back(right);
      count = k;
    } else {
      IPL_ASSIGN_OR_RETURN(Hash32 left, range_hash(start, k));
      p.path.push_back(left);
      start += k;
      count -= k;
      m -= k;
      whole_old = false;
    }
  }
  if (!whole_old) {
    IPL_ASSIGN_OR_RETURN(Hash32 old_part, range_hash(start, count));
    p.path.push_back(old_part);
  }
  std::reverse(p.path.begin(), p.path.end());
  IPL_ASSERT(p.path.size() <= limits::history_proof_hashes_max);
  return p;
}

}  // namespace ipl::ledger
