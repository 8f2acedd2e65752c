// Codecs between common/chain.h types and their protobuf wire and storage
// form (proto/ipledger.proto, docs/wire.md).
//
// Protobuf only carries canonical bytes: every message holds the canonical
// encoding of a chain type (a transaction holds its body verbatim and its
// signature), so ids and signatures never depend on protobuf. Decoding is
// three steps, cheapest first: reject input above its size bound before
// parsing, parse protobuf (failure -> Status::invalid), then decode the
// carried bytes with the strict canonical decoders of common/chain.h.
// No protobuf type appears here; protobuf stays inside proto/*.cc.
//
// Invariants:
//   - decode_x(encode_x(v)) == v for every valid v, and the decoded
//     transaction has exactly the id of the original.
//   - Any byte string given to a decoder yields a value or a non-ok Status;
//     it never crashes, asserts or throws.
// Thread-safety: free functions over values; safe to call concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/chain.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/limits.h"
#include "common/status.h"

namespace ipl::proto {

// --- Bounds: in common/limits.h (wire section) -------------------------
using limits::fetch_blocks_max;
using limits::framing_bytes_max;
using limits::tx_message_bytes_max;
using limits::wire_message_bytes_max;

// --- Chain objects --------------------------------------------------------
// encode_*: requires a well-formed value (the canonical encoders assert the
// field bounds) whose encoding fits wire_message_bytes_max (asserted);
// returns serialized protobuf bytes owned by the caller.
// decode_*: any bytes; returns the value or invalid / limit Status.

Bytes encode_tx(const Transaction& tx);
Result<Transaction> decode_tx(ByteView bytes);

Bytes encode_block(const Block& block);
Result<Block> decode_block(ByteView bytes);

Bytes encode_quorum_cert(const QuorumCert& qc);
Result<QuorumCert> decode_quorum_cert(ByteView bytes);

Bytes encode_timeout_cert(const TimeoutCert& tc);
Result<TimeoutCert> decode_timeout_cert(ByteView bytes);

Bytes encode_vote(const Vote& vote);
Result<Vote> decode_vote(ByteView bytes);

Bytes encode_timeout(const TimeoutMsg& timeout);
Result<TimeoutMsg> decode_timeout(ByteView bytes);

Bytes encode_ledger_info(const LedgerInfo& info);
Result<LedgerInfo> decode_ledger_info(ByteView bytes);

Bytes encode_execution_cert(const ExecutionCertificate& cert);
Result<ExecutionCertificate> decode_execution_cert(ByteView bytes);

Bytes encode_epoch_change_proof(const EpochChangeProof& proof);
Result<EpochChangeProof> decode_epoch_change_proof(ByteView bytes);

Bytes encode_receipt(const Receipt& receipt);
Result<Receipt> decode_receipt(ByteView bytes);

// --- P2P messages ---------------------------------------------------------
// The consensus messages of docs/protocol.md section 12.2 plus transaction
// gossip. These mirror consensus/messages.h field for field (proto/ may not
// include consensus/; node/wire.cc converts between the two).

// The leader's block for a round, the TC through which it entered the
// round (if any) and its own vote for the block.
struct Proposal {
  Block block;
  std::optional<TimeoutCert> tc;
  Vote proposer_vote;
  bool operator==(const Proposal&) const = default;
};

// Transactions forwarded between mempools; 1 ..= limits::block_txs_max.
struct TxGossip {
  std::vector<Transaction> txs;
  bool operator==(const TxGossip&) const = default;
};

// One validator's signature over the canonical bytes of `ledger_info`
// (context "IPL/ledgerinfo/v1"). Canonical encoding is unique, so
// ledger_info.encode() reproduces exactly the bytes that were signed.
struct LedgerInfoVote {
  LedgerInfo ledger_info;
  ValidatorIndex signer;  // < limits::validators_max
  Signature signature;
  bool operator==(const LedgerInfoVote&) const = default;
};

// Asks for `count` blocks (1 ..= fetch_blocks_max): `block_id` and then its
// ancestors, newest first.
struct FetchRequest {
  Hash32 block_id{};
  uint32_t count = 1;
  bool operator==(const FetchRequest&) const = default;
};

// The blocks asked for, newest first; at most fetch_blocks_max.
struct FetchResponse {
  std::vector<Block> blocks;
  bool operator==(const FetchResponse&) const = default;
};

// The highest certificates a replica holds.
struct SyncInfo {
  QuorumCert high_qc;
  std::optional<TimeoutCert> high_tc;
  bool operator==(const SyncInfo&) const = default;
};

// Asks for the certified LedgerInfo that ended epoch `epoch`.
struct EpochRequest {
  Epoch epoch;
  bool operator==(const EpochRequest&) const = default;
};

// The execution certificate of an epoch's boundary.
struct EpochChange {
  ExecutionCertificate cert;
  bool operator==(const EpochChange&) const = default;
};

// Asks for the execution certificates of heights from_height .. +count-1.
struct CertRequest {
  uint64_t from_height = 1;
  uint32_t count = 1;
  bool operator==(const CertRequest&) const = default;
};

// Execution certificates (at most fetch_blocks_max), ascending height.
struct CertResponse {
  std::vector<ExecutionCertificate> certs;
  bool operator==(const CertResponse&) const = default;
};

// Exactly one message kind, as carried by one protobuf Envelope. The
// alternatives are in Envelope field-number order (1 ..= 12).
struct WireMessage {
  using Kind = std::variant<Proposal, Vote, TimeoutMsg, TxGossip, LedgerInfoVote, FetchRequest, FetchResponse,
                            SyncInfo, EpochRequest, EpochChange, CertRequest, CertResponse>;
  Kind kind;
  bool operator==(const WireMessage&) const = default;
};

// Requires: the message is well formed and within the counts above, and its
// encoding fits wire_message_bytes_max (the sender splits gossip and fetch
// responses; asserted). Returns the serialized Envelope.
Bytes encode_wire(const WireMessage& msg);
// Any bytes (untrusted peer input). Returns the message, or limit when the
// input exceeds wire_message_bytes_max or a count bound, or invalid when
// the protobuf or any carried canonical bytes are malformed, a required
// field is missing, or no known kind is set. Signatures are not checked.
Result<WireMessage> decode_wire(ByteView bytes);

}  // namespace ipl::proto
