// The shared chain types of DESIGN.md with their canonical encoding and
// signature checks: transaction, receipt, state envelope, block header and
// block, vote, timeout, quorum certificate (QC), timeout certificate (TC),
// LedgerInfo, execution certificate, epoch-change proof, validator set.
// ledger/, consensus/ and api/ all use these one definitions; the byte
// grammar of each is in docs/protocol.md and pinned by golden-byte tests.
// Decoders are strict (common/encoding.h): decode(encode(x)) == x and any
// other input is rejected.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/status.h"

namespace ipl {

class Encoder;
class Decoder;

// A civil date (Asia/Shanghai calendar day) as yyyymmdd, e.g. 20250131.
struct CivilDate {
  uint32_t yyyymmdd = 0;
  auto operator<=>(const CivilDate&) const = default;
  bool is_valid() const;
  // Days since 1970-01-01; requires is_valid().
  int64_t days_since_epoch() const;
  static CivilDate from_days_since_epoch(int64_t days);
  // "YYYY-MM-DD".
  std::string str() const;
  static Result<CivilDate> parse(std::string_view text);
};

// ---------------------------------------------------------------------------
// Transactions

struct TxBody {
  std::string chain_id;
  PublicKey sender_key;
  uint64_t nonce = 0;
  uint64_t valid_until_height = 0;
  std::string type;
  CivilDate value_date;
  Bytes payload;

  Bytes encode() const;
  static Result<TxBody> decode(ByteView bytes);
  bool operator==(const TxBody&) const = default;
};

// {body, signature} and nothing else. `body` holds the canonical bytes as
// signed, so the id never depends on re-encoding.
struct Transaction {
  Bytes body;
  Signature signature;

  // Signs body.encode() under SigContext::kTx.
  static Transaction sign(const TxBody& body, const SecretKey& sk);
  // tx_id = SHA-256("IPL/tx/v1" ‖ body).
  Hash32 id() const;
  Bytes encode() const;  // bytes(body) ‖ signature(64)
  static Result<Transaction> decode(ByteView bytes);
  // Parses the body and checks the signature against its sender_key.
  Result<TxBody> verify() const;
  bool operator==(const Transaction&) const = default;
};

// ---------------------------------------------------------------------------
// Receipts and state

struct Event {
  std::string type;
  Bytes data;
  bool operator==(const Event&) const = default;
};

struct Receipt {
  Hash32 tx_id{};
  bool success = false;
  std::string reason;  // stable reason code, "ok" on success
  std::vector<Event> events;

  Bytes encode() const;
  static Result<Receipt> decode(ByteView bytes);
  bool operator==(const Receipt&) const = default;
};

// The value stored in the state tree for every record version (DESIGN.md
// "Ledger"): a proof of the current value commits to the version chain.
struct StateEnvelope {
  uint64_t version = 0;  // 1 for the first version of a record
  Hash32 prev_hash{};    // SHA-256 of the previous envelope, zeros for v1
  Hash32 tx_id{};        // the transaction that wrote this version
  uint64_t height = 0;   // the block that wrote it
  Bytes body;

  Bytes encode() const;
  static Result<StateEnvelope> decode(ByteView bytes);
  bool operator==(const StateEnvelope&) const = default;
};

// ---------------------------------------------------------------------------
// Validators and multi-signatures

struct ValidatorSet {
  Epoch epoch;
  std::vector<PublicKey> consensus_keys;  // index = ValidatorIndex

  size_t size() const { return consensus_keys.size(); }
  // ⌊2n/3⌋ + 1 distinct validators.
  size_t quorum() const { return size() * 2 / 3 + 1; }
  // ⌊(n−1)/3⌋.
  size_t max_faulty() const { return size() == 0 ? 0 : (size() - 1) / 3; }
  void encode_to(Encoder& e) const;
  static Status decode_from(Decoder& d, ValidatorSet& out);
  bool operator==(const ValidatorSet&) const = default;
};

// Signers named by a bitmap over the epoch's validator list (bit i of byte
// i/8, least significant bit first) and their signatures in index order.
struct SignerSet {
  Bytes bitmap;
  std::vector<Signature> signatures;

