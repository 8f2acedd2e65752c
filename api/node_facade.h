// What the HTTP routes need from the running node (STYLE.md "api/":
// handlers decode, validate, call api::NodeFacade, encode). Defined here,
// implemented by node/ (which may include api/), faked in tests.
// Thread-safety: every method is called concurrently from HTTP worker
// threads; implementations must be thread-safe and must not block for long.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/histogram.h"
#include "common/bytes.h"
#include "common/chain.h"
#include "common/status.h"

namespace ipl::api {

// The mempool's answer to one submission.
struct SubmitAnswer {
  // "ok" (accepted: in this node's mempool), "tx.committed" (already
  // committed), or a stable error code (docs/api/openapi.yaml).
  std::string code;
  std::string message;
  std::optional<Hash32> tx_id;
};

enum class TxState : uint8_t { kUnknown, kPending, kCommitted };

struct TxStatus {
  TxState state = TxState::kUnknown;
  // Set when committed:
  uint64_t height = 0;
  Hash32 block_id{};
  Receipt receipt;
};

struct Health {
  bool is_ok = true;
  std::string status = "ok";  // "ok", "syncing", "halted", ...
  std::string mode;           // "validator" or "observer"
  uint64_t height = 0;
  uint64_t last_commit_age_ms = 0;
};

struct MetricsSnapshot {
  uint64_t height = 0;
  uint64_t epoch = 0;
  uint64_t round = 0;
  uint64_t view_changes_total = 0;
  uint64_t peers = 0;
  uint64_t mempool_size = 0;
  uint64_t mempool_bytes = 0;
  double verify_rate_per_core = 0;  // signature checks per second of one core
  uint64_t verified_total = 0;
  // Mempool answers by stable code ("ok", "tx.expired", ...).
  std::vector<std::pair<std::string, uint64_t>> mempool_answers_total;
  HistogramSnapshot commit_latency_seconds;
};

struct PeerStatus {
  PublicKey key;            // transport key
  std::string address;      // "host:port"
  bool is_connected = false;
};

// GET /v1/status and `ipledger status`.
struct NodeStatus {
  std::string chain_id;
  Hash32 genesis_hash{};
  std::string mode;                  // "validator" or "observer"
  PublicKey consensus_key;           // this node's consensus key (zero for an observer without one)
  uint64_t height = 0;               // executed height
  uint64_t committed_height = 0;     // committed by consensus (>= height)
  uint64_t certified_height = 0;     // highest height with an execution certificate
  uint64_t epoch = 0;
  uint64_t round = 0;
  std::optional<PublicKey> leader;   // consensus key of the current round's leader
  uint64_t last_commit_age_ms = 0;
  uint64_t mempool_size = 0;
  bool is_halted = false;            // divergence or storage failure: signs nothing
  std::string halt_reason;
  std::vector<PeerStatus> peers;
};

// One committed block as GET /v1/blocks/{height} serves it.
struct BlockView {
  Block block;
  std::vector<Receipt> receipts;    // one per transaction, same order
  LedgerInfo ledger_info;
  std::optional<ExecutionCertificate> certificate;
};

class NodeFacade {
 public:
  virtual ~NodeFacade() = default;
  // Untrusted canonical transaction bytes (size already bounded by the
  // route). Blocks until the mempool's verdict.
  virtual SubmitAnswer submit_tx(ByteView tx_bytes) = 0;
  // Not-ok only when the node cannot answer (storage error).
  virtual Result<TxStatus> find_tx(const Hash32& tx_id) = 0;
  virtual Health health() = 0;
  virtual MetricsSnapshot metrics() = 0;
  virtual NodeStatus status() = 0;
  // nullopt: not executed yet. Not-ok only on a storage error.
  virtual Result<std::optional<BlockView>> block_at(uint64_t height) = 0;
  // Every certified LedgerInfo that ended an epoch since genesis, in order:
  // with the genesis alone, a client derives the current validator set
  // (EpochChangeProof::verify). unavailable when the node does not serve it.
  virtual Result<EpochChangeProof> epoch_change_proof() { return Status::unavailable("epoch proofs not served"); }
};

}  // namespace ipl::api
