// Goal: the history tree is RFC 9162's Merkle tree and its proofs are sound:
// roots equal the published Certificate Transparency vectors and an
// independent recursive MTH; every inclusion and consistency proof at every
// past size verifies, and any single tampering (a byte of a path hash, of a
// root or of the leaf; a size or index moved by ±1 or one flipped bit; a
// byte of the encoded proof) fails; the tree persists across reopen;
// staging is invisible until committed; bad arguments, missing records and
// hostile proofs give a Status, never a crash; proofs cost O(log n) reads.
//
// Method: a tiny reference written here from the RFC text (MTH, PATH and
// SUBPROOF as recursive functions over a leaf vector) is the oracle for
// roots and exact proof contents. Sizes 1..64 are exhaustive; a 100,000-leaf
// tree, built once per suite in a MemStore, gives 2,000 seeded random
// inclusion and consistency proofs.
//
// One subtlety is pinned down rather than hidden: RFC 9162 proofs bind the
// sizes (and index) only through the shape of the path, the sequence of
// left/right steps the verifier takes. A size moved so that the shape is
// unchanged (index 5 in a tree of 7 or of 8 leaves) verifies against the
// original root; this is why the root and size must come together from one
// signed LedgerInfo. Size tampering is therefore checked against the exact
// rule: verification succeeds if and only if the reference gives the
// tampered sizes the same shape (which a changed index never does).
#include "ledger/history_tree.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/hash.h"
#include "common/limits.h"

namespace ipl::ledger {
namespace {

// --- Reference (RFC 9162 §2.1, written independently of the library) ------

Hash32 ref_leaf_hash(ByteView data) {
  const uint8_t tag = 0;
  return sha256({ByteView(&tag, 1), data});
}

Hash32 ref_node_hash(const Hash32& l, const Hash32& r) {
  const uint8_t tag = 1;
  return sha256({ByteView(&tag, 1), ByteView(l), ByteView(r)});
}

// Largest power of two k with k < n (n >= 2), without overflow for any n.
uint64_t ref_split(uint64_t n) {
  uint64_t k = 1;
  while (k <= (n - 1) / 2) k <<= 1;
  return k;
}

Hash32 ref_mth(const std::vector<Hash32>& leaves, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (n == 0) return sha256(ByteView());
  if (n == 1) return leaves[begin];
  const uint64_t k = ref_split(n);
  return ref_node_hash(ref_mth(leaves, begin, begin + k), ref_mth(leaves, begin + k, end));
}

// A reference proof: its hashes (only when leaves are given) and its shape,
// one letter per hash from the leaf up: 'L' the sibling is on the left, 'R'
// on the right; consistency shapes start with 'P' (old root prepended by
// the verifier) or 'S' (first hash is the seed).
struct RefProof {
  std::vector<Hash32> path;
  std::string shape;
};

void ref_path(const std::vector<Hash32>* leaves, uint64_t m, uint64_t begin, uint64_t end, RefProof& out) {
  const uint64_t n = end - begin;
  if (n <= 1) return;
  const uint64_t k = ref_split(n);
  if (m < k) {
    ref_path(leaves, m, begin, begin + k, out);
    if (leaves) out.path.push_back(ref_mth(*leaves, begin + k, end));
    out.shape += 'R';
  } else {
    ref_path(leaves, m - k, begin + k, end, out);
    if (leaves) out.path.push_back(ref_mth(*leaves, begin, begin + k));
    out.shape += 'L';
  }
}

void ref_subproof(const std::vector<Hash32>* leaves, uint64_t m, uint64_t begin, uint64_t end, bool whole,
                  RefProof& out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (whole) {
      out.shape += 'P';
    } else {
      if (leaves) out.path.push_back(ref_mth(*leaves, begin, end));
      out.shape += 'S';
    }
    return;
  }
  const uint64_t k = ref_split(n);
  if (m <= k) {
    ref_subproof(leaves, m, begin, begin + k, whole, out);
    if (leaves) out.path.push_back(ref_mth(*leaves, begin + k, end));
    out.shape += 'R';
  } else {
    ref_subproof(leaves, m - k, begin + k, end, false, out);
    if (leaves) out.path.push_back(ref_mth(*leaves, begin, begin + k));
    out.shape += 'L';
  }
}

std::string inclusion_shape(uint64_t index, uint64_t tree_size) {
  if (index >= tree_size) return "invalid";
  RefProof r;
  ref_path(nullptr, index, 0, tree_size, r);
  return r.shape;
}

std::string consistency_shape(uint64_t old_size, uint64_t new_size) {
  if (old_size == 0 || old_size > new_size) return "invalid";
  if (old_size == new_size) return "equal";
  RefProof r;
  ref_subproof(nullptr, old_size, 0, new_size, true, r);
  return r.shape;
}

// --- Helpers ----------------------------------------------------------------

Hash32 leaf_for(uint64_t i) {
  const Bytes n = Encoder().u64(i).take();
  const Bytes r = Encoder().u64(~i).take();
  return history_leaf_hash(history_leaf_data(sha256(n), sha256(r)));
}

std::vector<Hash32> make_leaves(uint64_t n) {
  std::vector<Hash32> out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) out.push_back(leaf_for(i));
  return out;
}

Hash32 hash_of_hex(std::string_view hex) {
  auto h = hash_from_hex(hex);
  IPL_ASSERT(h.is_ok());
  return *h;
}

