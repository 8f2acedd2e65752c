// Goal: node/wire.h maps every consensus message and transaction gossip to
// bytes and back losslessly, and turns any byte string a peer may send into
// a message or a non-ok Status (limit for oversize input or counts, invalid
// otherwise), never a crash.
// Method: signed sample objects (blocks with transactions, QCs and TCs with
// signers, an execution certificate with a next epoch) in every message
// kind, optional certificates absent and present; every proper prefix of
// every encoding; single-byte deletions; a seeded loop of 20,000 random
// byte strings and 20,000 single-bit flips of valid encodings, where a
// decoded result must re-encode to an equal message; hand-built protobuf
// framing for the size and count bounds.
#include "node/wire.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/hash.h"
#include "common/limits.h"
#include "tests/unit/proto/framing.h"

namespace ipl::node {
namespace {

constexpr std::string_view kChain = "ipl-wire-test";
constexpr uint32_t kValidators = 4;

// --- Hand-built protobuf framing ------------------------------------------

using test_framing::field;
using test_framing::varint;
using test_framing::varint_field;

void append(Bytes& out, ByteView more) { out.insert(out.end(), more.begin(), more.end()); }

// --- Signed sample objects ----------------------------------------------------

struct Fixture {
  std::vector<KeyPair> keys;
  ValidatorSet validators;
  QuorumCert qc;           // certifies the parent of `block`
  TimeoutCert tc;          // for round 6, through which `block` entered round 7
  Vote vote;               // a replica's vote for `block`
  TimeoutMsg timeout;
  std::vector<Transaction> txs;
  Block parent;
  Block block;
  Vote proposer_vote;      // the leader's own vote for `block`
  LedgerInfo ledger_info;  // ends epoch 1
  ExecutionCertificate cert;

  Fixture() {
    validators.epoch = Epoch(1);
    for (uint32_t i = 0; i < kValidators; ++i) {
      keys.push_back(KeyPair::for_test("wire-validator-" + std::to_string(i)));
      validators.consensus_keys.push_back(keys.back().public_key);
    }

    const KeyPair alice = KeyPair::for_test("wire-alice");
    for (uint64_t n = 1; n <= 5; ++n) {
      TxBody b;
      b.chain_id = std::string(kChain);
      b.sender_key = alice.public_key;
      b.nonce = n;
      b.valid_until_height = 1'000;
      b.type = "ip.register";
      b.value_date = CivilDate{20250301};
      b.payload = to_bytes("payload #" + std::to_string(n) + std::string(n * 7, 'x'));
      txs.push_back(Transaction::sign(b, alice.secret_key));
    }

    parent.header.chain_id = std::string(kChain);
    parent.header.epoch = Epoch(1);
    parent.header.round = Round(5);
    parent.header.height = Height(5);
    parent.header.parent_id = sha256(as_view("block 4"));
    parent.header.parent_qc.data = VoteData{std::string(kChain), Epoch(1), Round(4), parent.header.parent_id};
    parent.header.proposer = ValidatorIndex(1);
    parent.header.timestamp_ms = 1'740'000'000'000;
    parent.txs = {txs[0]};
    parent.header.payload_hash = Block::payload_hash(parent.txs);

    qc.data = VoteData{std::string(kChain), Epoch(1), Round(5), parent.header.id()};
    for (uint32_t i = 0; i < 3; ++i) {
      qc.signers.add(ValidatorIndex(i), sign(SigContext::kVote, keys[i].secret_key, qc.data.encode()), kValidators);
    }

    tc.chain_id = std::string(kChain);
    tc.epoch = Epoch(1);
    tc.round = Round(6);
    tc.bitmap = {0x0b};  // validators 0, 1, 3
    for (uint32_t i : {0u, 1u, 3u}) {
      const TimeoutData td{std::string(kChain), Epoch(1), Round(6), Round(i == 3 ? 4 : 5)};
      tc.high_qc_rounds.push_back(td.high_qc_round);
      tc.signatures.push_back(sign(SigContext::kTimeout, keys[i].secret_key, td.encode()));
    }

    block.header.chain_id = std::string(kChain);
    block.header.epoch = Epoch(1);
    block.header.round = Round(7);
    block.header.height = Height(6);
    block.header.parent_id = parent.header.id();
    block.header.parent_qc = qc;
    block.header.proposer = ValidatorIndex(3);
    block.header.timestamp_ms = parent.header.timestamp_ms + 1'500;
    block.txs = {txs.begin() + 1, txs.end()};
    block.header.payload_hash = Block::payload_hash(block.txs);

    const VoteData block_vote{std::string(kChain), Epoch(1), Round(7), block.header.id()};
    proposer_vote.data = block_vote;
    proposer_vote.voter = ValidatorIndex(3);
    proposer_vote.signature = sign(SigContext::kVote, keys[3].secret_key, block_vote.encode());
    vote.data = block_vote;
    vote.voter = ValidatorIndex(2);
    vote.signature = sign(SigContext::kVote, keys[2].secret_key, block_vote.encode());

    timeout.data = TimeoutData{std::string(kChain), Epoch(1), Round(8), Round(5)};
    timeout.high_qc = qc;
    timeout.voter = ValidatorIndex(0);
    timeout.signature = sign(SigContext::kTimeout, keys[0].secret_key, timeout.data.encode());

    ledger_info.chain_id = std::string(kChain);
    ledger_info.epoch = Epoch(1);
    ledger_info.height = Height(6);
    ledger_info.block_id = block.header.id();
    ledger_info.timestamp_ms = block.header.timestamp_ms;
    ledger_info.block_tx_count = block.txs.size();
    ledger_info.history_size = 42;
    ledger_info.history_root = sha256(as_view("history"));
    ledger_info.state_root = sha256(as_view("state"));
    ValidatorSet next = validators;
    next.epoch = Epoch(2);
    next.consensus_keys.pop_back();
    ledger_info.next_epoch = EpochState{Epoch(2), next};

    cert.ledger_info = ledger_info;
    for (uint32_t i = 1; i < 4; ++i) {
      cert.signers.add(ValidatorIndex(i), sign(SigContext::kLedgerInfo, keys[i].secret_key, ledger_info.encode()),
                       kValidators);
    }
  }

