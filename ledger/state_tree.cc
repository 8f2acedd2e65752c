// StateTree implementation; formats and invariants (T1-T4) are in
// state_tree.h. Staging walks only the paths of the block's keys, reading
// node records of the latest tree from the store (upper levels from cache_),
// and rebuilds the touched subtrees bottom-up in memory before writing
// them, so no intermediate node of a block ever reaches the store.
#include "ledger/state_tree.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <string_view>

#include "common/encoding.h"
#include "common/hash.h"
#include "common/limits.h"

namespace ipl::ledger {

namespace {

using Kind = StateTree::Kind;
using Ref = StateTree::Ref;
using Internal = StateTree::Internal;

constexpr size_t kDepthMax = limits::smt_depth_max;  // 256 levels below the root
static_assert(kDepthMax == 256, "key_hash is 256 bits");
// Internal nodes at depth <= this are cached for the latest tree: 2^17 - 1
// slots of 104 bytes (~13.6 MB, filled from ~100k keys), which saves the
// upper 17 of the ~20 store reads per key of a 1M-key tree.
constexpr size_t kCacheDepthMax = 16;
constexpr size_t kCacheSlots = (size_t{1} << (kCacheDepthMax + 1)) - 1;
// The slot of the position at `depth` (<= kCacheDepthMax) on `key`'s path.
size_t cache_slot(size_t depth, const Hash32& key) {
  IPL_ASSERT(depth <= kCacheDepthMax);
  const size_t prefix = depth == 0 ? 0 : ((size_t{key[0]} << 16 | size_t{key[1]} << 8 | key[2]) >> (24 - depth));
  return (size_t{1} << depth) - 1 + prefix;
}
// Pruning advances the window by at most this many heights per block, so a
// node restarted with a smaller retention catches up without one huge
// batch.
constexpr uint64_t kPruneHeightsPerBlockMax = 64;
constexpr std::string_view kMetaLatest = "state_latest_height";
constexpr std::string_view kMetaFirstRetained = "state_first_retained";
constexpr uint8_t kTagLeaf = 0x00;
constexpr uint8_t kTagInternal = 0x01;
constexpr uint8_t kValuePresent = 0x01;
constexpr uint8_t kValueDeleted = 0x00;
constexpr size_t kRefBytesMax = 1 + 8 + 32;
constexpr size_t kNodeKeyBytesMax = 1 + 8 + 2 + 32;

void put_u64(Bytes& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t read_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

bool bit_at(const Hash32& key, size_t i) {
  IPL_ASSERT(i < kDepthMax);
  return ((key[i / 8] >> (7 - i % 8)) & 1u) != 0;
}
Hash32 with_bit(Hash32 key, size_t i, bool bit) {
  IPL_ASSERT(i < kDepthMax);
  const uint8_t mask = static_cast<uint8_t>(0x80u >> (i % 8));
  key[i / 8] = bit ? static_cast<uint8_t>(key[i / 8] | mask) : static_cast<uint8_t>(key[i / 8] & ~mask);
  return key;
}
// Number of leading bits a and b share.
size_t common_prefix_bits(const Hash32& a, const Hash32& b) {
  for (size_t i = 0; i < 32; ++i) {
    const uint8_t x = static_cast<uint8_t>(a[i] ^ b[i]);
    if (x != 0) {
      size_t n = 0;
      while ((x & (0x80u >> n)) == 0) ++n;
      return i * 8 + n;
    }
  }
  return kDepthMax;
}

// A key starting with prefix byte p, with room for `rest` more bytes.
Bytes key_with_prefix(uint8_t p, size_t rest) {
  Bytes k;
  k.reserve(1 + rest);
  k.push_back(p);
  return k;
}
Bytes meta_key(std::string_view name) {
  Bytes k = key_with_prefix(prefix::kMeta, name.size());
  for (char c : name) k.push_back(static_cast<uint8_t>(c));
  return k;
}
Bytes root_key(uint64_t height) {
  Bytes k = key_with_prefix(prefix::kStateRoot, 8);
  put_u64(k, height);
  return k;
}
// 'n' ‖ u64 version ‖ u16 depth ‖ path (ceil(depth/8) bytes, tail bits zero).
Bytes node_key(uint64_t version, size_t depth, const Hash32& key) {
  IPL_ASSERT(depth <= kDepthMax);
  Bytes k;
  k.reserve(kNodeKeyBytesMax);
  k.push_back(prefix::kStateNode);
  put_u64(k, version);
  k.push_back(static_cast<uint8_t>(depth >> 8));
  k.push_back(static_cast<uint8_t>(depth & 0xff));
  const size_t n = (depth + 7) / 8;
  k.insert(k.end(), key.begin(), key.begin() + static_cast<std::ptrdiff_t>(n));
  if (depth % 8 != 0) k.back() = static_cast<uint8_t>(k.back() & (0xff00u >> (depth % 8)));
  IPL_ASSERT(k.size() == 11 + n);
  return k;
}
// 'v' ‖ key_hash ‖ u64 (~height) ‖ u32 (~seq): newer writes sort first;
// seq numbers one key's writes within a block in execution order.
Bytes value_key(const Hash32& key_hash, uint64_t height, uint32_t seq) {
  Bytes k = key_with_prefix(prefix::kStateValue, 44);
  k.insert(k.end(), key_hash.begin(), key_hash.end());
  put_u64(k, ~height);
  const uint32_t inv = ~seq;
  for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<uint8_t>(inv >> shift));
  return k;
}
// Every value record of one key: [value_prefix(kh), value_prefix_end(kh)).
Bytes value_prefix(const Hash32& key_hash) {
  Bytes k = key_with_prefix(prefix::kStateValue, 32);
  k.insert(k.end(), key_hash.begin(), key_hash.end());
  return k;
}
Bytes value_prefix_end(const Hash32& key_hash) {
  Bytes k = value_prefix(key_hash);
  k.push_back(0xff);  // above every 12-byte (~height ‖ ~seq) suffix
  k.insert(k.end(), 12, 0xff);
  return k;
}
Bytes index_key(const Hash32& key_hash) {
  Bytes k = key_with_prefix(prefix::kRecordIndex, 32);
  k.insert(k.end(), key_hash.begin(), key_hash.end());
  return k;
}
Bytes stale_prefix(uint64_t stale_since) {
  Bytes k = key_with_prefix(prefix::kStale, kNodeKeyBytesMax + 8);
  put_u64(k, stale_since);
  return k;
}

void encode_ref(Bytes& out, const Ref& r) {
  out.push_back(static_cast<uint8_t>(r.kind));
  if (r.kind == Kind::kEmpty) return;
  put_u64(out, r.version);
  out.insert(out.end(), r.hash.begin(), r.hash.end());
}
// Parses a child reference at in[pos...]; advances pos.
Status decode_ref(ByteView in, size_t& pos, Ref& r) {
  if (pos >= in.size()) return Status::corruption("state node: truncated child");
  const uint8_t kind = in[pos++];
  if (kind == static_cast<uint8_t>(Kind::kEmpty)) {
    r = Ref{};
    return Status::ok();
  }
  if (kind != static_cast<uint8_t>(Kind::kLeaf) && kind != static_cast<uint8_t>(Kind::kInternal)) {
    return Status::corruption("state node: bad child kind");
  }
  if (in.size() - pos < 40) return Status::corruption("state node: truncated child");
  r.kind = static_cast<Kind>(kind);
  r.version = read_u64(in.data() + pos);
  std::copy_n(in.data() + pos + 8, 32, r.hash.begin());
  pos += 40;
  return Status::ok();
}

Bytes encode_internal(const Internal& n) {
  Bytes out;
  out.reserve(1 + 2 * kRefBytesMax);
  out.push_back(kTagInternal);
  encode_ref(out, n.child[0]);
  encode_ref(out, n.child[1]);
  return out;
}
Status decode_internal(ByteView in, Internal& n) {
  if (in.empty() || in[0] != kTagInternal) return Status::corruption("state node: expected internal node");
  size_t pos = 1;
  IPL_RETURN_IF_ERROR(decode_ref(in, pos, n.child[0]));
  IPL_RETURN_IF_ERROR(decode_ref(in, pos, n.child[1]));
  if (pos != in.size()) return Status::corruption("state node: trailing bytes");
  // T1: an internal node has >= 2 leaves beneath it.
  const Kind a = n.child[0].kind, b = n.child[1].kind;
  if (a == Kind::kEmpty && b != Kind::kInternal) return Status::corruption("state node: not compact");
  if (b == Kind::kEmpty && a != Kind::kInternal) return Status::corruption("state node: not compact");
  return Status::ok();
}
Bytes encode_leaf(const Hash32& key_hash, const Hash32& value_hash) {
  Bytes out;
  out.reserve(65);
  out.push_back(kTagLeaf);
  out.insert(out.end(), key_hash.begin(), key_hash.end());
  out.insert(out.end(), value_hash.begin(), value_hash.end());
  return out;
}
Status decode_leaf(ByteView in, Hash32& key_hash, Hash32& value_hash) {
  if (in.size() != 65 || in[0] != kTagLeaf) return Status::corruption("state node: expected leaf");
  std::copy_n(in.data() + 1, 32, key_hash.begin());
  std::copy_n(in.data() + 33, 32, value_hash.begin());
  return Status::ok();
}
Status decode_root(ByteView in, Ref& r) {
  size_t pos = 0;
  IPL_RETURN_IF_ERROR(decode_ref(in, pos, r));
  if (pos != in.size()) return Status::corruption("state root: trailing bytes");
  return Status::ok();
}

Status check_key(ByteView raw_key) {
  if (raw_key.size() > limits::state_key_bytes_max) return Status::limit("state key longer than state_key_bytes_max");
  return Status::ok();
}

// One key's change in a block: put value_hash, or delete.
struct Op {
  Hash32 key{};
  bool is_put = false;
  Hash32 value_hash{};
};

// A leaf being (re)placed: its record, when it has one, is at
// (origin_version, origin_depth) and still holds exactly (key, value).
struct Entry {
  Hash32 key{};
  Hash32 value{};
  bool has_origin = false;
  uint64_t origin_version = 0;
  size_t origin_depth = 0;
};

}  // namespace

Hash32 state_leaf_hash(const Hash32& key_hash, const Hash32& value_hash) {
  uint8_t buf[65];
  buf[0] = 0x00;
  std::copy(key_hash.begin(), key_hash.end(), buf + 1);
  std::copy(value_hash.begin(), value_hash.end(), buf + 33);
  return sha256(ByteView(buf, sizeof buf));
}

Hash32 state_internal_hash(const Hash32& left, const Hash32& right) {
  uint8_t buf[65];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return sha256(ByteView(buf, sizeof buf));
}

// ---------------------------------------------------------------------------
// Proofs

Bytes StateProof::encode() const {
  IPL_ASSERT(siblings.size() <= kDepthMax);
  Encoder e(4 + 32 * siblings.size() + 65);
  e.count(siblings.size());
  for (const Hash32& s : siblings) e.hash(s);
  e.u8(leaf ? 1 : 0);
  if (leaf) e.hash(leaf->first).hash(leaf->second);
  IPL_ASSERT(e.out().size() == 4 + 32 * siblings.size() + 1 + (leaf ? 64 : 0));
  return e.take();
}

Result<StateProof> StateProof::decode(ByteView bytes) {
  Decoder d(bytes);
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, kDepthMax, 32));
  StateProof p;
  p.siblings.resize(n);
  for (Hash32& s : p.siblings) IPL_RETURN_IF_ERROR(d.hash(s));
  uint8_t has_leaf = 0;
  IPL_RETURN_IF_ERROR(d.u8(has_leaf));
  if (has_leaf > 1) return Status::invalid("state proof: bad leaf flag");
  if (has_leaf == 1) {
    std::pair<Hash32, Hash32> leaf;
    IPL_RETURN_IF_ERROR(d.hash(leaf.first));
    IPL_RETURN_IF_ERROR(d.hash(leaf.second));
    p.leaf = leaf;
  }
  IPL_RETURN_IF_ERROR(d.finish());
  return p;
}

