// TOML node configuration: parsing and validation (see config.h).
// toml++ is used only here; its parse_error is caught and converted.
#include "node/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/assert.h"
#include "common/bytes.h"

namespace ipl::node {

namespace {

constexpr size_t kConfigFileBytesMax = 1u << 20;
// Bounds the error list: a hostile or garbled file cannot make it unbounded.
constexpr size_t kErrorsMax = 200;

// A limit key: its member, hard maximum, and whether 0 is allowed.
struct LimitSpec {
  std::string_view key;
  uint64_t ConfigLimits::*member;
  uint64_t max;
  bool is_zero_allowed;
};

const std::vector<LimitSpec>& limit_specs() {
  static const std::vector<LimitSpec> specs = {
      {"tx_bytes_max", &ConfigLimits::tx_bytes_max, limits::tx_bytes_max, false},
      {"block_bytes_max", &ConfigLimits::block_bytes_max, limits::block_bytes_max, false},
      {"block_txs_max", &ConfigLimits::block_txs_max, limits::block_txs_max, false},
      {"mempool_nonce_window", &ConfigLimits::mempool_nonce_window, limits::mempool_nonce_window_max, false},
      {"mempool_sender_txs_max", &ConfigLimits::mempool_sender_txs_max, limits::mempool_sender_txs_max, false},
      {"mempool_txs_max", &ConfigLimits::mempool_txs_max, limits::mempool_txs_max, false},
      {"mempool_bytes_max", &ConfigLimits::mempool_bytes_max, limits::mempool_bytes_max, false},
      {"p2p_frame_bytes_max", &ConfigLimits::p2p_frame_bytes_max, limits::p2p_frame_bytes_max, false},
      {"http_body_bytes_max", &ConfigLimits::http_body_bytes_max, limits::http_body_bytes_max, false},
      {"http_batch_body_bytes_max", &ConfigLimits::http_batch_body_bytes_max, limits::http_batch_body_bytes_max, false},
      {"http_rate_per_key_per_s", &ConfigLimits::http_rate_per_key_per_s, limits::http_rate_per_key_per_s_max, false},
      {"http_rate_burst_per_key", &ConfigLimits::http_rate_burst_per_key, limits::http_rate_burst_per_key_max, false},
      {"http_request_timeout_ms", &ConfigLimits::http_request_timeout_ms, limits::http_request_timeout_ms, false},
      {"http_page_items_max", &ConfigLimits::http_page_items_max, limits::http_page_items_max, false},
      {"http_streams_max", &ConfigLimits::http_streams_max, limits::http_streams_max, false},
      {"proof_bytes_max", &ConfigLimits::proof_bytes_max, limits::proof_bytes_max, false},
      {"state_retained_heights", &ConfigLimits::state_retained_heights, UINT64_MAX, true},
  };
  return specs;
}

class Checker {
 public:
  Checker(std::string_view source, std::string_view base_dir) : source_(source), base_dir_(base_dir) {}

  void error(const toml::node* at, std::string_view key, std::string_view problem) {
    if (errors_.size() >= kErrorsMax) {
      is_truncated_ = true;
      return;
    }
    std::string line = std::string(source_);
    if (at != nullptr && at->source().begin.line > 0) line += ":" + std::to_string(at->source().begin.line);
    line += ": ";
    line += key;
    line += ": ";
    line += problem;
    errors_.push_back(std::move(line));
  }

  // Every key of `table` must be in `known`; `prefix` names the table.
  void known_keys(const toml::table& table, std::string_view prefix, const std::set<std::string_view>& known) {
    for (auto&& [k, v] : table) {
      if (!known.contains(k.str())) error(&v, join(prefix, k.str()), "unknown key");
    }
  }

  const toml::table* table(const toml::table& root, std::string_view name, bool is_required) {
    const toml::node* n = root.get(name);
    if (n == nullptr) {
      if (is_required) error(nullptr, name, "missing table [" + std::string(name) + "]");
      return nullptr;
    }
    if (!n->is_table()) {
      error(n, name, "must be a table");
      return nullptr;
    }
    return n->as_table();
  }