// Stages, writes and commits one append; returns the new root.
Hash32 append(HistoryTree& tree, Store& store, std::span<const Hash32> leaves) {
  WriteBatch batch;
  auto root = tree.stage_append(leaves, batch);
  EXPECT_TRUE(root.is_ok()) << root.status().to_string();
  EXPECT_TRUE(store.write(batch, false).is_ok());
  tree.commit_staged();
  return *root;
}

// Appends `leaves` in seeded random batch sizes of 1..max_batch.
void append_in_batches(HistoryTree& tree, Store& store, const std::vector<Hash32>& leaves, Rng& rng,
                       uint64_t max_batch) {
  size_t done = 0;
  while (done < leaves.size()) {
    const size_t n = std::min<size_t>(leaves.size() - done, 1 + rng.uniform(max_batch));
    append(tree, store, std::span<const Hash32>(leaves).subspan(done, n));
    done += n;
  }
}

// ±1 and every single-bit flip of a u64.
std::vector<uint64_t> numeric_tamperings(uint64_t v) {
  std::vector<uint64_t> out{v + 1, v - 1};
  for (int b = 0; b < 64; ++b) out.push_back(v ^ (uint64_t{1} << b));
  return out;
}

Hash32 flip_byte(Hash32 h, size_t i) {
  h[i] ^= static_cast<uint8_t>(1u << (i % 8));
  return h;
}

// Whether a tampered inclusion claim must verify: the same hashes and a
// tampered index/size with the same path shape (header comment).
bool inclusion_must_verify(const InclusionProof& honest, const InclusionProof& claim) {
  return claim.path == honest.path &&
         inclusion_shape(claim.index, claim.tree_size) == inclusion_shape(honest.index, honest.tree_size);
}

bool consistency_must_verify(const ConsistencyProof& honest, const ConsistencyProof& claim) {
  return claim.path == honest.path &&
         consistency_shape(claim.old_size, claim.new_size) == consistency_shape(honest.old_size, honest.new_size);
}

struct TamperStats {
  uint64_t rejected = 0;
  uint64_t accepted_same_shape = 0;
};

// Verifies `p` and then every single tampering (exhaustive) or a seeded
// sample of them; each must fail unless the shape rule says otherwise.
void check_inclusion(const Hash32& leaf, const InclusionProof& p, const Hash32& root, bool exhaustive, Rng& rng,
                     TamperStats& stats) {
  ASSERT_TRUE(verify_inclusion(leaf, p, root).is_ok())
      << "index " << p.index << " size " << p.tree_size << ": " << verify_inclusion(leaf, p, root).to_string();
  auto pick = [&](size_t n) { return exhaustive ? n : std::min<size_t>(n, 2); };
  auto position = [&](size_t k, size_t n) { return exhaustive ? k : rng.uniform(n); };
  const auto expect_reject = [&](const Hash32& l, const InclusionProof& q, const Hash32& r, const char* what) {
    EXPECT_FALSE(verify_inclusion(l, q, r).is_ok())
        << what << " accepted: index " << p.index << " size " << p.tree_size;
    ++stats.rejected;
  };
  InclusionProof q = p;
  for (size_t h = 0; h < p.path.size(); ++h) {
    for (size_t k = 0; k < pick(32); ++k) {
      const size_t i = position(k, 32);
      q.path[h] = flip_byte(p.path[h], i);
      expect_reject(leaf, q, root, "path byte flip");
    }
    q.path[h] = p.path[h];
  }
  for (size_t k = 0; k < pick(32); ++k) {
    const size_t i = position(k, 32);
    expect_reject(leaf, p, flip_byte(root, i), "root byte flip");
    expect_reject(flip_byte(leaf, i), p, root, "leaf byte flip");
  }
  for (uint64_t v : numeric_tamperings(p.index)) {
    if (!exhaustive && rng.uniform(8) != 0) continue;
    q.index = v;
    EXPECT_NE(inclusion_shape(q.index, q.tree_size), inclusion_shape(p.index, p.tree_size));
    expect_reject(leaf, q, root, "index tampering");
  }
  q.index = p.index;
  for (uint64_t v : numeric_tamperings(p.tree_size)) {
    if (!exhaustive && rng.uniform(8) != 0) continue;
    q.tree_size = v;
    const bool must = inclusion_must_verify(p, q);
    EXPECT_EQ(verify_inclusion(leaf, q, root).is_ok(), must) << "size " << p.tree_size << " -> " << v;
    ++(must ? stats.accepted_same_shape : stats.rejected);
  }
  q.tree_size = p.tree_size;
  // Structural tampering: one hash too many or too few.
  q.path.push_back(root);
  expect_reject(leaf, q, root, "extra hash");
  q.path.pop_back();
  if (!q.path.empty()) {
    q.path.pop_back();
    expect_reject(leaf, q, root, "dropped hash");
  }
  // The encoded proof: every byte flip either fails to decode or fails to
  // verify (a size byte may keep the shape: the rule above).
  const Bytes enc = p.encode();
  auto round = InclusionProof::decode(enc);
  ASSERT_TRUE(round.is_ok());
  EXPECT_EQ(round->encode(), enc);
  Bytes bad = enc;
  for (size_t k = 0; k < pick(enc.size()); ++k) {
    const size_t i = position(k, enc.size());
    bad[i] ^= static_cast<uint8_t>(1u << (k % 8));
    auto d = InclusionProof::decode(bad);
    if (d.is_ok()) {
      const bool must = inclusion_must_verify(p, *d);
      EXPECT_EQ(verify_inclusion(leaf, *d, root).is_ok(), must) << "encoded byte " << i;
    }
    bad[i] = enc[i];
  }
}

