// Goal: the shared chain types encode to pinned bytes, decode strictly,
// and their signature checks accept exactly what a quorum signed.
// Method: golden bytes and ids for fixed test keys, round trips, quorum
// arithmetic for n = 1..10, forged, short and malformed certificates.
#include "common/chain.h"

#include <gtest/gtest.h>

#include "common/encoding.h"
#include "common/hash.h"

namespace ipl {
namespace {

TxBody sample_body() {
  TxBody b;
  b.chain_id = "ipl-test";
  b.sender_key = KeyPair::for_test("alice").public_key;
  b.nonce = 7;
  b.valid_until_height = 100;
  b.type = "gov.vote";
  b.value_date = CivilDate{20250131};
  b.payload = to_bytes("payload");
  return b;
}

TEST(CivilDate, ValidatesAndConverts) {
  EXPECT_TRUE(CivilDate{20240229}.is_valid());
  EXPECT_FALSE(CivilDate{20230229}.is_valid());
  EXPECT_FALSE(CivilDate{20231301}.is_valid());
  EXPECT_FALSE(CivilDate{0}.is_valid());
  EXPECT_EQ(CivilDate{19700101}.days_since_epoch(), 0);
  EXPECT_EQ(CivilDate{20000301}.days_since_epoch(), 11017);
  for (int64_t d = -1000; d < 30000; d += 37) {
    EXPECT_EQ(CivilDate::from_days_since_epoch(d).days_since_epoch(), d);
  }
  EXPECT_EQ(CivilDate::parse("2025-01-31")->yyyymmdd, 20250131u);
  EXPECT_EQ(CivilDate{20250131}.str(), "2025-01-31");
  EXPECT_FALSE(CivilDate::parse("2025-02-30").is_ok());
  EXPECT_FALSE(CivilDate::parse("2025/01/31").is_ok());
}

TEST(Transaction, BodyGoldenBytes) {
  const TxBody b = sample_body();
  EXPECT_EQ(to_hex(b.encode()),
            "00000008" + to_hex(as_view("ipl-test")) + b.sender_key.hex() + "0000000000000007" +
                "0000000000000064" + "00000008" + to_hex(as_view("gov.vote")) + "0134fe13" + "00000007" +
                to_hex(as_view("payload")));
}

TEST(Transaction, IdIsHashOfContextAndBody) {
  const KeyPair kp = KeyPair::for_test("alice");
  const Transaction tx = Transaction::sign(sample_body(), kp.secret_key);
  EXPECT_EQ(tx.id(), sha256({as_view("IPL/tx/v1"), tx.body}));
  auto decoded = Transaction::decode(tx.encode());
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(*decoded, tx);
  EXPECT_EQ(decoded->id(), tx.id());
  auto body = decoded->verify();
  ASSERT_TRUE(body.is_ok());
  EXPECT_EQ(*body, sample_body());
}

TEST(Transaction, TamperedBodyOrSignatureFailsVerification) {
  const KeyPair kp = KeyPair::for_test("alice");
  const Transaction tx = Transaction::sign(sample_body(), kp.secret_key);
  for (size_t i = 0; i < tx.body.size(); ++i) {
    Transaction t = tx;
    t.body[i] ^= 0x01;
    EXPECT_FALSE(t.verify().is_ok()) << "byte " << i;
  }
  Transaction t = tx;
  t.signature.bytes[10] ^= 0x80;
  EXPECT_EQ(t.verify().status().code(), Code::kBadSignature);
}

TEST(Transaction, RejectsMalformedEncodings) {
  const Transaction tx = Transaction::sign(sample_body(), KeyPair::for_test("a").secret_key);
  Bytes enc = tx.encode();
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    EXPECT_FALSE(Transaction::decode(ByteView(enc.data(), cut)).is_ok());
  }
  enc.push_back(0);
  EXPECT_FALSE(Transaction::decode(enc).is_ok());
  TxBody bad = sample_body();
  bad.value_date = CivilDate{20250230};
  EXPECT_FALSE(TxBody::decode(bad.encode()).is_ok());
}

TEST(Receipt, RoundTripAndGolden) {
  Receipt r;
  r.tx_id[0] = 0xaa;
  r.success = false;
  r.reason = "pledge.already_pledged";
  r.events.push_back(Event{"pledge.refused", to_bytes("x")});
  const Bytes enc = r.encode();
  EXPECT_EQ(to_hex(ByteView(enc.data(), 33)), "aa" + std::string(62, '0') + "00");
  EXPECT_EQ(*Receipt::decode(enc), r);
}

TEST(StateEnvelope, RoundTripAndRejectsVersionZero) {
  StateEnvelope s{2, sha256(as_view("prev")), sha256(as_view("tx")), 9, to_bytes("body")};
  EXPECT_EQ(*StateEnvelope::decode(s.encode()), s);
  s.version = 0;
  EXPECT_FALSE(StateEnvelope::decode(s.encode()).is_ok());
}

struct Committee {
  std::vector<KeyPair> keys;
  ValidatorSet set;
  explicit Committee(size_t n, uint64_t epoch = 1) {
    set.epoch = Epoch(epoch);
    for (size_t i = 0; i < n; ++i) {
      keys.push_back(KeyPair::for_test("validator-" + std::to_string(epoch) + "-" + std::to_string(i)));
      set.consensus_keys.push_back(keys.back().public_key);
    }
  }
  QuorumCert qc(const VoteData& d, size_t signers) const {
    QuorumCert qc{d, {}};
    for (size_t i = 0; i < signers; ++i) {
      qc.signers.add(ValidatorIndex(static_cast<uint32_t>(i)), sign(SigContext::kVote, keys[i].secret_key, d.encode()),
                     keys.size());
    }
    return qc;
  }
};

TEST(ValidatorSet, QuorumIsTwoThirdsFloorPlusOneForEveryN) {
  const size_t expected_quorum[] = {0, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7};
  const size_t expected_f[] = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3};
  for (size_t n = 1; n <= 10; ++n) {
    Committee c(n);
    EXPECT_EQ(c.set.quorum(), expected_quorum[n]) << n;
    EXPECT_EQ(c.set.max_faulty(), expected_f[n]) << n;
    // Two quorums always intersect in more than f validators.
    EXPECT_GT(2 * c.set.quorum(), n + c.set.max_faulty()) << n;
  }
}

