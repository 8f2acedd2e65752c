// Goal: the epoch-boundary rules of docs/protocol.md §12.4 (C14) and the
// paths that start the next epoch after a restart. Once the boundary
// height B (scheduled by executing height p: B = p + L + 1) is ordered, a
// validator votes above it only for suffix blocks (height B, no
// transactions), proposes only suffix blocks, and the suffix's certificate
// commits B while B is not yet certified by execution. A validator that
// restarted after executing B but before signing it signs B again, so B
// is still certified and the epoch changes (fetching B when it was
// committed below the restart root); and one that executed B re-sends
// its signature until B is certified.
// Method: n = 4 fake-keyed validators driven message by message through
// the harness; each rule is also run where it must not apply.
#include <gtest/gtest.h>

#include "consensus/replica.h"
#include "tests/unit/consensus/harness.h"

namespace ipl::consensus {
namespace {

using testing::all_of;
using testing::Harness;
using testing::kNow;
using testing::sent;

// Executing height 2 schedules the boundary at 2 + L + 1.
constexpr uint64_t kBoundary = 2 + limits::execution_lag_max + 1;

// Delivers the proposals of rounds 1..kBoundary − 1 (heights 2..kBoundary)
// to `r`, each extending the last with a QC of validators 1, 2, 3; after
// round 1 reports heights 2 and 3 executed (2 scheduling the boundary if
// `schedule`). Checks every block is voted; returns the last block (height
// kBoundary) and its QC.
Block run_to_boundary(const Harness& h, Replica& r, bool schedule, QuorumCert& last_qc) {
  Block prev = h.genesis;
  QuorumCert prev_qc = h.genesis_qc;
  for (uint64_t round = 1; round < kBoundary; ++round) {
    const Block b = h.block(round, prev, prev_qc);
    (void)r.on_message(kNow, h.keys[round % 4], h.proposal(b));
    EXPECT_EQ(r.safety().last_voted_round, Round(round)) << "round " << round;
    if (round == 1) {
      (void)r.on_executed(kNow, h.li(2, 0), schedule ? std::optional<Height>(Height(kBoundary)) : std::nullopt);
      (void)r.on_executed(kNow, h.li(3, 0), std::nullopt);  // the lag rule then allows height B + 1
    }
    prev_qc = h.qc(b, {1, 2, 3});
    prev = b;
  }
  EXPECT_EQ(prev.header.height, Height(kBoundary));
  last_qc = prev_qc;
  return prev;
}

EpochState next_epoch(const Harness& h) {
  EpochState next{Epoch(2), h.vs};
  next.validators.epoch = Epoch(2);
  return next;
}

TEST(EpochBoundary, AboveTheBoundaryOnlySuffixBlocksAreVotedProposedAndTheyCommitIt) {
  Harness h(4);
  auto r = h.replica(0);  // leads round 12, the first after the suffix's
  (void)r->start(kNow);
  QuorumCert qc_b;
  const Block b = run_to_boundary(h, *r, /*schedule=*/true, qc_b);

  // Round 11: a block of height B + 1 with a transaction is refused.
  const Block plain = h.block(11, b, qc_b);
  (void)r->on_message(kNow, h.keys[3], h.proposal(plain));
  EXPECT_EQ(r->safety().last_voted_round, Round(10));
  // So is one that repeats B's height but carries a transaction.
  Block stuffed = h.suffix(11, b, qc_b);
  stuffed.txs = plain.txs;
  stuffed.header.payload_hash = Block::payload_hash(stuffed.txs);
  (void)r->on_message(kNow, h.keys[3], h.proposal(stuffed));
  EXPECT_EQ(r->safety().last_voted_round, Round(10));
  // The suffix block (height B, no transactions) is voted.
  const Block s11 = h.suffix(11, b, qc_b);
  Effects fx = r->on_message(kNow, h.keys[3], h.proposal(s11));
  EXPECT_EQ(r->safety().last_voted_round, Round(11));
  EXPECT_FALSE(all_of<PersistSafety>(fx).empty());

  // Validator 1's vote completes QC(s11) at us: B commits, through the
  // suffix, while nothing certified it by execution (still epoch 1).
  fx = r->on_message(kNow, h.keys[1], h.vote(1, s11));
  const auto commits = all_of<Commit>(fx);
  ASSERT_EQ(commits.size(), 1u);
  ASSERT_FALSE(commits[0].blocks.empty());
  EXPECT_EQ(commits[0].blocks.back(), b);
  EXPECT_EQ(commits[0].root, b);
  EXPECT_TRUE(all_of<Certified>(fx).empty());
  EXPECT_TRUE(all_of<EpochChanged>(fx).empty());
  EXPECT_EQ(r->epoch().number, Epoch(1));

  // Our round-12 proposal is a suffix block, whatever the mempool offers.
  const auto need = all_of<NeedPayload>(fx);
  ASSERT_EQ(need.size(), 1u);
  EXPECT_EQ(need[0].round, Round(12));
  EXPECT_TRUE(need[0].suffix);
  EXPECT_EQ(need[0].height, Height(kBoundary));
  Transaction tx;
  tx.body = to_bytes("arrived-late");
  fx = r->on_propose_ready(kNow + 20, Round(12), {tx});
  const auto proposals = sent<Proposal>(fx);
  ASSERT_EQ(proposals.size(), 1u);
  const Block& s12 = proposals[0].block;
  EXPECT_EQ(s12.header.height, Height(kBoundary));
  EXPECT_TRUE(s12.txs.empty());
  EXPECT_EQ(s12.header.payload_hash, Block::payload_hash({}));
  EXPECT_EQ(s12.header.parent_id, s11.header.id());

  // A suffix block commits as a root but hands nothing to execute.
  const Block s13 = h.suffix(13, s12, h.qc(s12, {1, 2, 3}), 10);
  fx = r->on_message(kNow + 30, h.keys[1], h.proposal(s13));
  EXPECT_EQ(r->safety().last_voted_round, Round(13));
  const auto later = all_of<Commit>(fx);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_TRUE(later[0].blocks.empty());
  EXPECT_EQ(later[0].root, s11);
}

TEST(EpochBoundary, WithoutABoundaryTheNextHeightIsVotedAndNoSuffix) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  QuorumCert qc_b;
  const Block b = run_to_boundary(h, *r, /*schedule=*/false, qc_b);
  // A suffix-shaped block (repeated height) is no valid child here.
  (void)r->on_message(kNow, h.keys[3], h.proposal(h.suffix(11, b, qc_b)));
  EXPECT_EQ(r->safety().last_voted_round, Round(10));
  // The block of height B + 1 is voted: the refusal above is the boundary's.
  (void)r->on_message(kNow, h.keys[3], h.proposal(h.block(11, b, qc_b)));
  EXPECT_EQ(r->safety().last_voted_round, Round(11));
}

TEST(EpochBoundary, RestartAfterExecutingTheBoundarySignsItAgainAndChangesEpoch) {
  Harness h(4);
  // A fresh start signs nothing.
  EXPECT_TRUE(sent<LedgerInfoVote>(h.replica(0)->start(kNow)).empty());
  // Crashed after committing and executing B (height 2 here) and before
  // its LedgerInfo signature left: storage has B as root and executed.
  const Block b = h.block(1, h.genesis, h.genesis_qc);
  const LedgerInfo li_b = h.li_of(b, 0, next_epoch(h));
  Bootstrap boot = h.boot();
  boot.root = b;
  boot.root_qc = h.qc(b, {1, 2, 3});
  boot.executed = li_b;
  boot.boundary = b.header.height;
  auto r = h.replica(0, {}, boot);
  Effects fx = r->start(kNow);
  const auto signed_again = sent<LedgerInfoVote>(fx);
  ASSERT_EQ(signed_again.size(), 1u);
  EXPECT_EQ(signed_again[0].ledger_info, li_b);
  EXPECT_EQ(signed_again[0].signer, ValidatorIndex(0));
  // Two more signatures make the quorum with ours: B is certified and the
  // epoch changes with B as its root.
  fx = r->on_message(kNow, h.keys[1], h.li_vote(1, li_b));
  EXPECT_TRUE(all_of<EpochChanged>(fx).empty());
  fx = r->on_message(kNow, h.keys[2], h.li_vote(2, li_b));
  ASSERT_EQ(all_of<Certified>(fx).size(), 1u);
  const auto changed = all_of<EpochChanged>(fx);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].root, b);
  EXPECT_EQ(changed[0].proof.ledger_info, li_b);
  EXPECT_EQ(r->epoch().number, Epoch(2));
}