Status verify_state_proof(const Hash32& root, ByteView raw_key, const std::optional<Bytes>& value,
                          const StateProof& proof) {
  IPL_RETURN_IF_ERROR(check_key(raw_key));
  if (value && value->size() > limits::state_value_bytes_max) {
    return Status::limit("state value longer than state_value_bytes_max");
  }
  if (proof.siblings.size() > kDepthMax) return Status::limit("state proof: more than 256 siblings");
  const Hash32 key_hash = sha256(raw_key);
  const size_t depth = proof.siblings.size();
  if (value) {
    if (!proof.leaf) return Status::invalid("state proof: no leaf for a membership proof");
    if (proof.leaf->first != key_hash) return Status::invalid("state proof: leaf is another key's");
    if (proof.leaf->second != sha256(*value)) return Status::invalid("state proof: value hash mismatch");
  } else if (proof.leaf) {
    if (proof.leaf->first == key_hash) return Status::invalid("state proof: key is present");
    // The other key's leaf must sit on this key's path, else it proves
    // nothing about this key's subtree.
    if (common_prefix_bits(proof.leaf->first, key_hash) < depth) {
      return Status::invalid("state proof: leaf is off the key's path");
    }
  }
  Hash32 h = proof.leaf ? state_leaf_hash(proof.leaf->first, proof.leaf->second) : Hash32{};
  for (size_t i = depth; i-- > 0;) {
    h = bit_at(key_hash, i) ? state_internal_hash(proof.siblings[i], h) : state_internal_hash(h, proof.siblings[i]);
  }
  if (h != root) return Status::invalid("state proof: root mismatch");
  return Status::ok();
}

