// GET /v1/blocks/{height}: one executed block: its header fields and id,
// its transactions' ids with their receipts' success and reason, its
// LedgerInfo, and the signer count of its execution certificate (null while
// uncertified). 404 block.not_found while the height is not executed yet;
// 400 block.bad_height when {height} is not a decimal in [1, 2^64).
// `ipledger bench` follows commits with this route.
#include <nlohmann/json.hpp>

#include <charconv>
#include <string_view>

#include "api/routes.h"
#include "common/assert.h"

namespace ipl::api {

namespace {

using nlohmann::json;

// A decimal height: digits only (no sign, space or leading '+'), no
// overflow, at least 1 (height 1 is the genesis block).
std::optional<uint64_t> parse_height(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v == 0) return std::nullopt;
  return v;
}

json header_json(const BlockHeader& h) {
  return {{"chain_id", h.chain_id},
          {"epoch", h.epoch.value()},
          {"round", h.round.value()},
          {"height", h.height.value()},
          {"parent_id", to_hex(h.parent_id)},
          {"parent_qc",
           {{"epoch", h.parent_qc.data.epoch.value()},
            {"round", h.parent_qc.data.round.value()},
            {"block_id", to_hex(h.parent_qc.data.block_id)},
            {"signers", h.parent_qc.signers.count()}}},
          {"proposer", h.proposer.value()},
          {"timestamp_ms", h.timestamp_ms},
          {"payload_hash", to_hex(h.payload_hash)}};
}

json ledger_info_json(const LedgerInfo& li) {
  json next = nullptr;
  if (li.next_epoch) {
    json keys = json::array();
    for (const PublicKey& k : li.next_epoch->validators.consensus_keys) keys.push_back(k.hex());
    next = {{"number", li.next_epoch->number.value()}, {"consensus_keys", std::move(keys)}};
  }
  return {{"chain_id", li.chain_id},
          {"epoch", li.epoch.value()},
          {"height", li.height.value()},
          {"block_id", to_hex(li.block_id)},
          {"timestamp_ms", li.timestamp_ms},
          {"protocol_version", li.protocol_version},
          {"block_tx_count", li.block_tx_count},
          {"history_size", li.history_size},
          {"history_root", to_hex(li.history_root)},
          {"state_root", to_hex(li.state_root)},
          {"next_epoch", std::move(next)}};
}

json block_json(const BlockView& v) {
  // The facade's contract (node_facade.h): one receipt per transaction.
  IPL_ASSERT(v.receipts.size() == v.block.txs.size());
  IPL_ASSERT(v.ledger_info.height == v.block.header.height);
  json txs = json::array();
  for (size_t i = 0; i < v.receipts.size(); ++i) {
    const Receipt& r = v.receipts[i];
    IPL_DEBUG_ASSERT(r.tx_id == v.block.txs[i].id());
    txs.push_back({{"tx_id", to_hex(r.tx_id)}, {"success", r.success}, {"reason", r.reason}});
  }
  return {{"height", v.block.header.height.value()},
          {"block_id", to_hex(v.block.header.id())},
          {"header", header_json(v.block.header)},
          {"tx_count", v.block.txs.size()},
          {"txs", std::move(txs)},
          {"ledger_info", ledger_info_json(v.ledger_info)},
          {"certificate_signers", v.certificate ? json(v.certificate->signers.count()) : json(nullptr)}};
}

HttpResponse get(NodeFacade& node, const HttpRequest& req) {
  IPL_ASSERT(req.path_params.size() == 1);
  const std::optional<uint64_t> height = parse_height(req.path_params[0]);
  if (!height) return error_response("block.bad_height", "height must be a decimal integer in [1, 2^64)");
  auto found = node.block_at(*height);
  if (!found.is_ok()) return error_response("node.unavailable", found.status().message());
  if (!found->has_value()) {
    return error_response("block.not_found", "height " + std::to_string(*height) + " is not executed yet");
  }
  HttpResponse r;
  r.status = 200;
  r.body = block_json(**found).dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

}  // namespace

Route block_route(NodeFacade& node) {
  Route r;
  r.method = "GET";
  r.path_pattern = "/v1/blocks/([^/]+)";
  r.handler = [&node](const HttpRequest& req) { return get(node, req); };
  return r;
}

}  // namespace ipl::api
