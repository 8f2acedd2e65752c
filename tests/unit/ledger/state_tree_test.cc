// Goal: the state tree (ledger/state_tree.h) computes the compact sparse
// Merkle root of its key set at every height, proves membership and
// non-membership soundly, prunes exactly the nodes no retained height
// needs, survives a reopen, and answers hostile input with a Status.
// Method: random block sequences (fixed SeededRng seeds) are applied both
// to the tree and to a plain map; roots are compared with an independent
// recursive reference built from the sorted map key_hash -> value_hash.
// Proofs are checked, then every single byte of every part is flipped and
// the check must fail. Pruning is checked by walking the documented node
// format from each retained root and comparing with the 'n' keys present.
#include "ledger/state_tree.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "common/chain.h"
#include "common/clock.h"
#include "common/hash.h"
#include "common/limits.h"

namespace ipl::ledger {
namespace {

using Model = std::map<Bytes, Bytes>;  // raw key -> value

// --- Independent reference ---------------------------------------------

bool ref_bit(const Hash32& k, size_t i) { return ((k[i / 8] >> (7 - i % 8)) & 1) != 0; }

Hash32 ref_subtree(const std::vector<std::pair<Hash32, Hash32>>& leaves, size_t lo, size_t hi, size_t depth) {
  if (lo == hi) return Hash32{};
  if (hi - lo == 1) {
    const uint8_t tag = 0x00;
    return sha256({ByteView(&tag, 1), leaves[lo].first, leaves[lo].second});
  }
  size_t mid = lo;
  while (mid < hi && !ref_bit(leaves[mid].first, depth)) ++mid;
  const Hash32 l = ref_subtree(leaves, lo, mid, depth + 1);
  const Hash32 r = ref_subtree(leaves, mid, hi, depth + 1);
  const uint8_t tag = 0x01;
  return sha256({ByteView(&tag, 1), l, r});
}

Hash32 reference_root(const Model& m) {
  std::map<Hash32, Hash32> sorted;
  for (const auto& [k, v] : m) sorted[sha256(k)] = sha256(v);
  std::vector<std::pair<Hash32, Hash32>> leaves(sorted.begin(), sorted.end());
  return ref_subtree(leaves, 0, leaves.size(), 0);
}

// --- Helpers -------------------------------------------------------------

Bytes key_of(uint64_t i) { return to_bytes("record/" + std::to_string(i)); }

Bytes random_value(Rng& rng, uint64_t height) {
  StateEnvelope env;
  env.version = 1 + rng.uniform(5);
  env.height = height;
  env.tx_id[0] = static_cast<uint8_t>(rng.next_u64());
  env.body.resize(1 + rng.uniform(40));
  for (uint8_t& b : env.body) b = static_cast<uint8_t>(rng.next_u64());
  return env.encode();
}

Hash32 apply_block(StateTree& tree, Store& store, const std::vector<StateWrite>& writes) {
  WriteBatch batch;
  auto root = tree.stage_block(tree.latest_height() + 1, writes, batch);
  EXPECT_TRUE(root.is_ok()) << root.status().to_string();
  EXPECT_TRUE(store.write(batch, true).is_ok());
  tree.commit_staged();
  return root.is_ok() ? *root : Hash32{};
}

// Random block over a pool of keys: inserts, updates, deletes, and now and
// then the same key twice (the last write wins); mirrors it into `model`.
std::vector<StateWrite> random_block(Rng& rng, Model& model, uint64_t pool, size_t count, uint64_t height) {
  std::vector<StateWrite> w;
  for (size_t i = 0; i < count; ++i) {
    const Bytes key = key_of(rng.uniform(pool));
    if (rng.uniform(3) == 0) {
      w.push_back(StateWrite{key, std::nullopt});
      model.erase(key);
    } else {
      const Bytes v = random_value(rng, height);
      w.push_back(StateWrite{key, v});
      model[key] = v;
    }
  }
  return w;
}

size_t count_prefix(const Store& s, uint8_t p) {
  size_t n = 0;
  const uint8_t lo[1] = {p}, hi[1] = {static_cast<uint8_t>(p + 1)};
  EXPECT_TRUE(s.scan(ByteView(lo, 1), ByteView(hi, 1), [&](ByteView, ByteView) {
                 ++n;
                 return true;
               }).is_ok());
  return n;
}

std::set<Bytes> keys_with_prefix(const Store& s, uint8_t p) {
  std::set<Bytes> out;
  const uint8_t lo[1] = {p}, hi[1] = {static_cast<uint8_t>(p + 1)};
  EXPECT_TRUE(s.scan(ByteView(lo, 1), ByteView(hi, 1), [&](ByteView k, ByteView) {
                 out.emplace(k.begin(), k.end());
                 return true;
               }).is_ok());
  return out;
}

// Walks the documented record format (state_tree.h) from a child reference
// at (depth, path bits of `path`), collecting every 'n' key it reaches.
void walk(const Store& s, const Bytes& child, size_t depth, Hash32 path, std::set<Bytes>& seen) {
  ASSERT_FALSE(child.empty());
  if (child[0] == 0x00) return;
  ASSERT_EQ(child.size(), 41u);
  Bytes key{prefix::kStateNode};
  key.insert(key.end(), child.begin() + 1, child.begin() + 9);  // u64 version
  key.push_back(static_cast<uint8_t>(depth >> 8));
  key.push_back(static_cast<uint8_t>(depth & 0xff));
  for (size_t i = 0; i < (depth + 7) / 8; ++i) key.push_back(path[i]);
  auto raw = s.get(key);
  ASSERT_TRUE(raw.is_ok());
  ASSERT_TRUE(raw->has_value()) << "missing node " << to_hex(key);
  const Bytes& node = **raw;
  seen.insert(key);
  if (child[0] == 0x01) {
    ASSERT_EQ(node.size(), 65u);
    ASSERT_EQ(node[0], 0x00);
    return;
  }
  ASSERT_EQ(node[0], 0x01);
  size_t pos = 1;
  for (int side = 0; side < 2; ++side) {
    const size_t len = node[pos] == 0x00 ? 1 : 41;
    const Bytes c(node.begin() + static_cast<std::ptrdiff_t>(pos), node.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
    Hash32 p = path;
    if (side == 1) p[depth / 8] = static_cast<uint8_t>(p[depth / 8] | (0x80 >> (depth % 8)));
    walk(s, c, depth + 1, p, seen);
  }
  ASSERT_EQ(pos, node.size());
}

std::set<Bytes> reachable_nodes(const Store& s, uint64_t from, uint64_t to) {
  std::set<Bytes> seen;
  for (uint64_t h = std::max<uint64_t>(from, 1); h <= to; ++h) {
    Bytes rk{prefix::kStateRoot};
    for (int i = 7; i >= 0; --i) rk.push_back(static_cast<uint8_t>(h >> (8 * i)));
    auto raw = s.get(rk);
    EXPECT_TRUE(raw.is_ok() && raw->has_value()) << "missing root " << h;
    if (!raw.is_ok() || !raw->has_value()) continue;
    walk(s, **raw, 0, Hash32{}, seen);
  }
  return seen;
}

// Checks `raw_key` proves at `height` with `expected`, and that flipping any
// single byte of the sibling hashes, leaf, value, root, key or encoded proof
// makes the check fail. Returns whether the proof had a terminal leaf.
bool check_proof(const StateTree& tree, const Bytes& raw_key, uint64_t height, const std::optional<Bytes>& expected) {
  auto root = tree.root_at(height);
  EXPECT_TRUE(root.is_ok()) << root.status().to_string();
  auto p = tree.prove(raw_key, height);
  EXPECT_TRUE(p.is_ok()) << p.status().to_string();
  if (!p.is_ok() || !root.is_ok()) return false;
  const auto& [value, proof] = *p;
  EXPECT_EQ(value, expected);
  EXPECT_TRUE(verify_state_proof(*root, raw_key, value, proof).is_ok());
  // Round trip of the encoding.
  const Bytes enc = proof.encode();
  auto dec = StateProof::decode(enc);
  EXPECT_TRUE(dec.is_ok());
  if (dec.is_ok()) {
    EXPECT_EQ(*dec, proof);
  }

  for (size_t i = 0; i < proof.siblings.size(); ++i) {
    for (size_t b = 0; b < 32; ++b) {
      StateProof bad = proof;
      bad.siblings[i][b] ^= 0x01;
      EXPECT_FALSE(verify_state_proof(*root, raw_key, value, bad).is_ok()) << "sibling " << i << " byte " << b;
    }
  }
  if (proof.leaf) {
    for (size_t b = 0; b < 64; ++b) {
      StateProof bad = proof;
      (b < 32 ? bad.leaf->first[b] : bad.leaf->second[b - 32]) ^= 0x80;
      EXPECT_FALSE(verify_state_proof(*root, raw_key, value, bad).is_ok()) << "leaf byte " << b;
    }
  }
  if (value) {
    for (size_t b = 0; b < value->size(); ++b) {
      Bytes v = *value;
      v[b] ^= 0x01;
      EXPECT_FALSE(verify_state_proof(*root, raw_key, v, proof).is_ok()) << "value byte " << b;
    }
    EXPECT_FALSE(verify_state_proof(*root, raw_key, std::nullopt, proof).is_ok());
  } else {
    EXPECT_FALSE(verify_state_proof(*root, raw_key, to_bytes("something"), proof).is_ok());
  }
  for (size_t b = 0; b < 32; ++b) {
    Hash32 r = *root;
    r[b] ^= 0x01;
    EXPECT_FALSE(verify_state_proof(r, raw_key, value, proof).is_ok()) << "root byte " << b;
  }
  for (size_t b = 0; b < raw_key.size(); ++b) {
    Bytes k = raw_key;
    k[b] ^= 0x01;
    // A non-membership proof also (rightly) proves the absence of every
    // other key whose path reaches the same empty subtree or foreign leaf;
    // any other key must fail.
    const Hash32 kh = sha256(k);
    size_t shared = 0;
    while (shared < proof.siblings.size() && ref_bit(kh, shared) == ref_bit(sha256(raw_key), shared)) ++shared;
    const bool same_terminal = !value && shared == proof.siblings.size() && !(proof.leaf && proof.leaf->first == kh);
    EXPECT_EQ(verify_state_proof(*root, k, value, proof).is_ok(), same_terminal) << "key byte " << b;
  }
  for (size_t b = 0; b < enc.size(); ++b) {
    Bytes e = enc;
    e[b] ^= 0x01;
    auto d = StateProof::decode(e);
    if (d.is_ok()) {
      EXPECT_FALSE(verify_state_proof(*root, raw_key, value, *d).is_ok()) << "encoded byte " << b;
    }
  }
  return proof.leaf.has_value();
}

// --- Tests -----------------------------------------------------------------

TEST(StateTree, EmptyTreeRootIsZeros) {
  MemStore store;
  StateTree tree(store, 0);
  ASSERT_TRUE(tree.load().is_ok());
  EXPECT_EQ(tree.latest_height(), 0u);
  EXPECT_EQ(tree.root(), Hash32{});
  EXPECT_EQ(*tree.root_at(0), Hash32{});
  // A block with no writes still gets a root record.
  EXPECT_EQ(apply_block(tree, store, {}), Hash32{});
  EXPECT_EQ(*tree.root_at(1), Hash32{});
  check_proof(tree, key_of(1), 1, std::nullopt);
}

TEST(StateTree, RootsMatchReferenceUnderRandomBlocks) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SeededRng rng(seed);
    MemStore store;
    StateTree tree(store, seed == 3 ? 2 : 0);
    ASSERT_TRUE(tree.load().is_ok());
    Model model;
    std::vector<Model> history{Model{}};
    for (uint64_t h = 1; h <= 40; ++h) {
      const size_t count = h % 7 == 0 ? 0 : 1 + rng.uniform(h < 10 ? 30 : 12);
      const auto writes = random_block(rng, model, 150, count, h);
      const Hash32 root = apply_block(tree, store, writes);
      ASSERT_EQ(root, reference_root(model)) << "seed " << seed << " height " << h;
      ASSERT_EQ(tree.root(), root);
      history.push_back(model);
    }
    // Values at every height, pruned or not (versions are never pruned).
    for (uint64_t h = 0; h <= 40; h += 3) {
      for (uint64_t k = 0; k < 150; k += 7) {
        auto v = tree.get(key_of(k), h);
        ASSERT_TRUE(v.is_ok());
        auto it = history[h].find(key_of(k));
        EXPECT_EQ(*v, it == history[h].end() ? std::nullopt : std::optional<Bytes>(it->second));
      }
    }
    // Delete everything, in two blocks: the root returns to zeros.
    std::vector<StateWrite> half, rest;
    size_t i = 0;
    for (const auto& [k, v] : model) (i++ % 2 ? half : rest).push_back(StateWrite{k, std::nullopt});
    apply_block(tree, store, half);
    for (const StateWrite& w : half) model.erase(w.key);
    ASSERT_EQ(tree.root(), reference_root(model));
    EXPECT_EQ(apply_block(tree, store, rest), Hash32{});
  }
}

TEST(StateTree, LastWriteOfARepeatedKeyWinsAndNoOpsKeepTheRoot) {
  MemStore store;
  StateTree tree(store, 0);
  ASSERT_TRUE(tree.load().is_ok());
  const Bytes k = key_of(1);
  apply_block(tree, store, {{k, to_bytes("a")}, {key_of(2), to_bytes("b")}, {k, to_bytes("c")}});
  EXPECT_EQ(**tree.get(k, 1), to_bytes("c"));
  EXPECT_EQ(tree.root(), reference_root({{k, to_bytes("c")}, {key_of(2), to_bytes("b")}}));
  const size_t nodes = count_prefix(store, prefix::kStateNode);
  const Hash32 before = tree.root();
  // Rewriting the same value and deleting an absent key change nothing in the tree.
  apply_block(tree, store, {{k, to_bytes("c")}, {key_of(3), std::nullopt}});
  EXPECT_EQ(tree.root(), before);
  EXPECT_EQ(count_prefix(store, prefix::kStateNode), nodes);
  apply_block(tree, store, {{k, to_bytes("d")}, {k, std::nullopt}});
  EXPECT_EQ(tree.root(), reference_root({{key_of(2), to_bytes("b")}}));
  EXPECT_FALSE(tree.get(k, 3)->has_value());
  EXPECT_EQ(**tree.get(k, 2), to_bytes("c"));
}

TEST(StateProof, MembershipAndNonMembershipAtLatestAndOlderHeights) {
  SeededRng rng(7);
  MemStore store;
  StateTree tree(store, 0);
  ASSERT_TRUE(tree.load().is_ok());
  Model model;
  std::vector<Model> history{Model{}};
  for (uint64_t h = 1; h <= 12; ++h) {
    apply_block(tree, store, random_block(rng, model, 60, 15, h));
    history.push_back(model);
  }
  size_t members = 0, empty_terminals = 0, other_leaf_terminals = 0;
  for (uint64_t h : {uint64_t{12}, uint64_t{6}}) {
    for (uint64_t k = 0; k < 80; k += 3) {
      auto it = history[h].find(key_of(k));
      const std::optional<Bytes> expected =
          it == history[h].end() ? std::nullopt : std::optional<Bytes>(it->second);
      const bool has_leaf = check_proof(tree, key_of(k), h, expected);
      if (expected) {
        ++members;
      } else if (has_leaf) {
        ++other_leaf_terminals;
      } else {
        ++empty_terminals;
      }
    }
  }
  EXPECT_GT(members, 0u);
  EXPECT_GT(empty_terminals, 0u);
  EXPECT_GT(other_leaf_terminals, 0u);
  // An old proof does not verify against the newer root when the value changed.
  const Bytes k = history[6].begin()->first;
  auto old = tree.prove(k, 6);
  ASSERT_TRUE(old.is_ok());
  if (history[12].count(k) == 0 || history[12].at(k) != history[6].at(k)) {
    EXPECT_FALSE(verify_state_proof(tree.root(), k, old->first, old->second).is_ok());
  }
}

TEST(StateTree, RetentionPrunesStaleNodesAndKeepsRetainedHeights) {
  SeededRng rng_a(11), rng_b(11);
  MemStore archive_store, pruned_store;
  StateTree archive(archive_store, 0), pruned(pruned_store, 3);
  ASSERT_TRUE(archive.load().is_ok());
  ASSERT_TRUE(pruned.load().is_ok());
  Model ma, mb;
  std::vector<Model> history{Model{}};
  for (uint64_t h = 1; h <= 10; ++h) {
    const Hash32 ra = apply_block(archive, archive_store, random_block(rng_a, ma, 40, 12, h));
    const Hash32 rb = apply_block(pruned, pruned_store, random_block(rng_b, mb, 40, 12, h));
    ASSERT_EQ(ra, rb);
    history.push_back(ma);
  }
  EXPECT_EQ(pruned.first_retained_height(), 8u);
  EXPECT_EQ(archive.first_retained_height(), 0u);
  for (uint64_t h = 8; h <= 10; ++h) {
    for (uint64_t k = 0; k < 40; k += 5) {
      auto it = history[h].find(key_of(k));
      check_proof(pruned, key_of(k), h, it == history[h].end() ? std::nullopt : std::optional<Bytes>(it->second));
    }
  }
  EXPECT_EQ(pruned.prove(key_of(1), 5).status().code(), Code::kPruned);
  EXPECT_EQ(pruned.root_at(5).status().code(), Code::kPruned);
  EXPECT_EQ(pruned.root_at(7).status().code(), Code::kPruned);
  EXPECT_EQ(code_name(pruned.prove(key_of(1), 5).status().code()), code_name(Code::kPruned));
  EXPECT_EQ(pruned.root_at(11).status().code(), Code::kInvalidArgument);
  // Values stay readable at pruned heights.
  for (uint64_t k = 0; k < 40; ++k) {
    auto it = history[5].find(key_of(k));
    EXPECT_EQ(*pruned.get(key_of(k), 5), it == history[5].end() ? std::nullopt : std::optional<Bytes>(it->second));
  }
  // The pruned store holds exactly the nodes of heights 8..10; the archive
  // holds every height's nodes and loses none.
  const std::set<Bytes> kept = keys_with_prefix(pruned_store, prefix::kStateNode);
  EXPECT_EQ(kept, reachable_nodes(pruned_store, 8, 10));
  const std::set<Bytes> all = keys_with_prefix(archive_store, prefix::kStateNode);
  EXPECT_EQ(all, reachable_nodes(archive_store, 1, 10));
  EXPECT_LT(kept.size(), all.size());
  EXPECT_TRUE(std::includes(all.begin(), all.end(), kept.begin(), kept.end()));
  EXPECT_EQ(count_prefix(pruned_store, prefix::kStateRoot), 3u);
  EXPECT_EQ(count_prefix(archive_store, prefix::kStateRoot), 10u);
  for (uint64_t h = 1; h <= 10; ++h) check_proof(archive, key_of(h), h, archive.get(key_of(h), h).value());
}

TEST(StateTree, RetainingOneHeightDeletesReplacedNodesAtOnce) {
  SeededRng rng(5);
  MemStore store;
  StateTree tree(store, 1);
  ASSERT_TRUE(tree.load().is_ok());
  Model model;
  for (uint64_t h = 1; h <= 15; ++h) {
    const auto writes = random_block(rng, model, 30, 8, h);
    ASSERT_EQ(apply_block(tree, store, writes), reference_root(model));
  }
  EXPECT_EQ(tree.first_retained_height(), 15u);
  EXPECT_EQ(keys_with_prefix(store, prefix::kStateNode), reachable_nodes(store, 15, 15));
  EXPECT_EQ(count_prefix(store, prefix::kStale), 0u);
  EXPECT_EQ(tree.prove(key_of(1), 14).status().code(), Code::kPruned);
  auto it = model.find(key_of(2));
  check_proof(tree, key_of(2), 15, it == model.end() ? std::nullopt : std::optional<Bytes>(it->second));
}

TEST(StateTree, PersistsInLevelDbAndAbortLeavesNothingVisible) {
  char tmpl[] = "/tmp/ipl-state-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  SeededRng rng(21);
  Model model;
  std::vector<Hash32> roots{Hash32{}};
  {
    auto store = open_leveldb(dir + "/db");
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    StateTree tree(**store, 4);
    ASSERT_TRUE(tree.load().is_ok());
    for (uint64_t h = 1; h <= 8; ++h) roots.push_back(apply_block(tree, **store, random_block(rng, model, 50, 10, h)));
    // Stage block 9, then abort without writing: nothing changes.
    WriteBatch batch;
    const std::vector<StateWrite> w{{key_of(1000), to_bytes("staged")}};
    auto staged = tree.stage_block(9, w, batch);
    ASSERT_TRUE(staged.is_ok());
    EXPECT_NE(*staged, roots[8]);
    tree.abort_staged();
    EXPECT_EQ(tree.latest_height(), 8u);
    EXPECT_EQ(tree.root(), roots[8]);
    EXPECT_FALSE(tree.get(key_of(1000), 8)->has_value());
    EXPECT_EQ(tree.prove(key_of(1000), 9).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(tree.first_retained_height(), 5u);
    check_proof(tree, key_of(1000), 8, std::nullopt);
  }
  {
    auto store = open_leveldb(dir + "/db");
    ASSERT_TRUE(store.is_ok());
    StateTree tree(**store, 4);
    ASSERT_TRUE(tree.load().is_ok());
    EXPECT_EQ(tree.latest_height(), 8u);
    EXPECT_EQ(tree.first_retained_height(), 5u);
    EXPECT_EQ(tree.root(), roots[8]);
    EXPECT_EQ(tree.root(), reference_root(model));
    for (uint64_t h = 5; h <= 8; ++h) EXPECT_EQ(*tree.root_at(h), roots[h]);
    EXPECT_EQ(tree.root_at(4).status().code(), Code::kPruned);
    for (uint64_t k = 0; k < 50; k += 4) {
      auto it = model.find(key_of(k));
      check_proof(tree, key_of(k), 8, it == model.end() ? std::nullopt : std::optional<Bytes>(it->second));
    }
    // And it keeps going after the reopen.
    const auto writes = random_block(rng, model, 50, 10, 9);
    const Hash32 r9 = apply_block(tree, **store, writes);
    EXPECT_EQ(r9, reference_root(model));
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST(StateTree, RejectsBadInputWithStatus) {
  MemStore store;
  StateTree tree(store, 0);
  ASSERT_TRUE(tree.load().is_ok());
  apply_block(tree, store, {{key_of(1), to_bytes("one")}, {key_of(2), to_bytes("two")}});
  WriteBatch batch;
  const Bytes long_key(limits::state_key_bytes_max + 1, 'k');
  const Bytes long_value(limits::state_value_bytes_max + 1, 'v');
  const std::vector<StateWrite> bad_key{{long_key, to_bytes("x")}};
  const std::vector<StateWrite> bad_value{{key_of(3), long_value}};
  const std::vector<StateWrite> good{{key_of(3), to_bytes("x")}};
  EXPECT_EQ(tree.stage_block(2, bad_key, batch).status().code(), Code::kLimitExceeded);
  EXPECT_EQ(tree.stage_block(2, bad_value, batch).status().code(), Code::kLimitExceeded);
  EXPECT_EQ(tree.stage_block(1, good, batch).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.stage_block(3, good, batch).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.stage_block(0, good, batch).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(tree.get(long_key, 1).status().code(), Code::kLimitExceeded);
  EXPECT_EQ(tree.prove(long_key, 1).status().code(), Code::kLimitExceeded);
  EXPECT_EQ(tree.get(key_of(1), 2).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.prove(key_of(1), 2).status().code(), Code::kInvalidArgument);

  auto p = tree.prove(key_of(1), 1);
  ASSERT_TRUE(p.is_ok());
  const Hash32 root = tree.root();
  ASSERT_TRUE(verify_state_proof(root, key_of(1), p->first, p->second).is_ok());
  EXPECT_EQ(verify_state_proof(root, long_key, p->first, p->second).code(), Code::kLimitExceeded);
  EXPECT_EQ(verify_state_proof(root, key_of(1), long_value, p->second).code(), Code::kLimitExceeded);
  // More than 256 siblings, in memory and encoded.
  StateProof hostile = p->second;
  hostile.siblings.resize(300);
  EXPECT_EQ(verify_state_proof(root, key_of(1), p->first, hostile).code(), Code::kLimitExceeded);
  Bytes enc = p->second.encode();
  enc[0] = 0;
  enc[1] = 0;
  enc[2] = 0x01;
  enc[3] = 0x01;  // 257 siblings
  EXPECT_FALSE(StateProof::decode(enc).is_ok());
  EXPECT_FALSE(StateProof::decode(Bytes{}).is_ok());
  Bytes trailing = p->second.encode();
  trailing.push_back(0);
  EXPECT_FALSE(StateProof::decode(trailing).is_ok());
  // A membership proof of key 1 is no non-membership proof of key 1, and a
  // leaf off the key's path proves nothing.
  EXPECT_FALSE(verify_state_proof(root, key_of(1), std::nullopt, p->second).is_ok());
  ASSERT_FALSE(p->second.siblings.empty());
  for (uint64_t k = 3; k < 40; ++k) {
    // Forged: claim key k's path ends at key 1's leaf although their first
    // bits differ.
    if ((sha256(key_of(k))[0] >> 7) != (sha256(key_of(1))[0] >> 7)) {
      EXPECT_FALSE(verify_state_proof(root, key_of(k), std::nullopt, p->second).is_ok());
    }
  }
  // A missing node record is corruption, not a crash.
  std::set<Bytes> nodes = keys_with_prefix(store, prefix::kStateNode);
  WriteBatch del;
  for (const Bytes& k : nodes) del.del(k);
  ASSERT_TRUE(store.write(del, true).is_ok());
  EXPECT_EQ(tree.prove(key_of(1), 1).status().code(), Code::kCorruption);
  WriteBatch b2;
  EXPECT_EQ(tree.stage_block(2, good, b2).status().code(), Code::kCorruption);
  EXPECT_FALSE(tree.has_staged());
}

}  // namespace
}  // namespace ipl::ledger