// ---------------------------------------------------------------------------
// Staging

// Computes one block's new tree. Each update/build call handles a subtree
// at `depth` whose keys all share their first `depth` bits with `rep` (a
// representative key), returning the subtree as a Sub not yet placed when
// it is a single leaf (its final depth is decided by its parent, T1).
class StateTree::Stager {
 public:
  struct Sub {
    Kind kind = Kind::kEmpty;
    // kInternal, or a kLeaf not touched by this block: the existing record
    // at the subtree's own position.
    bool is_ref = false;
    Ref ref;
    Entry leaf;  // kLeaf with !is_ref
  };

  Stager(StateTree& tree, uint64_t height, bool prune_now, WriteBatch& batch, Staged& staged,
         std::span<const Op> all_ops)
      : tree_(tree),
        height_(height),
        prune_now_(prune_now),
        batch_(batch),
        staged_(staged),
        ops_base_(all_ops.data()),
        was_present_(all_ops.size(), false) {}

  // Whether op i's key had a leaf in the tree before this block (known for
  // every key the walk reached a leaf of; false otherwise).
  bool was_present(size_t i) const { return was_present_[i]; }

  // Requires ops non-empty, sorted by key, distinct, all under `cur`'s
  // position (first `depth` bits of ops[0].key).
  Result<Sub> update(size_t depth, const Ref& cur, std::span<const Op> ops) {
    IPL_ASSERT(!ops.empty());
    IPL_ASSERT(depth <= kDepthMax);
    const Hash32& rep = ops.front().key;
    if (cur.kind == Kind::kEmpty) {
      std::vector<Entry> entries;
      entries.reserve(ops.size());
      for (const Op& op : ops) {
        if (op.is_put) entries.push_back(Entry{op.key, op.value_hash, false, 0, 0});
      }
      return build(depth, entries);
    }
    if (cur.kind == Kind::kLeaf) {
      Hash32 old_key{}, old_value{};
      IPL_RETURN_IF_ERROR(read_leaf(cur, depth, rep, old_key, old_value));
      std::vector<Entry> entries;
      entries.reserve(ops.size() + 1);
      bool old_done = false;
      auto emit_old = [&]() {
        entries.push_back(Entry{old_key, old_value, true, cur.version, depth});
        old_done = true;
      };
      for (const Op& op : ops) {
        if (!old_done && old_key < op.key) emit_old();
        if (op.key == old_key) {
          old_done = true;
          was_present_[static_cast<size_t>(&op - ops_base_)] = true;
          if (op.is_put && op.value_hash == old_value) {
            entries.push_back(Entry{old_key, old_value, true, cur.version, depth});
            continue;
          }
          mark_stale(cur.version, depth, old_key);
        }
        if (op.is_put) entries.push_back(Entry{op.key, op.value_hash, false, 0, 0});
      }
      if (!old_done) emit_old();
      IPL_DEBUG_ASSERT(std::is_sorted(entries.begin(), entries.end(),
                                      [](const Entry& a, const Entry& b) { return a.key < b.key; }));
      return build(depth, entries);
    }
    if (depth >= kDepthMax) return Status::corruption("state node: internal node below depth 255");
    Internal node;
    IPL_RETURN_IF_ERROR(read_internal(cur, depth, rep, node));
    const auto split = std::partition_point(ops.begin(), ops.end(), [&](const Op& op) { return !bit_at(op.key, depth); });
    const std::span<const Op> side[2] = {std::span<const Op>(ops.begin(), split), std::span<const Op>(split, ops.end())};
    Sub subs[2];
    for (int s = 0; s < 2; ++s) {
      if (side[s].empty()) {
        subs[s] = untouched(node.child[s]);
      } else {
        IPL_ASSIGN_OR_RETURN(subs[s], update(depth + 1, node.child[s], side[s]));
      }
    }
    return combine(depth, rep, subs, &cur, &node);
  }

