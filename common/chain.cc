#include "common/chain.h"

#include <algorithm>
#include <bit>
#include <cstdio>

#include "common/encoding.h"
#include "common/hash.h"
#include "common/limits.h"

namespace ipl {

namespace {

constexpr size_t kSignatureBytes = 64;
constexpr size_t kKeyBytes = 32;

Status decode_sig(Decoder& d, Signature& s) { return d.raw(s.bytes.data(), s.bytes.size()); }
Status decode_key(Decoder& d, PublicKey& k) { return d.raw(k.bytes.data(), k.bytes.size()); }

template <typename Id>
Status decode_id(Decoder& d, Id& id) {
  typename Id::rep v{};
  if constexpr (sizeof(typename Id::rep) == 8) {
    IPL_RETURN_IF_ERROR(d.u64(v));
  } else {
    IPL_RETURN_IF_ERROR(d.u32(v));
  }
  id = Id(v);
  return Status::ok();
}

// Decode a whole value with a member decode_from, rejecting trailing bytes.
template <typename T>
Result<T> decode_whole(ByteView bytes) {
  Decoder d(bytes);
  T out;
  IPL_RETURN_IF_ERROR(T::decode_from(d, out));
  IPL_RETURN_IF_ERROR(d.finish());
  return out;
}

bool is_leap(uint32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
uint32_t days_in_month(uint32_t y, uint32_t m) {
  static constexpr uint32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

// ---------------------------------------------------------------------------
// CivilDate

bool CivilDate::is_valid() const {
  const uint32_t y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
  return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

// Howard Hinnant's days_from_civil.
int64_t CivilDate::days_since_epoch() const {
  IPL_ASSERT(is_valid());
  int64_t y = yyyymmdd / 10000;
  const int64_t m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilDate::from_days_since_epoch(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  CivilDate out{static_cast<uint32_t>(y * 10000 + m * 100 + d)};
  IPL_ASSERT(out.is_valid());
  return out;
}

std::string CivilDate::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
  return buf;
}

Result<CivilDate> CivilDate::parse(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return Status::invalid("date must be YYYY-MM-DD");
  uint32_t v = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (t[i] < '0' || t[i] > '9') return Status::invalid("date must be YYYY-MM-DD");
    v = v * 10 + static_cast<uint32_t>(t[i] - '0');
  }
  CivilDate d{v};
  if (!d.is_valid()) return Status::invalid("no such calendar date: " + std::string(t));
  return d;
}

// ---------------------------------------------------------------------------
// Transactions

Bytes TxBody::encode() const {
  IPL_ASSERT(chain_id.size() <= limits::chain_id_bytes_max);
  IPL_ASSERT(type.size() <= limits::tx_type_bytes_max);
  IPL_ASSERT(payload.size() <= limits::tx_payload_bytes_max);
  Encoder e(64 + chain_id.size() + type.size() + payload.size());
  e.str(chain_id).raw(sender_key.bytes).u64(nonce).u64(valid_until_height).str(type).u32(value_date.yyyymmdd);
  e.bytes(payload);
  return e.take();
}

Result<TxBody> TxBody::decode(ByteView bytes) {
  Decoder d(bytes);
  TxBody b;
  IPL_RETURN_IF_ERROR(d.str(b.chain_id, limits::chain_id_bytes_max));
  IPL_RETURN_IF_ERROR(decode_key(d, b.sender_key));
  IPL_RETURN_IF_ERROR(d.u64(b.nonce));
  IPL_RETURN_IF_ERROR(d.u64(b.valid_until_height));
  IPL_RETURN_IF_ERROR(d.str(b.type, limits::tx_type_bytes_max));
  IPL_RETURN_IF_ERROR(d.u32(b.value_date.yyyymmdd));
  IPL_RETURN_IF_ERROR(d.bytes(b.payload, limits::tx_payload_bytes_max));
  IPL_RETURN_IF_ERROR(d.finish());
  if (!b.value_date.is_valid()) return Status::invalid("transaction value_date is not a calendar date");
  if (b.type.empty()) return Status::invalid("transaction type is empty");
  return b;
}

Transaction Transaction::sign(const TxBody& body, const SecretKey& sk) {
  Transaction tx;
  tx.body = body.encode();
  tx.signature = ipl::sign(SigContext::kTx, sk, tx.body);
  return tx;
}

Hash32 Transaction::id() const { return sha256({as_view(context_tag(SigContext::kTx)), body}); }

Bytes Transaction::encode() const {
  Encoder e(body.size() + 4 + kSignatureBytes);
  e.bytes(body).raw(signature.bytes);
  return e.take();
}

Result<Transaction> Transaction::decode(ByteView bytes) {
  if (bytes.size() > limits::tx_bytes_max) return Status::limit("transaction larger than tx_bytes_max");
  Decoder d(bytes);
  Transaction tx;
  IPL_RETURN_IF_ERROR(d.bytes(tx.body, limits::tx_bytes_max));
  IPL_RETURN_IF_ERROR(decode_sig(d, tx.signature));
  IPL_RETURN_IF_ERROR(d.finish());
  return tx;
}

Result<TxBody> Transaction::verify() const {
  IPL_ASSIGN_OR_RETURN(TxBody b, TxBody::decode(body));
  if (!ipl::verify(SigContext::kTx, b.sender_key, body, signature)) {
    return Status::bad_signature("transaction signature does not verify");
  }
  return b;
}

// ---------------------------------------------------------------------------
// Receipts and state

Bytes Receipt::encode() const {
  IPL_ASSERT(reason.size() <= limits::receipt_reason_bytes_max);
  IPL_ASSERT(events.size() <= limits::receipt_events_max);
  Encoder e;
  e.hash(tx_id).boolean(success).str(reason).count(events.size());
  for (const Event& ev : events) {
    IPL_ASSERT(ev.data.size() <= limits::event_bytes_max);
    e.str(ev.type).bytes(ev.data);
  }
  return e.take();
}

Result<Receipt> Receipt::decode(ByteView bytes) {
  Decoder d(bytes);
  Receipt r;
  IPL_RETURN_IF_ERROR(d.hash(r.tx_id));
  IPL_RETURN_IF_ERROR(d.boolean(r.success));
  IPL_RETURN_IF_ERROR(d.str(r.reason, limits::receipt_reason_bytes_max));
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::receipt_events_max, 8));
  r.events.resize(n);
  for (Event& ev : r.events) {
    IPL_RETURN_IF_ERROR(d.str(ev.type, limits::tx_type_bytes_max));
    IPL_RETURN_IF_ERROR(d.bytes(ev.data, limits::event_bytes_max));
  }
  IPL_RETURN_IF_ERROR(d.finish());
  return r;
}

Bytes StateEnvelope::encode() const {
  IPL_ASSERT(body.size() <= limits::state_value_bytes_max);
  Encoder e(88 + body.size());
  e.u64(version).hash(prev_hash).hash(tx_id).u64(height).bytes(body);
  return e.take();
}

Result<StateEnvelope> StateEnvelope::decode(ByteView bytes) {
  Decoder d(bytes);
  StateEnvelope s;
  IPL_RETURN_IF_ERROR(d.u64(s.version));
  IPL_RETURN_IF_ERROR(d.hash(s.prev_hash));
  IPL_RETURN_IF_ERROR(d.hash(s.tx_id));
  IPL_RETURN_IF_ERROR(d.u64(s.height));
  IPL_RETURN_IF_ERROR(d.bytes(s.body, limits::state_value_bytes_max));
  IPL_RETURN_IF_ERROR(d.finish());
  if (s.version == 0) return Status::invalid("state envelope version must be at least 1");
  return s;
}

// ---------------------------------------------------------------------------
// Validators and signer sets

void ValidatorSet::encode_to(Encoder& e) const {
  IPL_ASSERT(consensus_keys.size() <= limits::validators_max);
  e.u64(epoch.value()).count(consensus_keys.size());
  for (const PublicKey& k : consensus_keys) e.raw(k.bytes);
}

Status ValidatorSet::decode_from(Decoder& d, ValidatorSet& out) {
  IPL_RETURN_IF_ERROR(decode_id(d, out.epoch));
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::validators_max, kKeyBytes));
  if (n == 0) return Status::invalid("validator set is empty");
  out.consensus_keys.resize(n);
  for (PublicKey& k : out.consensus_keys) IPL_RETURN_IF_ERROR(decode_key(d, k));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (out.consensus_keys[i] == out.consensus_keys[j]) return Status::invalid("duplicate validator key");
    }
  }
  return Status::ok();
}