TEST(EpochBoundary, RestartFromASuffixRootFetchesTheBoundaryBlock) {
  Harness h(4);
  // Restarted from a suffix block above B: B is committed, below the root.
  const Block b = h.block(1, h.genesis, h.genesis_qc);
  const Block s2 = h.suffix(2, b, h.qc(b, {1, 2, 3}));
  const LedgerInfo li_b = h.li_of(b, 0, next_epoch(h));
  Bootstrap boot = h.boot();
  boot.root = s2;
  boot.root_qc = h.qc(s2, {1, 2, 3});
  boot.executed = li_b;
  boot.boundary = b.header.height;
  auto r = h.replica(0, {}, boot);
  (void)r->start(kNow);
  (void)r->on_message(kNow, h.keys[1], h.li_vote(1, li_b));
  Effects fx = r->on_message(kNow, h.keys[2], h.li_vote(2, li_b));
  ASSERT_EQ(all_of<Certified>(fx).size(), 1u);
  EXPECT_TRUE(all_of<EpochChanged>(fx).empty());  // B is not at hand
  const auto fetches = all_of<Fetch>(fx);
  ASSERT_FALSE(fetches.empty());
  for (const Fetch& f : fetches) {
    EXPECT_EQ(f.request.block_id, b.header.id());
    EXPECT_NE(f.from, h.keys[0]);
  }
  // A block that is not B does not start the epoch; B does.
  EXPECT_TRUE(all_of<EpochChanged>(r->on_message(kNow, h.keys[1], FetchResponse{{s2}})).empty());
  fx = r->on_message(kNow, h.keys[1], FetchResponse{{b}});
  const auto changed = all_of<EpochChanged>(fx);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].root, b);
  EXPECT_EQ(r->epoch().number, Epoch(2));
}

