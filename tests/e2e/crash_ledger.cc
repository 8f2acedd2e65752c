// Goal: a block is durable whole or not at all. Method: a child process
// commits generated blocks (and their certificates) into a LevelDB ledger
// in a loop and is killed with SIGKILL at random moments; after each kill
// the parent reopens the store and checks that it holds a complete prefix
// 1..H whose LedgerInfo, history root and state root equal those of an
// independently built in-memory reference ledger, that nothing of block
// H+1 is visible, and that the child resumes from H+1. Prints a summary.
//
//   crash_ledger --kills N [--seed S] [--dir D]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "common/clock.h"
#include "ledger/ledger.h"
#include "node/devchain.h"

using namespace ipl;

namespace {

constexpr const char* kChain = "ipl-crash";

devchain::ChainGenOptions gen_options(uint64_t seed) {
  devchain::ChainGenOptions o;
  o.chain_id = kChain;
  o.seed = seed;
  o.txs_per_block = 200;
  o.records = 500;
  return o;
}

[[noreturn]] void fail(const std::string& msg) {
  std::fprintf(stderr, "crash_ledger: FAIL: %s\n", msg.c_str());
  std::exit(1);
}

[[noreturn]] void run_child(const std::string& dir, uint64_t seed) {
  auto store = ledger::open_leveldb(dir);
  if (!store.is_ok()) fail("child open: " + store.status().to_string());
  auto l = ledger::Ledger::open(**store, {kChain, 8, true});
  if (!l.is_ok()) fail("child ledger open: " + l.status().to_string());
  const devchain::ChainGen gen(gen_options(seed));
  const devchain::TestCommittee committee(4);
  for (;;) {
    const uint64_t h = (*l)->height() + 1;
    Hash32 parent{};
    if (h > 1) parent = (*l)->block_at(h - 1)->header.id();
    auto li = (*l)->commit_block(gen.block(h, parent));
    if (!li.is_ok()) fail("child commit: " + li.status().to_string());
    Status s = (*l)->store_certificate(committee.certify(*li));
    if (!s.is_ok()) fail("child certificate: " + s.to_string());
  }
}

}  // namespace

int main(int argc, char** argv) {
  int kills = 50;
  uint64_t seed = 7;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--kills" && i + 1 < argc) {
      kills = std::atoi(argv[++i]);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: crash_ledger [--kills N] [--seed S] [--dir D]\n");
      return 2;
    }
  }
  bool own_dir = false;
  if (dir.empty()) {
    char tmpl[] = "/tmp/ipl-crash-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) fail("mkdtemp");
    dir = tmpl;
    own_dir = true;
  }
  const std::string db = dir + "/db";

  // The reference: the same blocks committed to an in-memory ledger.
  ledger::MemStore ref_store;
  auto ref = ledger::Ledger::open(ref_store, {kChain, 0, false});
  if (!ref.is_ok()) fail(ref.status().to_string());
  const devchain::ChainGen gen(gen_options(seed));
  SeededRng rng(seed);

  uint64_t last_height = 0;
  int mid_block_kills = 0;
  for (int k = 0; k < kills; ++k) {
    const pid_t pid = fork();
    if (pid < 0) fail("fork");
    if (pid == 0) run_child(db, seed);
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng.uniform(170)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status)) fail("child exited before the kill (status " + std::to_string(status) + ")");

    auto store = ledger::open_leveldb(db);
    if (!store.is_ok()) fail("reopen: " + store.status().to_string());
    auto l = ledger::Ledger::open(**store, {kChain, 8, true});
    if (!l.is_ok()) fail("ledger reopen after kill " + std::to_string(k) + ": " + l.status().to_string());
    const uint64_t h = (*l)->height();
    if (h < last_height) fail("committed height went backwards");
    while ((*ref)->height() < h) {
      const uint64_t next = (*ref)->height() + 1;
      Hash32 parent{};
      if (next > 1) parent = (*ref)->block_at(next - 1)->header.id();
      auto li = (*ref)->commit_block(gen.block(next, parent));
      if (!li.is_ok()) fail("reference commit: " + li.status().to_string());
    }
    if (h > 0) {
      auto got = (*l)->ledger_info_at(h);
      auto want = (*ref)->ledger_info_at(h);
      if (!got.is_ok() || !(*got == *want)) fail("ledger info differs at height " + std::to_string(h));
    }
    if ((*l)->history_root() != (*ref)->history_root() || (*l)->history_size() != (*ref)->history_size() ||
        (*l)->state_root() != (*ref)->state_root()) {
      fail("roots differ from the reference at height " + std::to_string(h));
    }
    // Nothing of block h+1 may be visible.
    const Hash32 next_parent = h > 0 ? (*ref)->block_at(h)->header.id() : Hash32{};
    const ledger::BlockCommit next = gen.block(h + 1, next_parent);
    for (const Transaction& tx : next.block.txs) {
      auto found = (*l)->find_tx(tx.id());
      if (!found.is_ok() || found->has_value()) fail("a transaction of uncommitted block " + std::to_string(h + 1) + " is visible");
    }
    // Every committed block is readable and its proofs verify.
    if (h > 0) {
      auto blk = (*l)->block_at(h);
      if (!blk.is_ok()) fail("block unreadable: " + blk.status().to_string());
      auto cert = (*l)->certificate_at(h);
      if (cert.is_ok() && cert->has_value()) {
        auto proof = (*l)->prove_tx(blk->txs.front().id());
        if (!proof.is_ok()) fail("prove_tx: " + proof.status().to_string());
        Status v = ledger::verify_tx_proof(*proof, devchain::TestCommittee(4).set);
        if (!v.is_ok()) fail("tx proof after reopen: " + v.to_string());
      } else {
        ++mid_block_kills;  // killed between a block and its certificate
      }
    }
    last_height = h;
  }
  std::printf("crash_ledger: %d kills, final height %llu (%llu transactions), %d kills between block and certificate; "
              "every reopen held a complete prefix with matching roots\n",
              kills, static_cast<unsigned long long>(last_height),
              static_cast<unsigned long long>((*ref)->history_size()), mid_block_kills);
  if (last_height < static_cast<uint64_t>(kills)) fail("too little progress: the child barely committed");
  if (own_dir) std::system(("rm -rf " + dir).c_str());
  return 0;
}
