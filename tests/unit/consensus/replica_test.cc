// Goal: the replica applies the protocol's rules (docs/protocol.md §12):
// persist before vote (C6), QC and TC formation (C1, C7), the two-chain
// commit rule (C13), fetch validation, the timestamp rule (C15), the
// execution lag rule (C14), divergence (C16), the uncertified alarm,
// equivocation evidence, and no vote without safety data.
// Method: n = 4 fake-keyed validators (leader of round r is r mod 4); the
// harness builds correctly signed messages and the test inspects Effects.
#include "consensus/replica.h"

#include <gtest/gtest.h>

#include "tests/unit/consensus/harness.h"

namespace ipl::consensus {
namespace {

using testing::all_of;
using testing::Harness;
using testing::kNow;
using testing::sent;

TEST(Replica, PersistsSafetyBeforeVoteLeaves) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  const Block b1 = h.block(1, h.genesis, h.genesis_qc);
  const Effects fx = r->on_message(kNow, h.keys[1], h.proposal(b1));
  size_t persist_at = fx.size(), vote_at = fx.size();
  for (size_t i = 0; i < fx.size(); ++i) {
    if (std::holds_alternative<PersistSafety>(fx[i]) && persist_at == fx.size()) persist_at = i;
    if (const auto* s = std::get_if<Send>(&fx[i]); s && std::holds_alternative<Vote>(s->msg)) {
      vote_at = i;
      EXPECT_EQ(s->to, h.keys[2]);  // the leader of round 2
    }
  }
  ASSERT_LT(vote_at, fx.size());
  EXPECT_LT(persist_at, vote_at);
  EXPECT_EQ(all_of<PersistSafety>(fx).back().data.last_voted_round, Round(1));
}

TEST(Replica, FormsQcAtQuorumAndProposes) {
  Harness h(4);
  auto r = h.replica(2);  // leader of round 2
  (void)r->start(kNow);
  const Block b1 = h.block(1, h.genesis, h.genesis_qc);
  Effects fx = r->on_message(kNow, h.keys[1], h.proposal(b1));  // proposer's vote + own vote
  EXPECT_TRUE(all_of<NeedPayload>(fx).empty());
  // A duplicate of the proposer's vote and a forged vote do not count.
  fx = r->on_message(kNow, h.keys[1], h.vote(1, b1));
  EXPECT_TRUE(all_of<NeedPayload>(fx).empty());
  Vote forged = h.vote(3, b1);
  forged.signature.bytes[0] ^= 1;
  fx = r->on_message(kNow, h.keys[3], forged);
  EXPECT_TRUE(all_of<NeedPayload>(fx).empty());
  EXPECT_EQ(r->current_round(), Round(1));
  fx = r->on_message(kNow, h.keys[0], h.vote(0, b1));
  ASSERT_EQ(all_of<NeedPayload>(fx).size(), 1u);
  EXPECT_EQ(r->current_round(), Round(2));
  EXPECT_EQ(r->high_qc().data.block_id, b1.header.id());
  EXPECT_EQ(r->high_qc().signers.count(), 3u);
  fx = r->on_propose_ready(kNow + 5, Round(2), {});
  const auto proposals = sent<Proposal>(fx);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].block.header.parent_qc.data.round, Round(1));
  EXPECT_EQ(proposals[0].block.header.height, Height(3));
}

TEST(Replica, CommitsOnlyOnConsecutiveTwoChain) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  const Block b1 = h.block(1, h.genesis, h.genesis_qc);
  const Block b2 = h.block(2, b1, h.qc(b1, {0, 1, 2}));
  const Block b3 = h.block(3, b2, h.qc(b2, {0, 1, 2}));
  EXPECT_TRUE(all_of<Commit>(r->on_message(kNow, h.keys[1], h.proposal(b1))).empty());
  EXPECT_TRUE(all_of<Commit>(r->on_message(kNow, h.keys[2], h.proposal(b2))).empty());  // a QC alone is no commit
  const auto commits = all_of<Commit>(r->on_message(kNow, h.keys[3], h.proposal(b3)));
  ASSERT_EQ(commits.size(), 1u);
  ASSERT_EQ(commits[0].blocks.size(), 1u);
  EXPECT_EQ(commits[0].blocks[0], b1);
  EXPECT_EQ(commits[0].root_qc.data.block_id, b1.header.id());
}