  // Places `sub` at `depth` and returns its reference there.
  Ref place(const Sub& sub, size_t depth) {
    if (sub.kind == Kind::kEmpty) return Ref{};
    if (sub.is_ref) return sub.ref;
    IPL_ASSERT(sub.kind == Kind::kLeaf);
    const Entry& e = sub.leaf;
    const Hash32 hash = state_leaf_hash(e.key, e.value);
    if (e.has_origin && e.origin_depth == depth) return Ref{Kind::kLeaf, e.origin_version, hash};
    if (e.has_origin) mark_stale(e.origin_version, e.origin_depth, e.key);
    batch_.put(node_key(height_, depth, e.key), encode_leaf(e.key, e.value));
    return Ref{Kind::kLeaf, height_, hash};
  }

 private:
  static Sub untouched(const Ref& r) {
    Sub s;
    s.kind = r.kind;
    s.is_ref = r.kind != Kind::kEmpty;
    s.ref = r;
    return s;
  }
  static Sub leaf_sub(const Entry& e) {
    Sub s;
    s.kind = Kind::kLeaf;
    s.leaf = e;
    return s;
  }

  // A fresh subtree at `depth` from sorted, distinct entries.
  Result<Sub> build(size_t depth, std::span<const Entry> entries) {
    if (entries.empty()) return Sub{};
    if (entries.size() == 1) return leaf_sub(entries.front());
    // Two distinct 256-bit keys differ at some bit < 256.
    IPL_ASSERT(depth < kDepthMax);
    const auto split = std::partition_point(entries.begin(), entries.end(),
                                            [&](const Entry& e) { return !bit_at(e.key, depth); });
    Sub subs[2];
    IPL_ASSIGN_OR_RETURN(subs[0], build(depth + 1, std::span<const Entry>(entries.begin(), split)));
    IPL_ASSIGN_OR_RETURN(subs[1], build(depth + 1, std::span<const Entry>(split, entries.end())));
    return combine(depth, entries.front().key, subs, nullptr, nullptr);
  }

