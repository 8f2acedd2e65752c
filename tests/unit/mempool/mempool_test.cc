// Goal: the mempool admits exactly what DESIGN.md step 2 allows, answers
// every rejection with its stable code, verifies each signature once, and
// hands a leader only contiguous nonce runs. Method: a real Mempool with
// real Ed25519 test keys over a fake CommittedLookup whose next nonces,
// committed ids and height the test sets directly.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "node/mempool.h"

namespace ipl::node {
namespace {

constexpr std::string_view kChain = "ipl-test";

class FakeLookup final : public CommittedLookup {
 public:
  bool is_committed(const Hash32& id) const override {
    std::lock_guard<std::mutex> l(mu_);
    return committed_.contains(id);
  }
  uint64_t next_nonce(const PublicKey& k) const override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = next_.find(k);
    return it == next_.end() ? 1 : it->second;
  }
  uint64_t committed_height() const override { return height_.load(); }

  void commit(const Transaction& tx) {
    std::lock_guard<std::mutex> l(mu_);
    committed_.insert(tx.id());
    auto body = TxBody::decode(tx.body).value();
    next_[body.sender_key] = std::max(next_[body.sender_key], body.nonce + 1);
  }
  void set_height(uint64_t h) { height_ = h; }

 private:
  mutable std::mutex mu_;
  std::set<Hash32> committed_;
  std::map<PublicKey, uint64_t> next_;
  std::atomic<uint64_t> height_{10};
};

Transaction make_tx(const KeyPair& kp, uint64_t nonce, uint64_t valid_until = 1000, std::string chain = std::string(kChain),
                    size_t payload_bytes = 8) {
  TxBody b;
  b.chain_id = std::move(chain);
  b.sender_key = kp.public_key;
  b.nonce = nonce;
  b.valid_until_height = valid_until;
  b.type = "test.noop";
  b.value_date = CivilDate{20250101};
  b.payload = Bytes(payload_bytes, 0x42);
  return Transaction::sign(b, kp.secret_key);
}

MempoolOptions options(size_t threads = 2) {
  MempoolOptions o;
  o.chain_id = std::string(kChain);
  o.verify_threads = threads;
  return o;
}

TxVerdict submit(Mempool& m, const Transaction& tx) { return m.submit(tx.encode()).verdict; }

uint64_t nonce_of(const Transaction& tx) { return TxBody::decode(tx.body).value().nonce; }

TEST(Mempool, AcceptsValidTransactionAndGossipsOnce) {
  FakeLookup lookup;
  std::atomic<int> gossiped{0};
  Mempool m(options(), lookup, [&](const Hash32&, ByteView) { ++gossiped; });
  auto kp = KeyPair::for_test("alice");
  Transaction tx = make_tx(kp, 1);
  SubmitResult r = m.submit(tx.encode());
  EXPECT_EQ(r.verdict, TxVerdict::kAccepted);
  EXPECT_TRUE(r.is_new);
  ASSERT_TRUE(r.tx_id.has_value());
  EXPECT_EQ(*r.tx_id, tx.id());
  EXPECT_TRUE(m.contains(tx.id()));
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(gossiped.load(), 1);
}

TEST(Mempool, IdenticalResubmissionIsIdempotentAndVerifiedOnce) {
  FakeLookup lookup;
  std::atomic<int> gossiped{0};
  Mempool m(options(), lookup, [&](const Hash32&, ByteView) { ++gossiped; });
  auto kp = KeyPair::for_test("alice");
  Transaction tx = make_tx(kp, 1);
  for (int i = 0; i < 5; ++i) {
    SubmitResult r = m.submit(tx.encode());
    EXPECT_EQ(r.verdict, TxVerdict::kAccepted);
    EXPECT_EQ(r.is_new, i == 0);
    EXPECT_EQ(*r.tx_id, tx.id());
  }
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(gossiped.load(), 1);
  EXPECT_EQ(m.stats().verified_total, 1u);
}

TEST(Mempool, RejectsEveryReasonWithItsCode) {
  FakeLookup lookup;
  MempoolOptions o = options();
  o.limits.nonce_window = 4;
  o.limits.sender_txs_max = 2;
  o.limits.txs_max = 3;
  Mempool m(o, lookup);
  auto a = KeyPair::for_test("a");
  auto b = KeyPair::for_test("b");

  // tx.too_large: checked before decoding.
  EXPECT_EQ(m.submit(Bytes(limits::tx_bytes_max + 1, 0)).verdict, TxVerdict::kTooLarge);
  // tx.malformed
  EXPECT_EQ(m.submit(Bytes{1, 2, 3}).verdict, TxVerdict::kMalformed);
  Bytes trailing = make_tx(a, 1).encode();
  trailing.push_back(0);
  EXPECT_EQ(m.submit(trailing).verdict, TxVerdict::kMalformed);
  // tx.wrong_chain
  EXPECT_EQ(submit(m, make_tx(a, 1, 1000, "other-chain")), TxVerdict::kWrongChain);
  // tx.expired: committed height is 10, so valid_until 10 can never execute.
  EXPECT_EQ(submit(m, make_tx(a, 1, 10)), TxVerdict::kExpired);
  EXPECT_EQ(submit(m, make_tx(a, 1, 11)), TxVerdict::kAccepted);
  // tx.nonce_too_low
  lookup.commit(make_tx(b, 3));  // b's next nonce is 4
  EXPECT_EQ(submit(m, make_tx(b, 3)), TxVerdict::kCommitted);
  EXPECT_EQ(submit(m, make_tx(b, 2)), TxVerdict::kNonceTooLow);
  // tx.nonce_too_far: window [4, 8)
  EXPECT_EQ(submit(m, make_tx(b, 8)), TxVerdict::kNonceTooFar);
  EXPECT_EQ(submit(m, make_tx(b, 7)), TxVerdict::kAccepted);
  // tx.nonce_taken: a different transaction with a pending nonce.
  EXPECT_EQ(submit(m, make_tx(b, 7, 999)), TxVerdict::kNonceTaken);
  // tx.bad_signature
  Transaction forged = make_tx(b, 5);
  forged.signature.bytes[0] ^= 1;
  EXPECT_EQ(submit(m, forged), TxVerdict::kBadSignature);
  // mempool.sender_full: b holds 7; one more fits, then full.
  EXPECT_EQ(submit(m, make_tx(b, 6)), TxVerdict::kAccepted);
  EXPECT_EQ(submit(m, make_tx(b, 5)), TxVerdict::kSenderFull);
  // mempool.full: 3 pending in all.
  EXPECT_EQ(submit(m, make_tx(a, 2)), TxVerdict::kFull);
  EXPECT_EQ(m.size(), 3u);

  MempoolStats s = m.stats();
  EXPECT_EQ(s.answers_total[static_cast<size_t>(TxVerdict::kTooLarge)], 1u);
  EXPECT_EQ(s.answers_total[static_cast<size_t>(TxVerdict::kMalformed)], 2u);
  EXPECT_EQ(s.answers_total[static_cast<size_t>(TxVerdict::kBadSignature)], 1u);
  EXPECT_EQ(s.answers_total[static_cast<size_t>(TxVerdict::kFull)], 1u);
  EXPECT_EQ(s.accepted_total, 3u);
}

TEST(Mempool, VerdictCodesAreStable) {
  EXPECT_EQ(verdict_code(TxVerdict::kAccepted), "ok");
  EXPECT_EQ(verdict_code(TxVerdict::kFull), "mempool.full");
  EXPECT_EQ(verdict_code(TxVerdict::kSenderFull), "mempool.sender_full");
  EXPECT_EQ(verdict_code(TxVerdict::kNonceTooLow), "tx.nonce_too_low");
  EXPECT_EQ(verdict_code(TxVerdict::kNonceTooFar), "tx.nonce_too_far");
  EXPECT_EQ(verdict_code(TxVerdict::kExpired), "tx.expired");
  EXPECT_EQ(verdict_code(TxVerdict::kWrongChain), "tx.wrong_chain");
  EXPECT_EQ(verdict_code(TxVerdict::kBadSignature), "tx.bad_signature");
  EXPECT_EQ(verdict_code(TxVerdict::kTooLarge), "tx.too_large");
  EXPECT_EQ(verdict_code(TxVerdict::kMalformed), "tx.malformed");
}

TEST(Mempool, BadSignatureVerdictIsCachedAndRepeated) {
  FakeLookup lookup;
  Mempool m(options(), lookup);
  Transaction forged = make_tx(KeyPair::for_test("a"), 1);
  forged.signature.bytes[3] ^= 0x80;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(submit(m, forged), TxVerdict::kBadSignature);
  EXPECT_EQ(m.stats().verified_total, 1u);
  EXPECT_EQ(m.size(), 0u);
}

// Regression (found while writing RejectsEveryReasonWithItsCode): tx_id
// covers the body only, so a forged signature over someone's body must not
// make the genuine transaction answer tx.bad_signature afterwards.
TEST(Mempool, ForgedCopyDoesNotPoisonGenuineTransaction) {
  FakeLookup lookup;
  Mempool m(options(), lookup);
  Transaction genuine = make_tx(KeyPair::for_test("a"), 1);
  Transaction forged = genuine;
  forged.signature.bytes[0] ^= 1;
  EXPECT_EQ(submit(m, forged), TxVerdict::kBadSignature);
  EXPECT_EQ(submit(m, genuine), TxVerdict::kAccepted);
  // The forged copy now answers as the pending id (its body is pending).
  EXPECT_EQ(submit(m, forged), TxVerdict::kAccepted);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.stats().verified_total, 2u);
}

