// Goal: the protobuf codecs carry the canonical bytes of every chain type
// and P2P message losslessly, keep transaction ids stable, pin the schema's
// field numbers, and turn any untrusted input into a value or a non-ok
// Status, never a crash.
// Method: round trips of signed sample objects for every type and every
// wire message kind (optional certificates absent and present); golden protobuf framing built by hand (tag and varint
// length) so a renumbered field fails; garbage, truncated, oversize and
// hand-built messages with malformed carried bytes; a seeded loop of 2,000
// random byte strings and 2,000 single-byte mutations of valid encodings.
#include "proto/codec.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/hash.h"
#include "tests/unit/proto/framing.h"

namespace ipl::proto {
namespace {

constexpr std::string_view kChain = "ipl-test";

// --- Hand-built protobuf framing ----------------------------------------

using test_framing::field;
using test_framing::varint;
using test_framing::varint_field;

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// --- Signed sample objects -------------------------------------------------

struct Fixture {
  std::vector<KeyPair> keys;
  ValidatorSet validators;
  QuorumCert qc;
  Vote vote;
  TimeoutMsg timeout;
  TimeoutCert tc;
  std::vector<Transaction> txs;
  Block block;
  Block child;
  LedgerInfo ledger_info;
  ExecutionCertificate cert;
  EpochChangeProof proof;
  Receipt receipt;
  Vote proposer_vote;  // the leader's vote for `block`

  Fixture() {
    validators.epoch = Epoch(1);
    for (int i = 0; i < 4; ++i) {
      keys.push_back(KeyPair::for_test("validator-" + std::to_string(i)));
      validators.consensus_keys.push_back(keys.back().public_key);
    }

    qc.data = VoteData{std::string(kChain), Epoch(1), Round(5), sha256(as_view("block 5"))};
    for (uint32_t i = 0; i < 3; ++i) {
      qc.signers.add(ValidatorIndex(i), sign(SigContext::kVote, keys[i].secret_key, qc.data.encode()), 4);
    }

    vote.data = VoteData{std::string(kChain), Epoch(1), Round(6), sha256(as_view("block 6"))};
    vote.voter = ValidatorIndex(1);
    vote.signature = sign(SigContext::kVote, keys[1].secret_key, vote.data.encode());

    timeout.data = TimeoutData{std::string(kChain), Epoch(1), Round(7), Round(5)};
    timeout.high_qc = qc;
    timeout.voter = ValidatorIndex(2);
    timeout.signature = sign(SigContext::kTimeout, keys[2].secret_key, timeout.data.encode());

    tc.chain_id = std::string(kChain);
    tc.epoch = Epoch(1);
    tc.round = Round(7);
    tc.bitmap = {0x07};
    for (uint32_t i = 0; i < 3; ++i) {
      const TimeoutData td{std::string(kChain), Epoch(1), Round(7), Round(5 - (i == 2 ? 1 : 0))};
      tc.high_qc_rounds.push_back(td.high_qc_round);
      tc.signatures.push_back(sign(SigContext::kTimeout, keys[i].secret_key, td.encode()));
    }

    const KeyPair alice = KeyPair::for_test("alice");
    for (uint64_t n = 1; n <= 3; ++n) {
      TxBody b;
      b.chain_id = std::string(kChain);
      b.sender_key = alice.public_key;
      b.nonce = n;
      b.valid_until_height = 100;
      b.type = "loan.grant";
      b.value_date = CivilDate{20250131};
      b.payload = to_bytes("payload " + std::to_string(n));
      txs.push_back(Transaction::sign(b, alice.secret_key));
    }

    block.header.chain_id = std::string(kChain);
    block.header.epoch = Epoch(1);
    block.header.round = Round(6);
    block.header.height = Height(6);
    block.header.parent_id = qc.data.block_id;
    block.header.parent_qc = qc;
    block.header.proposer = ValidatorIndex(2);
    block.header.timestamp_ms = 1'735'000'000'000;
    block.txs = txs;
    block.header.payload_hash = Block::payload_hash(block.txs);

    proposer_vote.data = VoteData{std::string(kChain), Epoch(1), Round(6), block.header.id()};
    proposer_vote.voter = block.header.proposer;
    proposer_vote.signature = sign(SigContext::kVote, keys[2].secret_key, proposer_vote.data.encode());

    child.header = block.header;
    child.header.round = Round(7);
    child.header.height = Height(7);
    child.header.parent_id = block.header.id();
    child.header.timestamp_ms += 1;
    child.header.payload_hash = Block::payload_hash(child.txs);

    ledger_info.chain_id = std::string(kChain);
    ledger_info.epoch = Epoch(1);
    ledger_info.height = Height(6);
    ledger_info.block_id = block.header.id();
    ledger_info.timestamp_ms = block.header.timestamp_ms;
    ledger_info.block_tx_count = 3;
    ledger_info.history_size = 10;
    ledger_info.history_root = sha256(as_view("history"));
    ledger_info.state_root = sha256(as_view("state"));
    ValidatorSet next = validators;
    next.epoch = Epoch(2);
    ledger_info.next_epoch = EpochState{Epoch(2), next};

    cert.ledger_info = ledger_info;
    for (uint32_t i = 0; i < 3; ++i) {
      cert.signers.add(ValidatorIndex(i),
                       sign(SigContext::kLedgerInfo, keys[i].secret_key, ledger_info.encode()), 4);
    }
    proof.changes.push_back(cert);

    receipt.tx_id = txs[0].id();
    receipt.success = false;
    receipt.reason = "loan.nonce_gap";
    receipt.events = {Event{"loan.rejected", to_bytes("why")}, Event{"audit", {}}};
  }