  // Reads a string; missing is an error when required.
  void str(const toml::table* t, std::string_view prefix, std::string_view key, bool is_required, std::string& out) {
    const toml::node* n = t == nullptr ? nullptr : t->get(key);
    if (n == nullptr) {
      if (is_required && t != nullptr) error(t, join(prefix, key), "missing (required)");
      return;
    }
    if (!n->is_string()) return error(n, join(prefix, key), "must be a string");
    out = n->as_string()->get();
    if (out.empty() && is_required) error(n, join(prefix, key), "must not be empty");
  }

  void path(const toml::table* t, std::string_view prefix, std::string_view key, bool is_required, std::string& out) {
    str(t, prefix, key, is_required, out);
    if (!out.empty() && !base_dir_.empty() && std::filesystem::path(out).is_relative()) {
      out = (std::filesystem::path(base_dir_) / out).lexically_normal().string();
    }
  }

  bool u64(const toml::table* t, std::string_view prefix, std::string_view key, uint64_t& out) {
    const toml::node* n = t == nullptr ? nullptr : t->get(key);
    if (n == nullptr) return false;
    if (!n->is_integer()) {
      error(n, join(prefix, key), "must be an integer");
      return false;
    }
    const int64_t v = n->as_integer()->get();
    if (v < 0) {
      error(n, join(prefix, key), "must not be negative");
      return false;
    }
    out = static_cast<uint64_t>(v);
    return true;
  }

  void boolean(const toml::table* t, std::string_view prefix, std::string_view key, bool& out) {
    const toml::node* n = t == nullptr ? nullptr : t->get(key);
    if (n == nullptr) return;
    if (!n->is_boolean()) return error(n, join(prefix, key), "must be true or false");
    out = n->as_boolean()->get();
  }

  // "host:port"; port 0 only when allowed (listen addresses in tests).
  void address(const toml::table* t, std::string_view prefix, std::string_view key, bool is_required,
               bool is_port_zero_allowed, HostPort& out) {
    std::string text;
    str(t, prefix, key, is_required, text);
    if (text.empty()) return;
    const toml::node* n = t->get(key);
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
      return error(n, join(prefix, key), "must be host:port, got '" + text + "'");
    }
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string port_text = text.substr(colon + 1);
    uint32_t port = 0;
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) {
      return error(n, join(prefix, key), "bad port '" + port_text + "'");
    }
    port = static_cast<uint32_t>(std::stoul(port_text));
    if (port > 65535 || (port == 0 && !is_port_zero_allowed)) {
      return error(n, join(prefix, key), "port " + port_text + " out of range");
    }
    out.host = host;
    out.port = static_cast<uint16_t>(port);
  }

  static std::string join(std::string_view prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
  }

  const std::vector<std::string>& errors() const { return errors_; }
  bool is_truncated() const { return is_truncated_; }

 private:
  std::string_view source_;
  std::string_view base_dir_;
  std::vector<std::string> errors_;
  bool is_truncated_ = false;
};

void check_node(Checker& c, const toml::table& root, NodeConfig& cfg) {
  const toml::table* t = c.table(root, "node", true);
  if (t == nullptr) return;
  c.known_keys(*t, "node", {"mode", "data_dir", "genesis", "log_level", "verify_threads"});
  std::string mode;
  c.str(t, "node", "mode", true, mode);
  if (mode == "validator") {
    cfg.mode = NodeMode::kValidator;
  } else if (mode == "observer") {
    cfg.mode = NodeMode::kObserver;
  } else if (!mode.empty()) {
    c.error(t->get("mode"), "node.mode", "must be \"validator\" or \"observer\", got \"" + mode + "\"");
  }
  c.path(t, "node", "data_dir", true, cfg.data_dir);
  c.path(t, "node", "genesis", true, cfg.genesis_file);
  c.str(t, "node", "log_level", false, cfg.log_level);
  static const std::set<std::string_view> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (!kLevels.contains(cfg.log_level)) {
    c.error(t->get("log_level"), "node.log_level",
            "must be one of trace, debug, info, warn, error, critical, off; got \"" + cfg.log_level + "\"");
  }
  if (c.u64(t, "node", "verify_threads", cfg.verify_threads) && cfg.verify_threads > limits::mempool_verify_threads_max) {
    c.error(t->get("verify_threads"), "node.verify_threads",
            "exceeds the hard maximum " + std::to_string(limits::mempool_verify_threads_max));
  }
}