void check_consistency(const ConsistencyProof& p, const Hash32& old_root, const Hash32& new_root, bool exhaustive,
                       Rng& rng, TamperStats& stats) {
  ASSERT_TRUE(verify_consistency(p, old_root, new_root).is_ok())
      << p.old_size << " -> " << p.new_size << ": " << verify_consistency(p, old_root, new_root).to_string();
  auto pick = [&](size_t n) { return exhaustive ? n : std::min<size_t>(n, 2); };
  auto position = [&](size_t k, size_t n) { return exhaustive ? k : rng.uniform(n); };
  const auto expect_reject = [&](const ConsistencyProof& q, const Hash32& o, const Hash32& n, const char* what) {
    EXPECT_FALSE(verify_consistency(q, o, n).is_ok()) << what << " accepted: " << p.old_size << " -> " << p.new_size;
    ++stats.rejected;
  };
  ConsistencyProof q = p;
  for (size_t h = 0; h < p.path.size(); ++h) {
    for (size_t k = 0; k < pick(32); ++k) {
      q.path[h] = flip_byte(p.path[h], position(k, 32));
      expect_reject(q, old_root, new_root, "path byte flip");
    }
    q.path[h] = p.path[h];
  }
  for (size_t k = 0; k < pick(32); ++k) {
    const size_t i = position(k, 32);
    expect_reject(p, flip_byte(old_root, i), new_root, "old root byte flip");
    expect_reject(p, old_root, flip_byte(new_root, i), "new root byte flip");
  }
  for (uint64_t v : numeric_tamperings(p.old_size)) {
    if (!exhaustive && rng.uniform(8) != 0) continue;
    q.old_size = v;
    const bool must = consistency_must_verify(p, q);
    EXPECT_EQ(verify_consistency(q, old_root, new_root).is_ok(), must) << "old size " << p.old_size << " -> " << v;
    ++(must ? stats.accepted_same_shape : stats.rejected);
  }
  q.old_size = p.old_size;
  for (uint64_t v : numeric_tamperings(p.new_size)) {
    if (!exhaustive && rng.uniform(8) != 0) continue;
    q.new_size = v;
    const bool must = consistency_must_verify(p, q);
    EXPECT_EQ(verify_consistency(q, old_root, new_root).is_ok(), must) << "new size " << p.new_size << " -> " << v;
    ++(must ? stats.accepted_same_shape : stats.rejected);
  }
  q.new_size = p.new_size;
  q.path.push_back(new_root);
  expect_reject(q, old_root, new_root, "extra hash");
  q.path.pop_back();
  if (!q.path.empty()) {
    q.path.pop_back();
    expect_reject(q, old_root, new_root, "dropped hash");
  }
  const Bytes enc = p.encode();
  auto round = ConsistencyProof::decode(enc);
  ASSERT_TRUE(round.is_ok());
  EXPECT_EQ(round->encode(), enc);
  Bytes bad = enc;
  for (size_t k = 0; k < pick(enc.size()); ++k) {
    const size_t i = position(k, enc.size());
    bad[i] ^= static_cast<uint8_t>(1u << (k % 8));
    auto d = ConsistencyProof::decode(bad);
    if (d.is_ok()) {
      const bool must = consistency_must_verify(p, *d);
      EXPECT_EQ(verify_consistency(*d, old_root, new_root).is_ok(), must) << "encoded byte " << i;
    }
    bad[i] = enc[i];
  }
}

// A Store that counts get() calls, to check the O(log n) read bounds.
class CountingStore final : public Store {
 public:
  explicit CountingStore(const Store& inner) : inner_(inner) {}
  Result<std::optional<Bytes>> get(ByteView key) const override {
    ++gets_;
    return inner_.get(key);
  }
  Status write(const WriteBatch&, bool) override { return Status::invalid("read-only"); }
  Status scan(ByteView start, ByteView end,
              const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_.scan(start, end, fn);
  }
  Status first_in_ranges(std::span<const Range> ranges,
                         const std::function<void(size_t, ByteView, ByteView)>& fn) const override {
    return inner_.first_in_ranges(ranges, fn);
  }
  uint64_t take_gets() { return gets_.exchange(0); }

 private:
  const Store& inner_;
  mutable std::atomic<uint64_t> gets_{0};
};

bool is_pow2(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

unsigned ceil_log2(uint64_t n) {
  unsigned r = 0;
  while ((uint64_t{1} << r) < n) ++r;
  return r;
}

// --- Hashing and RFC vectors ----------------------------------------------

TEST(HistoryHash, MatchesRfcDefinitions) {
  EXPECT_EQ(to_hex(history_empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(history_leaf_hash(ByteView())),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  const Hash32 a = sha256(as_view("a")), b = sha256(as_view("b"));
  EXPECT_EQ(history_node_hash(a, b), ref_node_hash(a, b));
  EXPECT_NE(history_node_hash(a, b), history_node_hash(b, a));
  const Bytes data = history_leaf_data(a, b);
  ASSERT_EQ(data.size(), 64u);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), data.begin()));
  EXPECT_TRUE(std::equal(b.begin(), b.end(), data.begin() + 32));
  EXPECT_EQ(history_leaf_hash(data), ref_leaf_hash(data));
}