TEST(Replica, NoCommitAcrossARoundGap) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  const Block b1 = h.block(1, h.genesis, h.genesis_qc);
  const QuorumCert q1 = h.qc(b1, {0, 1, 2});
  const TimeoutCert tc2 = h.tc(2, q1, {0, 1, 2});
  Block b3 = h.block(3, b1, q1);  // round 3 extends round 1 through TC(2)
  const Block b4 = h.block(4, b3, h.qc(b3, {0, 1, 2}));
  const Block b5 = h.block(5, b4, h.qc(b4, {0, 1, 2}));
  (void)r->on_message(kNow, h.keys[1], h.proposal(b1));
  Effects fx = r->on_message(kNow, h.keys[3], h.proposal(b3, tc2));
  EXPECT_EQ(r->safety().last_voted_round, Round(3));  // voted through the TC (kept: we lead round 4)
  EXPECT_TRUE(all_of<Commit>(r->on_message(kNow, h.keys[0], h.proposal(b4))).empty());  // rounds 1, 3: no commit
  const auto commits = all_of<Commit>(r->on_message(kNow, h.keys[1], h.proposal(b5)));
  ASSERT_EQ(commits.size(), 1u);
  ASSERT_EQ(commits[0].blocks.size(), 2u);  // b3 commits, and b1 with it
  EXPECT_EQ(commits[0].blocks[0], b1);
  EXPECT_EQ(commits[0].blocks[1], b3);
}

TEST(Replica, TimeoutCertificateAdvancesRoundAndJoinsAtFPlusOne) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  Effects fx = r->on_message(kNow, h.keys[1], h.timeout(1, 1, h.genesis_qc));
  EXPECT_TRUE(sent<TimeoutMsg>(fx).empty());
  fx = r->on_message(kNow, h.keys[2], h.timeout(2, 1, h.genesis_qc));  // f + 1 = 2: join
  ASSERT_EQ(sent<TimeoutMsg>(fx).size(), 1u);
  EXPECT_EQ(sent<TimeoutMsg>(fx)[0].voter, ValidatorIndex(0));
  EXPECT_EQ(r->current_round(), Round(2));  // own + 2 = quorum: TC(1)
  // The guard now refuses a vote for round 1.
  const Block b1 = h.block(1, h.genesis, h.genesis_qc);
  EXPECT_TRUE(sent<Vote>(r->on_message(kNow, h.keys[1], h.proposal(b1))).empty());
}

TEST(Replica, AbsurdRoundDoesNotMoveAnyone) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  (void)r->on_message(kNow, h.keys[3], h.timeout(3, 1'000'000'000'000ull, h.genesis_qc));
  EXPECT_EQ(r->current_round(), Round(1));
  // A proposal for an absurd round without a certificate is ignored too.
  Block b = h.block(1'000'001, h.genesis, h.genesis_qc);
  b.header.proposer = ValidatorIndex(1'000'001 % 4);
  EXPECT_TRUE(sent<Vote>(r->on_message(kNow, h.keys[1], h.proposal(b))).empty());
  EXPECT_EQ(r->current_round(), Round(1));
}