  LedgerInfoVote ledger_info_vote() const {
    LedgerInfoVote v;
    v.ledger_info = ledger_info;
    v.signer = ValidatorIndex(3);
    v.signature = sign(SigContext::kLedgerInfo, keys[3].secret_key, ledger_info.encode());
    return v;
  }

  // Every kind, each optional field both absent and present.
  std::vector<WireMessage> wire_messages() const {
    return {
        WireMessage{Proposal{block, std::nullopt, proposer_vote}},
        WireMessage{vote},
        WireMessage{timeout},
        WireMessage{TxGossip{txs}},
        WireMessage{ledger_info_vote()},
        WireMessage{FetchRequest{block.header.id(), 5}},
        WireMessage{FetchResponse{{child, block}}},
        WireMessage{SyncInfo{qc, std::nullopt}},
        WireMessage{EpochRequest{Epoch(7)}},
        WireMessage{EpochChange{cert}},
        WireMessage{Proposal{block, tc, proposer_vote}},
        WireMessage{FetchResponse{}},
        WireMessage{SyncInfo{qc, tc}},
        WireMessage{EpochRequest{Epoch(0)}},
        WireMessage{CertRequest{7, fetch_blocks_max}},
        WireMessage{CertResponse{{cert, cert}}},
        WireMessage{CertResponse{}},
    };
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// --- Round trips -----------------------------------------------------------

TEST(ProtoCodec, TransactionRoundTripKeepsBytesAndId) {
  for (const Transaction& tx : fixture().txs) {
    const Bytes wire = encode_tx(tx);
    auto decoded = decode_tx(wire);
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
    EXPECT_EQ(*decoded, tx);
    EXPECT_EQ(decoded->id(), tx.id());
    EXPECT_EQ(decoded->body, tx.body);
    EXPECT_TRUE(decoded->verify().is_ok());
  }
}

TEST(ProtoCodec, TransactionBodyIsCarriedVerbatimEvenIfNotATxBody) {
  // The codec never re-encodes the body: even bytes that are no valid
  // TxBody (rejected later by verify()) keep their id.
  Transaction tx;
  tx.body = to_bytes("not a canonical body");
  tx.signature.bytes.fill(0xab);
  auto decoded = decode_tx(encode_tx(tx));
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(decoded->id(), tx.id());
  EXPECT_FALSE(decoded->verify().is_ok());
}

TEST(ProtoCodec, LargestTransactionRoundTrips) {
  const KeyPair alice = KeyPair::for_test("alice");
  TxBody b;
  b.chain_id = std::string(limits::chain_id_bytes_max, 'c');
  b.sender_key = alice.public_key;
  b.type = std::string(limits::tx_type_bytes_max, 't');
  b.value_date = CivilDate{20250131};
  b.payload = Bytes(limits::tx_payload_bytes_max, 0x5a);
  const Transaction tx = Transaction::sign(b, alice.secret_key);
  auto decoded = decode_tx(encode_tx(tx));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->id(), tx.id());
  auto canonical = Transaction::decode(tx.encode());
  ASSERT_TRUE(canonical.is_ok());
}

TEST(ProtoCodec, ChainObjectsRoundTrip) {
  const Fixture& f = fixture();

  auto block = decode_block(encode_block(f.block));
  ASSERT_TRUE(block.is_ok()) << block.status().to_string();
  EXPECT_EQ(*block, f.block);
  EXPECT_EQ(block->header.id(), f.block.header.id());

  auto qc = decode_quorum_cert(encode_quorum_cert(f.qc));
  ASSERT_TRUE(qc.is_ok());
  EXPECT_EQ(*qc, f.qc);
  EXPECT_TRUE(qc->verify(f.validators).is_ok());

  auto tc = decode_timeout_cert(encode_timeout_cert(f.tc));
  ASSERT_TRUE(tc.is_ok());
  EXPECT_EQ(*tc, f.tc);
  EXPECT_TRUE(tc->verify(f.validators).is_ok());

  auto vote = decode_vote(encode_vote(f.vote));
  ASSERT_TRUE(vote.is_ok());
  EXPECT_EQ(*vote, f.vote);
  EXPECT_TRUE(vote->verify(f.validators).is_ok());

  auto timeout = decode_timeout(encode_timeout(f.timeout));
  ASSERT_TRUE(timeout.is_ok());
  EXPECT_EQ(*timeout, f.timeout);
  EXPECT_TRUE(timeout->verify(f.validators).is_ok());

  auto li = decode_ledger_info(encode_ledger_info(f.ledger_info));
  ASSERT_TRUE(li.is_ok());
  EXPECT_EQ(*li, f.ledger_info);

  auto cert = decode_execution_cert(encode_execution_cert(f.cert));
  ASSERT_TRUE(cert.is_ok());
  EXPECT_EQ(*cert, f.cert);
  EXPECT_TRUE(cert->verify(f.validators).is_ok());

  auto proof = decode_epoch_change_proof(encode_epoch_change_proof(f.proof));
  ASSERT_TRUE(proof.is_ok());
  EXPECT_EQ(proof->encode(), f.proof.encode());
  auto after = proof->verify(f.validators, kChain);
  ASSERT_TRUE(after.is_ok()) << after.status().to_string();
  EXPECT_EQ(after->epoch, Epoch(2));

  auto receipt = decode_receipt(encode_receipt(f.receipt));
  ASSERT_TRUE(receipt.is_ok());
  EXPECT_EQ(*receipt, f.receipt);
}

TEST(ProtoCodec, EveryWireMessageKindRoundTrips) {
  const std::vector<WireMessage> messages = fixture().wire_messages();
  std::vector<bool> seen(std::variant_size_v<WireMessage::Kind>, false);
  for (const WireMessage& m : messages) {
    seen[m.kind.index()] = true;
    const Bytes wire = encode_wire(m);
    EXPECT_LE(wire.size(), wire_message_bytes_max);
    auto decoded = decode_wire(wire);
    ASSERT_TRUE(decoded.is_ok()) << "kind " << m.kind.index() << ": " << decoded.status().to_string();
    EXPECT_TRUE(*decoded == m) << "kind " << m.kind.index();
    EXPECT_EQ(encode_wire(*decoded), wire);
  }
  for (bool s : seen) EXPECT_TRUE(s);
}

TEST(ProtoCodec, TransactionIdsSurviveGossipAndProposal) {
  const Fixture& f = fixture();
  auto gossip = decode_wire(encode_wire(WireMessage{TxGossip{f.txs}}));
  ASSERT_TRUE(gossip.is_ok());
  const auto& got = std::get<TxGossip>(gossip->kind).txs;
  ASSERT_EQ(got.size(), f.txs.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].id(), f.txs[i].id());

