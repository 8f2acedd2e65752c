// Goal: a replica far behind (more blocks than limits::orphan_blocks_max
// between its root and the certified blocks it hears about: an observer
// cut off by a partition, which no leader slot of its own slows the chain
// for) catches up and commits the whole gap, in order, with a number of
// fetches linear in the gap; and a replica cut off again while catching up
// finishes from where it stopped.
// Method: n = 4 validators built a long chain with the harness; a replica
// with genesis storage receives the head proposal and every Fetch it emits
// is answered the way a peer's driver answers from its ledger (the block
// and up to count − 1 ancestors, newest first).
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "consensus/replica.h"
#include "tests/unit/consensus/harness.h"

namespace ipl::consensus {
namespace {

using testing::all_of;
using testing::Harness;
using testing::kNow;

struct Ledger {
  std::vector<Block> chain;  // chain[k] has height k + 1; chain[0] is genesis
  std::map<Hash32, size_t> index;
  std::vector<QuorumCert> qcs;  // qcs[k] certifies chain[k]

  Ledger(const Harness& h, uint64_t rounds) {
    chain.push_back(h.genesis);
    qcs.push_back(h.genesis_qc);
    index[h.genesis.header.id()] = 0;
    for (uint64_t round = 1; round <= rounds; ++round) {
      const Block b = h.block(round, chain.back(), qcs.back());
      index[b.header.id()] = chain.size();
      chain.push_back(b);
      qcs.push_back(h.qc(b, {0, 1, 2}));
    }
  }

  FetchResponse serve(const FetchRequest& req) const {
    FetchResponse resp;
    auto it = index.find(req.block_id);
    if (it == index.end()) return resp;
    for (size_t k = it->second + 1; k-- > 0 && resp.blocks.size() < req.count;) resp.blocks.push_back(chain[k]);
    return resp;
  }
};

struct Driver {
  uint64_t now = kNow;
  std::deque<Fetch> asks;
  std::vector<Block> committed;
  size_t responses = 0;

  void take(const Effects& fx) {
    for (const Fetch& f : all_of<Fetch>(fx)) asks.push_back(f);
    for (const Commit& c : all_of<Commit>(fx)) committed.insert(committed.end(), c.blocks.begin(), c.blocks.end());
  }
  // Answers fetches until none is left (or `limit` answers).
  void serve(Replica& r, const Ledger& ledger, size_t limit) {
    for (size_t k = 0; k < limit && !asks.empty(); ++k) {
      const Fetch f = asks.front();
      asks.pop_front();
      ++responses;
      take(r.on_message(now, f.from, ledger.serve(f.request)));
    }
  }
};

std::unique_ptr<Replica> observer(Harness& h) {
  const PublicKey key = h.ring.add("observer");
  Config cfg;
  cfg.chain_id = h.chain;
  return std::make_unique<Replica>(cfg, h.boot(), h.ring.signer(key), h.ring);
}

// Six times what the orphan buffer holds.
constexpr uint64_t kRounds = 6 * limits::orphan_blocks_max;

TEST(CatchUp, ObserverFarBehindCommitsTheWholeGapInOrder) {
  Harness h(4);
  const Ledger ledger(h, kRounds);
  auto r = observer(h);
  (void)r->start(kNow);
  Driver d;
  // The head proposal carries QC(b[K−1]), which commits b[K−2].
  d.take(r->on_message(kNow, h.keys[kRounds % 4], h.proposal(ledger.chain[kRounds])));
  d.serve(*r, ledger, 100 * kRounds);
  EXPECT_TRUE(d.asks.empty());
  ASSERT_EQ(d.committed.size(), kRounds - 2);
  for (size_t k = 0; k < d.committed.size(); ++k) ASSERT_EQ(d.committed[k], ledger.chain[k + 1]) << k;
  EXPECT_EQ(r->committed_root(), ledger.chain[kRounds - 2]);
  // Down and back up, about one response per fetch_blocks_max blocks each
  // way (not one descent per orphan buffer, which grows with the square).
  EXPECT_LE(d.responses, 3 * kRounds / limits::fetch_blocks_max);
}

TEST(CatchUp, ResumesAfterLosingItsFetches) {
  Harness h(4);
  const Ledger ledger(h, kRounds);
  auto r = observer(h);
  (void)r->start(kNow);
  Driver d;
  d.take(r->on_message(kNow, h.keys[kRounds % 4], h.proposal(ledger.chain[kRounds])));
  // A few answers, then every pending fetch is lost.
  d.serve(*r, ledger, 3);
  ASSERT_FALSE(d.asks.empty());
  d.asks.clear();
  // A base timeout later the next proposal arrives: the catch-up asks
  // every validator again for the link it was waiting for, and finishes.
  d.now = kNow + Config{}.round_timeout_base_ms;
  const Block next = h.block(kRounds + 1, ledger.chain[kRounds], ledger.qcs[kRounds]);
  Ledger longer = ledger;
  longer.index[next.header.id()] = longer.chain.size();
  longer.chain.push_back(next);
  d.take(r->on_message(d.now, h.keys[(kRounds + 1) % 4], h.proposal(next)));
  d.serve(*r, longer, 100 * kRounds);
  EXPECT_TRUE(d.asks.empty());
  // QC(b[K]) in the new proposal commits b[K−1].
  ASSERT_EQ(d.committed.size(), kRounds - 1);
  for (size_t k = 0; k < d.committed.size(); ++k) ASSERT_EQ(d.committed[k], ledger.chain[k + 1]) << k;
}

}  // namespace
}  // namespace ipl::consensus