// Certificate Transparency's published test vectors (RFC 6962 / 9162 trees).
TEST(HistoryTree, MatchesCertificateTransparencyVectors) {
  const std::vector<std::string> inputs = {"",         "00",       "10",
                                           "2021",     "3031",     "40414243",
                                           "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
  const std::vector<std::string> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  MemStore store;
  HistoryTree tree(store);
  ASSERT_TRUE(tree.load().is_ok());
  EXPECT_EQ(tree.root(), history_empty_root());
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto data = from_hex(inputs[i]);
    ASSERT_TRUE(data.is_ok());
    const Hash32 leaf = history_leaf_hash(*data);
    EXPECT_EQ(to_hex(append(tree, store, std::span<const Hash32>(&leaf, 1))), roots[i]) << "size " << i + 1;
  }
  for (uint64_t n = 1; n <= 8; ++n) EXPECT_EQ(to_hex(*tree.root_at(n)), roots[n - 1]);

  auto p0 = tree.inclusion_proof(0, 8);
  ASSERT_TRUE(p0.is_ok());
  const std::vector<Hash32> want0 = {hash_of_hex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                                     hash_of_hex("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                                     hash_of_hex("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")};
  EXPECT_EQ(p0->path, want0);
  auto p5 = tree.inclusion_proof(5, 8);
  ASSERT_TRUE(p5.is_ok());
  const std::vector<Hash32> want5 = {hash_of_hex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                                     hash_of_hex("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                                     hash_of_hex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  EXPECT_EQ(p5->path, want5);
  // Old size 1 is a power of two, so its consistency path is leaf 0's
  // inclusion path.
  auto c18 = tree.consistency_proof(1, 8);
  ASSERT_TRUE(c18.is_ok());
  EXPECT_EQ(c18->path, want0);
}

// --- Roots against the reference -----------------------------------------

TEST(HistoryTree, RootsMatchReferenceForSizes0To64) {
  const std::vector<Hash32> leaves = make_leaves(64);
  SeededRng rng(64);
  for (uint64_t n = 0; n <= 64; ++n) {
    MemStore store;
    HistoryTree tree(store);
    ASSERT_TRUE(tree.load().is_ok());
    append_in_batches(tree, store, std::vector<Hash32>(leaves.begin(), leaves.begin() + static_cast<long>(n)), rng,
                      1 + n / 3);
    ASSERT_EQ(tree.size(), n);
    EXPECT_EQ(tree.root(), ref_mth(leaves, 0, n)) << "size " << n;
    for (uint64_t m = 0; m <= n; ++m) {
      auto r = tree.root_at(m);
      ASSERT_TRUE(r.is_ok());
      EXPECT_EQ(*r, ref_mth(leaves, 0, m)) << "root_at(" << m << ") in a tree of " << n;
    }
    for (uint64_t i = 0; i < n; ++i) EXPECT_EQ(*tree.leaf_hash(i), leaves[i]);
  }
}

TEST(HistoryTree, OneLeafAtATimeMatchesReference) {
  const std::vector<Hash32> leaves = make_leaves(300);
  MemStore store;
  HistoryTree tree(store);
  ASSERT_TRUE(tree.load().is_ok());
  for (uint64_t n = 1; n <= leaves.size(); ++n) {
    EXPECT_EQ(append(tree, store, std::span<const Hash32>(&leaves[n - 1], 1)), ref_mth(leaves, 0, n));
    EXPECT_EQ(tree.size(), n);
  }
  // A perfect subtree record per (level, index): n leaves give 2n - popcount(n)
  // node records, plus the size record.
  EXPECT_EQ(store.key_count(), 2 * 300 - 4 + 1u);
}

// --- Exhaustive proofs for sizes 1..64 -------------------------------------

TEST(HistoryTree, EveryInclusionProofUpTo64VerifiesAndResistsTampering) {
  const std::vector<Hash32> leaves = make_leaves(64);
  MemStore store;
  HistoryTree tree(store);
  ASSERT_TRUE(tree.load().is_ok());
  SeededRng rng(1);
  append_in_batches(tree, store, leaves, rng, 9);
  TamperStats stats;
  for (uint64_t n = 1; n <= 64; ++n) {
    const Hash32 root = ref_mth(leaves, 0, n);
    for (uint64_t i = 0; i < n; ++i) {
      auto p = tree.inclusion_proof(i, n);
      ASSERT_TRUE(p.is_ok()) << p.status().to_string();
      RefProof ref;
      ref_path(&leaves, i, 0, n, ref);
      ASSERT_EQ(p->path, ref.path) << "index " << i << " size " << n;
      check_inclusion(leaves[i], *p, root, /*exhaustive=*/true, rng, stats);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(stats.rejected, 700'000u);
  // Same-shape size changes exist (e.g. index 5 at sizes 7 and 8) and are a
  // small minority of the size tamperings.
  EXPECT_GT(stats.accepted_same_shape, 0u);
  EXPECT_LT(stats.accepted_same_shape, stats.rejected / 50);
}

TEST(HistoryTree, EveryConsistencyProofUpTo64VerifiesAndResistsTampering) {
  const std::vector<Hash32> leaves = make_leaves(64);
  MemStore store;
  HistoryTree tree(store);
  ASSERT_TRUE(tree.load().is_ok());
  SeededRng rng(2);
  append_in_batches(tree, store, leaves, rng, 5);
  TamperStats stats;
  for (uint64_t n = 1; n <= 64; ++n) {
    const Hash32 new_root = ref_mth(leaves, 0, n);
    for (uint64_t m = 1; m <= n; ++m) {
      auto p = tree.consistency_proof(m, n);
      ASSERT_TRUE(p.is_ok()) << p.status().to_string();
      RefProof ref;
      if (m < n) ref_subproof(&leaves, m, 0, n, true, ref);
      ASSERT_EQ(p->path, ref.path) << m << " -> " << n;
      check_consistency(*p, ref_mth(leaves, 0, m), new_root, /*exhaustive=*/true, rng, stats);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(stats.rejected, 700'000u);
  EXPECT_GT(stats.accepted_same_shape, 0u);
  EXPECT_LT(stats.accepted_same_shape, stats.rejected / 50);
}

// The RFC 9162 caveat from the header, as a concrete case.
TEST(HistoryTree, SizeIsBoundOnlyThroughPathShape) {
  const std::vector<Hash32> leaves = make_leaves(8);
  MemStore store;
  HistoryTree tree(store);
  ASSERT_TRUE(tree.load().is_ok());
  append(tree, store, leaves);
  InclusionProof p = *tree.inclusion_proof(5, 8);
  p.tree_size = 7;  // index 5 takes the same left/right steps in 7 leaves
  EXPECT_TRUE(verify_inclusion(leaves[5], p, tree.root()).is_ok());
  EXPECT_NE(*tree.root_at(7), tree.root());  // yet the claim "size 7 has this root" is false
  p.tree_size = 6;  // index 5 is then the lone last leaf: another shape
  EXPECT_FALSE(verify_inclusion(leaves[5], p, tree.root()).is_ok());
}

// --- Large tree, random proofs --------------------------------------------

class HistoryTreeLarge : public ::testing::Test {
 protected:
  static constexpr uint64_t kLeaves = 100'000;

  static void SetUpTestSuite() {
    leaves_ = new std::vector<Hash32>(make_leaves(kLeaves));
    store_ = new MemStore();
    tree_ = new HistoryTree(*store_);
    ASSERT_TRUE(tree_->load().is_ok());
    SeededRng rng(100'000);
    append_in_batches(*tree_, *store_, *leaves_, rng, 5'000);
  }
  static void TearDownTestSuite() {
    delete tree_;
    delete store_;
    delete leaves_;
    tree_ = nullptr;
    store_ = nullptr;
    leaves_ = nullptr;
  }

  static inline std::vector<Hash32>* leaves_ = nullptr;
  static inline MemStore* store_ = nullptr;
  static inline HistoryTree* tree_ = nullptr;
};

TEST_F(HistoryTreeLarge, RootsMatchReferenceAtRandomSizes) {
  ASSERT_EQ(tree_->size(), kLeaves);
  SeededRng rng(7);
  std::vector<uint64_t> sizes = {kLeaves, kLeaves - 1, 65'536, 65'537, 1'000, 1'023};
  for (int i = 0; i < 8; ++i) sizes.push_back(1 + rng.uniform(kLeaves));
  for (uint64_t n : sizes) {
    auto r = tree_->root_at(n);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r, ref_mth(*leaves_, 0, n)) << "size " << n;
  }
  EXPECT_EQ(tree_->root(), *tree_->root_at(kLeaves));
}

TEST_F(HistoryTreeLarge, RandomProofsVerifyAndResistTampering) {
  SeededRng rng(2'000);
  TamperStats stats;
  for (int i = 0; i < 2'000; ++i) {
    // Bias some samples to the committed size, whose right edge is served
    // from the in-memory frontier.
    const uint64_t n = rng.uniform(4) == 0 ? kLeaves : 1 + rng.uniform(kLeaves);
    const uint64_t index = rng.uniform(n);
    auto p = tree_->inclusion_proof(index, n);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    const Hash32 root = *tree_->root_at(n);
    EXPECT_EQ(inclusion_shape(index, n).size(), p->path.size());
    check_inclusion((*leaves_)[index], *p, root, /*exhaustive=*/false, rng, stats);

    const uint64_t m = 1 + rng.uniform(n);
    auto c = tree_->consistency_proof(m, n);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    if (m < n) {
      EXPECT_EQ(consistency_shape(m, n).size(), c->path.size() + (is_pow2(m) ? 1 : 0));
    }
    check_consistency(*c, *tree_->root_at(m), root, /*exhaustive=*/false, rng, stats);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(stats.rejected, 2'000u * 20);
}

TEST_F(HistoryTreeLarge, ProofsCostLogarithmicReads) {
  CountingStore counting(*store_);
  HistoryTree reader(counting);
  ASSERT_TRUE(reader.load().is_ok());
  EXPECT_EQ(counting.take_gets(), 1u + static_cast<uint64_t>(std::popcount(kLeaves)));
  EXPECT_EQ(reader.root(), tree_->root());
  SeededRng rng(3);
  const uint64_t depth = ceil_log2(kLeaves);
  for (int i = 0; i < 300; ++i) {
    const uint64_t n = 1 + rng.uniform(kLeaves);
    const uint64_t index = rng.uniform(n);
    ASSERT_TRUE(reader.root_at(n).is_ok());
    EXPECT_LE(counting.take_gets(), depth);
    ASSERT_TRUE(reader.inclusion_proof(index, n).is_ok());
    EXPECT_LE(counting.take_gets(), 2 * depth);
    ASSERT_TRUE(reader.consistency_proof(1 + rng.uniform(n), n).is_ok());
    EXPECT_LE(counting.take_gets(), 2 * depth + 1);
  }
  // The committed root and the frontier need no reads at all.
  EXPECT_EQ(*reader.root_at(kLeaves), tree_->root());
  EXPECT_EQ(counting.take_gets(), 0u);
}

// --- Staging and persistence -------------------------------------------------

TEST(HistoryTree, StagedAppendIsInvisibleUntilCommitted) {
  const std::vector<Hash32> leaves = make_leaves(40);
  MemStore store;
  HistoryTree tree(store);
  ASSERT_TRUE(tree.load().is_ok());
  append(tree, store, std::span<const Hash32>(leaves).first(10));
  const Hash32 root10 = tree.root();
  const size_t keys10 = store.key_count();

  // Staged and aborted: nothing visible, nothing written, staging again works.
  WriteBatch dropped;
  auto r = tree.stage_append(std::span<const Hash32>(leaves).subspan(10, 20), dropped);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, ref_mth(leaves, 0, 30));
  EXPECT_TRUE(tree.has_staged());
  EXPECT_EQ(tree.size(), 10u);
  EXPECT_EQ(tree.root(), root10);
  EXPECT_FALSE(tree.root_at(30).is_ok());
  EXPECT_FALSE(tree.inclusion_proof(15, 30).is_ok());
  tree.abort_staged();
  tree.abort_staged();  // harmless when nothing is staged
  EXPECT_FALSE(tree.has_staged());
  EXPECT_EQ(tree.size(), 10u);
  EXPECT_EQ(tree.root(), root10);
  EXPECT_EQ(store.key_count(), keys10);

  // Staged and written but not committed: the committed view is unchanged.
  WriteBatch batch;
  r = tree.stage_append(std::span<const Hash32>(leaves).subspan(10, 30), batch);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, ref_mth(leaves, 0, 40));
  ASSERT_TRUE(store.write(batch, true).is_ok());
  EXPECT_EQ(tree.size(), 10u);
  EXPECT_EQ(tree.root(), root10);
  EXPECT_FALSE(tree.leaf_hash(10).is_ok());
  EXPECT_FALSE(tree.consistency_proof(10, 40).is_ok());
  tree.commit_staged();
  EXPECT_EQ(tree.size(), 40u);
  EXPECT_EQ(tree.root(), *r);
  EXPECT_TRUE(verify_consistency(*tree.consistency_proof(10, 40), root10, *r).is_ok());

  // An empty append stages the same root and commits cleanly.
  WriteBatch empty;
  auto same = tree.stage_append({}, empty);
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(*same, *r);
  tree.commit_staged();
  EXPECT_EQ(tree.size(), 40u);
}

TEST(HistoryTree, PersistsAcrossReopenInLevelDb) {
  char tmpl[] = "/tmp/ipl-history-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::vector<Hash32> leaves = make_leaves(3'000);
  const std::vector<size_t> batches = {1, 7, 1'000, 33, 512, 447};  // 2,000 leaves
  Hash32 root2000{};
  std::vector<InclusionProof> proofs;
  {
    auto opened = open_leveldb(dir + "/db");
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    Store& store = **opened;
    HistoryTree tree(store);
    ASSERT_TRUE(tree.load().is_ok());
    EXPECT_EQ(tree.size(), 0u);
    size_t done = 0;
    for (size_t n : batches) {
      WriteBatch batch;
      auto r = tree.stage_append(std::span<const Hash32>(leaves).subspan(done, n), batch);
      ASSERT_TRUE(r.is_ok());
      ASSERT_TRUE(store.write(batch, true).is_ok());
      tree.commit_staged();
      done += n;
      EXPECT_EQ(*r, ref_mth(leaves, 0, done));
    }
    // A staged append that is never written nor committed must not survive.
    WriteBatch lost;
    ASSERT_TRUE(tree.stage_append(std::span<const Hash32>(leaves).subspan(done, 100), lost).is_ok());
    tree.abort_staged();
    ASSERT_EQ(tree.size(), 2'000u);
    root2000 = tree.root();
    for (uint64_t i : {0u, 1u, 999u, 1'234u, 1'999u}) proofs.push_back(*tree.inclusion_proof(i, 2'000));
  }
  {
    auto opened = open_leveldb(dir + "/db");
    ASSERT_TRUE(opened.is_ok());
    Store& store = **opened;
    HistoryTree tree(store);
    ASSERT_TRUE(tree.load().is_ok());
    EXPECT_EQ(tree.size(), 2'000u);
    EXPECT_EQ(tree.root(), root2000);
    EXPECT_EQ(tree.root(), ref_mth(leaves, 0, 2'000));
    for (const InclusionProof& p : proofs) {
      auto again = tree.inclusion_proof(p.index, p.tree_size);
      ASSERT_TRUE(again.is_ok());
      EXPECT_EQ(again->path, p.path);
      EXPECT_TRUE(verify_inclusion(leaves[p.index], *again, root2000).is_ok());
    }
    EXPECT_EQ(*tree.root_at(1'008), ref_mth(leaves, 0, 1'008));
    // Appending after reopen continues the same tree.
    append(tree, store, std::span<const Hash32>(leaves).subspan(2'000, 1'000));
    EXPECT_EQ(tree.root(), ref_mth(leaves, 0, 3'000));
    EXPECT_TRUE(verify_consistency(*tree.consistency_proof(2'000, 3'000), root2000, tree.root()).is_ok());
  }
  std::filesystem::remove_all(dir);
}

// --- Bad input, corruption and hostile proofs ------------------------------

TEST(HistoryTree, RejectsBadArguments) {
  const std::vector<Hash32> leaves = make_leaves(10);
  MemStore store;
  HistoryTree tree(store);
  ASSERT_TRUE(tree.load().is_ok());
  EXPECT_FALSE(tree.leaf_hash(0).is_ok());
  EXPECT_FALSE(tree.inclusion_proof(0, 0).is_ok());
  EXPECT_FALSE(tree.consistency_proof(0, 0).is_ok());
  EXPECT_EQ(*tree.root_at(0), history_empty_root());
  append(tree, store, leaves);
  const uint64_t big = ~uint64_t{0};
  for (uint64_t s : {uint64_t{11}, uint64_t{1} << 63, big}) {
    EXPECT_EQ(tree.root_at(s).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(tree.inclusion_proof(0, s).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(tree.consistency_proof(1, s).status().code(), Code::kInvalidArgument);
  }
  EXPECT_EQ(tree.leaf_hash(10).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.leaf_hash(big).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.inclusion_proof(10, 10).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.inclusion_proof(5, 5).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.inclusion_proof(big, 10).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.inclusion_proof(0, 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.consistency_proof(0, 5).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.consistency_proof(6, 5).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(tree.consistency_proof(big, 5).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(tree.inclusion_proof(0, 11).status().message().empty());
}

TEST(HistoryTree, VerifiersRejectMalformedProofs) {
  const std::vector<Hash32> leaves = make_leaves(16);
  MemStore store;
  HistoryTree tree(store);
  ASSERT_TRUE(tree.load().is_ok());
  append(tree, store, leaves);
  const Hash32 root = tree.root();
  const uint64_t big = ~uint64_t{0};

  InclusionProof p = *tree.inclusion_proof(3, 16);
  InclusionProof q = p;
  q.tree_size = 0;
  EXPECT_FALSE(verify_inclusion(leaves[3], q, root).is_ok());
  q = p;
  q.index = 16;
  EXPECT_FALSE(verify_inclusion(leaves[3], q, root).is_ok());
  q = p;
  q.path.assign(limits::history_proof_hashes_max + 1, root);
  EXPECT_FALSE(verify_inclusion(leaves[3], q, root).is_ok());
  q = p;
  q.index = big - 1;
  q.tree_size = big;  // the deepest possible tree: still bounded work
  q.path.assign(64, root);
  EXPECT_FALSE(verify_inclusion(leaves[3], q, root).is_ok());
  q.path.clear();
  EXPECT_FALSE(verify_inclusion(leaves[3], q, root).is_ok());

  ConsistencyProof c = *tree.consistency_proof(5, 16);
  ConsistencyProof d = c;
  d.old_size = 0;
  EXPECT_FALSE(verify_consistency(d, *tree.root_at(5), root).is_ok());
  d = c;
  d.old_size = 17;
  EXPECT_FALSE(verify_consistency(d, *tree.root_at(5), root).is_ok());
  d = c;
  d.path.clear();
  EXPECT_FALSE(verify_consistency(d, *tree.root_at(5), root).is_ok());
  d = c;
  d.path.assign(limits::history_proof_hashes_max + 1, root);
  EXPECT_FALSE(verify_consistency(d, *tree.root_at(5), root).is_ok());
  d.old_size = d.new_size = 16;  // equal sizes need an empty path
  d.path.assign(1, root);
  EXPECT_FALSE(verify_consistency(d, root, root).is_ok());
  d.path.clear();
  EXPECT_TRUE(verify_consistency(d, root, root).is_ok());
  EXPECT_FALSE(verify_consistency(d, root, *tree.root_at(5)).is_ok());
  d.old_size = big - 1;
  d.new_size = big;
  d.path.assign(64, root);
  EXPECT_FALSE(verify_consistency(d, root, root).is_ok());

  // Seeded garbage: never a crash, never an accept.
  SeededRng rng(99);
  for (int i = 0; i < 5'000; ++i) {
    InclusionProof g;
    g.index = rng.uniform(4) == 0 ? rng.next_u64() : rng.uniform(64);
    g.tree_size = rng.uniform(4) == 0 ? rng.next_u64() : rng.uniform(64);
    g.path.assign(rng.uniform(limits::history_proof_hashes_max + 1), leaves[rng.uniform(16)]);
    EXPECT_FALSE(verify_inclusion(leaves[0], g, root).is_ok());
    ConsistencyProof h;
    h.old_size = g.index;
    h.new_size = g.tree_size;
    h.path = g.path;
    EXPECT_FALSE(verify_consistency(h, leaves[1], root).is_ok());
  }
}

TEST(HistoryTree, DecodeRejectsMalformedEncodings) {
  InclusionProof p;
  p.index = 1;
  p.tree_size = 2;
  p.path.assign(1, sha256(as_view("x")));
  const Bytes enc = p.encode();
  ASSERT_EQ(enc.size(), 8 + 8 + 4 + 32u);
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(InclusionProof::decode(ByteView(enc.data(), n)).is_ok()) << "truncated to " << n;
    EXPECT_FALSE(ConsistencyProof::decode(ByteView(enc.data(), n)).is_ok());
  }
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_FALSE(InclusionProof::decode(trailing).is_ok());
  // A count above the limit is rejected before any allocation.
  Encoder e;
  e.u64(0).u64(1 << 20).u32(static_cast<uint32_t>(limits::history_proof_hashes_max + 1));
  for (size_t i = 0; i <= limits::history_proof_hashes_max; ++i) e.hash(Hash32{});
  EXPECT_FALSE(InclusionProof::decode(e.out()).is_ok());
  EXPECT_FALSE(ConsistencyProof::decode(e.out()).is_ok());
  Encoder huge;
  huge.u64(0).u64(1).u32(0xffffffffu);
  EXPECT_FALSE(InclusionProof::decode(huge.out()).is_ok());
  EXPECT_FALSE(ConsistencyProof::decode(ByteView()).is_ok());
}

TEST(HistoryTree, MissingOrMalformedRecordsAreCorruption) {
  const std::vector<Hash32> leaves = make_leaves(13);  // levels 3, 2 and 0
  MemStore store;
  {
    HistoryTree tree(store);
    ASSERT_TRUE(tree.load().is_ok());
    append(tree, store, leaves);
  }
  auto node_key = [](uint8_t level, uint64_t index) {
    Bytes k = {prefix::kHistoryNode, level};
    const Bytes i = Encoder().u64(index).take();
    k.insert(k.end(), i.begin(), i.end());
    return k;
  };
  Bytes size_key = {prefix::kMeta};
  for (char ch : std::string("history_size")) size_key.push_back(static_cast<uint8_t>(ch));
  EXPECT_EQ(**store.get(size_key), Encoder().u64(13).take());
  const Hash32 h8_12 = ref_mth(leaves, 8, 12);
  EXPECT_EQ(**store.get(node_key(2, 2)), Bytes(h8_12.begin(), h8_12.end()));

  // Drop an interior record: proofs through it report corruption.
  WriteBatch drop;
  drop.del(node_key(1, 1));
  ASSERT_TRUE(store.write(drop, false).is_ok());
  {
    HistoryTree tree(store);
    ASSERT_TRUE(tree.load().is_ok());  // the frontier does not need it
    EXPECT_EQ(tree.inclusion_proof(0, 13).status().code(), Code::kCorruption);
    EXPECT_EQ(tree.inclusion_proof(1, 4).status().code(), Code::kCorruption);
    EXPECT_EQ(tree.consistency_proof(2, 13).status().code(), Code::kCorruption);
    EXPECT_TRUE(tree.root_at(6).is_ok());  // [0, 6) = (2, 0) + (1, 2)
    EXPECT_TRUE(tree.inclusion_proof(9, 13).is_ok());
  }
  // A frontier record missing or of the wrong length fails load().
  WriteBatch bad;
  bad.put(node_key(2, 2), Bytes(31, 0));
  ASSERT_TRUE(store.write(bad, false).is_ok());
  {
    HistoryTree tree(store);
    const Status st = tree.load();
    EXPECT_EQ(st.code(), Code::kCorruption);
    EXPECT_EQ(tree.size(), 0u);  // a failed load changes nothing
  }
  WriteBatch gone;
  gone.del(node_key(2, 2));
  ASSERT_TRUE(store.write(gone, false).is_ok());
  {
    HistoryTree tree(store);
    EXPECT_EQ(tree.load().code(), Code::kCorruption);
  }
  WriteBatch short_size;
  short_size.put(size_key, Bytes(7, 0));
  ASSERT_TRUE(store.write(short_size, false).is_ok());
  {
    HistoryTree tree(store);
    EXPECT_EQ(tree.load().code(), Code::kCorruption);
  }
  WriteBatch over;
  over.put(size_key, Encoder().u64((uint64_t{1} << 63) + 1).take());
  ASSERT_TRUE(store.write(over, false).is_ok());
  {
    HistoryTree tree(store);
    EXPECT_EQ(tree.load().code(), Code::kCorruption);
  }
}

TEST(HistoryTree, RefusesToGrowPast2To63Leaves) {
  // A store claiming 2^63 leaves needs one frontier record (level 63).
  MemStore store;
  WriteBatch b;
  Bytes size_key = {prefix::kMeta};
  for (char ch : std::string("history_size")) size_key.push_back(static_cast<uint8_t>(ch));
  b.put(size_key, Encoder().u64(uint64_t{1} << 63).take());
  Bytes top = {prefix::kHistoryNode, 63, 0, 0, 0, 0, 0, 0, 0, 0};
  const Hash32 h = sha256(as_view("top"));
  b.put(top, Bytes(h.begin(), h.end()));
  ASSERT_TRUE(store.write(b, false).is_ok());
  HistoryTree tree(store);
  ASSERT_TRUE(tree.load().is_ok());
  EXPECT_EQ(tree.root(), h);
  WriteBatch batch;
  const Hash32 leaf = leaf_for(0);
  EXPECT_EQ(tree.stage_append(std::span<const Hash32>(&leaf, 1), batch).status().code(), Code::kLimitExceeded);
  EXPECT_TRUE(batch.empty());
  EXPECT_FALSE(tree.has_staged());
}

}  // namespace
}  // namespace ipl::ledger