void check_keys(Checker& c, const toml::table& root, NodeConfig& cfg) {
  const toml::table* t = c.table(root, "keys", true);
  if (t == nullptr) return;
  c.known_keys(*t, "keys", {"consensus", "transport", "api"});
  c.path(t, "keys", "consensus", false, cfg.consensus_key_file);
  c.path(t, "keys", "transport", true, cfg.transport_key_file);
  c.path(t, "keys", "api", false, cfg.api_key_file);
}

void check_p2p(Checker& c, const toml::table& root, NodeConfig& cfg) {
  const toml::table* t = c.table(root, "p2p", true);
  if (t == nullptr) return;
  c.known_keys(*t, "p2p", {"listen", "peers"});
  c.address(t, "p2p", "listen", true, true, cfg.p2p_listen);
  const toml::node* peers = t->get("peers");
  if (peers == nullptr) return;
  if (!peers->is_array_of_tables()) return c.error(peers, "p2p.peers", "must be an array of tables [[p2p.peers]]");
  size_t i = 0;
  for (const toml::node& n : *peers->as_array()) {
    const std::string prefix = "p2p.peers[" + std::to_string(i++) + "]";
    if (i > limits::p2p_peers_max) return c.error(&n, prefix, "more than p2p_peers_max peers");
    const toml::table& p = *n.as_table();
    c.known_keys(p, prefix, {"address", "transport_key", "consensus_key"});
    PeerConfig peer;
    c.address(&p, prefix, "address", true, false, peer.address);
    std::string key_hex;
    c.str(&p, prefix, "transport_key", true, key_hex);
    if (!key_hex.empty()) {
      auto key = public_key_from_hex(key_hex);
      if (!key.is_ok()) {
        c.error(p.get("transport_key"), prefix + ".transport_key", "must be 64 hex characters (an Ed25519 public key)");
      } else {
        peer.transport_key = *key;
      }
    }
    std::string consensus_hex;
    c.str(&p, prefix, "consensus_key", false, consensus_hex);
    if (!consensus_hex.empty()) {
      auto key = public_key_from_hex(consensus_hex);
      if (!key.is_ok()) {
        c.error(p.get("consensus_key"), prefix + ".consensus_key", "must be 64 hex characters (an Ed25519 public key)");
      } else {
        peer.consensus_key = *key;
      }
    }
    cfg.peers.push_back(std::move(peer));
  }
}

void check_http(Checker& c, const toml::table& root, NodeConfig& cfg) {
  const toml::table* t = c.table(root, "http", true);
  if (t == nullptr) return;
  c.known_keys(*t, "http", {"listen", "threads", "tls", "tls_cert", "tls_key"});
  c.address(t, "http", "listen", true, true, cfg.http_listen);
  if (c.u64(t, "http", "threads", cfg.http_threads) &&
      (cfg.http_threads == 0 || cfg.http_threads > limits::http_threads_max)) {
    c.error(t->get("threads"), "http.threads", "must be in 1.." + std::to_string(limits::http_threads_max));
  }
  c.boolean(t, "http", "tls", cfg.is_tls_enabled);
  c.path(t, "http", "tls_cert", false, cfg.tls_cert_file);
  c.path(t, "http", "tls_key", false, cfg.tls_key_file);
  if (cfg.is_tls_enabled && (cfg.tls_cert_file.empty() || cfg.tls_key_file.empty())) {
    c.error(t->get("tls"), "http.tls", "tls = true needs http.tls_cert and http.tls_key");
  }
}