  consensus::LedgerInfoVote ledger_info_vote() const {
    return consensus::LedgerInfoVote{ledger_info, ValidatorIndex(2),
                                     sign(SigContext::kLedgerInfo, keys[2].secret_key, ledger_info.encode())};
  }

  // Every consensus message kind; optional certificates absent and
  // present, a fetch response empty and full.
  std::vector<consensus::Message> messages() const {
    return {
        consensus::Proposal{block, tc, proposer_vote},
        consensus::Proposal{parent, std::nullopt, proposer_vote},
        vote,
        timeout,
        ledger_info_vote(),
        consensus::SyncInfo{qc, tc},
        consensus::SyncInfo{qc, std::nullopt},
        consensus::FetchRequest{block.header.id(), limits::fetch_blocks_max},
        consensus::FetchRequest{parent.header.id(), 1},
        consensus::FetchResponse{{block, parent}},
        consensus::FetchResponse{},
        consensus::EpochRequest{Epoch(1)},
        consensus::EpochRequest{Epoch(0)},
        consensus::EpochRequest{Epoch(UINT64_MAX)},
        consensus::EpochChange{cert},
    };
  }

  // Valid encodings of every message above plus gossip.
  std::vector<Bytes> encodings() const {
    std::vector<Bytes> out;
    for (const consensus::Message& m : messages()) out.push_back(encode_net(m));
    out.push_back(encode_net(txs));
    out.push_back(encode_net(std::span<const Transaction>(txs.data(), 1)));
    return out;
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void expect_code(const Status& s, Code code, std::string_view what) {
  EXPECT_FALSE(s.is_ok()) << what;
  EXPECT_EQ(s.code(), code) << what << ": " << s.to_string();
}

// A decode result is either a message that re-encodes to an equal message,
// or a limit / invalid Status; anything else fails the test.
void check_outcome(const Result<NetMessage>& r, std::string_view what) {
  if (!r.is_ok()) {
    const Code c = r.status().code();
    EXPECT_TRUE(c == Code::kInvalidArgument || c == Code::kLimitExceeded) << what << ": " << r.status().to_string();
    return;
  }
  const Bytes again = std::visit(
      [](const auto& m) {
        if constexpr (std::is_same_v<std::decay_t<decltype(m)>, TxGossip>) {
          return encode_net(m.txs);
        } else {
          return encode_net(m);
        }
      },
      *r);
  auto back = decode_net(again);
  ASSERT_TRUE(back.is_ok()) << what << ": " << back.status().to_string();
  EXPECT_TRUE(*back == *r) << what;
}

// --- Round trips -------------------------------------------------------------

TEST(Wire, EveryConsensusMessageKindRoundTrips) {
  const Fixture& f = fixture();
  std::vector<bool> seen(std::variant_size_v<consensus::Message>, false);
  for (const consensus::Message& m : f.messages()) {
    seen[m.index()] = true;
    const std::string what = consensus::message_name(m);
    const Bytes wire = encode_net(m);
    EXPECT_LE(wire.size(), limits::wire_message_bytes_max) << what;
    auto decoded = decode_net(wire);
    ASSERT_TRUE(decoded.is_ok()) << what << ": " << decoded.status().to_string();
    ASSERT_TRUE(std::holds_alternative<consensus::Message>(*decoded)) << what;
    const auto& got = std::get<consensus::Message>(*decoded);
    EXPECT_EQ(got.index(), m.index()) << what;
    EXPECT_TRUE(got == m) << what;
    // The canonical bytes of §12.2 (what the simulator hashes) agree too.
    EXPECT_EQ(consensus::encode(got), consensus::encode(m)) << what;
    EXPECT_EQ(encode_net(got), wire) << what;
  }
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_TRUE(seen[i]) << "kind " << i << " not covered";
}

TEST(Wire, DecodedContentsStillVerify) {
  const Fixture& f = fixture();
  auto r = decode_net(encode_net(consensus::Message{consensus::Proposal{f.block, f.tc, f.proposer_vote}}));
  ASSERT_TRUE(r.is_ok());
  const auto& p = std::get<consensus::Proposal>(std::get<consensus::Message>(*r));
  EXPECT_EQ(p.block.header.id(), f.block.header.id());
  EXPECT_EQ(p.block.txs.size(), 4u);
  EXPECT_EQ(Block::payload_hash(p.block.txs), f.block.header.payload_hash);
  for (size_t i = 0; i < p.block.txs.size(); ++i) {
    EXPECT_EQ(p.block.txs[i].id(), f.txs[i + 1].id());
    EXPECT_TRUE(p.block.txs[i].verify().is_ok());
  }
  ASSERT_TRUE(p.tc.has_value());
  EXPECT_TRUE(p.tc->verify(f.validators).is_ok());
  EXPECT_TRUE(p.block.header.parent_qc.verify(f.validators).is_ok());
  EXPECT_TRUE(p.proposer_vote.verify(f.validators).is_ok());
  EXPECT_EQ(p.proposer_vote.data.block_id, p.block.header.id());

  auto c = decode_net(encode_net(consensus::Message{consensus::EpochChange{f.cert}}));
  ASSERT_TRUE(c.is_ok());
  const auto& change = std::get<consensus::EpochChange>(std::get<consensus::Message>(*c));
  EXPECT_TRUE(change.cert.verify(f.validators).is_ok());
  ASSERT_TRUE(change.cert.ledger_info.next_epoch.has_value());
  EXPECT_EQ(change.cert.ledger_info.next_epoch->number, Epoch(2));
}

TEST(Wire, GossipRoundTripKeepsTransactionIds) {
  const Fixture& f = fixture();
  auto r = decode_net(encode_net(f.txs));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_TRUE(std::holds_alternative<TxGossip>(*r));
  const TxGossip& g = std::get<TxGossip>(*r);
  EXPECT_EQ(g, TxGossip{f.txs});
  ASSERT_EQ(g.txs.size(), f.txs.size());
  for (size_t i = 0; i < g.txs.size(); ++i) EXPECT_EQ(g.txs[i].id(), f.txs[i].id());
}

TEST(Wire, LargestGossipRoundTrips) {
  const std::vector<Transaction> many(limits::block_txs_max, fixture().txs[4]);
  const Bytes wire = encode_net(many);
  EXPECT_LE(wire.size(), limits::wire_message_bytes_max);
  auto r = decode_net(wire);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(std::get<TxGossip>(*r).txs.size(), limits::block_txs_max);
}

// --- Truncation and fuzzing ----------------------------------------------------

TEST(Wire, EveryTruncationFailsCleanly) {
  const std::vector<Bytes> encodings = fixture().encodings();
  ASSERT_EQ(encodings.size(), fixture().messages().size() + 2);
  for (const Bytes& wire : encodings) {
    ASSERT_FALSE(wire.empty());
    for (size_t len = 0; len < wire.size(); ++len) {
      auto r = decode_net(ByteView(wire.data(), len));
      // A proper prefix cuts the Envelope's one length-delimited field.
      expect_code(r.status(), Code::kInvalidArgument, "prefix of " + std::to_string(len) + " bytes");
    }
  }
}

TEST(Wire, EverySingleByteDeletionNeverCrashes) {
  size_t rejected = 0;
  for (const Bytes& wire : fixture().encodings()) {
    for (size_t pos = 0; pos < wire.size(); ++pos) {
      Bytes in = wire;
      in.erase(in.begin() + static_cast<std::ptrdiff_t>(pos));
      auto r = decode_net(in);
      check_outcome(r, "deletion at " + std::to_string(pos));
      rejected += r.is_ok() ? 0 : 1;
    }
  }
  ::testing::Test::RecordProperty("rejected", static_cast<int>(rejected));
  EXPECT_GT(rejected, 0u);
}

TEST(WireFuzz, RandomBytesDecodeOrFail) {
  SeededRng rng(0x77697265);
  size_t rejected = 0;
  for (int i = 0; i < 20'000; ++i) {
    Bytes in(rng.uniform(400));
    for (uint8_t& b : in) b = static_cast<uint8_t>(rng.next_u64());
    // Every other input starts like an Envelope kind so parsing goes deeper.
    if (in.size() >= 2 && i % 2 == 0) {
      in[0] = static_cast<uint8_t>((1 + rng.uniform(10)) << 3 | 2);
      in[1] = static_cast<uint8_t>(rng.uniform(std::min<size_t>(in.size() - 1, 128)));
    }
    auto r = decode_net(in);
    check_outcome(r, "random input " + std::to_string(i));
    rejected += r.is_ok() ? 0 : 1;
  }
  ::testing::Test::RecordProperty("rejected", static_cast<int>(rejected));
  EXPECT_GT(rejected, 19'000u);
}

TEST(WireFuzz, BitFlipsOfValidEncodingsDecodeOrFail) {
  const std::vector<Bytes> valid = fixture().encodings();
  SeededRng rng(20250301);
  size_t accepted = 0;
  size_t rejected = 0;
  for (int i = 0; i < 20'000; ++i) {
    Bytes in = valid[rng.uniform(valid.size())];
    const size_t bit = rng.uniform(in.size() * 8);
    in[bit / 8] = static_cast<uint8_t>(in[bit / 8] ^ (1u << (bit % 8)));
    auto r = decode_net(in);
    check_outcome(r, "bit flip " + std::to_string(bit));
    (r.is_ok() ? accepted : rejected) += 1;
  }
  // Flips inside signatures and hashes decode (signatures are checked by
  // the receiver, not here); flips of framing, lengths and counts do not.
  ::testing::Test::RecordProperty("accepted", static_cast<int>(accepted));
  EXPECT_GT(accepted, 0u);
  EXPECT_GT(rejected, 0u);
}

// --- Bounds and malformed input --------------------------------------------------

TEST(Wire, OversizeInputIsLimitBeforeParsing) {
  // Zeros are not valid protobuf: only the size check can make this limit.
  expect_code(decode_net(Bytes(limits::wire_message_bytes_max + 1, 0)).status(), Code::kLimitExceeded, "oversize");
  expect_code(decode_net(Bytes(limits::wire_message_bytes_max, 0)).status(), Code::kInvalidArgument,
              "at the bound");
}

TEST(Wire, GossipAboveBlockTxsMaxIsLimit) {
  const Transaction& tx = fixture().txs[0];
  Bytes one_tx = field(1, tx.body);
  append(one_tx, field(2, tx.signature.bytes));
  const Bytes item = field(1, one_tx);
  Bytes body;
  for (size_t i = 0; i < limits::block_txs_max; ++i) append(body, item);
  auto at_max = decode_net(field(4, body));
  ASSERT_TRUE(at_max.is_ok()) << at_max.status().to_string();
  EXPECT_EQ(std::get<TxGossip>(*at_max).txs.size(), limits::block_txs_max);

  append(body, item);
  const Bytes over = field(4, body);
  ASSERT_LE(over.size(), limits::wire_message_bytes_max);
  expect_code(decode_net(over).status(), Code::kLimitExceeded, "gossip of block_txs_max + 1");
  expect_code(decode_net(field(4, Bytes{})).status(), Code::kInvalidArgument, "empty gossip");
}

TEST(Wire, FetchBoundsAreEnforced) {
  const Fixture& f = fixture();
  const Hash32 id = f.block.header.id();
  Bytes req = field(1, id);
  append(req, varint_field(2, limits::fetch_blocks_max + 1));
  expect_code(decode_net(field(6, req)).status(), Code::kLimitExceeded, "fetch count above max");
  expect_code(decode_net(field(6, field(1, id))).status(), Code::kInvalidArgument, "fetch count zero");

  Bytes blocks;
  for (uint32_t i = 0; i <= limits::fetch_blocks_max; ++i) append(blocks, field(1, field(1, f.parent.encode())));
  expect_code(decode_net(field(7, blocks)).status(), Code::kLimitExceeded, "fetch response above max");
}

// Certificate sync between drivers (node/node.cc chase_certificates).
TEST(Wire, CertificateSyncRoundTripsAndIsBounded) {
  const Fixture& f = fixture();
  const CertRequest rq{42, limits::fetch_blocks_max};
  auto back = decode_net(encode_net(rq));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  ASSERT_TRUE(std::holds_alternative<CertRequest>(*back));
  EXPECT_EQ(std::get<CertRequest>(*back), rq);

  for (size_t n : {size_t{0}, size_t{1}, size_t{limits::fetch_blocks_max}}) {
    CertResponse rs;
    rs.certs.assign(n, f.cert);
    auto r = decode_net(encode_net(rs));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_TRUE(std::holds_alternative<CertResponse>(*r));
    EXPECT_EQ(std::get<CertResponse>(*r), rs);
    for (const ExecutionCertificate& c : std::get<CertResponse>(*r).certs) EXPECT_TRUE(c.verify(f.validators).is_ok());
  }

  Bytes over = varint_field(1, 7);
  append(over, varint_field(2, limits::fetch_blocks_max + 1));
  expect_code(decode_net(field(11, over)).status(), Code::kLimitExceeded, "cert request count above max");
  expect_code(decode_net(field(11, varint_field(2, 3))).status(), Code::kInvalidArgument, "cert request without height");
  Bytes zero = varint_field(1, 7);
  expect_code(decode_net(field(11, zero)).status(), Code::kInvalidArgument, "cert request count zero");
  Bytes certs;
  for (uint32_t i = 0; i <= limits::fetch_blocks_max; ++i) append(certs, field(1, field(1, f.cert.encode())));
  expect_code(decode_net(field(12, certs)).status(), Code::kLimitExceeded, "cert response above max");
  EXPECT_FALSE(decode_net(field(12, field(1, field(1, to_bytes("junk"))))).is_ok()) << "a bad certificate";
}

TEST(Wire, MissingOrUnknownKindIsInvalid) {
  const Fixture& f = fixture();
  expect_code(decode_net(Bytes{}).status(), Code::kInvalidArgument, "empty");
  expect_code(decode_net(field(13, Bytes{1})).status(), Code::kInvalidArgument, "unknown kind 13");
  expect_code(decode_net(field(99, field(1, f.vote.encode()))).status(), Code::kInvalidArgument, "unknown kind 99");
  // A proposal without the proposer's vote, a sync info without its QC, an
  // epoch request without its epoch: required parts missing.
  expect_code(decode_net(field(1, field(1, field(1, f.block.encode())))).status(), Code::kInvalidArgument,
              "proposal without vote");
  expect_code(decode_net(field(8, Bytes{})).status(), Code::kInvalidArgument, "sync info without QC");
  expect_code(decode_net(field(9, Bytes{})).status(), Code::kInvalidArgument, "epoch request without epoch");
  // Carried bytes of the wrong type fail the strict canonical decoder.
  expect_code(decode_net(field(2, field(1, f.timeout.encode()))).status(), Code::kInvalidArgument,
              "timeout bytes as a vote");
  expect_code(decode_net(field(10, field(1, field(1, f.qc.encode())))).status(), Code::kInvalidArgument,
              "QC bytes as an execution certificate");
}

}  // namespace
}  // namespace ipl::node
