// Protobuf <-> common/chain.h codecs (see codec.h and docs/wire.md).
//
// Grammar of what each protobuf message carries (protobuf field numbers in
// brackets; `canonical(T)` is T::encode() from common/chain.h):
//   Transaction          = [1] body: canonical(TxBody) exactly as signed
//                          [2] signature: 64 bytes
//   Block                = [1] canonical(Block)
//   QuorumCert, TimeoutCert, Vote, TimeoutMsg, LedgerInfo,
//   ExecutionCertificate, EpochChangeProof, Receipt
//                        = [1] canonical(T)
//   Envelope             = oneof kind {
//                            [1] Proposal       = [1] Block
//                                                 [2] TimeoutCert        (optional)
//                                                 [3] Vote               (the proposer's)
//                            [2] Vote
//                            [3] TimeoutMsg
//                            [4] TxGossip       = [1] Transaction*  (1 ..= block_txs_max)
//                            [5] LedgerInfoVote = [1] canonical(LedgerInfo)
//                                                 [2] signer index (present, < validators_max)
//                                                 [3] signature: 64 bytes
//                            [6] FetchRequest   = [1] block id: 32 bytes
//                                                 [2] count (1 ..= fetch_blocks_max)
//                            [7] FetchResponse  = [1] Block*  (0 ..= fetch_blocks_max)
//                            [8] SyncInfo       = [1] QuorumCert
//                                                 [2] TimeoutCert        (optional)
//                            [9] EpochRequest   = [1] epoch (present)
//                            [10] EpochChange   = [1] ExecutionCertificate
//                            [11] CertRequest   = [1] from height (present, >= 1)
//                                                 [2] count (1 ..= fetch_blocks_max)
//                            [12] CertResponse  = [1] ExecutionCertificate* (0 ..= fetch_blocks_max) }
// A message field without "(optional)" is required: absent is invalid.
// Protobuf itself is not canonical (field order, repeated scalar fields,
// unknown fields); that is harmless because nothing is hashed or signed
// over it. Unknown fields are ignored for forward compatibility; an
// Envelope with no known kind is rejected.
#include "proto/codec.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "proto/ipledger.pb.h"