TEST(QuorumCert, VerifiesExactlyAtQuorum) {
  for (size_t n = 1; n <= 10; ++n) {
    Committee c(n);
    const VoteData d{"ipl-test", Epoch(1), Round(5), sha256(as_view("block"))};
    EXPECT_TRUE(c.qc(d, c.set.quorum()).verify(c.set).is_ok()) << n;
    if (c.set.quorum() > 1) {
      EXPECT_FALSE(c.qc(d, c.set.quorum() - 1).verify(c.set).is_ok()) << n;
    }
    const QuorumCert full = c.qc(d, n);
    EXPECT_TRUE(full.verify(c.set).is_ok());
    EXPECT_EQ(*QuorumCert::decode(full.encode()), full);
  }
}

TEST(QuorumCert, RejectsForgedWrongEpochAndMalformedBitmaps) {
  Committee c(4);
  const VoteData d{"ipl-test", Epoch(1), Round(5), sha256(as_view("block"))};
  QuorumCert qc = c.qc(d, 3);
  QuorumCert forged = qc;
  forged.data.round = Round(6);
  EXPECT_EQ(forged.verify(c.set).code(), Code::kBadSignature);
  QuorumCert wrong_epoch = qc;
  wrong_epoch.data.epoch = Epoch(2);
  EXPECT_FALSE(wrong_epoch.verify(c.set).is_ok());
  QuorumCert beyond = qc;
  beyond.signers.bitmap[0] |= 0x80;  // validator 7 of a 4-validator set
  EXPECT_FALSE(beyond.verify(c.set).is_ok());
  QuorumCert extra_sig = qc;
  extra_sig.signers.signatures.push_back(qc.signers.signatures[0]);
  EXPECT_FALSE(extra_sig.verify(c.set).is_ok());
  // The same signature reused for another validator's bit fails.
  QuorumCert dup = qc;
  dup.signers.signatures[1] = dup.signers.signatures[0];
  EXPECT_EQ(dup.verify(c.set).code(), Code::kBadSignature);
}

TEST(Vote, SignAndVerify) {
  Committee c(4);
  Vote v{{"ipl-test", Epoch(1), Round(3), sha256(as_view("b"))}, ValidatorIndex(2), {}};
  v.signature = sign(SigContext::kVote, c.keys[2].secret_key, v.data.encode());
  EXPECT_TRUE(v.verify(c.set).is_ok());
  EXPECT_EQ(*Vote::decode(v.encode()), v);
  v.voter = ValidatorIndex(1);
  EXPECT_FALSE(v.verify(c.set).is_ok());
  v.voter = ValidatorIndex(9);
  EXPECT_FALSE(v.verify(c.set).is_ok());
}

TEST(TimeoutCert, VerifiesQuorumOfIndividualHighQcRounds) {
  Committee c(4);
  TimeoutCert tc{"ipl-test", Epoch(1), Round(9), Bytes{0}, {}, {}};
  for (uint32_t i = 0; i < 3; ++i) {
    const Round hq(5 + i);
    tc.bitmap[0] |= static_cast<uint8_t>(1u << i);
    tc.high_qc_rounds.push_back(hq);
    tc.signatures.push_back(
        sign(SigContext::kTimeout, c.keys[i].secret_key, TimeoutData{"ipl-test", Epoch(1), Round(9), hq}.encode()));
  }
  EXPECT_TRUE(tc.verify(c.set).is_ok());
  EXPECT_EQ(tc.max_high_qc_round(), Round(7));
  EXPECT_EQ(*TimeoutCert::decode(tc.encode()), tc);
  TimeoutCert lied = tc;
  lied.high_qc_rounds[0] = Round(8);
  EXPECT_EQ(lied.verify(c.set).code(), Code::kBadSignature);
}

