// Consensus messages (docs/protocol.md §12.2) as plain structs, and their
// canonical bytes. Votes, timeouts and certificates are the common/chain.h
// types; this header adds the envelopes only the consensus core uses.
// Invariants: every message names the epoch it belongs to (message_epoch);
// encode() is the canonical grammar of §12.2 and is what the simulator
// hashes into its trace. Thread-safety: plain values.
#pragma once

#include <optional>
#include <variant>
#include <vector>

#include "common/chain.h"

namespace ipl::consensus {

// A leader's block for one round. The leader's own vote for the block
// authenticates it (BlockHeader carries no signature) and counts toward
// the block's certificate; `tc` is present when the parent QC is not for
// round − 1 (the round was entered through a timeout certificate).
struct Proposal {
  Block block;
  std::optional<TimeoutCert> tc;
  Vote proposer_vote;
  bool operator==(const Proposal&) const = default;
};

// One validator's signature over the LedgerInfo it executed (data-flow
// step 7). A quorum of these over one LedgerInfo is its certificate.
struct LedgerInfoVote {
  LedgerInfo ledger_info;
  ValidatorIndex signer;
  Signature signature;
  bool operator==(const LedgerInfoVote&) const = default;
};

// The highest certificates a replica holds; sent to a peer that is behind.
struct SyncInfo {
  QuorumCert high_qc;
  std::optional<TimeoutCert> high_tc;
  bool operator==(const SyncInfo&) const = default;
};

// Asks for `count` blocks: `block_id` and then its ancestors, newest first.
struct FetchRequest {
  Hash32 block_id{};
  uint32_t count = 0;
  bool operator==(const FetchRequest&) const = default;
};

struct FetchResponse {
  std::vector<Block> blocks;  // newest first
  bool operator==(const FetchResponse&) const = default;
};

// "Send me the certified LedgerInfo that ended epoch `epoch`."
struct EpochRequest {
  Epoch epoch;
  bool operator==(const EpochRequest&) const = default;
};

// The execution certificate of an epoch's boundary (carries next_epoch).
struct EpochChange {
  ExecutionCertificate cert;
  bool operator==(const EpochChange&) const = default;
};

using Message = std::variant<Proposal, Vote, TimeoutMsg, LedgerInfoVote, SyncInfo, FetchRequest,
                             FetchResponse, EpochRequest, EpochChange>;

// Message tags of the canonical encoding (docs/protocol.md §12.2).
enum class MessageTag : uint8_t {
  kProposal = 1,
  kVote = 2,
  kTimeout = 3,
  kLedgerInfoVote = 4,
  kSyncInfo = 5,
  kFetchRequest = 6,
  kFetchResponse = 7,
  kEpochRequest = 8,
  kEpochChange = 9,
};

// u8 tag ‖ body, the grammar of docs/protocol.md §12.2.
Bytes encode(const Message& m);
// The epoch a message speaks for; nullopt for fetches (epoch-free).
std::optional<Epoch> message_epoch(const Message& m);
const char* message_name(const Message& m);

}  // namespace ipl::consensus