namespace ipl::proto {
namespace {

constexpr size_t kSignatureBytes = std::tuple_size_v<decltype(Signature::bytes)>;
constexpr size_t kHashBytes = std::tuple_size_v<Hash32>;
// Transaction::encode() is u32 length ‖ body ‖ signature; its bound
// limits::tx_bytes_max therefore leaves this much for the body.
constexpr size_t kTxBodyBytesMax = limits::tx_bytes_max - 4 - kSignatureBytes;
static_assert(kTxBodyBytesMax > limits::tx_payload_bytes_max);

std::string to_string_bytes(ByteView v) { return std::string(as_chars(v)); }

// Prefixes a non-ok status with what was being decoded, keeping its code.
Status in_context(std::string_view what, const Status& s) {
  IPL_ASSERT(!s.is_ok());
  return Status(s.code(), std::string(what) + ": " + s.message());
}

template <typename Msg>
Bytes serialize(const Msg& m) {
  const size_t size = m.ByteSizeLong();
  IPL_ASSERT(size <= wire_message_bytes_max);
  Bytes out(size);
  if (size == 0) return out;
  const bool is_serialized = m.SerializeToArray(out.data(), static_cast<int>(size));
  IPL_ASSERT(is_serialized);
  return out;
}

// Rejects oversize input before protobuf allocates anything, then parses.
template <typename Msg>
Status parse(ByteView bytes, size_t bytes_max, std::string_view what, Msg& out) {
  IPL_ASSERT(bytes_max <= wire_message_bytes_max);
  if (bytes.size() > bytes_max) {
    return Status::limit(std::string(what) + " of " + std::to_string(bytes.size()) + " bytes exceeds " +
                         std::to_string(bytes_max));
  }
  static constexpr uint8_t kEmpty = 0;
  const void* data = bytes.empty() ? &kEmpty : bytes.data();
  if (!out.ParseFromArray(data, static_cast<int>(bytes.size()))) {
    return Status::invalid(std::string(what) + ": malformed protobuf");
  }
  return Status::ok();
}

// Strict canonical decode of the bytes a message carries, with context.
template <typename T>
Result<T> decode_carried(const std::string& canonical, std::string_view what) {
  Result<T> r = T::decode(as_view(canonical));
  if (!r.is_ok()) return in_context(what, r.status());
  return r;
}

// Sets the `canonical` field of a carrier message from value.encode().
template <typename Msg, typename T>
void carrier_to(const T& value, Msg& m) {
  const Bytes canonical = value.encode();
  IPL_ASSERT(!canonical.empty());
  m.set_canonical(to_string_bytes(canonical));
}

template <typename Msg, typename T>
Bytes encode_carrier(const T& value) {
  Msg m;
  carrier_to(value, m);
  return serialize(m);
}

template <typename Msg, typename T>
Result<T> decode_carrier(ByteView bytes, size_t bytes_max, std::string_view what) {
  Msg m;
  IPL_RETURN_IF_ERROR(parse(bytes, bytes_max, what, m));
  return decode_carried<T>(m.canonical(), what);
}

Status signature_from(const std::string& raw, std::string_view what, Signature& out) {
  if (raw.size() != kSignatureBytes) return Status::invalid(std::string(what) + ": signature is not 64 bytes");
  std::copy(raw.begin(), raw.end(), out.bytes.begin());
  return Status::ok();
}

// --- Transactions ------------------------------------------------------

void tx_to(const Transaction& tx, wire::Transaction& m) {
  IPL_ASSERT(tx.body.size() <= kTxBodyBytesMax);
  m.set_body(to_string_bytes(tx.body));
  m.set_signature(to_string_bytes(tx.signature.bytes));
}

// Accepts exactly what Transaction::decode accepts: a body within
// tx_bytes_max and a 64-byte signature. The body is parsed (TxBody) only
// by verify(), as for canonical transactions.
Status tx_from(const wire::Transaction& m, Transaction& out) {
  if (m.body().size() > kTxBodyBytesMax) return Status::limit("transaction body larger than tx_bytes_max allows");
  IPL_RETURN_IF_ERROR(signature_from(m.signature(), "transaction", out.signature));
  out.body.assign(m.body().begin(), m.body().end());
  IPL_ASSERT(out.body.size() == m.body().size());
  return Status::ok();
}

// --- Wire messages --------------------------------------------------------

void block_to(const Block& block, wire::Block& m) {
  const Bytes canonical = block.encode();
  IPL_ASSERT(canonical.size() <= limits::block_bytes_max);
  m.set_canonical(to_string_bytes(canonical));
}

struct KindEncoder {
  wire::Envelope& env;