size_t SignerSet::count() const {
  size_t c = 0;
  for (uint8_t b : bitmap) c += static_cast<size_t>(std::popcount(b));
  return c;
}

bool SignerSet::has(ValidatorIndex i) const {
  const size_t byte = i.value() / 8;
  return byte < bitmap.size() && (bitmap[byte] >> (i.value() % 8) & 1) != 0;
}

void SignerSet::add(ValidatorIndex i, const Signature& sig, size_t n) {
  IPL_ASSERT(i.value() < n);
  IPL_ASSERT(!has(i));
  bitmap.resize((n + 7) / 8, 0);
  // Keep signatures in index order: count the signers below i.
  size_t pos = 0;
  for (uint32_t j = 0; j < i.value(); ++j) pos += has(ValidatorIndex(j)) ? 1 : 0;
  bitmap[i.value() / 8] |= static_cast<uint8_t>(1u << (i.value() % 8));
  signatures.insert(signatures.begin() + static_cast<ptrdiff_t>(pos), sig);
  IPL_ASSERT(signatures.size() == count());
}

Status SignerSet::verify(const ValidatorSet& vs, SigContext ctx, ByteView msg) const {
  const size_t n = vs.size();
  if (bitmap.size() != (n + 7) / 8) return Status::invalid("signer bitmap has the wrong length");
  if (n % 8 != 0 && !bitmap.empty() && (bitmap.back() >> (n % 8)) != 0) {
    return Status::invalid("signer bitmap names a validator beyond the set");
  }
  if (signatures.size() != count()) return Status::invalid("signature count does not match the bitmap");
  if (count() < vs.quorum()) return Status::invalid("fewer signers than a quorum");
  size_t k = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (!has(ValidatorIndex(i))) continue;
    if (!ipl::verify(ctx, vs.consensus_keys[i], msg, signatures[k])) {
      return Status::bad_signature("signature of validator " + std::to_string(i) + " does not verify");
    }
    ++k;
  }
  return Status::ok();
}

