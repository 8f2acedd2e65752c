// Benchmarks of the state tree (ledger/state_tree.h): one block of 1,000
// random keys (new and updated) staged, written and committed into a tree
// that already holds keys, in a MemStore and in LevelDB; the long scenario
// that fills a LevelDB tree in blocks of 1,000; proof generation and
// verification. Batches are written with sync=false so the figures measure
// the tree and LevelDB, not the disk's fsync. Figures: docs/benchmarks.md.
//   build/default/tests/bench_state                      (~100k-key long run)
//   IPL_BENCH_FULL=1 build/default/tests/bench_state     (1,000,000 keys)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "ledger/state_tree.h"

namespace {

using ipl::Bytes;
using ipl::ledger::StateTree;
using ipl::ledger::StateWrite;

constexpr size_t kBlockKeys = 1'000;
constexpr uint64_t kRetainedHeights = 100;

Bytes key_of(uint64_t i) { return ipl::to_bytes("record/" + std::to_string(i)); }

Bytes value_of(ipl::Rng& rng) {
  Bytes v(120);  // about one StateEnvelope with a short body
  for (uint8_t& b : v) b = static_cast<uint8_t>(rng.next_u64());
  return v;
}

std::string make_temp_dir() {
  char tmpl[] = "/tmp/ipl-state-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) std::abort();
  return tmpl;
}

// A tree with its store (and LevelDB directory when on disk).
struct Fixture {
  std::string dir;
  std::unique_ptr<ipl::ledger::Store> store;
  std::unique_ptr<StateTree> tree;
  uint64_t next_key = 0;

  explicit Fixture(bool on_disk) {
    if (on_disk) {
      dir = make_temp_dir();
      auto s = ipl::ledger::open_leveldb(dir + "/db");
      if (!s.is_ok()) std::abort();
      store = std::move(s).value();
    } else {
      store = std::make_unique<ipl::ledger::MemStore>();
    }
    tree = std::make_unique<StateTree>(*store, kRetainedHeights);
    if (!tree->load().is_ok()) std::abort();
  }
  ~Fixture() {
    tree.reset();
    store.reset();
    if (!dir.empty()) std::system(("rm -rf " + dir).c_str());
  }

  // One block: `fresh` new keys, the rest updates of random existing keys.
  std::vector<StateWrite> block(ipl::Rng& rng, size_t fresh) {
    std::vector<StateWrite> w;
    w.reserve(kBlockKeys);
    for (size_t i = 0; i < kBlockKeys; ++i) {
      const uint64_t k = (i < fresh || next_key == 0) ? next_key++ : rng.uniform(next_key);
      w.push_back(StateWrite{key_of(k), value_of(rng)});
    }
    return w;
  }

  void apply(const std::vector<StateWrite>& w) {
    ipl::ledger::WriteBatch batch;
    auto root = tree->stage_block(tree->latest_height() + 1, w, batch);
    if (!root.is_ok()) std::abort();
    if (!store->write(batch, false).is_ok()) std::abort();
    tree->commit_staged();
  }

  void fill(ipl::Rng& rng, uint64_t keys) {
    while (next_key < keys) apply(block(rng, kBlockKeys));
  }
};

// Arg: keys already in the tree. Each iteration is one block of 1,000
// keys, half new and half updates.
void batch_update(benchmark::State& state, bool on_disk) {
  ipl::SeededRng rng(1);
  Fixture f(on_disk);
  f.fill(rng, static_cast<uint64_t>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    const auto w = f.block(rng, kBlockKeys / 2);
    state.ResumeTiming();
    f.apply(w);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBlockKeys));
  state.counters["tree_keys_end"] = static_cast<double>(f.next_key);
}
void BM_StateBatch1000_MemStore(benchmark::State& state) { batch_update(state, false); }
void BM_StateBatch1000_LevelDb(benchmark::State& state) { batch_update(state, true); }
BENCHMARK(BM_StateBatch1000_MemStore)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(50);
BENCHMARK(BM_StateBatch1000_LevelDb)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(50);