  void operator()(const Proposal& p) const {
    wire::Proposal* m = env.mutable_proposal();
    block_to(p.block, *m->mutable_block());
    if (p.tc) carrier_to(*p.tc, *m->mutable_tc());
    carrier_to(p.proposer_vote, *m->mutable_proposer_vote());
    IPL_ASSERT(m->has_block() && m->has_proposer_vote());
  }
  void operator()(const Vote& v) const { carrier_to(v, *env.mutable_vote()); }
  void operator()(const TimeoutMsg& t) const { carrier_to(t, *env.mutable_timeout()); }
  void operator()(const TxGossip& g) const {
    IPL_ASSERT(!g.txs.empty());
    IPL_ASSERT(g.txs.size() <= limits::block_txs_max);
    wire::TxGossip* m = env.mutable_tx_gossip();
    m->mutable_transactions()->Reserve(static_cast<int>(g.txs.size()));
    for (const Transaction& tx : g.txs) tx_to(tx, *m->add_transactions());
  }
  void operator()(const LedgerInfoVote& v) const {
    IPL_ASSERT(v.signer.value() < limits::validators_max);
    wire::LedgerInfoVote* m = env.mutable_ledger_info_vote();
    m->set_ledger_info(to_string_bytes(v.ledger_info.encode()));
    m->set_signer(v.signer.value());
    m->set_signature(to_string_bytes(v.signature.bytes));
  }
  void operator()(const FetchRequest& r) const {
    IPL_ASSERT(r.count >= 1);
    IPL_ASSERT(r.count <= fetch_blocks_max);
    wire::FetchRequest* m = env.mutable_fetch_request();
    m->set_block_id(to_string_bytes(r.block_id));
    m->set_count(r.count);
  }
  void operator()(const FetchResponse& r) const {
    IPL_ASSERT(r.blocks.size() <= fetch_blocks_max);
    wire::FetchResponse* m = env.mutable_fetch_response();
    for (const Block& b : r.blocks) block_to(b, *m->add_blocks());
    IPL_ASSERT(static_cast<size_t>(m->blocks_size()) == r.blocks.size());
  }
  void operator()(const SyncInfo& s) const {
    wire::SyncInfo* m = env.mutable_sync_info();
    carrier_to(s.high_qc, *m->mutable_high_qc());
    if (s.high_tc) carrier_to(*s.high_tc, *m->mutable_high_tc());
  }
  void operator()(const EpochRequest& r) const { env.mutable_epoch_request()->set_epoch(r.epoch.value()); }
  void operator()(const EpochChange& c) const { carrier_to(c.cert, *env.mutable_epoch_change()->mutable_cert()); }
  void operator()(const CertRequest& r) const {
    IPL_ASSERT(r.from_height >= 1);
    IPL_ASSERT(r.count >= 1 && r.count <= fetch_blocks_max);
    wire::CertRequest* m = env.mutable_cert_request();
    m->set_from_height(r.from_height);
    m->set_count(r.count);
  }
  void operator()(const CertResponse& r) const {
    IPL_ASSERT(r.certs.size() <= fetch_blocks_max);
    wire::CertResponse* m = env.mutable_cert_response();
    for (const ExecutionCertificate& c : r.certs) carrier_to(c, *m->add_certs());
  }
};

Result<WireMessage> proposal_from(const wire::Proposal& m) {
  if (!m.has_block()) return Status::invalid("proposal: no block");
  if (!m.has_proposer_vote()) return Status::invalid("proposal: no proposer vote");
  Proposal p;
  IPL_ASSIGN_OR_RETURN(p.block, decode_carried<Block>(m.block().canonical(), "proposal block"));
  if (m.has_tc()) {
    IPL_ASSIGN_OR_RETURN(p.tc, decode_carried<TimeoutCert>(m.tc().canonical(), "proposal timeout cert"));
  }
  IPL_ASSIGN_OR_RETURN(p.proposer_vote, decode_carried<Vote>(m.proposer_vote().canonical(), "proposal vote"));
  IPL_ASSERT(p.tc.has_value() == m.has_tc());
  return WireMessage{std::move(p)};
}

Result<WireMessage> tx_gossip_from(const wire::TxGossip& m) {
  const size_t n = static_cast<size_t>(m.transactions_size());
  if (n == 0) return Status::invalid("tx gossip: no transactions");
  if (n > limits::block_txs_max) return Status::limit("tx gossip: more than block_txs_max transactions");
  TxGossip g;
  g.txs.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Status s = tx_from(m.transactions(static_cast<int>(i)), g.txs[i]);
    if (!s.is_ok()) return in_context("tx gossip transaction " + std::to_string(i), s);
  }
  IPL_ASSERT(g.txs.size() == n);
  return WireMessage{std::move(g)};
}

Result<WireMessage> ledger_info_vote_from(const wire::LedgerInfoVote& m) {
  if (!m.has_signer()) return Status::invalid("ledger info vote: no signer");
  if (m.signer() >= limits::validators_max) return Status::invalid("ledger info vote: signer index out of range");
  LedgerInfoVote v;
  IPL_ASSIGN_OR_RETURN(v.ledger_info, decode_carried<LedgerInfo>(m.ledger_info(), "ledger info vote"));
  v.signer = ValidatorIndex(m.signer());
  IPL_RETURN_IF_ERROR(signature_from(m.signature(), "ledger info vote", v.signature));
  IPL_ASSERT(v.signer.value() < limits::validators_max);
  return WireMessage{std::move(v)};
}

Result<WireMessage> fetch_request_from(const wire::FetchRequest& m) {
  if (m.block_id().size() != kHashBytes) return Status::invalid("fetch request: block id is not 32 bytes");
  if (m.count() == 0) return Status::invalid("fetch request: count is zero");
  if (m.count() > fetch_blocks_max) return Status::limit("fetch request: count above fetch_blocks_max");
  FetchRequest r;
  std::copy(m.block_id().begin(), m.block_id().end(), r.block_id.begin());
  r.count = m.count();
  IPL_ASSERT(r.count >= 1 && r.count <= fetch_blocks_max);
  return WireMessage{r};
}

Result<WireMessage> fetch_response_from(const wire::FetchResponse& m) {
  const size_t n = static_cast<size_t>(m.blocks_size());
  if (n > fetch_blocks_max) return Status::limit("fetch response: more than fetch_blocks_max blocks");
  FetchResponse r;
  r.blocks.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string what = "fetch response block " + std::to_string(i);
    IPL_ASSIGN_OR_RETURN(Block block, decode_carried<Block>(m.blocks(static_cast<int>(i)).canonical(), what));
    r.blocks.push_back(std::move(block));
  }
  IPL_ASSERT(r.blocks.size() == n);
  return WireMessage{std::move(r)};
}