void SignerSet::encode_to(Encoder& e) const {
  e.bytes(bitmap).count(signatures.size());
  for (const Signature& s : signatures) e.raw(s.bytes);
}

Status SignerSet::decode_from(Decoder& d, SignerSet& out) {
  IPL_RETURN_IF_ERROR(d.bytes(out.bitmap, (limits::validators_max + 7) / 8));
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::validators_max, kSignatureBytes));
  out.signatures.resize(n);
  for (Signature& s : out.signatures) IPL_RETURN_IF_ERROR(decode_sig(d, s));
  if (n != out.count()) return Status::invalid("signature count does not match the bitmap");
  return Status::ok();
}

// ---------------------------------------------------------------------------
// Votes and certificates

void VoteData::encode_to(Encoder& e) const {
  e.str(chain_id).u64(epoch.value()).u64(round.value()).hash(block_id);
}
Bytes VoteData::encode() const {
  Encoder e;
  encode_to(e);
  return e.take();
}
Status VoteData::decode_from(Decoder& d, VoteData& out) {
  IPL_RETURN_IF_ERROR(d.str(out.chain_id, limits::chain_id_bytes_max));
  IPL_RETURN_IF_ERROR(decode_id(d, out.epoch));
  IPL_RETURN_IF_ERROR(decode_id(d, out.round));
  return d.hash(out.block_id);
}

Bytes Vote::encode() const {
  Encoder e;
  data.encode_to(e);
  e.u32(voter.value()).raw(signature.bytes);
  return e.take();
}

Result<Vote> Vote::decode(ByteView bytes) {
  Decoder d(bytes);
  Vote v;
  IPL_RETURN_IF_ERROR(VoteData::decode_from(d, v.data));
  IPL_RETURN_IF_ERROR(decode_id(d, v.voter));
  IPL_RETURN_IF_ERROR(decode_sig(d, v.signature));
  IPL_RETURN_IF_ERROR(d.finish());
  return v;
}

Status Vote::verify(const ValidatorSet& vs) const {
  if (data.epoch != vs.epoch) return Status::invalid("vote for another epoch");
  if (voter.value() >= vs.size()) return Status::invalid("voter index out of range");
  if (!ipl::verify(SigContext::kVote, vs.consensus_keys[voter.value()], data.encode(), signature)) {
    return Status::bad_signature("vote signature does not verify");
  }
  return Status::ok();
}

void QuorumCert::encode_to(Encoder& e) const {
  data.encode_to(e);
  signers.encode_to(e);
}
Status QuorumCert::decode_from(Decoder& d, QuorumCert& out) {
  IPL_RETURN_IF_ERROR(VoteData::decode_from(d, out.data));
  return SignerSet::decode_from(d, out.signers);
}
Bytes QuorumCert::encode() const {
  Encoder e;
  encode_to(e);
  return e.take();
}
Result<QuorumCert> QuorumCert::decode(ByteView bytes) { return decode_whole<QuorumCert>(bytes); }

