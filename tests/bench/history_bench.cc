// Benchmarks of the history tree (ledger/history_tree.h): appends in
// 1,000-leaf batches (the target is >= 1,000,000 leaves/s), and proof
// generation and verification on a 1,000,000-leaf tree in a MemStore.
// items/s is leaves/s for appends and proofs/s otherwise.
//   build/default/tests/bench_history
// The 1M-leaf tree is built once, on first use (about 2-3 s, ~400 MB).
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/hash.h"
#include "ledger/history_tree.h"

namespace {

using ipl::Hash32;
using ipl::SeededRng;
using ipl::ledger::ConsistencyProof;
using ipl::ledger::HistoryTree;
using ipl::ledger::InclusionProof;
using ipl::ledger::MemStore;
using ipl::ledger::WriteBatch;

constexpr size_t kBatchLeaves = 1'000;
constexpr uint64_t kBigTreeLeaves = 1'000'000;

Hash32 leaf_for(uint64_t i) {
  const ipl::Bytes n = ipl::Encoder().u64(i).take();
  return ipl::ledger::history_leaf_hash(ipl::ledger::history_leaf_data(ipl::sha256(n), ipl::sha256(n)));
}

std::vector<Hash32> make_leaves(uint64_t first, uint64_t n) {
  std::vector<Hash32> out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) out.push_back(leaf_for(first + i));
  return out;
}

// stage_append alone: hashing and filling the batch; the batch is dropped
// and the append committed without writing it (appends never read the
// store, so the tree stays consistent for this purpose).
void BM_StageAppend_BatchOnly(benchmark::State& state) {
  MemStore store;
  HistoryTree tree(store);
  if (!tree.load().is_ok()) state.SkipWithError("load");
  const std::vector<Hash32> leaves = make_leaves(0, kBatchLeaves);
  for (auto _ : state) {
    WriteBatch batch;
    auto root = tree.stage_append(leaves, batch);
    benchmark::DoNotOptimize(root);
    tree.commit_staged();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchLeaves));
  state.counters["tree_leaves"] = static_cast<double>(tree.size());
}
BENCHMARK(BM_StageAppend_BatchOnly);

// stage_append + MemStore::write + commit_staged: the whole append. The
// store is replaced (timer paused) every 100 batches to bound memory.
void BM_StageAppend_MemStore(benchmark::State& state) {
  const std::vector<Hash32> leaves = make_leaves(0, kBatchLeaves);
  auto store = std::make_unique<MemStore>();
  auto tree = std::make_unique<HistoryTree>(*store);
  if (!tree->load().is_ok()) state.SkipWithError("load");
  uint64_t batches = 0;
  for (auto _ : state) {
    if (++batches % 100 == 0) {
      state.PauseTiming();
      tree.reset();
      store = std::make_unique<MemStore>();
      tree = std::make_unique<HistoryTree>(*store);
      if (!tree->load().is_ok()) state.SkipWithError("load");
      state.ResumeTiming();
    }
    WriteBatch batch;
    auto root = tree->stage_append(leaves, batch);
    benchmark::DoNotOptimize(root);
    if (!store->write(batch, false).is_ok()) state.SkipWithError("write");
    tree->commit_staged();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatchLeaves));
}
BENCHMARK(BM_StageAppend_MemStore);

// The shared 1M-leaf tree.
struct BigTree {
  MemStore store;
  HistoryTree tree{store};
  BigTree() {
    IPL_ASSERT(tree.load().is_ok());
    for (uint64_t done = 0; done < kBigTreeLeaves; done += 10'000) {
      WriteBatch batch;
      IPL_ASSERT(tree.stage_append(make_leaves(done, 10'000), batch).is_ok());
      IPL_ASSERT(store.write(batch, false).is_ok());
      tree.commit_staged();
    }
    IPL_ASSERT(tree.size() == kBigTreeLeaves);
  }
};

BigTree& big_tree() {
  static BigTree* tree = new BigTree();  // never destroyed: process exit frees it
  return *tree;
}

// Arg 0: proofs at the committed size (the right edge comes from memory);
// arg 1: at a random past size.
void BM_InclusionProof_1M(benchmark::State& state) {
  const HistoryTree& tree = big_tree().tree;
  const bool is_past = state.range(0) == 1;
  SeededRng rng(1);
  for (auto _ : state) {
    const uint64_t n = is_past ? 1 + rng.uniform(kBigTreeLeaves) : kBigTreeLeaves;
    auto p = tree.inclusion_proof(rng.uniform(n), n);
    if (!p.is_ok()) state.SkipWithError("inclusion_proof");
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_InclusionProof_1M)->Arg(0)->Arg(1);

void BM_VerifyInclusion_1M(benchmark::State& state) {
  const HistoryTree& tree = big_tree().tree;
  SeededRng rng(2);
  std::vector<InclusionProof> proofs;
  for (int i = 0; i < 1'024; ++i) proofs.push_back(*tree.inclusion_proof(rng.uniform(kBigTreeLeaves), kBigTreeLeaves));
  std::vector<Hash32> leaves;
  for (const InclusionProof& p : proofs) leaves.push_back(leaf_for(p.index));
  const Hash32 root = tree.root();
  size_t i = 0;
  for (auto _ : state) {
    if (!ipl::ledger::verify_inclusion(leaves[i], proofs[i], root).is_ok()) state.SkipWithError("verify");
    i = (i + 1) % proofs.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_VerifyInclusion_1M);

void BM_ConsistencyProof_1M(benchmark::State& state) {
  const HistoryTree& tree = big_tree().tree;
  SeededRng rng(3);
  for (auto _ : state) {
    auto p = tree.consistency_proof(1 + rng.uniform(kBigTreeLeaves), kBigTreeLeaves);
    if (!p.is_ok()) state.SkipWithError("consistency_proof");
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ConsistencyProof_1M);

void BM_VerifyConsistency_1M(benchmark::State& state) {
  const HistoryTree& tree = big_tree().tree;
  SeededRng rng(4);
  std::vector<ConsistencyProof> proofs;
  std::vector<Hash32> old_roots;
  for (int i = 0; i < 1'024; ++i) {
    const uint64_t m = 1 + rng.uniform(kBigTreeLeaves);
    proofs.push_back(*tree.consistency_proof(m, kBigTreeLeaves));
    old_roots.push_back(*tree.root_at(m));
  }
  const Hash32 root = tree.root();
  size_t i = 0;
  for (auto _ : state) {
    if (!ipl::ledger::verify_consistency(proofs[i], old_roots[i], root).is_ok()) state.SkipWithError("verify");
    i = (i + 1) % proofs.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_VerifyConsistency_1M);

}  // namespace

BENCHMARK_MAIN();
