// Goal: the Ledger commits whole blocks, refuses bad ones without writing
// anything, and serves proofs that verify offline against the certified
// LedgerInfo. Method: generated chains (tests/support/chain_gen.h) in a
// MemStore and a LevelDB store; tampering with every part of a proof.
#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <cstdlib>
#include <thread>

#include "common/encoding.h"
#include "common/hash.h"
#include "node/devchain.h"

namespace ipl::ledger {
namespace {

using ipl::devchain::ChainGen;
using ipl::devchain::ChainGenOptions;
using ipl::devchain::TestCommittee;

struct Fixture {
  MemStore store;
  std::unique_ptr<Ledger> ledger;
  ChainGen gen{ChainGenOptions{}};
  TestCommittee committee{4};
  std::vector<LedgerInfo> infos;

  Fixture() { ledger = Ledger::open(store, {"ipl-test", 0, false}).value(); }

  BlockCommit next_block() {
    const uint64_t h = ledger->height() + 1;
    Hash32 parent{};
    if (h > 1) parent = ledger->block_at(h - 1)->header.id();
    return gen.block(h, parent);
  }
  void commit(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      auto li = ledger->commit_block(next_block());
      ASSERT_TRUE(li.is_ok()) << li.status().to_string();
      ASSERT_TRUE(ledger->store_certificate(committee.certify(*li)).is_ok());
      infos.push_back(*li);
    }
  }
};

TEST(Ledger, CommitsBlocksAndServesThem) {
  Fixture f;
  f.commit(5);
  EXPECT_EQ(f.ledger->height(), 5u);
  EXPECT_EQ(f.ledger->history_size(), 50u);
  for (uint64_t h = 1; h <= 5; ++h) {
    auto b = f.ledger->block_at(h);
    ASSERT_TRUE(b.is_ok());
    EXPECT_EQ(b->header.height, Height(h));
    EXPECT_EQ(*f.ledger->ledger_info_at(h), f.infos[h - 1]);
    EXPECT_EQ(**f.ledger->height_of_block(b->header.id()), h);
    for (size_t i = 0; i < b->txs.size(); ++i) {
      auto loc = f.ledger->find_tx(b->txs[i].id());
      ASSERT_TRUE(loc.is_ok() && loc->has_value());
      EXPECT_EQ((*loc)->height, h);
      EXPECT_EQ((*loc)->history_index, (h - 1) * 10 + i);
    }
  }
  EXPECT_EQ(f.infos[4].block_tx_count, 10u);
  EXPECT_EQ(f.infos[4].first_tx_index(), 40u);
}

TEST(Ledger, RefusesBadBlocksAndWritesNothing) {
  Fixture f;
  f.commit(2);
  const size_t keys = f.store.key_count();
  const Hash32 root = f.ledger->history_root();

  BlockCommit wrong_height = f.next_block();
  wrong_height.block.header.height = Height(9);
  EXPECT_FALSE(f.ledger->commit_block(wrong_height).is_ok());

  BlockCommit wrong_chain = f.next_block();
  wrong_chain.block.header.chain_id = "other";
  EXPECT_FALSE(f.ledger->commit_block(wrong_chain).is_ok());

  BlockCommit missing_receipt = f.next_block();
  missing_receipt.receipts.pop_back();
  EXPECT_FALSE(f.ledger->commit_block(missing_receipt).is_ok());

  BlockCommit wrong_receipt = f.next_block();
  wrong_receipt.receipts[0].tx_id[0] ^= 1;
  EXPECT_FALSE(f.ledger->commit_block(wrong_receipt).is_ok());

  BlockCommit bad_payload = f.next_block();
  bad_payload.block.header.payload_hash[0] ^= 1;
  EXPECT_FALSE(f.ledger->commit_block(bad_payload).is_ok());

  BlockCommit replay = f.next_block();
  replay.block.txs[0] = f.ledger->block_at(1)->txs[0];
  replay.receipts[0].tx_id = replay.block.txs[0].id();
  replay.block.header.payload_hash = Block::payload_hash(replay.block.txs);
  EXPECT_EQ(f.ledger->commit_block(replay).status().code(), Code::kAlreadyExists);

  BlockCommit dup = f.next_block();
  dup.block.txs[1] = dup.block.txs[0];
  dup.receipts[1] = dup.receipts[0];
  dup.block.header.payload_hash = Block::payload_hash(dup.block.txs);
  EXPECT_FALSE(f.ledger->commit_block(dup).is_ok());

  BlockCommit bad_key = f.next_block();
  bad_key.writes.push_back(RecordWrite{Bytes(limits::state_key_bytes_max + 1, 'k'), to_bytes("v"), {}});
  EXPECT_FALSE(f.ledger->commit_block(bad_key).is_ok());

  EXPECT_EQ(f.store.key_count(), keys);
  EXPECT_EQ(f.ledger->height(), 2u);
  EXPECT_EQ(f.ledger->history_root(), root);
  f.commit(1);  // the ledger still works after refusals
  EXPECT_EQ(f.ledger->height(), 3u);
}

TEST(Ledger, RecordVersionsChainByPrevHash) {
  Fixture f;
  f.commit(30);
  size_t multi = 0;
  for (int r = 0; r < 1000; ++r) {
    const std::string key = "record/" + std::to_string(r);
    auto hist = f.ledger->record_history(as_view(key));
    ASSERT_TRUE(hist.is_ok());
    if (hist->size() > 1) ++multi;
    Hash32 prev{};
    for (size_t v = 0; v < hist->size(); ++v) {
      EXPECT_EQ((*hist)[v].version, v + 1);
      EXPECT_EQ((*hist)[v].prev_hash, prev);
      prev = sha256((*hist)[v].encode());
    }
    if (!hist->empty()) {
      auto cur = f.ledger->record_at(as_view(key), 30);
      ASSERT_TRUE(cur.is_ok() && cur->has_value());
      EXPECT_EQ(**cur, hist->back());
    }
  }
  EXPECT_GT(multi, 10u);
}

// The latest-height record cache (Ledger::latest_) must answer exactly as
// the store: after updates, deletions and re-creations, at the latest
// height (cached) and at every older height (store), and the version chain
// continues across a deletion.
TEST(Ledger, LatestRecordCacheAgreesWithTheStore) {
  Fixture f;
  f.commit(1);
  const std::string a = "cache/a", b = "cache/b";
  auto body = [](const std::string& v) { return std::optional<Bytes>(to_bytes(v)); };
  // height -> writes of that block, applied in order.
  const std::vector<std::vector<std::pair<std::string, std::optional<Bytes>>>> plan = {
      {{a, body("a1")}, {b, body("b1")}},
      {{a, body("a2")}, {a, body("a3")}},  // twice in one block: the last wins
      {{b, std::nullopt}},                 // delete
      {},
      {{b, body("b2")}},                   // re-create
  };
  std::map<std::pair<std::string, uint64_t>, std::optional<std::string>> expect;
  std::map<std::string, std::optional<std::string>> now;
  for (const auto& writes : plan) {
    // Read first (fills the cache at the current latest height).
    for (const std::string& k : {a, b}) ASSERT_TRUE(f.ledger->record_at(as_view(k), f.ledger->height()).is_ok());
    BlockCommit c = f.next_block();
    const Hash32 tx = c.block.txs.empty() ? Hash32{} : c.block.txs[0].id();
    for (const auto& [k, v] : writes) {
      c.writes.push_back(RecordWrite{to_bytes(k), v, tx});
      now[k] = v ? std::optional<std::string>(std::string(as_chars(*v))) : std::nullopt;
    }
    auto li = f.ledger->commit_block(c);
    ASSERT_TRUE(li.is_ok()) << li.status().to_string();
    for (const std::string& k : {a, b}) expect[{k, li->height.value()}] = now.count(k) ? now[k] : std::nullopt;
  }
  for (const auto& [where, value] : expect) {
    auto got = f.ledger->record_at(as_view(where.first), where.second);
    ASSERT_TRUE(got.is_ok());
    ASSERT_EQ(got->has_value(), value.has_value()) << where.first << " at " << where.second;
    if (value) {
      EXPECT_EQ(std::string(as_chars((*got)->body)), *value) << where.first << " at " << where.second;
    }
  }
  auto hist = f.ledger->record_history(as_view(b));
  ASSERT_TRUE(hist.is_ok());
  ASSERT_EQ(hist->size(), 2u);
  EXPECT_EQ((*hist)[1].version, 2u);
  EXPECT_EQ((*hist)[1].prev_hash, sha256((*hist)[0].encode()));
  hist = f.ledger->record_history(as_view(a));
  ASSERT_TRUE(hist.is_ok());
  ASSERT_EQ(hist->size(), 3u);  // a1, a2, a3: every write is a version
  EXPECT_EQ(std::string(as_chars(hist->back().body)), "a3");
}

TEST(Ledger, RefusesAStoreOfAnotherStorageFormat) {
  Fixture f;
  f.commit(2);
  EXPECT_TRUE(Ledger::open(f.store, {"ipl-test", 0, false}).is_ok());
  // A format-1 store (no marker) and a future format are both refused.
  Bytes key{prefix::kMeta};
  for (char ch : std::string("format")) key.push_back(static_cast<uint8_t>(ch));
  for (std::optional<uint64_t> format : {std::optional<uint64_t>(), std::optional<uint64_t>(kStorageFormat + 1)}) {
    WriteBatch batch;
    if (format) {
      batch.put(key, Encoder(8).u64(*format).take());
    } else {
      batch.del(key);
    }
    ASSERT_TRUE(f.store.write(batch, false).is_ok());
    auto reopened = Ledger::open(f.store, {"ipl-test", 0, false});
    ASSERT_FALSE(reopened.is_ok());
    EXPECT_EQ(reopened.status().code(), Code::kInvalidArgument);
    EXPECT_NE(reopened.status().message().find("storage format"), std::string::npos);
  }
}

TEST(Ledger, TxProofVerifiesAndEveryTamperFails) {
  Fixture f;
  f.commit(4);
  const Block b = *f.ledger->block_at(3);
  auto proof = f.ledger->prove_tx(b.txs[4].id());
  ASSERT_TRUE(proof.is_ok()) << proof.status().to_string();
  EXPECT_TRUE(verify_tx_proof(*proof, f.committee.set).is_ok());
  auto decoded = TxProof::decode(proof->encode());
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_TRUE(verify_tx_proof(*decoded, f.committee.set).is_ok());

  const Bytes enc = proof->encode();
  for (size_t i = 0; i < enc.size(); ++i) {
    Bytes t = enc;
    t[i] ^= 0x01;
    auto p = TxProof::decode(t);
    if (p.is_ok()) {
      // A flip inside a signature of an unused bitmap slot cannot exist, so
      // every decodable mutation must fail verification.
      EXPECT_FALSE(verify_tx_proof(*p, f.committee.set).is_ok()) << "byte " << i;
    }
  }
  // Another committee's certificate does not anchor it.
  EXPECT_FALSE(verify_tx_proof(*proof, TestCommittee(4, 2).set).is_ok());
}

TEST(Ledger, RecordProofsOfPresenceAndAbsence) {
  Fixture f;
  f.commit(6);
  for (int r = 0; r < 50; ++r) {
    const std::string key = "record/" + std::to_string(r);
    auto p = f.ledger->prove_record(as_view(key), 6);
    ASSERT_TRUE(p.is_ok()) << p.status().to_string();
    EXPECT_TRUE(verify_record_proof(*p, f.committee.set).is_ok());
    auto round = RecordProof::decode(p->encode());
    ASSERT_TRUE(round.is_ok());
    EXPECT_TRUE(verify_record_proof(*round, f.committee.set).is_ok());
    RecordProof lie = *p;
    if (lie.envelope) {
      lie.envelope->back() ^= 1;
    } else {
      lie.envelope = StateEnvelope{1, {}, {}, 1, to_bytes("x")}.encode();
    }
    EXPECT_FALSE(verify_record_proof(lie, f.committee.set).is_ok());
  }
  auto absent = f.ledger->prove_record(as_view("no-such-record"), 6);
  ASSERT_TRUE(absent.is_ok());
  EXPECT_FALSE(absent->envelope.has_value());
  EXPECT_TRUE(verify_record_proof(*absent, f.committee.set).is_ok());
}

TEST(Ledger, ConsistencyBetweenCertifiedHeights) {
  Fixture f;
  f.commit(6);
  for (size_t a = 0; a < 6; ++a) {
    for (size_t b = a; b < 6; ++b) {
      auto p = f.ledger->prove_consistency(f.infos[a].history_size, f.infos[b].history_size);
      ASSERT_TRUE(p.is_ok());
      EXPECT_TRUE(verify_consistency(*p, f.infos[a].history_root, f.infos[b].history_root).is_ok());
    }
  }
}

TEST(Ledger, CertificateForDifferentLedgerInfoIsRefused) {
  Fixture f;
  f.commit(2);
  LedgerInfo other = f.infos[1];
  other.state_root[0] ^= 1;
  EXPECT_FALSE(f.ledger->store_certificate(f.committee.certify(other)).is_ok());
  LedgerInfo future = f.infos[1];
  future.height = Height(7);
  EXPECT_FALSE(f.ledger->store_certificate(f.committee.certify(future)).is_ok());
}

TEST(Ledger, ReadersRunWhileBlocksCommit) {
  Fixture f;
  f.commit(2);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> proofs{0};
  std::thread reader([&] {
    while (!done.load()) {
      const uint64_t h = f.ledger->height();
      auto b = f.ledger->block_at(1);
      ASSERT_TRUE(b.is_ok());
      auto p = f.ledger->prove_tx(b->txs[0].id());
      ASSERT_TRUE(p.is_ok());
      ASSERT_TRUE(verify_tx_proof(*p, f.committee.set).is_ok());
      ASSERT_TRUE(f.ledger->prove_consistency(10, f.ledger->history_size()).is_ok());
      ASSERT_GE(f.ledger->height(), h);
      ++proofs;
    }
  });
  f.commit(20);
  done = true;
  reader.join();
  EXPECT_GT(proofs.load(), 0u);
  EXPECT_EQ(f.ledger->height(), 22u);
}

TEST(Ledger, ReopensFromLevelDb) {
  char tmpl[] = "/tmp/ipl-ledger-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  ChainGen gen{ChainGenOptions{}};
  Hash32 hroot, sroot;
  {
    auto store = open_leveldb(dir);
    ASSERT_TRUE(store.is_ok());
    auto l = Ledger::open(**store, {"ipl-test", 4, true});
    ASSERT_TRUE(l.is_ok());
    Hash32 parent{};
    for (uint64_t h = 1; h <= 8; ++h) {
      ASSERT_TRUE((*l)->commit_block(gen.block(h, parent)).is_ok());
      parent = (*l)->block_at(h)->header.id();
    }
    hroot = (*l)->history_root();
    sroot = (*l)->state_root();
  }
  auto store = open_leveldb(dir);
  ASSERT_TRUE(store.is_ok());
  auto l = Ledger::open(**store, {"ipl-test", 4, true});
  ASSERT_TRUE(l.is_ok()) << l.status().to_string();
  EXPECT_EQ((*l)->height(), 8u);
  EXPECT_EQ((*l)->history_root(), hroot);
  EXPECT_EQ((*l)->state_root(), sroot);
  EXPECT_FALSE(Ledger::open(**store, {"another-chain", 4, true}).is_ok());
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace ipl::ledger