Status QuorumCert::verify(const ValidatorSet& vs) const {
  if (data.epoch != vs.epoch) return Status::invalid("quorum certificate for another epoch");
  if (is_genesis()) return Status::invalid("genesis certificate has no signatures to verify");
  return signers.verify(vs, SigContext::kVote, data.encode());
}

Bytes TimeoutData::encode() const {
  Encoder e;
  e.str(chain_id).u64(epoch.value()).u64(round.value()).u64(high_qc_round.value());
  return e.take();
}

Bytes TimeoutMsg::encode() const {
  Encoder e;
  e.str(data.chain_id).u64(data.epoch.value()).u64(data.round.value()).u64(data.high_qc_round.value());
  high_qc.encode_to(e);
  e.u32(voter.value()).raw(signature.bytes);
  return e.take();
}

Result<TimeoutMsg> TimeoutMsg::decode(ByteView bytes) {
  Decoder d(bytes);
  TimeoutMsg t;
  IPL_RETURN_IF_ERROR(d.str(t.data.chain_id, limits::chain_id_bytes_max));
  IPL_RETURN_IF_ERROR(decode_id(d, t.data.epoch));
  IPL_RETURN_IF_ERROR(decode_id(d, t.data.round));
  IPL_RETURN_IF_ERROR(decode_id(d, t.data.high_qc_round));
  IPL_RETURN_IF_ERROR(QuorumCert::decode_from(d, t.high_qc));
  IPL_RETURN_IF_ERROR(decode_id(d, t.voter));
  IPL_RETURN_IF_ERROR(decode_sig(d, t.signature));
  IPL_RETURN_IF_ERROR(d.finish());
  return t;
}

Status TimeoutMsg::verify(const ValidatorSet& vs) const {
  if (data.epoch != vs.epoch) return Status::invalid("timeout for another epoch");
  if (voter.value() >= vs.size()) return Status::invalid("voter index out of range");
  if (high_qc.data.round != data.high_qc_round) return Status::invalid("high QC does not match its round");
  if (data.high_qc_round >= data.round) return Status::invalid("high QC round not below the timeout round");
  if (!ipl::verify(SigContext::kTimeout, vs.consensus_keys[voter.value()], data.encode(), signature)) {
    return Status::bad_signature("timeout signature does not verify");
  }
  if (!high_qc.is_genesis()) IPL_RETURN_IF_ERROR(high_qc.verify(vs));
  return Status::ok();
}

Round TimeoutCert::max_high_qc_round() const {
  Round r;
  for (Round x : high_qc_rounds) r = std::max(r, x);
  return r;
}

Bytes TimeoutCert::encode() const {
  IPL_ASSERT(high_qc_rounds.size() == signatures.size());
  Encoder e;
  e.str(chain_id).u64(epoch.value()).u64(round.value()).bytes(bitmap).count(signatures.size());
  for (size_t i = 0; i < signatures.size(); ++i) e.u64(high_qc_rounds[i].value()).raw(signatures[i].bytes);
  return e.take();
}

Result<TimeoutCert> TimeoutCert::decode(ByteView bytes) {
  Decoder d(bytes);
  TimeoutCert tc;
  IPL_RETURN_IF_ERROR(d.str(tc.chain_id, limits::chain_id_bytes_max));
  IPL_RETURN_IF_ERROR(decode_id(d, tc.epoch));
  IPL_RETURN_IF_ERROR(decode_id(d, tc.round));
  IPL_RETURN_IF_ERROR(d.bytes(tc.bitmap, (limits::validators_max + 7) / 8));
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::validators_max, 8 + kSignatureBytes));
  tc.high_qc_rounds.resize(n);
  tc.signatures.resize(n);
  for (size_t i = 0; i < n; ++i) {
    IPL_RETURN_IF_ERROR(decode_id(d, tc.high_qc_rounds[i]));
    IPL_RETURN_IF_ERROR(decode_sig(d, tc.signatures[i]));
  }
  IPL_RETURN_IF_ERROR(d.finish());
  return tc;
}