// The long scenario: N keys (1,000,000 with IPL_BENCH_FULL=1, else
// 100,000) inserted in blocks of 1,000 new keys into LevelDB, then 20
// blocks of 1,000 random updates into the full tree.
void BM_StateLong_LevelDb(benchmark::State& state) {
  const char* full = std::getenv("IPL_BENCH_FULL");
  const uint64_t total = (full != nullptr && std::string(full) == "1") ? 1'000'000 : 100'000;
  for (auto _ : state) {
    ipl::SeededRng rng(2);
    Fixture f(true);
    std::vector<double> ms;
    const auto t0 = std::chrono::steady_clock::now();
    while (f.next_key < total) {
      const auto w = f.block(rng, kBlockKeys);
      const auto b0 = std::chrono::steady_clock::now();
      f.apply(w);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - b0).count());
    }
    const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::vector<double> upd;
    for (int i = 0; i < 20; ++i) {
      const auto w = f.block(rng, 0);
      const auto b0 = std::chrono::steady_clock::now();
      f.apply(w);
      upd.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - b0).count());
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    double sum = 0;
    for (double x : ms) sum += x;
    double last_sum = 0;
    const size_t last_n = std::min<size_t>(10, ms.size());
    for (size_t i = ms.size() - last_n; i < ms.size(); ++i) last_sum += ms[i];
    std::sort(upd.begin(), upd.end());
    double upd_sum = 0;
    for (double x : upd) upd_sum += x;
    state.counters["keys"] = static_cast<double>(total);
    state.counters["total_s"] = total_s;
    state.counters["keys_per_s"] = static_cast<double>(total) / total_s;
    state.counters["batch_ms_mean"] = sum / static_cast<double>(ms.size());
    state.counters["batch_ms_p50"] = sorted[sorted.size() / 2];
    state.counters["batch_ms_p99"] = sorted[sorted.size() * 99 / 100];
    state.counters["batch_ms_max"] = sorted.back();
    state.counters["last10_insert_ms_mean"] = last_sum / static_cast<double>(last_n);
    state.counters["full_tree_update_ms_mean"] = upd_sum / static_cast<double>(upd.size());
    state.counters["full_tree_update_ms_p50"] = upd[upd.size() / 2];
  }
}
BENCHMARK(BM_StateLong_LevelDb)->Iterations(1)->Unit(benchmark::kSecond);

// Proofs against a 100,000-key LevelDB tree: half members, half absent.
struct ProofFixture {
  Fixture f{true};
  ProofFixture() {
    ipl::SeededRng rng(3);
    f.fill(rng, 100'000);
  }
};
ProofFixture& proof_fixture() {
  static ProofFixture p;  // shared by the two benchmarks; its directory is removed at exit
  return p;
}

void BM_StateProve(benchmark::State& state) {
  ProofFixture& p = proof_fixture();
  uint64_t i = 0;
  for (auto _ : state) {
    auto r = p.f.tree->prove(key_of(i % 200'000), p.f.tree->latest_height());
    if (!r.is_ok()) state.SkipWithError("prove failed");
    benchmark::DoNotOptimize(r);
    i += 7919;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StateProve);

void BM_StateVerify(benchmark::State& state) {
  ProofFixture& p = proof_fixture();
  const ipl::Hash32 root = p.f.tree->root();
  std::vector<std::pair<Bytes, std::pair<std::optional<Bytes>, ipl::ledger::StateProof>>> proofs;
  for (uint64_t i = 0; i < 256; ++i) {
    auto r = p.f.tree->prove(key_of(i * 7919 % 200'000), p.f.tree->latest_height());
    if (!r.is_ok()) std::abort();
    proofs.emplace_back(key_of(i * 7919 % 200'000), std::move(r).value());
  }
  size_t i = 0;
  for (auto _ : state) {
    const auto& [key, vp] = proofs[i++ % proofs.size()];
    const ipl::Status s = ipl::ledger::verify_state_proof(root, key, vp.first, vp.second);
    if (!s.is_ok()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_StateVerify);

}  // namespace

BENCHMARK_MAIN();
