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
};

}  // namespace ipl::api