Status TimeoutCert::verify(const ValidatorSet& vs) const {
  if (epoch != vs.epoch) return Status::invalid("timeout certificate for another epoch");
  SignerSet probe{bitmap, signatures};
  const size_t n = vs.size();
  if (bitmap.size() != (n + 7) / 8) return Status::invalid("signer bitmap has the wrong length");
  if (n % 8 != 0 && !bitmap.empty() && (bitmap.back() >> (n % 8)) != 0) {
    return Status::invalid("signer bitmap names a validator beyond the set");
  }
  if (signatures.size() != probe.count() || high_qc_rounds.size() != signatures.size()) {
    return Status::invalid("signature count does not match the bitmap");
  }
  if (probe.count() < vs.quorum()) return Status::invalid("fewer signers than a quorum");
  size_t k = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (!probe.has(ValidatorIndex(i))) continue;
    if (high_qc_rounds[k] >= round) return Status::invalid("high QC round not below the timeout round");
    TimeoutData td{chain_id, epoch, round, high_qc_rounds[k]};
    if (!ipl::verify(SigContext::kTimeout, vs.consensus_keys[i], td.encode(), signatures[k])) {
      return Status::bad_signature("timeout signature of validator " + std::to_string(i) + " does not verify");
    }
    ++k;
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------
// Blocks

Bytes BlockHeader::encode() const {
  Encoder e(256);
  e.str(chain_id).u64(epoch.value()).u64(round.value()).u64(height.value()).hash(parent_id);
  parent_qc.encode_to(e);
  e.u32(proposer.value()).u64(timestamp_ms).hash(payload_hash);
  return e.take();
}

Result<BlockHeader> BlockHeader::decode(ByteView bytes) {
  Decoder d(bytes);
  BlockHeader h;
  IPL_RETURN_IF_ERROR(d.str(h.chain_id, limits::chain_id_bytes_max));
  IPL_RETURN_IF_ERROR(decode_id(d, h.epoch));
  IPL_RETURN_IF_ERROR(decode_id(d, h.round));
  IPL_RETURN_IF_ERROR(decode_id(d, h.height));
  IPL_RETURN_IF_ERROR(d.hash(h.parent_id));
  IPL_RETURN_IF_ERROR(QuorumCert::decode_from(d, h.parent_qc));
  IPL_RETURN_IF_ERROR(decode_id(d, h.proposer));
  IPL_RETURN_IF_ERROR(d.u64(h.timestamp_ms));
  IPL_RETURN_IF_ERROR(d.hash(h.payload_hash));
  IPL_RETURN_IF_ERROR(d.finish());
  return h;
}

Hash32 BlockHeader::id() const { return sha256({as_view("IPL/block/v1"), encode()}); }

Hash32 Block::payload_hash(const std::vector<Transaction>& txs) {
  Sha256 h;
  h.update(as_view("IPL/payload/v1"));
  Encoder count;
  count.count(txs.size());
  h.update(count.out());
  for (const Transaction& tx : txs) h.update(tx.id());
  return h.finish();
}

Bytes Block::encode() const {
  IPL_ASSERT(txs.size() <= limits::block_txs_max);
  Encoder e;
  e.bytes(header.encode()).count(txs.size());
  for (const Transaction& tx : txs) e.bytes(tx.encode());
  return e.take();
}

Result<Block> Block::decode(ByteView bytes) {
  if (bytes.size() > limits::block_bytes_max) return Status::limit("block larger than block_bytes_max");
  Decoder d(bytes);
  Block b;
  Bytes header;
  IPL_RETURN_IF_ERROR(d.bytes(header, limits::field_bytes_max));
  IPL_ASSIGN_OR_RETURN(b.header, BlockHeader::decode(header));
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::block_txs_max, 4 + kSignatureBytes));
  b.txs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Bytes raw;
    IPL_RETURN_IF_ERROR(d.bytes(raw, limits::tx_bytes_max));
    IPL_ASSIGN_OR_RETURN(Transaction tx, Transaction::decode(raw));
    b.txs.push_back(std::move(tx));
  }
  IPL_RETURN_IF_ERROR(d.finish());
  if (payload_hash(b.txs) != b.header.payload_hash) return Status::invalid("block payload hash mismatch");
  return b;
}

// ---------------------------------------------------------------------------
// LedgerInfo and execution certificates

void LedgerInfo::encode_to(Encoder& e) const {
  IPL_ASSERT(block_tx_count <= history_size);
  e.str(chain_id).u64(epoch.value()).u64(height.value()).hash(block_id).u64(timestamp_ms).u32(protocol_version);
  e.u64(block_tx_count).u64(history_size).hash(history_root).hash(state_root);
  e.boolean(next_epoch.has_value());
  if (next_epoch) {
    e.u64(next_epoch->number.value());
    next_epoch->validators.encode_to(e);
  }
}

