// The consensus driver's durable state (node/consensus_store.h): what a
// restarted node reads back is what it wrote, the commit log replays in
// order, the safety file is replaced atomically, and damaged files are
// reported rather than trusted.
#include "node/consensus_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ipl::node {
namespace {

class ConsensusStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ipl-cs-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static Block block(uint64_t height, uint64_t round, const Hash32& parent, size_t txs = 0) {
    Block b;
    b.header.chain_id = "ipl-test";
    b.header.epoch = Epoch(1);
    b.header.round = Round(round);
    b.header.height = Height(height);
    b.header.parent_id = parent;
    b.header.timestamp_ms = 1'000 + height;
    for (size_t i = 0; i < txs; ++i) {
      Transaction tx;
      tx.body = Bytes{static_cast<uint8_t>(height), static_cast<uint8_t>(i)};
      b.txs.push_back(tx);
    }
    b.header.payload_hash = Block::payload_hash(b.txs);
    return b;
  }
  static QuorumCert qc_for(const Block& b) {
    QuorumCert qc;
    qc.data = VoteData{"ipl-test", b.header.epoch, b.header.round, b.header.id()};
    return qc;
  }
  std::unique_ptr<ConsensusStore> open() {
    auto s = ConsensusStore::open(dir_.string());
    EXPECT_TRUE(s.is_ok()) << s.status().to_string();
    return s.is_ok() ? std::move(*s) : nullptr;
  }

  std::filesystem::path dir_;
};

TEST_F(ConsensusStoreTest, FreshStoreIsEmpty) {
  auto s = open();
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->is_initialised());
  EXPECT_FALSE(s->epoch().has_value());
  auto safety = s->load_safety();
  ASSERT_TRUE(safety.is_ok());
  EXPECT_FALSE(safety->has_value());
}

TEST_F(ConsensusStoreTest, CommitLogReplaysInOrderAcrossReopen) {
  const Block g = block(1, 0, Hash32{});
  const Block b2 = block(2, 1, g.header.id(), 3);
  const Block b3 = block(3, 2, b2.header.id(), 1);
  const Block b4 = block(4, 3, b3.header.id());
  {
    auto s = open();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->record_commit({}, g, qc_for(g)).is_ok());
    ASSERT_TRUE(s->record_commit({b2, b3}, b3, qc_for(b3)).is_ok());
    ASSERT_TRUE(s->record_commit({b4}, b4, qc_for(b4)).is_ok());
    ASSERT_TRUE(s->forget_committed(2).is_ok());
  }
  auto s = open();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->is_initialised());
  EXPECT_EQ(s->root()->first, b4);
  EXPECT_EQ(s->root()->second, qc_for(b4));
  auto above1 = s->committed_above(1);
  ASSERT_TRUE(above1.is_ok());
  ASSERT_EQ(above1->size(), 2u);  // height 2 was forgotten (executed)
  EXPECT_EQ((*above1)[0], b3);
  EXPECT_EQ((*above1)[1], b4);
  auto above3 = s->committed_above(3);
  ASSERT_TRUE(above3.is_ok());
  ASSERT_EQ(above3->size(), 1u);
  EXPECT_EQ((*above3)[0], b4);
}

TEST_F(ConsensusStoreTest, VotedBlocksAtOrBelowTheRootAreDropped) {
  const Block g = block(1, 0, Hash32{});
  const Block b2 = block(2, 1, g.header.id());
  const Block b3 = block(3, 2, b2.header.id());
  auto s = open();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->save_voted(b2).is_ok());
  ASSERT_TRUE(s->save_voted(b3).is_ok());
  auto voted = s->load_voted();
  ASSERT_TRUE(voted.is_ok());
  EXPECT_EQ(voted->size(), 2u);
  ASSERT_TRUE(s->record_commit({b2}, b2, qc_for(b2)).is_ok());
  voted = s->load_voted();
  ASSERT_TRUE(voted.is_ok());
  ASSERT_EQ(voted->size(), 1u);
  EXPECT_EQ((*voted)[0], b3);
}

TEST_F(ConsensusStoreTest, VotedBlocksFromBeforeAReopenAreDroppedByALaterCommit) {
  // The store keeps an in-memory index of its voted blocks; after a reopen
  // it must come from the records, or the old votes would never be dropped.
  const Block g = block(1, 0, Hash32{});
  const Block b2 = block(2, 1, g.header.id(), 2);
  const Block b3 = block(3, 2, b2.header.id(), 2);
  const Block b4 = block(4, 3, b3.header.id(), 2);
  {
    auto s = open();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->save_voted(b2).is_ok());
    ASSERT_TRUE(s->save_voted(b3).is_ok());
  }
  auto s = open();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->save_voted(b4).is_ok());
  ASSERT_TRUE(s->record_commit({b2, b3}, b3, qc_for(b3)).is_ok());
  auto voted = s->load_voted();
  ASSERT_TRUE(voted.is_ok());
  ASSERT_EQ(voted->size(), 1u);
  EXPECT_EQ((*voted)[0], b4);
}