  auto proposal = decode_wire(encode_wire(WireMessage{Proposal{f.block, f.tc, f.proposer_vote}}));
  ASSERT_TRUE(proposal.is_ok());
  const Block& b = std::get<Proposal>(proposal->kind).block;
  EXPECT_EQ(b.header.id(), f.block.header.id());
  EXPECT_EQ(Block::payload_hash(b.txs), f.block.header.payload_hash);
}

// --- Pinned framing (field numbers) -------------------------------------------

TEST(ProtoCodec, FieldNumbersArePinned) {
  const Fixture& f = fixture();
  const Transaction& tx = f.txs[0];
  EXPECT_EQ(encode_tx(tx), concat({field(1, tx.body), field(2, tx.signature.bytes)}));
  EXPECT_EQ(encode_block(f.block), field(1, f.block.encode()));
  EXPECT_EQ(encode_quorum_cert(f.qc), field(1, f.qc.encode()));
  EXPECT_EQ(encode_timeout_cert(f.tc), field(1, f.tc.encode()));
  EXPECT_EQ(encode_vote(f.vote), field(1, f.vote.encode()));
  EXPECT_EQ(encode_timeout(f.timeout), field(1, f.timeout.encode()));
  EXPECT_EQ(encode_ledger_info(f.ledger_info), field(1, f.ledger_info.encode()));
  EXPECT_EQ(encode_execution_cert(f.cert), field(1, f.cert.encode()));
  EXPECT_EQ(encode_epoch_change_proof(f.proof), field(1, f.proof.encode()));
  EXPECT_EQ(encode_receipt(f.receipt), field(1, f.receipt.encode()));

  const std::vector<WireMessage> m = f.wire_messages();
  const Bytes vote_field = field(3, field(1, f.proposer_vote.encode()));
  EXPECT_EQ(encode_wire(m[0]), field(1, concat({field(1, field(1, f.block.encode())), vote_field})));
  EXPECT_EQ(encode_wire(m[10]), field(1, concat({field(1, field(1, f.block.encode())),
                                                 field(2, field(1, f.tc.encode())), vote_field})));
  EXPECT_EQ(encode_wire(m[1]), field(2, field(1, f.vote.encode())));
  EXPECT_EQ(encode_wire(m[2]), field(3, field(1, f.timeout.encode())));
  Bytes gossip;
  for (const Transaction& t : f.txs) {
    const Bytes one = field(1, concat({field(1, t.body), field(2, t.signature.bytes)}));
    gossip.insert(gossip.end(), one.begin(), one.end());
  }
  EXPECT_EQ(encode_wire(m[3]), field(4, gossip));
  const auto& liv = std::get<LedgerInfoVote>(m[4].kind);
  EXPECT_EQ(encode_wire(m[4]), field(5, concat({field(1, f.ledger_info.encode()), varint_field(2, 3),
                                                field(3, liv.signature.bytes)})));
  EXPECT_EQ(encode_wire(m[5]), field(6, concat({field(1, f.block.header.id()), varint_field(2, 5)})));
  EXPECT_EQ(encode_wire(m[6]),
            field(7, concat({field(1, field(1, f.child.encode())), field(1, field(1, f.block.encode()))})));
  EXPECT_EQ(encode_wire(m[11]), field(7, Bytes{}));
  EXPECT_EQ(encode_wire(m[7]), field(8, field(1, field(1, f.qc.encode()))));
  EXPECT_EQ(encode_wire(m[12]),
            field(8, concat({field(1, field(1, f.qc.encode())), field(2, field(1, f.tc.encode()))})));
  EXPECT_EQ(encode_wire(m[8]), field(9, varint_field(1, 7)));
  // An explicit-presence scalar is written even when zero.
  EXPECT_EQ(encode_wire(m[13]), field(9, varint_field(1, 0)));
  EXPECT_EQ(encode_wire(m[9]), field(10, field(1, field(1, f.cert.encode()))));
  EXPECT_EQ(encode_wire(m[14]), field(11, concat({varint_field(1, 7), varint_field(2, fetch_blocks_max)})));
  const Bytes one_cert = field(1, field(1, f.cert.encode()));
  EXPECT_EQ(encode_wire(m[15]), field(12, concat({one_cert, one_cert})));
  EXPECT_EQ(encode_wire(m[16]), field(12, Bytes{}));
}

// --- Rejection -------------------------------------------------------------

void expect_code(const Status& s, Code code, std::string_view what) {
  EXPECT_FALSE(s.is_ok()) << what;
  EXPECT_EQ(s.code(), code) << what << ": " << s.to_string();
}

TEST(ProtoCodec, RejectsGarbage) {
  const std::vector<Bytes> garbage = {
      {0xff, 0xff, 0xff, 0xff},        // bad tag and varint
      {0x0a, 0x05, 0x01},              // length beyond the end
      {0x0a},                          // tag without value
      {0x07},                          // field 0 is never valid
      {0x0b, 0x00},                    // deprecated start-group
      to_bytes("hello, world"),
  };
  for (const Bytes& g : garbage) {
    EXPECT_FALSE(decode_wire(g).is_ok());
    EXPECT_FALSE(decode_tx(g).is_ok());
    EXPECT_FALSE(decode_block(g).is_ok());
    EXPECT_FALSE(decode_vote(g).is_ok());
    EXPECT_FALSE(decode_ledger_info(g).is_ok());
    EXPECT_FALSE(decode_receipt(g).is_ok());
  }
  // An empty message parses as protobuf but carries nothing.
  expect_code(decode_wire(Bytes{}).status(), Code::kInvalidArgument, "empty envelope");
  expect_code(decode_tx(Bytes{}).status(), Code::kInvalidArgument, "empty transaction");
  expect_code(decode_block(Bytes{}).status(), Code::kInvalidArgument, "empty block");
  expect_code(decode_quorum_cert(Bytes{}).status(), Code::kInvalidArgument, "empty qc");
}

TEST(ProtoCodec, RejectsEveryTruncation) {
  for (const WireMessage& m : fixture().wire_messages()) {
    const Bytes wire = encode_wire(m);
    for (size_t len = 0; len < wire.size(); ++len) {
      auto r = decode_wire(ByteView(wire.data(), len));
      EXPECT_FALSE(r.is_ok()) << "kind " << m.kind.index() << " cut at " << len;
    }
  }
  const Bytes tx = encode_tx(fixture().txs[0]);
  for (size_t len = 0; len < tx.size(); ++len) EXPECT_FALSE(decode_tx(ByteView(tx.data(), len)).is_ok());
}

TEST(ProtoCodec, RejectsOversizeInputBeforeParsing) {
  // Zeros are not even valid protobuf; the size check must come first.
  const Bytes big(wire_message_bytes_max + 1, 0);
  expect_code(decode_wire(big).status(), Code::kLimitExceeded, "wire");
  expect_code(decode_block(big).status(), Code::kLimitExceeded, "block");
  expect_code(decode_epoch_change_proof(big).status(), Code::kLimitExceeded, "proof");
  const Bytes big_tx(tx_message_bytes_max + 1, 0);
  expect_code(decode_tx(big_tx).status(), Code::kLimitExceeded, "tx");

  // A well-formed transaction whose body exceeds tx_bytes_max.
  const Bytes body(limits::tx_bytes_max, 0x01);
  const Bytes tx = concat({field(1, body), field(2, Bytes(64, 0))});
  ASSERT_LE(tx.size(), tx_message_bytes_max);
  expect_code(decode_tx(tx).status(), Code::kLimitExceeded, "tx body");
}

TEST(ProtoCodec, RejectsMalformedCarriedBytes) {
  const Fixture& f = fixture();
  Bytes vote = f.vote.encode();
  vote.push_back(0);  // trailing byte: the strict decoder refuses
  expect_code(decode_wire(field(2, field(1, vote))).status(), Code::kInvalidArgument, "vote trailing");
  expect_code(decode_vote(field(1, vote)).status(), Code::kInvalidArgument, "vote object trailing");

  Bytes timeout = f.timeout.encode();
  timeout.pop_back();
  expect_code(decode_wire(field(3, field(1, timeout))).status(), Code::kInvalidArgument, "timeout short");

  Block bad = f.block;
  bad.header.payload_hash[0] ^= 1;
  const Bytes good_block = field(1, field(1, f.block.encode()));
  const Bytes good_vote = field(3, field(1, f.proposer_vote.encode()));
  ASSERT_TRUE(decode_wire(field(1, concat({good_block, good_vote}))).is_ok());
  expect_code(decode_wire(field(1, concat({field(1, field(1, bad.encode())), good_vote}))).status(),
              Code::kInvalidArgument, "proposal payload hash");
  expect_code(decode_wire(field(1, Bytes{})).status(), Code::kInvalidArgument, "proposal without block");
  expect_code(decode_wire(field(1, good_vote)).status(), Code::kInvalidArgument, "proposal without block");
  expect_code(decode_wire(field(1, good_block)).status(), Code::kInvalidArgument, "proposal without vote");
  expect_code(decode_wire(field(1, concat({good_block, field(3, field(1, vote))}))).status(),
              Code::kInvalidArgument, "proposal vote trailing");
  expect_code(decode_wire(field(1, concat({good_block, field(2, Bytes{}), good_vote}))).status(),
              Code::kInvalidArgument, "proposal with empty TC");
  Bytes short_tc = f.tc.encode();
  short_tc.pop_back();
  expect_code(decode_wire(field(1, concat({good_block, field(2, field(1, short_tc)), good_vote}))).status(),
              Code::kInvalidArgument, "proposal with short TC");

  expect_code(decode_wire(field(8, Bytes{})).status(), Code::kInvalidArgument, "sync info without QC");
  expect_code(decode_wire(field(8, field(2, field(1, f.tc.encode())))).status(), Code::kInvalidArgument,
              "sync info with only a TC");
  expect_code(decode_wire(field(8, concat({field(1, field(1, f.qc.encode())), field(2, field(1, short_tc))})))
                  .status(),
              Code::kInvalidArgument, "sync info with short TC");
  expect_code(decode_wire(field(9, Bytes{})).status(), Code::kInvalidArgument, "epoch request without epoch");
  expect_code(decode_wire(field(10, Bytes{})).status(), Code::kInvalidArgument, "epoch change without cert");
  expect_code(decode_wire(field(10, field(1, field(1, f.ledger_info.encode())))).status(),
              Code::kInvalidArgument, "epoch change carrying a ledger info");
  expect_code(decode_wire(field(7, field(1, field(1, bad.encode())))).status(), Code::kInvalidArgument,
              "fetch response bad block");

  const Transaction& tx = f.txs[0];
  expect_code(decode_tx(concat({field(1, tx.body), field(2, Bytes(63, 0))})).status(), Code::kInvalidArgument,
              "short tx signature");
  expect_code(decode_tx(field(1, tx.body)).status(), Code::kInvalidArgument, "missing tx signature");
  expect_code(decode_wire(field(4, Bytes{})).status(), Code::kInvalidArgument, "empty gossip");
  expect_code(decode_wire(field(4, field(1, concat({field(1, tx.body), field(2, Bytes(65, 0))})))).status(),
              Code::kInvalidArgument, "gossip long signature");

  const Bytes li = f.ledger_info.encode();
  const Bytes sig(64, 7);
  ASSERT_TRUE(decode_wire(field(5, concat({field(1, li), varint_field(2, 1), field(3, sig)}))).is_ok());
  expect_code(decode_wire(field(5, concat({field(1, li), varint_field(2, 1), field(3, Bytes(63, 7))}))).status(),
              Code::kInvalidArgument, "ledger info short signature");
  expect_code(decode_wire(field(5, concat({field(1, li), field(3, sig)}))).status(), Code::kInvalidArgument,
              "ledger info vote without signer");
  expect_code(decode_wire(field(5, concat({field(1, li), varint_field(2, limits::validators_max), field(3, sig)})))
                  .status(),
              Code::kInvalidArgument, "validator index out of range");
  expect_code(decode_wire(field(5, concat({field(1, Bytes(li.begin(), li.end() - 1)), varint_field(2, 1),
                                           field(3, sig)})))
                  .status(),
              Code::kInvalidArgument, "truncated ledger info");

  const Hash32 id = f.block.header.id();
  expect_code(decode_wire(field(6, concat({field(1, ByteView(id.data(), 31)), varint_field(2, 1)}))).status(),
              Code::kInvalidArgument, "short block id");
  expect_code(decode_wire(field(6, field(1, id))).status(), Code::kInvalidArgument, "zero count");
  expect_code(decode_wire(field(6, concat({field(1, id), varint_field(2, fetch_blocks_max + 1)}))).status(),
              Code::kLimitExceeded, "count above max");
  Bytes many;
  for (uint32_t i = 0; i <= fetch_blocks_max; ++i) {
    const Bytes one = field(1, field(1, f.child.encode()));
    many.insert(many.end(), one.begin(), one.end());
  }
  expect_code(decode_wire(field(7, many)).status(), Code::kLimitExceeded, "too many fetched blocks");

  // A kind this version does not know (a newer peer) is rejected.
  expect_code(decode_wire(field(99, Bytes{1, 2})).status(), Code::kInvalidArgument, "unknown kind");
}

TEST(ProtoCodec, IgnoresUnknownFieldsForwardCompatibly) {
  const Fixture& f = fixture();
  const Bytes vote = concat({field(1, f.vote.encode()), field(15, to_bytes("future"))});
  auto r = decode_wire(concat({field(2, vote), varint_field(40, 9)}));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(std::get<Vote>(r->kind), f.vote);
}

// --- Fuzz-ish ---------------------------------------------------------------

// Every decoder, applied to one input; a successful decode must re-encode
// and decode to the same value (decoding is a fixed point after one step).
void decode_everything(ByteView in) {
  auto w = decode_wire(in);
  if (w.is_ok()) {
    auto again = decode_wire(encode_wire(*w));
    ASSERT_TRUE(again.is_ok());
    EXPECT_TRUE(*again == *w);
  }
  auto tx = decode_tx(in);
  if (tx.is_ok()) {
    EXPECT_EQ(decode_tx(encode_tx(*tx))->id(), tx->id());
  }
  (void)decode_block(in);
  (void)decode_quorum_cert(in);
  (void)decode_timeout_cert(in);
  (void)decode_vote(in);
  (void)decode_timeout(in);
  (void)decode_ledger_info(in);
  (void)decode_execution_cert(in);
  (void)decode_epoch_change_proof(in);
  (void)decode_receipt(in);
}

TEST(ProtoCodecFuzz, RandomBytesNeverCrash) {
  SeededRng rng(0x1b1ed6e5);
  size_t accepted = 0;
  for (int i = 0; i < 2'000; ++i) {
    Bytes in(rng.uniform(300));
    for (uint8_t& b : in) b = static_cast<uint8_t>(rng.next_u64());
    // Half the inputs start with a valid envelope tag so parsing goes deeper.
    if (!in.empty() && i % 2 == 0) in[0] = static_cast<uint8_t>((1 + rng.uniform(10)) << 3 | 2);
    decode_everything(in);
    accepted += decode_wire(in).is_ok() ? 1 : 0;
  }
  EXPECT_LT(accepted, 2'000u);
}

TEST(ProtoCodecFuzz, SingleByteMutationsNeverCrash) {
  const Fixture& f = fixture();
  std::vector<Bytes> valid;
  for (const WireMessage& m : f.wire_messages()) valid.push_back(encode_wire(m));
  valid.push_back(encode_tx(f.txs[1]));
  valid.push_back(encode_block(f.block));
  valid.push_back(encode_quorum_cert(f.qc));
  valid.push_back(encode_timeout_cert(f.tc));
  valid.push_back(encode_ledger_info(f.ledger_info));
  valid.push_back(encode_execution_cert(f.cert));
  valid.push_back(encode_epoch_change_proof(f.proof));
  valid.push_back(encode_receipt(f.receipt));

  SeededRng rng(20250131);
  size_t rejected = 0;
  for (int i = 0; i < 2'000; ++i) {
    Bytes in = valid[rng.uniform(valid.size())];
    ASSERT_FALSE(in.empty());
    const size_t pos = rng.uniform(in.size());
    const auto delta = static_cast<uint8_t>(1 + rng.uniform(255));  // never a no-op
    in[pos] = static_cast<uint8_t>(in[pos] ^ delta);
    decode_everything(in);
    rejected += decode_wire(in).is_ok() ? 0 : 1;
  }
  EXPECT_GT(rejected, 0u);
}

}  // namespace
}  // namespace ipl::proto