Bytes LedgerInfo::encode() const {
  Encoder e(256);
  encode_to(e);
  return e.take();
}

Status LedgerInfo::decode_from(Decoder& d, LedgerInfo& li) {
  IPL_RETURN_IF_ERROR(d.str(li.chain_id, limits::chain_id_bytes_max));
  IPL_RETURN_IF_ERROR(decode_id(d, li.epoch));
  IPL_RETURN_IF_ERROR(decode_id(d, li.height));
  IPL_RETURN_IF_ERROR(d.hash(li.block_id));
  IPL_RETURN_IF_ERROR(d.u64(li.timestamp_ms));
  IPL_RETURN_IF_ERROR(d.u32(li.protocol_version));
  IPL_RETURN_IF_ERROR(d.u64(li.block_tx_count));
  IPL_RETURN_IF_ERROR(d.u64(li.history_size));
  IPL_RETURN_IF_ERROR(d.hash(li.history_root));
  IPL_RETURN_IF_ERROR(d.hash(li.state_root));
  bool has_next = false;
  IPL_RETURN_IF_ERROR(d.boolean(has_next));
  if (has_next) {
    EpochState es;
    IPL_RETURN_IF_ERROR(decode_id(d, es.number));
    IPL_RETURN_IF_ERROR(ValidatorSet::decode_from(d, es.validators));
    if (es.validators.epoch != es.number) return Status::invalid("next epoch validator set names another epoch");
    li.next_epoch = std::move(es);
  }
  if (li.block_tx_count > li.history_size) return Status::invalid("block_tx_count exceeds history_size");
  return Status::ok();
}

Result<LedgerInfo> LedgerInfo::decode(ByteView bytes) { return decode_whole<LedgerInfo>(bytes); }

void ExecutionCertificate::encode_to(Encoder& e) const {
  ledger_info.encode_to(e);
  signers.encode_to(e);
}
Bytes ExecutionCertificate::encode() const {
  Encoder e(512);
  encode_to(e);
  return e.take();
}
Status ExecutionCertificate::decode_from(Decoder& d, ExecutionCertificate& out) {
  IPL_RETURN_IF_ERROR(LedgerInfo::decode_from(d, out.ledger_info));
  return SignerSet::decode_from(d, out.signers);
}
Result<ExecutionCertificate> ExecutionCertificate::decode(ByteView bytes) {
  return decode_whole<ExecutionCertificate>(bytes);
}

Status ExecutionCertificate::verify(const ValidatorSet& vs) const {
  if (ledger_info.epoch != vs.epoch) return Status::invalid("execution certificate for another epoch");
  return signers.verify(vs, SigContext::kLedgerInfo, ledger_info.encode());
}

Bytes EpochChangeProof::encode() const {
  Encoder e;
  e.count(changes.size());
  for (const ExecutionCertificate& c : changes) c.encode_to(e);
  return e.take();
}

Result<EpochChangeProof> EpochChangeProof::decode(ByteView bytes) {
  Decoder d(bytes);
  EpochChangeProof p;
  size_t n = 0;
  IPL_RETURN_IF_ERROR(d.count(n, limits::list_items_max, 64));
  p.changes.resize(n);
  for (ExecutionCertificate& c : p.changes) IPL_RETURN_IF_ERROR(ExecutionCertificate::decode_from(d, c));
  IPL_RETURN_IF_ERROR(d.finish());
  return p;
}

Result<ValidatorSet> EpochChangeProof::verify(const ValidatorSet& genesis_set, std::string_view chain_id) const {
  ValidatorSet current = genesis_set;
  for (size_t i = 0; i < changes.size(); ++i) {
    const ExecutionCertificate& c = changes[i];
    const std::string where = "epoch change " + std::to_string(i) + ": ";
    if (c.ledger_info.chain_id != chain_id) return Status::invalid(where + "wrong chain id");
    if (!c.ledger_info.next_epoch) return Status::invalid(where + "ledger info carries no next epoch");
    IPL_RETURN_IF_ERROR(c.verify(current));
    const EpochState& next = *c.ledger_info.next_epoch;
    if (next.number.value() != current.epoch.value() + 1) return Status::invalid(where + "epochs not consecutive");
    current = next.validators;
  }
  return current;
}

}  // namespace ipl