Result<WireMessage> sync_info_from(const wire::SyncInfo& m) {
  if (!m.has_high_qc()) return Status::invalid("sync info: no high QC");
  SyncInfo s;
  IPL_ASSIGN_OR_RETURN(s.high_qc, decode_carried<QuorumCert>(m.high_qc().canonical(), "sync info high QC"));
  if (m.has_high_tc()) {
    IPL_ASSIGN_OR_RETURN(s.high_tc, decode_carried<TimeoutCert>(m.high_tc().canonical(), "sync info high TC"));
  }
  IPL_ASSERT(s.high_tc.has_value() == m.has_high_tc());
  return WireMessage{std::move(s)};
}

Result<WireMessage> epoch_request_from(const wire::EpochRequest& m) {
  if (!m.has_epoch()) return Status::invalid("epoch request: no epoch");
  return WireMessage{EpochRequest{Epoch(m.epoch())}};
}

Result<WireMessage> epoch_change_from(const wire::EpochChange& m) {
  if (!m.has_cert()) return Status::invalid("epoch change: no certificate");
  IPL_ASSIGN_OR_RETURN(ExecutionCertificate cert,
                       decode_carried<ExecutionCertificate>(m.cert().canonical(), "epoch change certificate"));
  return WireMessage{EpochChange{std::move(cert)}};
}

Result<WireMessage> cert_request_from(const wire::CertRequest& m) {
  if (!m.has_from_height() || m.from_height() == 0) return Status::invalid("cert request: no from height");
  if (m.count() == 0) return Status::invalid("cert request: count is zero");
  if (m.count() > fetch_blocks_max) return Status::limit("cert request: count above fetch_blocks_max");
  return WireMessage{CertRequest{m.from_height(), m.count()}};
}

Result<WireMessage> cert_response_from(const wire::CertResponse& m) {
  const size_t n = static_cast<size_t>(m.certs_size());
  if (n > fetch_blocks_max) return Status::limit("cert response: more than fetch_blocks_max certificates");
  CertResponse r;
  r.certs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string what = "cert response certificate " + std::to_string(i);
    IPL_ASSIGN_OR_RETURN(ExecutionCertificate c,
                         decode_carried<ExecutionCertificate>(m.certs(static_cast<int>(i)).canonical(), what));
    r.certs.push_back(std::move(c));
  }
  return WireMessage{std::move(r)};
}

}  // namespace

// --- Chain objects --------------------------------------------------------

Bytes encode_tx(const Transaction& tx) {
  wire::Transaction m;
  tx_to(tx, m);
  Bytes out = serialize(m);
  IPL_ASSERT(out.size() <= tx_message_bytes_max);
  return out;
}

Result<Transaction> decode_tx(ByteView bytes) {
  wire::Transaction m;
  IPL_RETURN_IF_ERROR(parse(bytes, tx_message_bytes_max, "transaction", m));
  Transaction tx;
  IPL_RETURN_IF_ERROR(tx_from(m, tx));
  return tx;
}

Bytes encode_block(const Block& block) {
  wire::Block m;
  block_to(block, m);
  return serialize(m);
}
Result<Block> decode_block(ByteView bytes) {
  return decode_carrier<wire::Block, Block>(bytes, wire_message_bytes_max, "block");
}

Bytes encode_quorum_cert(const QuorumCert& qc) { return encode_carrier<wire::QuorumCert>(qc); }
Result<QuorumCert> decode_quorum_cert(ByteView bytes) {
  return decode_carrier<wire::QuorumCert, QuorumCert>(bytes, wire_message_bytes_max, "quorum cert");
}