  size_t count() const;
  bool has(ValidatorIndex i) const;
  // Adds a signature; requires i not present yet and i < n.
  void add(ValidatorIndex i, const Signature& sig, size_t n);
  // Bitmap well formed for n, one signature per bit, at least quorum
  // signers, each signature valid over `msg` under `ctx`.
  Status verify(const ValidatorSet& vs, SigContext ctx, ByteView msg) const;
  void encode_to(Encoder& e) const;
  static Status decode_from(Decoder& d, SignerSet& out);
  bool operator==(const SignerSet&) const = default;
};

// ---------------------------------------------------------------------------
// Consensus messages and certificates

// What a vote signs: (chain id, epoch, round, block id).
struct VoteData {
  std::string chain_id;
  Epoch epoch;
  Round round;
  Hash32 block_id{};
  Bytes encode() const;
  void encode_to(Encoder& e) const;
  static Status decode_from(Decoder& d, VoteData& out);
  bool operator==(const VoteData&) const = default;
};

struct Vote {
  VoteData data;
  ValidatorIndex voter;
  Signature signature;
  Bytes encode() const;
  static Result<Vote> decode(ByteView bytes);
  Status verify(const ValidatorSet& vs) const;
  bool operator==(const Vote&) const = default;
};

struct QuorumCert {
  VoteData data;
  SignerSet signers;
  // The round-0 certificate of an epoch's first block carries no
  // signatures; it is valid only for the epoch's known starting block.
  bool is_genesis() const { return data.round.value() == 0 && signers.signatures.empty(); }
  void encode_to(Encoder& e) const;
  static Status decode_from(Decoder& d, QuorumCert& out);
  Bytes encode() const;
  static Result<QuorumCert> decode(ByteView bytes);
  Status verify(const ValidatorSet& vs) const;
  bool operator==(const QuorumCert&) const = default;
};

// What a timeout signs: (chain id, epoch, round, high QC round).
struct TimeoutData {
  std::string chain_id;
  Epoch epoch;
  Round round;
  Round high_qc_round;
  Bytes encode() const;
  bool operator==(const TimeoutData&) const = default;
};

struct TimeoutMsg {
  TimeoutData data;
  QuorumCert high_qc;  // must certify data.high_qc_round
  ValidatorIndex voter;
  Signature signature;
  Bytes encode() const;
  static Result<TimeoutMsg> decode(ByteView bytes);
  Status verify(const ValidatorSet& vs) const;
  bool operator==(const TimeoutMsg&) const = default;
};

// A quorum of timeouts for one round; each signer signed its own high QC
// round, listed in signer order.
struct TimeoutCert {
  std::string chain_id;
  Epoch epoch;
  Round round;
  Bytes bitmap;
  std::vector<Round> high_qc_rounds;
  std::vector<Signature> signatures;
  Round max_high_qc_round() const;
  Bytes encode() const;
  static Result<TimeoutCert> decode(ByteView bytes);
  Status verify(const ValidatorSet& vs) const;
  bool operator==(const TimeoutCert&) const = default;
};

struct BlockHeader {
  std::string chain_id;
  Epoch epoch;
  Round round;
  Height height;
  Hash32 parent_id{};
  QuorumCert parent_qc;
  ValidatorIndex proposer;
  uint64_t timestamp_ms = 0;
  Hash32 payload_hash{};

  Bytes encode() const;
  static Result<BlockHeader> decode(ByteView bytes);
  // block_id = SHA-256("IPL/block/v1" ‖ encode()).
  Hash32 id() const;
  bool operator==(const BlockHeader&) const = default;
};

struct Block {
  BlockHeader header;
  std::vector<Transaction> txs;

  // payload_hash = SHA-256("IPL/payload/v1" ‖ u32 count ‖ tx_id*).
  static Hash32 payload_hash(const std::vector<Transaction>& txs);
  Bytes encode() const;
  static Result<Block> decode(ByteView bytes);
  bool operator==(const Block&) const = default;
};

// ---------------------------------------------------------------------------
// Execution results

struct EpochState {
  Epoch number;
  ValidatorSet validators;
  bool operator==(const EpochState&) const = default;
};

struct LedgerInfo {
  std::string chain_id;
  Epoch epoch;
  Height height;
  Hash32 block_id{};
  uint64_t timestamp_ms = 0;
  uint32_t protocol_version = 1;
  uint64_t block_tx_count = 0;
  uint64_t history_size = 0;
  Hash32 history_root{};
  Hash32 state_root{};
  std::optional<EpochState> next_epoch;

  Bytes encode() const;
  static Result<LedgerInfo> decode(ByteView bytes);
  void encode_to(Encoder& e) const;
  static Status decode_from(Decoder& d, LedgerInfo& out);
  // The first history index of this block's transactions.
  uint64_t first_tx_index() const { return history_size - block_tx_count; }
  bool operator==(const LedgerInfo&) const = default;
};

struct ExecutionCertificate {
  LedgerInfo ledger_info;
  SignerSet signers;
  Bytes encode() const;
  static Result<ExecutionCertificate> decode(ByteView bytes);
  void encode_to(Encoder& e) const;
  static Status decode_from(Decoder& d, ExecutionCertificate& out);
  Status verify(const ValidatorSet& vs) const;
  bool operator==(const ExecutionCertificate&) const = default;
};

// The certified LedgerInfos that end each epoch, in order: a verifier walks
// them from the genesis validator set to the current one.
struct EpochChangeProof {
  std::vector<ExecutionCertificate> changes;
  Bytes encode() const;
  static Result<EpochChangeProof> decode(ByteView bytes);
  // Returns the validator set in force after the last change.
  Result<ValidatorSet> verify(const ValidatorSet& genesis_set, std::string_view chain_id) const;
};

}  // namespace ipl
