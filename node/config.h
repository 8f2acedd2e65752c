// The node configuration file (TOML; format and example in docs/config.md
// and docs/examples/node.toml): identity, genesis, data, mode, P2P and HTTP
// addresses, log level, and every runtime limit of DESIGN.md "Limits".
//
// Validation reports EVERY problem at once, one line each, naming the TOML
// key (and its line when known): unknown keys and tables, wrong types,
// missing required keys, bad addresses, and any limit raised above its hard
// maximum in common/limits.h (limits may only be lowered). toml++ stays in
// config.cc; its exceptions never leave it.
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/limits.h"
#include "common/status.h"

namespace ipl::node {

enum class NodeMode : uint8_t { kValidator, kObserver };

struct HostPort {
  std::string host;
  uint16_t port = 0;
  bool operator==(const HostPort&) const = default;
};

struct PeerConfig {
  HostPort address;
  PublicKey transport_key;
  // The peer's consensus key, when it has one: how the node addresses
  // consensus messages (which name validators by consensus key) to a
  // transport connection. Observers have none.
  std::optional<PublicKey> consensus_key;
  bool operator==(const PeerConfig&) const = default;
};

// Every runtime limit, defaulting to its limits.h value. All fields are
// counts or bytes or milliseconds as named.
struct ConfigLimits {
  uint64_t tx_bytes_max = limits::tx_bytes_max;
  uint64_t block_bytes_max = limits::block_bytes_max;
  uint64_t block_txs_max = limits::block_txs_max;
  uint64_t mempool_nonce_window = limits::mempool_nonce_window_max;
  uint64_t mempool_sender_txs_max = limits::mempool_sender_txs_max;
  uint64_t mempool_txs_max = limits::mempool_txs_max;
  uint64_t mempool_bytes_max = limits::mempool_bytes_max;
  uint64_t p2p_frame_bytes_max = limits::p2p_frame_bytes_max;
  uint64_t http_body_bytes_max = limits::http_body_bytes_max;
  uint64_t http_batch_body_bytes_max = limits::http_batch_body_bytes_max;  // POST /v1/transactions/batch only
  uint64_t http_rate_per_key_per_s = limits::http_rate_per_key_per_s_max;
  uint64_t http_rate_burst_per_key = limits::http_rate_burst_per_key_max;
  uint64_t http_request_timeout_ms = limits::http_request_timeout_ms;
  uint64_t http_page_items_max = limits::http_page_items_max;
  uint64_t http_streams_max = limits::http_streams_max;
  uint64_t proof_bytes_max = limits::proof_bytes_max;
  // Heights of state tree kept; 0 = archive (keep all). Not a hard bound:
  // the one limit that may be raised (costs only disk).
  uint64_t state_retained_heights = limits::state_retained_heights_default;
  bool operator==(const ConfigLimits&) const = default;
};

struct NodeConfig {
  NodeMode mode = NodeMode::kValidator;
  std::string data_dir;
  std::string genesis_file;
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
  uint64_t verify_threads = 0;     // 0 = hardware threads

  std::string consensus_key_file;  // required for validators
  std::string transport_key_file;
  std::string api_key_file;        // optional: the node's own API key

  HostPort p2p_listen;
  std::vector<PeerConfig> peers;

  HostPort http_listen;
  uint64_t http_threads = 8;
  bool is_tls_enabled = false;
  std::string tls_cert_file;  // required when TLS is on
  std::string tls_key_file;

  ConfigLimits limits;
};

// Parses and validates TOML text. `source` names the file in messages.
// Relative paths are resolved against `base_dir` when it is not empty.
// On failure the status (kInvalidArgument) lists every problem, one per
// line: "<source>:<line>: <key>: <problem>".
Result<NodeConfig> parse_config(std::string_view toml_text, std::string_view source, std::string_view base_dir = "");

// Reads `path` (at most 1 MiB) and parses it; relative paths in the file are
// resolved against the file's directory.
Result<NodeConfig> load_config(const std::string& path);

// One line per configured file (genesis, keys, TLS files) that does not
// exist; the node calls it at start after load_config.
std::vector<std::string> missing_files(const NodeConfig& config);

}  // namespace ipl::node