TEST(Mempool, BatchTakesOnlyContiguousRunsInArrivalOrder) {
  FakeLookup lookup;
  Mempool m(options(), lookup);
  auto a = KeyPair::for_test("a");
  auto b = KeyPair::for_test("b");
  auto c = KeyPair::for_test("c");
  // a: 2 arrives before 1; then 3; gap at 4; 5.  b: 1, 2.  c: 2 only (gap).
  ASSERT_EQ(submit(m, make_tx(a, 2)), TxVerdict::kAccepted);
  ASSERT_EQ(submit(m, make_tx(b, 1)), TxVerdict::kAccepted);
  ASSERT_EQ(submit(m, make_tx(a, 1)), TxVerdict::kAccepted);
  ASSERT_EQ(submit(m, make_tx(c, 2)), TxVerdict::kAccepted);
  ASSERT_EQ(submit(m, make_tx(a, 3)), TxVerdict::kAccepted);
  ASSERT_EQ(submit(m, make_tx(b, 2)), TxVerdict::kAccepted);
  ASSERT_EQ(submit(m, make_tx(a, 5)), TxVerdict::kAccepted);

  std::vector<Transaction> batch = m.next_batch(100, limits::block_bytes_max);
  std::vector<std::pair<PublicKey, uint64_t>> got;
  for (const auto& tx : batch) {
    auto body = TxBody::decode(tx.body).value();
    got.emplace_back(body.sender_key, body.nonce);
  }
  std::vector<std::pair<PublicKey, uint64_t>> want = {
      {b.public_key, 1}, {a.public_key, 1}, {a.public_key, 2}, {a.public_key, 3}, {b.public_key, 2}};
  EXPECT_EQ(got, want);
  // Deterministic: the same pool gives the same batch; nothing was removed.
  EXPECT_EQ(m.next_batch(100, limits::block_bytes_max), batch);
  EXPECT_EQ(m.size(), 7u);
  // Count and byte bounds cut the batch, never a run's middle out of order.
  EXPECT_EQ(m.next_batch(2, limits::block_bytes_max).size(), 2u);
  const size_t one = make_tx(a, 1).encode().size();
  EXPECT_EQ(m.next_batch(100, one).size(), 1u);
}