TEST(Replica, FetchesMissingAncestorsAndChecksThem) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  const Block b1 = h.block(1, h.genesis, h.genesis_qc);
  const Block b2 = h.block(2, b1, h.qc(b1, {0, 1, 2}));
  const Block b3 = h.block(3, b2, h.qc(b2, {0, 1, 2}));
  Effects fx = r->on_message(kNow, h.keys[3], h.proposal(b3));
  const auto fetches = all_of<Fetch>(fx);
  ASSERT_EQ(fetches.size(), 1u);
  EXPECT_EQ(fetches[0].request.block_id, b2.header.id());
  EXPECT_EQ(fetches[0].from, h.keys[3]);
  // A response whose first block is not the certified one is dropped.
  const Block fake = h.block(2, b1, h.qc(b1, {0, 1, 2}), 77);
  EXPECT_TRUE(all_of<Commit>(r->on_message(kNow, h.keys[3], FetchResponse{{fake, b1}})).empty());
  // The right chain attaches: QC(b2) with b1 ← b2 consecutive commits b1,
  // and the waiting proposal b3 is voted.
  fx = r->on_message(kNow, h.keys[3], FetchResponse{{b2, b1}});
  const auto commits = all_of<Commit>(fx);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].blocks[0], b1);
  EXPECT_EQ(r->safety().last_voted_round, Round(3));  // b3 voted (kept: we lead round 4)
  // Unrequested responses are ignored.
  const Block b4 = h.block(4, b3, h.qc(b3, {0, 1, 2}));
  EXPECT_TRUE(r->on_message(kNow, h.keys[3], FetchResponse{{b4}}).empty());
}

TEST(Replica, TimestampRule) {
  Harness h(4);
  {
    auto r = h.replica(0);
    (void)r->start(kNow);
    // More than clock_drift_max_ms ahead of our clock: no vote.
    const Block future = h.block(1, h.genesis, h.genesis_qc, limits::clock_drift_max_ms + 100);
    EXPECT_TRUE(sent<Vote>(r->on_message(kNow, h.keys[1], h.proposal(future))).empty());
    // The same block once our clock has caught up: voted.
    EXPECT_EQ(sent<Vote>(r->on_message(kNow + 200, h.keys[1], h.proposal(future))).size(), 1u);
  }
  {
    auto r = h.replica(0);
    (void)r->start(kNow);
    Block old = h.block(1, h.genesis, h.genesis_qc);
    old.header.timestamp_ms = h.genesis.header.timestamp_ms;  // not above the parent's
    old.header.payload_hash = Block::payload_hash(old.txs);
    EXPECT_TRUE(sent<Vote>(r->on_message(kNow, h.keys[1], h.proposal(old))).empty());
  }
}

TEST(Replica, VotesAtHeightOnlyAfterExecutingLagBehind) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  Block prev = h.genesis;
  QuorumCert prev_qc = h.genesis_qc;
  Block last;
  // Heights 2..11: executed height is 1, so h − L − 1 ≤ 1 allows up to 10.
  for (uint64_t round = 1; round <= 10; ++round) {
    const Block b = h.block(round, prev, prev_qc);
    const Effects fx = r->on_message(kNow, h.keys[round % 4], h.proposal(b));
    const bool self_next = (round + 1) % 4 == 0;  // own vote stays local
    if (!self_next) {
      EXPECT_EQ(sent<Vote>(fx).size(), b.header.height.value() <= 10 ? 1u : 0u) << round;
    }
    prev_qc = h.qc(b, {1, 2, 3});
    prev = b;
    last = b;
  }
  EXPECT_EQ(last.header.height, Height(11));
  // Executing height 2 releases the vote for height 11.
  const Effects fx = r->on_executed(kNow, h.li(2, 0), std::nullopt);
  EXPECT_EQ(sent<Vote>(fx).size(), 1u);
}

TEST(Replica, DivergenceStopsSigning) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  Effects fx = r->on_executed(kNow, h.li(2, 1), std::nullopt);
  ASSERT_EQ(sent<LedgerInfoVote>(fx).size(), 1u);
  const LedgerInfo other = h.li(2, 2);
  for (size_t i = 1; i <= 3; ++i) fx = r->on_message(kNow, h.keys[i], h.li_vote(i, other));
  const auto alarms = all_of<Alarm>(fx);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].kind, AlarmKind::kDivergence);
  EXPECT_EQ(all_of<Certified>(fx).size(), 1u);
  EXPECT_TRUE(r->diverged());
  const Block b1 = h.block(1, h.genesis, h.genesis_qc);
  EXPECT_TRUE(sent<Vote>(r->on_message(kNow, h.keys[1], h.proposal(b1))).empty());
  EXPECT_TRUE(sent<LedgerInfoVote>(r->on_executed(kNow, h.li(3, 1), std::nullopt)).empty());
}