  // The subtree at `depth` with children `subs` (at depth+1); `cur`/`old`
  // are the node it replaces, if any.
  Result<Sub> combine(size_t depth, const Hash32& rep, Sub (&subs)[2], const Ref* cur, const Internal* old) {
    IPL_ASSERT(depth < kDepthMax);
    IPL_ASSERT((cur == nullptr) == (old == nullptr));
    const bool empty0 = subs[0].kind == Kind::kEmpty, empty1 = subs[1].kind == Kind::kEmpty;
    if (empty0 && empty1) {
      if (cur != nullptr) mark_stale(cur->version, depth, rep);
      return Sub{};
    }
    if (empty0 || empty1) {
      const int s = empty0 ? 1 : 0;
      if (subs[s].kind == Kind::kLeaf) {
        // T1: a lone leaf moves up to the shallowest unique depth.
        if (cur != nullptr) mark_stale(cur->version, depth, rep);
        if (!subs[s].is_ref) return subs[s];
        Entry e;
        IPL_RETURN_IF_ERROR(read_leaf(subs[s].ref, depth + 1, with_bit(rep, depth, s == 1), e.key, e.value));
        e.has_origin = true;
        e.origin_version = subs[s].ref.version;
        e.origin_depth = depth + 1;
        return leaf_sub(e);
      }
    }
    Internal node;
    node.child[0] = place(subs[0], depth + 1);
    node.child[1] = place(subs[1], depth + 1);
    if (old != nullptr && node.child[0] == old->child[0] && node.child[1] == old->child[1]) {
      return untouched(*cur);
    }
    if (cur != nullptr) mark_stale(cur->version, depth, rep);
    const Hash32 hash = state_internal_hash(node.child[0].hash, node.child[1].hash);
    Bytes key = node_key(height_, depth, rep);
    batch_.put(key, encode_internal(node));
    if (depth <= kCacheDepthMax) staged_.cache_puts.emplace_back(cache_slot(depth, rep), node);
    return untouched(Ref{Kind::kInternal, height_, hash});
  }

  void mark_stale(uint64_t version, size_t depth, const Hash32& rep) {
    IPL_ASSERT(version < height_);
    Bytes key = node_key(version, depth, rep);
    if (prune_now_) {
      // The window already excludes every height holding this node.
      batch_.del(key);
    } else {
      IPL_ASSERT(key.size() - 1 <= 0xff);
      staged_.stale_list.push_back(static_cast<uint8_t>(key.size() - 1));
      staged_.stale_list.insert(staged_.stale_list.end(), key.begin() + 1, key.end());
    }
    if (depth <= kCacheDepthMax) staged_.cache_erases.emplace_back(cache_slot(depth, rep), version);
  }

