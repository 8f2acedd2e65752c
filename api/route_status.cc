// GET /v1/status: every NodeStatus field (api/node_facade.h) as JSON, keys
// and hashes in lower-case hex; what `ipledger status` prints. Always 200:
// a halted node still answers, with is_halted and halt_reason.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "api/routes.h"
#include "common/assert.h"

namespace ipl::api {

namespace {

// An all-zero key means "none" (an observer without a consensus key).
nlohmann::json key_or_null(const PublicKey& k) {
  const bool is_zero = std::all_of(k.bytes.begin(), k.bytes.end(), [](uint8_t b) { return b == 0; });
  return is_zero ? nlohmann::json(nullptr) : nlohmann::json(k.hex());
}

nlohmann::json status_json(const NodeStatus& s) {
  nlohmann::json peers = nlohmann::json::array();
  uint64_t connected = 0;
  for (const PeerStatus& p : s.peers) {
    peers.push_back({{"key", p.key.hex()}, {"address", p.address}, {"is_connected", p.is_connected}});
    if (p.is_connected) ++connected;
  }
  IPL_ASSERT(connected <= s.peers.size());
  return {{"chain_id", s.chain_id},
          {"genesis_hash", to_hex(s.genesis_hash)},
          {"mode", s.mode},
          {"consensus_key", key_or_null(s.consensus_key)},
          {"height", s.height},
          {"committed_height", s.committed_height},
          {"certified_height", s.certified_height},
          {"epoch", s.epoch},
          {"round", s.round},
          {"leader", s.leader ? nlohmann::json(s.leader->hex()) : nlohmann::json(nullptr)},
          {"last_commit_age_ms", s.last_commit_age_ms},
          {"mempool_size", s.mempool_size},
          {"is_halted", s.is_halted},
          {"halt_reason", s.halt_reason},
          {"peers_connected", connected},
          {"peers_total", s.peers.size()},
          {"peers", std::move(peers)}};
}

}  // namespace

Route status_route(NodeFacade& node) {
  Route r;
  r.method = "GET";
  r.path_pattern = "/v1/status";
  r.handler = [&node](const HttpRequest&) {
    HttpResponse resp;
    resp.status = 200;
    resp.body = status_json(node.status()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return resp;
  };
  return r;
}

}  // namespace ipl::api