void check_limits(Checker& c, const toml::table& root, NodeConfig& cfg) {
  const toml::table* t = c.table(root, "limits", false);
  if (t == nullptr) return;
  std::set<std::string_view> known;
  for (const LimitSpec& s : limit_specs()) known.insert(s.key);
  c.known_keys(*t, "limits", known);
  for (const LimitSpec& s : limit_specs()) {
    uint64_t v = 0;
    if (!c.u64(t, "limits", s.key, v)) continue;
    const std::string key = "limits." + std::string(s.key);
    if (v == 0 && !s.is_zero_allowed) {
      c.error(t->get(s.key), key, "must be > 0");
    } else if (v > s.max) {
      c.error(t->get(s.key), key,
              std::to_string(v) + " exceeds the hard maximum " + std::to_string(s.max) +
                  " (limits may only be lowered)");
    } else {
      cfg.limits.*(s.member) = v;
    }
  }
  const ConfigLimits& l = cfg.limits;
  if (l.state_retained_heights != 0 && l.state_retained_heights < limits::uncertified_blocks_max) {
    c.error(t->get("state_retained_heights"), "limits.state_retained_heights",
            "must be 0 (archive) or at least " + std::to_string(limits::uncertified_blocks_max));
  }
  if (l.mempool_sender_txs_max > l.mempool_nonce_window) {
    c.error(t->get("mempool_sender_txs_max"), "limits.mempool_sender_txs_max", "must not exceed mempool_nonce_window");
  }
  if (l.mempool_sender_txs_max > l.mempool_txs_max) {
    c.error(t->get("mempool_sender_txs_max"), "limits.mempool_sender_txs_max", "must not exceed mempool_txs_max");
  }
  if (l.tx_bytes_max > l.block_bytes_max) {
    c.error(t->get("tx_bytes_max"), "limits.tx_bytes_max", "must not exceed block_bytes_max");
  }
  if (l.http_body_bytes_max < l.tx_bytes_max) {
    c.error(t->get("http_body_bytes_max"), "limits.http_body_bytes_max", "must hold one transaction (>= tx_bytes_max)");
  }
  if (l.http_batch_body_bytes_max < l.tx_bytes_max + 4) {
    c.error(t->get("http_batch_body_bytes_max"), "limits.http_batch_body_bytes_max",
            "must hold one framed transaction (>= tx_bytes_max + 4)");
  }
}

}  // namespace

Result<NodeConfig> parse_config(std::string_view toml_text, std::string_view source, std::string_view base_dir) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::string msg = std::string(source);
    if (e.source().begin.line > 0) msg += ":" + std::to_string(e.source().begin.line);
    return Status::invalid(msg + ": " + std::string(e.description()));
  }
  Checker c(source, base_dir);
  NodeConfig cfg;
  c.known_keys(root, "", {"node", "keys", "p2p", "http", "limits"});
  check_node(c, root, cfg);
  check_keys(c, root, cfg);
  check_p2p(c, root, cfg);
  check_http(c, root, cfg);
  check_limits(c, root, cfg);
  if (cfg.mode == NodeMode::kValidator && cfg.consensus_key_file.empty() && root.get("keys") != nullptr) {
    c.error(root.get("keys"), "keys.consensus", "missing (required for a validator)");
  }
  if (c.errors().empty()) return cfg;
  std::string msg;
  for (const std::string& e : c.errors()) msg += e + "\n";
  if (c.is_truncated()) msg += std::string(source) + ": more problems not listed\n";
  msg.pop_back();
  return Status::invalid(std::move(msg));
}

Result<NodeConfig> load_config(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::io_error(path + ": " + ec.message());
  if (size > kConfigFileBytesMax) return Status::limit(path + ": larger than 1 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string base = std::filesystem::path(path).parent_path().string();
  return parse_config(text.str(), path, base);
}

std::vector<std::string> missing_files(const NodeConfig& config) {
  std::vector<std::string> out;
  auto need = [&](std::string_view key, const std::string& file) {
    std::error_code ec;
    if (!file.empty() && !std::filesystem::exists(file, ec)) out.push_back(std::string(key) + ": " + file + ": no such file");
  };
  need("node.genesis", config.genesis_file);
  need("keys.consensus", config.consensus_key_file);
  need("keys.transport", config.transport_key_file);
  need("keys.api", config.api_key_file);
  if (config.is_tls_enabled) {
    need("http.tls_cert", config.tls_cert_file);
    need("http.tls_key", config.tls_key_file);
  }
  return out;
}

}  // namespace ipl::node