  Status read_leaf(const Ref& r, size_t depth, const Hash32& rep, Hash32& key, Hash32& value) {
    IPL_ASSERT(r.kind == Kind::kLeaf);
    const Bytes nk = node_key(r.version, depth, rep);
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, tree_.store_.get(nk));
    if (!raw) return Status::corruption("state tree: missing leaf record " + to_hex(nk));
    IPL_RETURN_IF_ERROR(decode_leaf(*raw, key, value));
    if (state_leaf_hash(key, value) != r.hash) return Status::corruption("state tree: leaf hash mismatch");
    if (common_prefix_bits(key, rep) < depth) return Status::corruption("state tree: leaf off its path");
    return Status::ok();
  }

  Status read_internal(const Ref& r, size_t depth, const Hash32& rep, Internal& node) {
    IPL_ASSERT(r.kind == Kind::kInternal);
    StateTree::CacheSlot* slot = depth <= kCacheDepthMax ? &tree_.cache_[cache_slot(depth, rep)] : nullptr;
    if (slot != nullptr && slot->version == r.version) {
      node = slot->node;
      return Status::ok();
    }
    const Bytes nk = node_key(r.version, depth, rep);
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, tree_.store_.get(nk));
    if (!raw) return Status::corruption("state tree: missing node record " + to_hex(nk));
    IPL_RETURN_IF_ERROR(decode_internal(*raw, node));
    if (state_internal_hash(node.child[0].hash, node.child[1].hash) != r.hash) {
      return Status::corruption("state tree: node hash mismatch");
    }
    // A node of the committed latest tree stays valid in its slot until a
    // committed block replaces it or makes it stale.
    if (slot != nullptr) *slot = StateTree::CacheSlot{r.version, node};
    return Status::ok();
  }

  StateTree& tree_;
  const uint64_t height_;
  const bool prune_now_;
  WriteBatch& batch_;
  Staged& staged_;
  const Op* ops_base_;
  std::vector<bool> was_present_;
};

// ---------------------------------------------------------------------------
// StateTree

StateTree::StateTree(Store& store, uint64_t retained_heights) : store_(store), retained_heights_(retained_heights) {}

Status StateTree::load() {
  View v;
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> latest, store_.get(meta_key(kMetaLatest)));
  if (latest) {
    if (latest->size() != 8) return Status::corruption("state meta: bad latest height");
    v.latest_height = read_u64(latest->data());
  }
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> first, store_.get(meta_key(kMetaFirstRetained)));
  if (first) {
    if (first->size() != 8) return Status::corruption("state meta: bad first retained height");
    v.first_retained = read_u64(first->data());
  }
  if (v.first_retained > v.latest_height) return Status::corruption("state meta: first retained above latest");
  if (v.latest_height > 0) {
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, store_.get(root_key(v.latest_height)));
    if (!raw) return Status::corruption("state tree: missing root record for the latest height");
    IPL_RETURN_IF_ERROR(decode_root(*raw, v.root));
  }
  std::unique_lock lock(mu_);
  view_ = v;
  pruning_floor_ = v.first_retained;
  staged_.reset();
  // Zeroed pages from the allocator: every slot empty (version 0), and the
  // table costs memory only where the tree reaches.
  void* table = std::calloc(kCacheSlots, sizeof(CacheSlot));
  if (table == nullptr) return Status::io_error("state tree: cannot allocate the node cache");
  cache_.reset(static_cast<CacheSlot*>(table));
  return Status::ok();
}

void StateTree::FreeSlots::operator()(CacheSlot* p) const { std::free(p); }

StateTree::View StateTree::view() const {
  std::shared_lock lock(mu_);
  return view_;
}

uint64_t StateTree::latest_height() const { return view().latest_height; }
Hash32 StateTree::root() const { return view().root.hash; }
uint64_t StateTree::first_retained_height() const { return view().first_retained; }

Status StateTree::missing_node(uint64_t height, const Bytes& key) const {
  std::shared_lock lock(mu_);
  if (height < pruning_floor_) return Status::pruned("state tree: height " + std::to_string(height) + " pruned");
  return Status::corruption("state tree: missing record " + to_hex(key));
}

Result<StateTree::Ref> StateTree::root_ref_at(uint64_t height, const View& v) const {
  if (height > v.latest_height) {
    return Status::invalid("state tree: height " + std::to_string(height) + " above latest " +
                           std::to_string(v.latest_height));
  }
  if (height < v.first_retained) {
    return Status::pruned("state tree: height " + std::to_string(height) + " is below the first retained height " +
                          std::to_string(v.first_retained));
  }
  if (height == 0) return Ref{};
  if (height == v.latest_height) return v.root;
  const Bytes key = root_key(height);
  IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, store_.get(key));
  if (!raw) return missing_node(height, key);
  Ref r;
  IPL_RETURN_IF_ERROR(decode_root(*raw, r));
  return r;
}

Result<Hash32> StateTree::root_at(uint64_t height) const {
  IPL_ASSIGN_OR_RETURN(const Ref r, root_ref_at(height, view()));
  return r.hash;
}