TEST(Mempool, BatchSkipsNoncesInLeadersUncommittedAncestors) {
  FakeLookup lookup;
  Mempool m(options(), lookup);
  auto a = KeyPair::for_test("a");
  for (uint64_t n = 1; n <= 4; ++n) ASSERT_EQ(submit(m, make_tx(a, n)), TxVerdict::kAccepted);
  std::map<PublicKey, uint64_t> ancestors = {{a.public_key, 2}};
  auto batch = m.next_batch(100, limits::block_bytes_max, ancestors);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(nonce_of(batch[0]), 3u);
  EXPECT_EQ(nonce_of(batch[1]), 4u);
  // Ancestors ahead of everything pending: nothing to propose.
  EXPECT_TRUE(m.next_batch(100, limits::block_bytes_max, {{a.public_key, 9}}).empty());
}

TEST(Mempool, CommitEvictsCommittedStaleAndExpired) {
  FakeLookup lookup;
  Mempool m(options(), lookup);
  auto a = KeyPair::for_test("a");
  auto b = KeyPair::for_test("b");
  Transaction a1 = make_tx(a, 1), a2 = make_tx(a, 2), a3 = make_tx(a, 3);
  Transaction b1 = make_tx(b, 1, 12);
  for (const auto* tx : {&a1, &a2, &a3, &b1}) ASSERT_EQ(submit(m, *tx), TxVerdict::kAccepted);
  // Another node's block committed a1 and a conflicting a2'; height 12
  // expires b1 (valid until 12 means executable at most at height 12).
  Transaction a2_other = make_tx(a, 2, 777);
  lookup.commit(a1);
  lookup.commit(a2_other);
  lookup.set_height(12);
  std::vector<Transaction> block = {a1, a2_other};
  m.on_committed(block);
  EXPECT_FALSE(m.contains(a1.id()));
  EXPECT_FALSE(m.contains(a2.id()));
  EXPECT_FALSE(m.contains(b1.id()));
  EXPECT_TRUE(m.contains(a3.id()));
  EXPECT_EQ(m.size(), 1u);
  MempoolStats s = m.stats();
  EXPECT_EQ(s.evicted_committed_total, 1u);
  EXPECT_EQ(s.evicted_stale_total, 2u);
  // Resubmitting the committed one answers committed, not a duplicate.
  EXPECT_EQ(submit(m, a1), TxVerdict::kCommitted);
  auto batch = m.next_batch(10, limits::block_bytes_max);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0], a3);
}

