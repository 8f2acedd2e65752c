// The deterministic cluster simulator (TigerBeetle's VOPR and the Twins
// method are the models): N real consensus Replicas in one thread, one
// SeededRng, a simulated clock and network. The network drops, delays,
// duplicates and reorders messages and partitions that heal; nodes crash
// (losing everything not persisted, sometimes in the middle of an effect
// batch) and restart; clocks are skewed; up to f validators per epoch are
// Byzantine (equivocating twins, double votes, invalid signatures, forged
// certificates for unknown blocks, absurd rounds, floods, silence). A fake
// executor (state root = hash chain of block ids; marker transactions
// schedule validator-set changes) closes the loop through on_executed.
//
// Checked on every step (docs/protocol.md §12.6 numbers):
//   agreement (C2): one committed block per (epoch, round) and per height,
//     one certified LedgerInfo per height, across all honest nodes;
//   chain integrity (C9, C10): each node's committed blocks link by parent
//     id with consecutive heights and increasing timestamps;
//   no honest double vote (C3): over all traffic;
//   timestamp rule (C15): every honest vote's block is at most
//     now + clock_drift_max_ms at the voter;
//   liveness: after GST, commits resume within 2 × round_timeout_max_ms +
//     5 s and every honest node commits the required number of blocks;
//   determinism: the trace hash covers every delivery and commit.
// Debugging: IPL_SIM_TRACE=1 in the environment prints every delivery,
// timer, fetch, commit, execution, certificate, epoch change, crash and
// restart to stderr (off in every registered test).
// Thread-safety: none; one Sim per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/hash.h"
#include "consensus/replica.h"

namespace ipl::sim {

enum class Byz : uint8_t { kNone, kTwin, kDoubleVote, kBadSig, kBadCert, kAbsurdRound, kFlood, kSilent };
const char* byz_name(Byz b);

struct Options {
  uint64_t seed = 1;
  size_t n = 4;              // validators of epoch 1
  size_t observers = 0;      // extra non-voting nodes
  bool real_crypto = false;  // Ed25519 instead of the fake signer
  // Network before GST.
  double drop = 0;
  double duplicate = 0;
  uint64_t delay_min_ms = 1;
  uint64_t delay_max_ms = 1;
  bool partitions = false;
  bool crashes = false;
  double crash_mid_batch = 0;  // chance a crash cuts an effect batch
  uint64_t gst_ms = 0;         // faults stop here
  uint64_t delay_after_gst_max_ms = 1;
  // Byzantine validators (by index 0..), never more than f unless allowed.
  std::vector<std::pair<uint32_t, Byz>> byzantine;
  bool allow_excess_byzantine = false;  // planted bug: admits f+1 twins
  // Clock skew of each node in ms (index = node); beyond the drift bound
  // the node counts as faulty.
  std::vector<int64_t> skew_ms;
  // Reconfiguration 4 -> 5 -> 4 (needs n = 4 and one observer).
  bool reconfig = false;
  consensus::PlantedBugs bugs;
  std::vector<uint32_t> leaders_for_test;
  // Scripted links: deliver? and delay override (0 = default).
  std::function<bool(size_t from, size_t to, uint64_t t)> link_ok;
  std::function<uint64_t(size_t from, size_t to, uint64_t t)> link_delay;
  std::vector<std::pair<uint64_t, size_t>> scripted_crashes;    // (time, node)
  std::vector<std::pair<uint64_t, size_t>> scripted_restarts;   // (time, node)
  // Run control.
  bool check_liveness = true;
  uint64_t commits_after_gst = 100;
  uint64_t run_ms = 0;  // when !check_liveness: run this long
  uint64_t timeout_base_ms = limits::round_timeout_base_ms;
  bool record_latency = false;
};

struct Stats {
  uint64_t delivered = 0;
  uint64_t consensus_messages = 0;  // per recipient: proposal/vote/timeout/sync/fetch
  uint64_t ledger_info_messages = 0;
  uint64_t committed_blocks = 0;    // distinct heights committed (max node)
  uint64_t evidence = 0;
  uint64_t epochs_reached = 1;
  uint64_t sim_ms = 0;
  uint64_t first_commit_after_gst_ms = 0;
  // Fault-free latency: per (node, committed block) the delay from the
  // block's proposal to its commit at that node, and the committed rounds.
  std::vector<uint64_t> commit_latency_ms;
  std::vector<uint64_t> commit_latency_rounds;  // committer's round − block round
  std::vector<bool> commit_at_next_next_leader;
  std::vector<uint64_t> committed_rounds;  // at node 0, in order
};

struct Outcome {
  std::vector<std::string> violations;
  Hash32 trace{};
  Stats stats;
  bool ok() const { return violations.empty(); }
};

Outcome run(const Options& o);
// The fault mix a seed stands for (n ∈ {4,5,6,7,10}, faults, Byzantine
// kinds, reconfiguration), derived from the seed alone.
Options random_options(uint64_t seed);
std::string describe(const Options& o);
// Twins enumeration: scenario `index` of the fixed sampled enumeration
// (n = 4, validator 0 twinned, partitions and leaders over 4 rounds).
Options twins_options(uint64_t index);

}  // namespace ipl::sim