Result<Hash32> StateTree::stage_block(uint64_t height, std::span<const StateWrite> writes, WriteBatch& batch) {
  const View cur = view();
  if (height != cur.latest_height + 1) {
    return Status::invalid("state tree: staging height " + std::to_string(height) + ", expected " +
                           std::to_string(cur.latest_height + 1));
  }
  for (const StateWrite& w : writes) {
    IPL_RETURN_IF_ERROR(check_key(w.key));
    if (w.value && w.value->size() > limits::state_value_bytes_max) {
      return Status::limit("state value longer than state_value_bytes_max");
    }
  }
  // Hash, sort by key_hash, keep the last write of each key.
  std::vector<Op> all(writes.size());
  std::vector<size_t> order(writes.size());
  for (size_t i = 0; i < writes.size(); ++i) {
    all[i].key = sha256(writes[i].key);
    all[i].is_put = writes[i].value.has_value();
    if (all[i].is_put) all[i].value_hash = sha256(*writes[i].value);
  }
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return all[a].key < all[b].key; });
  std::vector<Op> ops;
  std::vector<size_t> op_write;  // index into writes of each op
  ops.reserve(order.size());
  op_write.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    if (i + 1 < order.size() && all[order[i + 1]].key == all[order[i]].key) continue;  // a later write wins
    ops.push_back(all[order[i]]);
    op_write.push_back(order[i]);
  }

  // The retention window after this block.
  uint64_t target = 0;
  if (retained_heights_ > 0 && height >= retained_heights_) target = height - retained_heights_ + 1;
  const uint64_t first_retained = std::max(cur.first_retained, std::min(target, cur.first_retained + kPruneHeightsPerBlockMax));
  IPL_ASSERT(first_retained <= height);
  {
    std::unique_lock lock(mu_);
    pruning_floor_ = first_retained;
  }

  Staged staged;
  Stager stager(*this, height, first_retained >= height, batch, staged, ops);
  Ref root = cur.root;
  if (!ops.empty()) {
    auto sub = stager.update(0, cur.root, ops);
    if (!sub.is_ok()) {
      abort_staged();
      return sub.status();
    }
    root = stager.place(*sub, 0);
  }

  // The record index: a key with a leaf in the tree already has its entry.
  for (size_t i = 0; i < ops.size(); ++i) {
    const StateWrite& w = writes[op_write[i]];
    if (!w.value || stager.was_present(i)) continue;
    const Bytes ik = index_key(ops[i].key);
    auto existing = store_.get(ik);
    if (!existing.is_ok()) {
      abort_staged();
      return existing.status();
    }
    if (!existing->has_value()) batch.put(ik, w.key);
  }
  // Every write's value, in execution order per key (the record history).
  uint32_t seq = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    seq = (i > 0 && all[order[i - 1]].key == all[order[i]].key) ? seq + 1 : 0;
    const StateWrite& w = writes[order[i]];
    Bytes v;
    if (w.value) {
      v.reserve(1 + w.value->size());
      v.push_back(kValuePresent);
      v.insert(v.end(), w.value->begin(), w.value->end());
    } else {
      v.push_back(kValueDeleted);
    }
    batch.put(value_key(all[order[i]].key, height, seq), std::move(v));
  }

  // Pruning: stale nodes with stale-since in (old first, new first], and
  // root records below the new first retained height.
  for (uint64_t s = cur.first_retained + 1; s <= first_retained && s < height; ++s) {
    const Bytes sk = stale_prefix(s);
    auto list = store_.get(sk);
    if (!list.is_ok()) {
      abort_staged();
      return list.status();
    }
    if (!list->has_value()) continue;  // that height made nothing stale
    const Bytes& l = **list;
    for (size_t pos = 0; pos < l.size();) {
      const size_t n = l[pos];
      if (n == 0 || pos + 1 + n > l.size()) {
        abort_staged();
        return Status::corruption("state tree: malformed stale list at height " + std::to_string(s));
      }
      Bytes nk = key_with_prefix(prefix::kStateNode, n);
      nk.insert(nk.end(), l.begin() + static_cast<std::ptrdiff_t>(pos + 1),
                l.begin() + static_cast<std::ptrdiff_t>(pos + 1 + n));
      batch.del(std::move(nk));
      pos += 1 + n;
    }
    batch.del(sk);
  }
  for (uint64_t h = cur.first_retained; h < first_retained; ++h) batch.del(root_key(h));

  if (!staged.stale_list.empty()) batch.put(stale_prefix(height), staged.stale_list);
  Bytes rv;
  encode_ref(rv, root);
  batch.put(root_key(height), std::move(rv));
  Bytes hv, fv;
  put_u64(hv, height);
  put_u64(fv, first_retained);
  batch.put(meta_key(kMetaLatest), std::move(hv));
  batch.put(meta_key(kMetaFirstRetained), std::move(fv));

  staged.view = View{height, root, first_retained};
  staged_ = std::move(staged);
  return root.hash;
}

void StateTree::commit_staged() {
  IPL_ASSERT(staged_.has_value());
  IPL_ASSERT(staged_->view.latest_height == latest_height() + 1);
  for (const auto& [slot, version] : staged_->cache_erases) {
    if (cache_[slot].version == version) cache_[slot] = CacheSlot{};
  }
  for (const auto& [slot, node] : staged_->cache_puts) cache_[slot] = CacheSlot{staged_->view.latest_height, node};
  {
    std::unique_lock lock(mu_);
    view_ = staged_->view;
    pruning_floor_ = view_.first_retained;
  }
  staged_.reset();
}