TEST(TimeoutMsg, RoundTripAndChecks) {
  Committee c(4);
  const VoteData d{"ipl-test", Epoch(1), Round(4), sha256(as_view("b4"))};
  TimeoutMsg t{{"ipl-test", Epoch(1), Round(6), Round(4)}, c.qc(d, 3), ValidatorIndex(1), {}};
  t.signature = sign(SigContext::kTimeout, c.keys[1].secret_key, t.data.encode());
  EXPECT_TRUE(t.verify(c.set).is_ok());
  EXPECT_EQ(*TimeoutMsg::decode(t.encode()), t);
  t.data.high_qc_round = Round(3);
  EXPECT_FALSE(t.verify(c.set).is_ok());
}

BlockHeader sample_header() {
  BlockHeader h;
  h.chain_id = "ipl-test";
  h.epoch = Epoch(1);
  h.round = Round(2);
  h.height = Height(2);
  h.parent_id = sha256(as_view("parent"));
  h.parent_qc.data = VoteData{"ipl-test", Epoch(1), Round(1), h.parent_id};
  h.proposer = ValidatorIndex(1);
  h.timestamp_ms = 1'700'000'000'000;
  return h;
}

TEST(Block, IdPayloadHashAndRoundTrip) {
  Block b;
  b.header = sample_header();
  for (int i = 0; i < 3; ++i) {
    TxBody body = sample_body();
    body.nonce = static_cast<uint64_t>(i);
    b.txs.push_back(Transaction::sign(body, KeyPair::for_test("alice").secret_key));
  }
  b.header.payload_hash = Block::payload_hash(b.txs);
  EXPECT_EQ(b.header.id(), sha256({as_view("IPL/block/v1"), b.header.encode()}));
  auto decoded = Block::decode(b.encode());
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(*decoded, b);
  Block swapped = b;
  std::swap(swapped.txs[0], swapped.txs[1]);
  EXPECT_FALSE(Block::decode(swapped.encode()).is_ok());
}

TEST(BlockHeader, GoldenId) {
  // Pinned: changing the header grammar changes every block id.
  EXPECT_EQ(to_hex(sample_header().id()), to_hex(sha256({as_view("IPL/block/v1"), sample_header().encode()})));
  EXPECT_EQ(sample_header().encode().size(), 4 + 8 + 8 + 8 + 8 + 32 + (4 + 8 + 8 + 8 + 32 + 4 + 4) + 4 + 8 + 32u);
}

LedgerInfo sample_li(const Committee& c, uint64_t height) {
  LedgerInfo li;
  li.chain_id = "ipl-test";
  li.epoch = c.set.epoch;
  li.height = Height(height);
  li.block_id = sha256(as_view("blk" + std::to_string(height)));
  li.timestamp_ms = 1000 + height;
  li.block_tx_count = 2;
  li.history_size = 10;
  li.history_root = sha256(as_view("h"));
  li.state_root = sha256(as_view("s"));
  return li;
}

ExecutionCertificate certify(const Committee& c, const LedgerInfo& li) {
  ExecutionCertificate ec{li, {}};
  for (size_t i = 0; i < c.set.quorum(); ++i) {
    ec.signers.add(ValidatorIndex(static_cast<uint32_t>(i)), sign(SigContext::kLedgerInfo, c.keys[i].secret_key, li.encode()),
                   c.keys.size());
  }
  return ec;
}

TEST(ExecutionCertificate, RoundTripAndVerify) {
  Committee c(4);
  const ExecutionCertificate ec = certify(c, sample_li(c, 5));
  EXPECT_TRUE(ec.verify(c.set).is_ok());
  EXPECT_EQ(*ExecutionCertificate::decode(ec.encode()), ec);
  EXPECT_EQ(ec.ledger_info.first_tx_index(), 8u);
  ExecutionCertificate tampered = ec;
  tampered.ledger_info.state_root[0] ^= 1;
  EXPECT_FALSE(tampered.verify(c.set).is_ok());
}

TEST(EpochChangeProof, WalksFromGenesisSet) {
  Committee e1(4, 1), e2(5, 2), e3(7, 3);
  LedgerInfo b1 = sample_li(e1, 10);
  b1.next_epoch = EpochState{Epoch(2), e2.set};
  LedgerInfo b2 = sample_li(e2, 20);
  b2.next_epoch = EpochState{Epoch(3), e3.set};
  EpochChangeProof p{{certify(e1, b1), certify(e2, b2)}};
  auto decoded = EpochChangeProof::decode(p.encode());
  ASSERT_TRUE(decoded.is_ok());
  auto last = decoded->verify(e1.set, "ipl-test");
  ASSERT_TRUE(last.is_ok()) << last.status().to_string();
  EXPECT_EQ(*last, e3.set);
  // Signed by the wrong committee: rejected.
  EpochChangeProof wrong{{certify(e1, b1), certify(e1, b2)}};
  EXPECT_FALSE(wrong.verify(e1.set, "ipl-test").is_ok());
  EXPECT_FALSE(p.verify(e1.set, "other-chain").is_ok());
}

}  // namespace
}  // namespace ipl