TEST(Mempool, ConcurrentSubmittersKeepBoundsAndVerifyOnce) {
  FakeLookup lookup;
  MempoolOptions o = options(2);
  o.limits.txs_max = 300;
  o.limits.sender_txs_max = 40;
  std::atomic<int> gossiped{0};
  Mempool m(o, lookup, [&](const Hash32&, ByteView) { ++gossiped; });
  constexpr int kSenders = 10, kPerSender = 50;
  std::vector<std::vector<Bytes>> txs(kSenders);
  for (int s = 0; s < kSenders; ++s) {
    auto kp = KeyPair::for_test("s" + std::to_string(s));
    for (int n = 1; n <= kPerSender; ++n) txs[s].push_back(make_tx(kp, n).encode());
  }
  // Four threads each submit every transaction (so each id is submitted four
  // times, concurrently), in different orders.
  std::vector<std::thread> threads;
  std::atomic<int> accepted_new{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSenders * kPerSender; ++i) {
        int k = (i * (t + 1) * 7 + t) % (kSenders * kPerSender);
        SubmitResult r = m.submit(txs[k % kSenders][k / kSenders]);
        if (r.is_new) ++accepted_new;
      }
    });
  }
  for (auto& th : threads) th.join();
  MempoolStats s = m.stats();
  EXPECT_LE(s.size, 300u);
  EXPECT_EQ(static_cast<size_t>(accepted_new.load()), s.size);
  EXPECT_EQ(static_cast<size_t>(gossiped.load()), s.size);
  EXPECT_LE(s.verified_total, static_cast<uint64_t>(kSenders * kPerSender));
  for (int sd = 0; sd < kSenders; ++sd) {
    size_t held = 0;
    for (const Bytes& b : txs[sd]) held += m.contains(Transaction::decode(b).value().id()) ? 1 : 0;
    EXPECT_LE(held, 40u);
  }
  EXPECT_GT(s.verify_rate_per_core(), 0.0);
}

TEST(MempoolLimits, RaisingAboveHardMaxIsRefused) {
  MempoolLimits l;
  EXPECT_TRUE(l.validate().is_ok());
  l.nonce_window = limits::mempool_nonce_window_max + 1;
  EXPECT_FALSE(l.validate().is_ok());
  l = MempoolLimits{};
  l.txs_max = 0;
  EXPECT_FALSE(l.validate().is_ok());
}

}  // namespace
}  // namespace ipl::node

namespace ipl::node {
namespace {

// The proposal payload check (node/node.cc): verdicts come from the cache,
// unknown signatures are verified once (split over two threads when many),
// and one bad signature anywhere refuses the whole payload.
TEST(MempoolPayloadCheck, UsesCachedVerdictsAndVerifiesUnknownOnce) {
  FakeLookup lookup;
  Mempool m(options(), lookup);
  std::vector<Transaction> txs;
  for (uint64_t i = 1; i <= 100; ++i) txs.push_back(make_tx(KeyPair::for_test("p" + std::to_string(i % 7)), i));
  ASSERT_EQ(submit(m, txs[0]), TxVerdict::kAccepted);  // verified on admission
  EXPECT_EQ(m.stats().verified_total, 1u);
  EXPECT_TRUE(m.check_signatures(txs));
  EXPECT_EQ(m.stats().verified_total, 100u);  // the 99 unknown ones, once each
  EXPECT_TRUE(m.check_signatures(txs));
  EXPECT_EQ(m.stats().verified_total, 100u);  // all cached now
  // Gossip of an already-checked transaction is not verified again.
  ASSERT_EQ(submit(m, txs[50]), TxVerdict::kAccepted);
  EXPECT_EQ(m.stats().verified_total, 100u);
}

TEST(MempoolPayloadCheck, OneForgedSignatureRefusesThePayload) {
  FakeLookup lookup;
  Mempool m(options(), lookup);
  for (size_t where : {size_t{0}, size_t{10}, size_t{99}}) {
    std::vector<Transaction> txs;
    for (uint64_t i = 1; i <= 100; ++i) txs.push_back(make_tx(KeyPair::for_test("f" + std::to_string(where)), i));
    txs[where].signature.bytes[5] ^= 0x01;
    EXPECT_FALSE(m.check_signatures(txs)) << "forged at " << where;
    // The cached bad verdict refuses it again without verifying.
    const uint64_t before = m.stats().verified_total;
    EXPECT_FALSE(m.check_signatures(std::span<const Transaction>(&txs[where], 1)));
    EXPECT_EQ(m.stats().verified_total, before);
  }
  EXPECT_TRUE(m.check_signatures({}));
}

}  // namespace
}  // namespace ipl::node