void StateTree::abort_staged() {
  staged_.reset();
  std::unique_lock lock(mu_);
  pruning_floor_ = view_.first_retained;
}

Result<std::optional<Bytes>> StateTree::get(ByteView raw_key, uint64_t height) const {
  IPL_RETURN_IF_ERROR(check_key(raw_key));
  const uint64_t latest = latest_height();
  if (height > latest) {
    return Status::invalid("state tree: height " + std::to_string(height) + " above latest " + std::to_string(latest));
  }
  const Hash32 key_hash = sha256(raw_key);
  std::optional<Bytes> found;
  bool bad = false;
  // The first record at or below `height` is the last write at or before it.
  IPL_RETURN_IF_ERROR(store_.scan(value_key(key_hash, height, ~uint32_t{0}), value_prefix_end(key_hash), [&](ByteView, ByteView v) {
    auto value = value_of_record(v);
    if (!value.is_ok()) {
      bad = true;
    } else if (value->has_value()) {
      found = Bytes((*value)->begin(), (*value)->end());
    }
    return false;
  }));
  if (bad) return Status::corruption("state value: bad record");
  return found;
}

Status StateTree::scan_values(const Hash32& key_hash, const std::function<bool(ByteView value)>& fn) const {
  Status inner = Status::ok();
  IPL_RETURN_IF_ERROR(store_.scan(value_prefix(key_hash), value_prefix_end(key_hash), [&](ByteView, ByteView record) {
    auto v = value_of_record(record);
    if (!v.is_ok()) {
      inner = v.status();
      return false;
    }
    return !v->has_value() || fn(**v);
  }));
  return inner;
}

Store::Range StateTree::value_range(const Hash32& key_hash) {
  return Store::Range{value_prefix(key_hash), value_prefix_end(key_hash)};
}

Result<std::optional<ByteView>> StateTree::value_of_record(ByteView record) {
  if (record.size() == 1 && record[0] == kValueDeleted) return std::optional<ByteView>();
  if (record.empty() || record[0] != kValuePresent) return Status::corruption("state value: bad record");
  return std::optional<ByteView>(record.subspan(1));
}

Result<std::pair<std::optional<Bytes>, StateProof>> StateTree::prove(ByteView raw_key, uint64_t height) const {
  IPL_RETURN_IF_ERROR(check_key(raw_key));
  IPL_ASSIGN_OR_RETURN(Ref r, root_ref_at(height, view()));
  const Hash32 key_hash = sha256(raw_key);
  StateProof proof;
  size_t depth = 0;
  while (r.kind == Kind::kInternal) {
    if (depth >= kDepthMax) return Status::corruption("state tree: path longer than 256");
    const Bytes nk = node_key(r.version, depth, key_hash);
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, store_.get(nk));
    if (!raw) return missing_node(height, nk);
    Internal node;
    IPL_RETURN_IF_ERROR(decode_internal(*raw, node));
    if (state_internal_hash(node.child[0].hash, node.child[1].hash) != r.hash) {
      return Status::corruption("state tree: node hash mismatch");
    }
    const int b = bit_at(key_hash, depth) ? 1 : 0;
    proof.siblings.push_back(node.child[1 - b].hash);
    r = node.child[b];
    ++depth;
  }
  IPL_ASSERT(proof.siblings.size() == depth);
  std::optional<Bytes> value;
  if (r.kind == Kind::kLeaf) {
    const Bytes nk = node_key(r.version, depth, key_hash);
    IPL_ASSIGN_OR_RETURN(std::optional<Bytes> raw, store_.get(nk));
    if (!raw) return missing_node(height, nk);
    std::pair<Hash32, Hash32> leaf;
    IPL_RETURN_IF_ERROR(decode_leaf(*raw, leaf.first, leaf.second));
    if (state_leaf_hash(leaf.first, leaf.second) != r.hash) return Status::corruption("state tree: leaf hash mismatch");
    if (common_prefix_bits(leaf.first, key_hash) < depth) return Status::corruption("state tree: leaf off its path");
    if (leaf.first == key_hash) {
      IPL_ASSIGN_OR_RETURN(value, get(raw_key, height));
      if (!value || sha256(*value) != leaf.second) {
        return Status::corruption("state tree: value version does not match the leaf");
      }
    }
    proof.leaf = leaf;
  }
  return std::make_pair(std::move(value), std::move(proof));
}

}  // namespace ipl::ledger