TEST(EpochBoundary, ResendsItsBoundarySignatureUntilCertified) {
  Harness h(4);
  Config cfg;
  auto r = h.replica(0, cfg);
  (void)r->start(kNow);
  (void)r->on_executed(kNow, h.li(2, 0), Height(kBoundary));
  LedgerInfo li_b;
  for (uint64_t height = 3; height <= kBoundary; ++height) {
    LedgerInfo li = h.li(height, 0);
    li.block_id[0] = static_cast<uint8_t>(height);  // blocks this replica never saw
    if (height == kBoundary) {
      li.next_epoch = next_epoch(h);
      li_b = li;
    }
    const Effects fx = r->on_executed(kNow, li, std::nullopt);
    EXPECT_EQ(sent<LedgerInfoVote>(fx).size(), 1u);
  }
  const uint64_t base = cfg.round_timeout_base_ms;
  const Round round = r->current_round();
  // Not again within a base timeout of the first signature.
  EXPECT_TRUE(sent<LedgerInfoVote>(r->on_timeout(kNow + base - 1, Epoch(1), round)).empty());
  // Then again, the same signed LedgerInfo, once per base timeout.
  auto again = sent<LedgerInfoVote>(r->on_timeout(kNow + base, Epoch(1), round));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].ledger_info, li_b);
  EXPECT_TRUE(sent<LedgerInfoVote>(r->on_timeout(kNow + base + 1, Epoch(1), round)).empty());
  EXPECT_EQ(sent<LedgerInfoVote>(r->on_timeout(kNow + 2 * base, Epoch(1), round)).size(), 1u);
  // Once certified, no more.
  (void)r->on_message(kNow, h.keys[1], h.li_vote(1, li_b));
  const Effects fx = r->on_message(kNow, h.keys[2], h.li_vote(2, li_b));
  ASSERT_EQ(all_of<Certified>(fx).size(), 1u);
  EXPECT_TRUE(sent<LedgerInfoVote>(r->on_timeout(kNow + 4 * base, Epoch(1), round)).empty());
}

}  // namespace
}  // namespace ipl::consensus
