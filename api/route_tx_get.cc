// GET /v1/transactions/{id}: a committed transaction's receipt, height and
// block id (200); {"status":"pending"} while in this node's mempool (202);
// 404 tx.not_found otherwise.
#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "common/assert.h"

namespace ipl::api {

namespace {

nlohmann::json receipt_json(const Receipt& r) {
  nlohmann::json events = nlohmann::json::array();
  for (const Event& e : r.events) events.push_back({{"type", e.type}, {"data", to_hex(e.data)}});
  return {{"success", r.success}, {"reason", r.reason}, {"events", std::move(events)}};
}

HttpResponse get(NodeFacade& node, const HttpRequest& req) {
  IPL_ASSERT(req.path_params.size() == 1);
  auto id = hash_from_hex(req.path_params[0]);
  if (!id.is_ok()) return error_response("tx.bad_id", "transaction id must be 64 hex characters");
  auto st = node.find_tx(*id);
  if (!st.is_ok()) return error_response("node.unavailable", st.status().message());
  HttpResponse r;
  const std::string hex = to_hex(*id);
  switch (st->state) {
    case TxState::kUnknown:
      return error_response("tx.not_found", "no committed or pending transaction " + hex);
    case TxState::kPending:
      r.status = 202;
      r.body = nlohmann::json{{"tx_id", hex}, {"status", "pending"}}.dump();
      return r;
    case TxState::kCommitted:
      r.status = 200;
      r.body = nlohmann::json{{"tx_id", hex},
                              {"status", "committed"},
                              {"height", st->height},
                              {"block_id", to_hex(st->block_id)},
                              {"receipt", receipt_json(st->receipt)}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return r;
  }
  IPL_ASSERT(false && "unknown TxState");
  return r;
}

}  // namespace

Route tx_get_route(NodeFacade& node) {
  Route r;
  r.method = "GET";
  r.path_pattern = "/v1/transactions/([^/]+)";
  r.handler = [&node](const HttpRequest& req) { return get(node, req); };
  return r;
}

}  // namespace ipl::api
