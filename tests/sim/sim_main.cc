// sim_consensus: runs the deterministic cluster simulator from the command
// line. Modes:
//   --seeds A:B          random fault mixes for seeds A..B-1 (each seed
//                        is also re-run once with --determinism)
//   --seed S             one seed, verbose (the replay command)
//   --twins A:B          Twins scenarios A..B-1
//   --bench              messages per committed block and commit latency
//                        for n = 4, 7, 10, 16, 31 on a fault-free network
//   --determinism K      re-run every K-th seed and compare trace hashes
//   --bug safety|persist plant a bug in every replica (tests only) and
//                        exit 0 only if some seed reports a violation
// Exit status 0 only when every run is free of violations. A failing seed
// prints the command that replays it.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tests/sim/sim.h"

namespace {

bool parse_range(const char* s, uint64_t& a, uint64_t& b) {
  const char* colon = std::strchr(s, ':');
  if (colon == nullptr) return false;
  a = std::strtoull(s, nullptr, 10);
  b = std::strtoull(colon + 1, nullptr, 10);
  return a < b;
}

int report(const ipl::sim::Options& o, const ipl::sim::Outcome& out, const char* replay) {
  if (out.ok()) return 0;
  std::printf("FAIL seed %llu (%s)\n", static_cast<unsigned long long>(o.seed), ipl::sim::describe(o).c_str());
  for (const std::string& v : out.violations) std::printf("  %s\n", v.c_str());
  std::printf("  replay: %s\n", replay);
  return 1;
}

int bench() {
  std::printf("| n | blocks | consensus msgs/block | ledger-info msgs/block | commit latency (rounds) | commit latency (message delays, 1 ms links) |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (size_t n : {4u, 7u, 10u, 16u, 31u}) {
    ipl::sim::Options o;
    o.seed = 1;
    o.n = n;
    o.check_liveness = false;
    o.run_ms = 400;  // 1 ms links: about 200 rounds
    o.record_latency = true;
    const ipl::sim::Outcome out = ipl::sim::run(o);
    if (!out.ok()) return report(o, out, "sim_consensus --bench");
    const double blocks = static_cast<double>(out.stats.committed_blocks);
    double lat = 0, rounds = 0;
    for (uint64_t l : out.stats.commit_latency_ms) lat += static_cast<double>(l);
    for (uint64_t l : out.stats.commit_latency_rounds) rounds += static_cast<double>(l);
    lat /= static_cast<double>(out.stats.commit_latency_ms.size());
    rounds /= static_cast<double>(out.stats.commit_latency_rounds.size());
    std::printf("| %zu | %.0f | %.1f | %.1f | %.2f | %.2f |\n", n, blocks,
                static_cast<double>(out.stats.consensus_messages) / blocks,
                static_cast<double>(out.stats.ledger_info_messages) / blocks, rounds, lat);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t a = 0, b = 0;
  uint64_t determinism_every = 10;
  bool verbose = false;
  std::string bug;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--bug") == 0 && i + 1 < argc) bug = argv[++i];
    if (std::strcmp(argv[i], "--determinism") == 0 && i + 1 < argc) determinism_every = std::strtoull(argv[++i], nullptr, 10);
    if (std::strcmp(argv[i], "-v") == 0) verbose = true;
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--bench") return bench();
    const bool seeds = arg == "--seeds", one = arg == "--seed", twins = arg == "--twins";
    if (!(seeds || one || twins) || i + 1 >= argc) continue;
    if (one) {
      a = std::strtoull(argv[i + 1], nullptr, 10);
      b = a + 1;
      verbose = true;
    } else if (!parse_range(argv[i + 1], a, b)) {
      std::fprintf(stderr, "bad range %s (want A:B)\n", argv[i + 1]);
      return 2;
    }
    const auto t0 = std::chrono::steady_clock::now();
    int failures = 0;
    uint64_t commits = 0;
    for (uint64_t s = a; s < b; ++s) {
      ipl::sim::Options o = twins ? ipl::sim::twins_options(s) : ipl::sim::random_options(s);
      if (bug == "safety") o.bugs.skip_safety_check = true;
      if (bug == "persist") o.bugs.skip_persist = true;
      const ipl::sim::Outcome out = ipl::sim::run(o);
      commits += out.stats.committed_blocks;
      const std::string replay = std::string(argv[0]) + (twins ? " --twins " + std::to_string(s) + ":" + std::to_string(s + 1)
                                                               : " --seed " + std::to_string(s));
      failures += report(o, out, replay.c_str());
      if (out.ok() && determinism_every > 0 && s % determinism_every == 0) {
        const ipl::sim::Outcome again = ipl::sim::run(o);
        if (again.trace != out.trace) {
          std::printf("FAIL seed %llu: trace hash differs between two runs (nondeterminism)\n  replay: %s\n",
                      static_cast<unsigned long long>(s), replay.c_str());
          ++failures;
        }
      }
      if ((s - a + 1) % 5000 == 0) {
        const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("progress: %llu runs, %d failing, %.0f s\n", static_cast<unsigned long long>(s - a + 1), failures, el);
        std::fflush(stdout);
      }
      if (verbose) {
        std::printf("seed %llu (%s): %s, %llu blocks, %llu delivered, sim %llu ms, first commit after GST +%llu ms, "
                    "epochs %llu, evidence %llu, trace %s\n",
                    static_cast<unsigned long long>(s), ipl::sim::describe(o).c_str(), out.ok() ? "ok" : "VIOLATION",
                    static_cast<unsigned long long>(out.stats.committed_blocks),
                    static_cast<unsigned long long>(out.stats.delivered),
                    static_cast<unsigned long long>(out.stats.sim_ms),
                    static_cast<unsigned long long>(out.stats.first_commit_after_gst_ms),
                    static_cast<unsigned long long>(out.stats.epochs_reached),
                    static_cast<unsigned long long>(out.stats.evidence), ipl::to_hex(out.trace).substr(0, 16).c_str());
      }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%s %llu..%llu: %llu runs, %d failing, %llu blocks committed, %.1f s (%.1f ms/run)\n",
                twins ? "twins" : "seeds", static_cast<unsigned long long>(a), static_cast<unsigned long long>(b),
                static_cast<unsigned long long>(b - a), failures, static_cast<unsigned long long>(commits), secs,
                1000.0 * secs / static_cast<double>(b - a));
    if (!bug.empty()) {
      std::printf("planted bug '%s': %s\n", bug.c_str(), failures > 0 ? "caught" : "NOT caught");
      return failures > 0 ? 0 : 1;
    }
    return failures == 0 ? 0 : 1;
  }
  std::fprintf(stderr, "usage: %s --seeds A:B | --seed S | --twins A:B | --bench [-v] [--determinism K]\n", argv[0]);
  return 2;
}
