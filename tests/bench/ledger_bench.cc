// Block commit throughput: a block of 1,000 signed transactions with their
// receipts, one state write each (envelopes, version index, state tree),
// history append, block/tx/receipt indexes — one synced LevelDB batch.
// Transactions are generated and signed before the timed loop.
//   build/default/tests/bench_ledger
// Arg: number of distinct records the writes fall on (state size grows to
// about that many keys over the run).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "ledger/ledger.h"
#include "node/devchain.h"

namespace {

using namespace ipl;

void BM_BlockCommit1000Synced(benchmark::State& state) {
  const std::string dir = "/tmp/ipl-bench-ledger-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  auto store = ledger::open_leveldb(dir);
  auto led = ledger::Ledger::open(**store, {"ipl-bench", 100, true});
  devchain::ChainGenOptions o;
  o.chain_id = "ipl-bench";
  o.txs_per_block = 1000;
  o.records = static_cast<size_t>(state.range(0));
  const devchain::ChainGen gen(o);
  // Pre-generate blocks; the parent id does not affect commit cost, so the
  // blocks are chained on the ids the ledger reports.
  constexpr uint64_t kWarmBlocks = 20;
  std::vector<ledger::BlockCommit> blocks;
  Hash32 parent{};
  for (uint64_t h = 1; h <= kWarmBlocks; ++h) {
    auto c = gen.block(h, parent);
    auto li = (*led)->commit_block(c);
    if (!li.is_ok()) state.SkipWithError(li.status().to_string().c_str());
    parent = li->block_id;
  }
  uint64_t committed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const uint64_t h = (*led)->height() + 1;
    ledger::BlockCommit c = gen.block(h, parent);
    state.ResumeTiming();
    auto li = (*led)->commit_block(c);
    if (!li.is_ok()) {
      state.SkipWithError(li.status().to_string().c_str());
      break;
    }
    parent = li->block_id;
    committed += c.block.txs.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(committed));
  state.counters["state_keys_approx"] = static_cast<double>(state.range(0));
  led->reset();
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_BlockCommit1000Synced)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