TEST(Replica, CertificateFromDifferentSignerSetsAgrees) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  (void)r->on_executed(kNow, h.li(2, 1), std::nullopt);
  Effects fx = r->on_message(kNow, h.keys[3], h.li_vote(3, h.li(2, 1)));
  EXPECT_TRUE(all_of<Certified>(fx).empty());
  fx = r->on_message(kNow, h.keys[1], h.li_vote(1, h.li(2, 1)));
  const auto certs = all_of<Certified>(fx);
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].cert.signers.count(), 3u);
  EXPECT_TRUE(verify_exec_cert(h.ring, h.vs, certs[0].cert).is_ok());
  EXPECT_FALSE(r->diverged());
}

TEST(Replica, UncertifiedAlarm) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  size_t alarms = 0;
  for (uint64_t height = 2; height <= 1 + limits::uncertified_blocks_max; ++height) {
    for (const Alarm& a : all_of<Alarm>(r->on_executed(kNow, h.li(height, 0), std::nullopt))) {
      EXPECT_EQ(a.kind, AlarmKind::kUncertified);
      EXPECT_EQ(a.height.value(), 1 + limits::uncertified_blocks_max);
      ++alarms;
    }
  }
  EXPECT_EQ(alarms, 1u);
}

TEST(Replica, DoubleVoteBecomesEvidence) {
  Harness h(4);
  auto r = h.replica(2);
  (void)r->start(kNow);
  const Block a = h.block(1, h.genesis, h.genesis_qc, 0);
  const Block b = h.block(1, h.genesis, h.genesis_qc, 1);
  EXPECT_TRUE(all_of<EvidenceFound>(r->on_message(kNow, h.keys[3], h.vote(3, a))).empty());
  const auto ev = all_of<EvidenceFound>(r->on_message(kNow, h.keys[3], h.vote(3, b)));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].evidence.kind, EvidenceKind::kDoubleVote);
  EXPECT_EQ(ev[0].evidence.validator, ValidatorIndex(3));
  EXPECT_EQ(ev[0].evidence.slot, 1u);
  EXPECT_NE(ev[0].evidence.first, ev[0].evidence.second);
}

TEST(Replica, NoSafetyDataNoVoteThisEpoch) {
  Harness h(4);
  Bootstrap b = h.boot();
  b.safety.reset();
  auto r = h.replica(0, {}, b);
  (void)r->start(kNow);
  EXPECT_FALSE(r->can_vote());
  const Block b1 = h.block(1, h.genesis, h.genesis_qc);
  const Effects fx = r->on_message(kNow, h.keys[1], h.proposal(b1));
  EXPECT_TRUE(sent<Vote>(fx).empty());
  EXPECT_TRUE(all_of<PersistSafety>(fx).empty());
}

TEST(Replica, RejectsForgedCertificates) {
  Harness h(4);
  auto r = h.replica(0);
  (void)r->start(kNow);
  const Block b1 = h.block(1, h.genesis, h.genesis_qc);
  QuorumCert weak = h.qc(b1, {1, 2});  // below quorum
  (void)r->on_message(kNow, h.keys[1], SyncInfo{weak, std::nullopt});
  EXPECT_EQ(r->current_round(), Round(1));
  QuorumCert forged = h.qc(b1, {1, 2, 3});
  forged.signers.signatures[1].bytes[9] ^= 1;
  (void)r->on_message(kNow, h.keys[1], SyncInfo{forged, std::nullopt});
  EXPECT_EQ(r->current_round(), Round(1));
  // A genuine QC for a block we do not have moves the round and fetches it.
  const Effects fx = r->on_message(kNow, h.keys[1], SyncInfo{h.qc(b1, {1, 2, 3}), std::nullopt});
  EXPECT_EQ(r->current_round(), Round(2));
  EXPECT_EQ(all_of<Fetch>(fx).size(), 1u);
}

}  // namespace
}  // namespace ipl::consensus