TEST_F(ConsensusStoreTest, SafetyFileRoundTripsAndIsReplacedWhole) {
  const Block g = block(1, 0, Hash32{});
  auto s = open();
  ASSERT_NE(s, nullptr);
  SafetyFile a{consensus::SafetyData{Epoch(1), Round(7), Round(6)}, qc_for(g), std::nullopt};
  ASSERT_TRUE(s->save_safety(a).is_ok());
  TimeoutCert tc;
  tc.chain_id = "ipl-test";
  tc.epoch = Epoch(1);
  tc.round = Round(9);
  tc.bitmap = Bytes{0x01};
  tc.high_qc_rounds = {Round(8)};
  tc.signatures = {Signature{}};
  SafetyFile b{consensus::SafetyData{Epoch(1), Round(9), Round(8)}, qc_for(g), tc};
  ASSERT_TRUE(s->save_safety(b).is_ok());
  auto back = s->load_safety();
  ASSERT_TRUE(back.is_ok());
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->data, b.data);
  EXPECT_EQ((*back)->high_qc, b.high_qc);
  ASSERT_TRUE((*back)->high_tc.has_value());
  EXPECT_EQ(*(*back)->high_tc, tc);
  // Reopened, the newest write is what is read.
  s.reset();
  auto again = open();
  auto reread = again->load_safety();
  ASSERT_TRUE(reread.is_ok() && reread->has_value());
  EXPECT_EQ((*reread)->data, b.data);
}

TEST_F(ConsensusStoreTest, TornNewestSlotFallsBackAndBothDamagedIsAnError) {
  const Block g = block(1, 0, Hash32{});
  const consensus::SafetyData older{Epoch(1), Round(3), Round(2)};
  const consensus::SafetyData newer{Epoch(1), Round(4), Round(3)};
  {
    auto s = open();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->save_safety(SafetyFile{older, qc_for(g), std::nullopt}).is_ok());  // slot 1
    ASSERT_TRUE(s->save_safety(SafetyFile{newer, qc_for(g), std::nullopt}).is_ok());  // slot 0
  }
  const auto path = dir_ / "safety";
  ASSERT_EQ(std::filesystem::file_size(path), 2 * ConsensusStore::kSafetySlotBytes);
  auto flip = [&](size_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x40);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
  };
  {
    auto s = open();
    auto back = s->load_safety();
    ASSERT_TRUE(back.is_ok() && back->has_value());
    EXPECT_EQ((*back)->data, newer);
    // Reopened, the next save continues the sequence in the other slot.
    ASSERT_TRUE(s->save_safety(SafetyFile{newer, qc_for(g), std::nullopt}).is_ok());
  }
  // Damage the newest slot (slot 1 now, seq 3): the previous state (slot 0) is read.
  flip(ConsensusStore::kSafetySlotBytes + 20);
  {
    auto s = open();
    auto back = s->load_safety();
    ASSERT_TRUE(back.is_ok() && back->has_value());
    EXPECT_EQ((*back)->data, newer);
  }
  // Both damaged: an error, never a fresh start (that could double-vote).
  flip(20);
  {
    auto s = open();
    auto back = s->load_safety();
    EXPECT_FALSE(back.is_ok());
  }
  // A wiped file, on the other hand, is "missing" (the operator's recovery).
  std::filesystem::remove(path);
  auto s = open();
  auto back = s->load_safety();
  ASSERT_TRUE(back.is_ok());
  EXPECT_FALSE(back->has_value());
}

TEST_F(ConsensusStoreTest, EpochChangeKeepsTheProofAndClearsBoundaryAndVotes) {
  const Block g = block(1, 0, Hash32{});
  const Block b2 = block(2, 5, g.header.id());
  EpochState e1{Epoch(1), ValidatorSet{Epoch(1), {KeyPair::for_test("a").public_key}}};
  EpochState e2{Epoch(2), ValidatorSet{Epoch(2), {KeyPair::for_test("a").public_key, KeyPair::for_test("b").public_key}}};
  ExecutionCertificate proof;
  proof.ledger_info.chain_id = "ipl-test";
  proof.ledger_info.epoch = Epoch(1);
  proof.ledger_info.height = Height(2);
  proof.ledger_info.block_id = b2.header.id();
  proof.ledger_info.next_epoch = e2;
  {
    auto s = open();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->save_epoch(e1, Height(2)).is_ok());
    ASSERT_TRUE(s->save_voted(b2).is_ok());
    QuorumCert qc;
    qc.data = VoteData{"ipl-test", Epoch(2), Round(0), b2.header.id()};
    ASSERT_TRUE(s->change_epoch(e2, b2, qc, proof).is_ok());
  }
  auto s = open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(*s->epoch(), e2);
  EXPECT_FALSE(s->boundary().has_value());
  auto voted = s->load_voted();
  ASSERT_TRUE(voted.is_ok());
  EXPECT_TRUE(voted->empty());
  auto proofs = s->epoch_proofs();
  ASSERT_TRUE(proofs.is_ok());
  ASSERT_EQ(proofs->size(), 1u);
  EXPECT_EQ((*proofs)[0], proof);
  EXPECT_EQ(s->root()->first, b2);
}

}  // namespace
}  // namespace ipl::node