Bytes encode_timeout_cert(const TimeoutCert& tc) { return encode_carrier<wire::TimeoutCert>(tc); }
Result<TimeoutCert> decode_timeout_cert(ByteView bytes) {
  return decode_carrier<wire::TimeoutCert, TimeoutCert>(bytes, wire_message_bytes_max, "timeout cert");
}

Bytes encode_vote(const Vote& vote) { return encode_carrier<wire::Vote>(vote); }
Result<Vote> decode_vote(ByteView bytes) {
  return decode_carrier<wire::Vote, Vote>(bytes, wire_message_bytes_max, "vote");
}

Bytes encode_timeout(const TimeoutMsg& timeout) { return encode_carrier<wire::TimeoutMsg>(timeout); }
Result<TimeoutMsg> decode_timeout(ByteView bytes) {
  return decode_carrier<wire::TimeoutMsg, TimeoutMsg>(bytes, wire_message_bytes_max, "timeout");
}

Bytes encode_ledger_info(const LedgerInfo& info) { return encode_carrier<wire::LedgerInfo>(info); }
Result<LedgerInfo> decode_ledger_info(ByteView bytes) {
  return decode_carrier<wire::LedgerInfo, LedgerInfo>(bytes, wire_message_bytes_max, "ledger info");
}

Bytes encode_execution_cert(const ExecutionCertificate& cert) {
  return encode_carrier<wire::ExecutionCertificate>(cert);
}
Result<ExecutionCertificate> decode_execution_cert(ByteView bytes) {
  return decode_carrier<wire::ExecutionCertificate, ExecutionCertificate>(bytes, wire_message_bytes_max,
                                                                          "execution certificate");
}

Bytes encode_epoch_change_proof(const EpochChangeProof& proof) {
  return encode_carrier<wire::EpochChangeProof>(proof);
}
Result<EpochChangeProof> decode_epoch_change_proof(ByteView bytes) {
  return decode_carrier<wire::EpochChangeProof, EpochChangeProof>(bytes, wire_message_bytes_max,
                                                                  "epoch change proof");
}

Bytes encode_receipt(const Receipt& receipt) { return encode_carrier<wire::Receipt>(receipt); }
Result<Receipt> decode_receipt(ByteView bytes) {
  return decode_carrier<wire::Receipt, Receipt>(bytes, wire_message_bytes_max, "receipt");
}

// --- P2P messages ---------------------------------------------------------

Bytes encode_wire(const WireMessage& msg) {
  wire::Envelope env;
  std::visit(KindEncoder{env}, msg.kind);
  IPL_ASSERT(env.kind_case() != wire::Envelope::KIND_NOT_SET);
  return serialize(env);
}

Result<WireMessage> decode_wire(ByteView bytes) {
  wire::Envelope env;
  IPL_RETURN_IF_ERROR(parse(bytes, wire_message_bytes_max, "wire message", env));
  switch (env.kind_case()) {
    case wire::Envelope::kProposal:
      return proposal_from(env.proposal());
    case wire::Envelope::kVote: {
      IPL_ASSIGN_OR_RETURN(Vote vote, decode_carried<Vote>(env.vote().canonical(), "vote"));
      return WireMessage{std::move(vote)};
    }
    case wire::Envelope::kTimeout: {
      IPL_ASSIGN_OR_RETURN(TimeoutMsg timeout, decode_carried<TimeoutMsg>(env.timeout().canonical(), "timeout"));
      return WireMessage{std::move(timeout)};
    }
    case wire::Envelope::kTxGossip:
      return tx_gossip_from(env.tx_gossip());
    case wire::Envelope::kLedgerInfoVote:
      return ledger_info_vote_from(env.ledger_info_vote());
    case wire::Envelope::kFetchRequest:
      return fetch_request_from(env.fetch_request());
    case wire::Envelope::kFetchResponse:
      return fetch_response_from(env.fetch_response());
    case wire::Envelope::kSyncInfo:
      return sync_info_from(env.sync_info());
    case wire::Envelope::kEpochRequest:
      return epoch_request_from(env.epoch_request());
    case wire::Envelope::kEpochChange:
      return epoch_change_from(env.epoch_change());
    case wire::Envelope::kCertRequest:
      return cert_request_from(env.cert_request());
    case wire::Envelope::kCertResponse:
      return cert_response_from(env.cert_response());
    case wire::Envelope::KIND_NOT_SET:
      break;
  }
  return Status::invalid("wire message: no known message kind");
}

}  // namespace ipl::proto
