// Executor throughput (issue 3 "Must show": >= 50,000 governance/membership
// transactions/s on one core). A block of pre-signed transactions — param
// change proposals, five votes each (the fifth passes it and writes the
// new parameter version), and API key additions — executed over the
// genesis state. Signatures are verified once upstream (mempool, proposal
// check), so the timed loop runs with verify_signatures = false;
// BM_ExecuteVerified shows the cost with the re-check on.
#include <benchmark/benchmark.h>

#include "contracts/executor.h"
#include "contracts/json.h"
#include "genesis/genesis.h"

namespace {

using namespace ipl;
using nlohmann::json;

KeyPair key(const std::string& who) { return KeyPair::for_test("bench/" + who); }

struct Setup {
  genesis::Genesis g;
  contracts::MemState state;
  std::vector<Transaction> txs;
};

Setup make_setup(size_t proposals) {
  Setup s;
  s.g.chain_id = "ipl-bench";
  s.g.genesis_time_ms = 1'704'070'800'000;
  const char* names[] = {"ipa", "fin", "cr", "sme", "lfr", "nfra", "pboc", "bank"};
  const contracts::Role roles[] = {contracts::Role::kIpa, contracts::Role::kFin, contracts::Role::kIpa,
                                   contracts::Role::kSme, contracts::Role::kRegulator, contracts::Role::kRegulator,
                                   contracts::Role::kRegulator, contracts::Role::kBank};
  for (size_t i = 0; i < 8; ++i) {
    genesis::GenesisMember m;
    m.id = i + 1;
    m.name = names[i];
    m.role = roles[i];
    m.governance = i < 7;
    m.api_keys = {key(names[i]).public_key};
    if (i < 4) {
      m.consensus_key = key(std::string(names[i]) + ".node").public_key;
      m.node_status = contracts::NodeStatus::kValidator;
      s.g.validators.push_back(m.id);
    }
    s.g.members.push_back(m);
  }
  s.g.parameters = genesis::shanxi_default_parameters(CivilDate{20240101});
  s.state.apply(genesis::initial_state(s.g));
  std::map<std::string, uint64_t> nonce;
  auto add = [&](const std::string& who, const std::string& type, const json& payload) {
    TxBody b;
    b.chain_id = s.g.chain_id;
    b.sender_key = key(who).public_key;
    b.nonce = ++nonce[who];
    b.valid_until_height = 100;
    b.type = type;
    b.value_date = CivilDate{20240102};
    b.payload = contracts::payload_from_json(type, payload).value();
    s.txs.push_back(Transaction::sign(b, key(who).secret_key));
  };
  const uint64_t deadline = 1'704'160'800'000 + 86'400'000;
  for (size_t p = 1; p <= proposals; ++p) {
    add(names[p % 7], "gov.propose",
        {{"kind", "param_change"}, {"deadline_ms", deadline},
         {"action", {{"name", "bench.p" + std::to_string(p % 50)}, {"type", "count"}, {"value", p},
                     {"effective_from", "2024-03-01"}}}});
    for (size_t v = 0; v < 5; ++v) add(names[v], "gov.vote", {{"proposal_id", p}, {"approve", true}});
    add("bank", "key.add", {{"key", key("spare" + std::to_string(p)).public_key.hex()}});
  }
  return s;
}

void run(benchmark::State& st, bool verify) {
  const Setup s = make_setup(static_cast<size_t>(st.range(0)));
  const contracts::Registry registry = contracts::Registry::standard();
  const contracts::BlockContext ctx{s.g.chain_id, 2, 1'704'160'800'000};
  contracts::ExecOptions opts;
  opts.verify_signatures = verify;
  size_t ok = 0;
  for (auto _ : st) {
    auto r = contracts::execute_block(registry, s.state, ctx, s.txs, opts);
    ok = 0;
    for (const Receipt& rc : r->receipts) ok += rc.success;
    benchmark::DoNotOptimize(r);
  }
  if (ok != s.txs.size()) st.SkipWithError("not every transaction succeeded");
  st.counters["tx_per_s"] = benchmark::Counter(static_cast<double>(s.txs.size() * st.iterations()), benchmark::Counter::kIsRate);
}

void BM_Execute(benchmark::State& st) { run(st, false); }
void BM_ExecuteVerified(benchmark::State& st) { run(st, true); }

BENCHMARK(BM_Execute)->Arg(1428)->Unit(benchmark::kMillisecond);  // 9,996 txs per block
BENCHMARK(BM_ExecuteVerified)->Arg(1428)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
