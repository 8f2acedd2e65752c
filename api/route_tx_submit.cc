// POST /v1/transactions (DESIGN.md data flow step 1). Authenticated by the
// transaction's own signature (checked once, by the mempool); rate-limited
// per sender key: a request needs a token to be admitted and takes it only
// when its signature was not found forged. 202 means "in this node's
// mempool", not durable; identical bytes answer 202 with the same id again.
#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "common/assert.h"
#include "common/chain.h"

namespace ipl::api {

SubmitAnswer submit_one_tx(NodeFacade& node, RateLimiter& limiter, ByteView tx_bytes) {
  // Decode here only to find the sender for the rate limit; the mempool
  // decodes again (cheap) and checks everything else.
  auto tx = Transaction::decode(tx_bytes);
  if (!tx.is_ok()) return SubmitAnswer{"tx.malformed", tx.status().message(), std::nullopt};
  auto body = TxBody::decode(tx->body);
  if (!body.is_ok()) return SubmitAnswer{"tx.malformed", body.status().message(), tx->id()};
  const std::string key(reinterpret_cast<const char*>(body->sender_key.bytes.data()), body->sender_key.bytes.size());
  if (!limiter.has_token(key)) {
    return SubmitAnswer{"rate.limited", "too many transactions from this sender key", tx->id()};
  }

  SubmitAnswer a = node.submit_tx(tx_bytes);
  // Charge the sender only for requests its key really signed: a forged
  // copy under someone else's key must not use up their quota.
  if (a.code != "tx.bad_signature") limiter.charge(key);
  IPL_ASSERT(!a.code.empty());
  IPL_ASSERT(a.tx_id.has_value() || (a.code != "ok" && a.code != "tx.committed"));
  if (!a.tx_id.has_value()) a.tx_id = tx->id();
  return a;
}

namespace {

HttpResponse submit(NodeFacade& node, RateLimiter& limiter, size_t tx_bytes_max, const HttpRequest& req) {
  Bytes tx_bytes;
  if (req.content_type == "application/octet-stream") {
    if (req.body.size() > tx_bytes_max) return error_response("tx.too_large", "transaction exceeds tx_bytes_max");
    tx_bytes = to_bytes(req.body);
  } else if (req.content_type == "application/json" || req.content_type.empty()) {
    auto j = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return error_response("request.malformed", "body is not a JSON object");
    auto it = j.find("tx");
    if (it == j.end() || !it->is_string()) return error_response("request.malformed", "missing string field \"tx\"");
    const auto& hex = it->get_ref<const std::string&>();
    if (hex.size() > 2 * tx_bytes_max) return error_response("tx.too_large", "transaction exceeds tx_bytes_max");
    auto bytes = from_hex(hex);
    if (!bytes.is_ok()) return error_response("tx.malformed", "\"tx\" is not hex: " + bytes.status().message());
    tx_bytes = std::move(bytes).value();
  } else {
    return error_response("request.unsupported_media_type",
                          "use application/json {\"tx\": hex} or application/octet-stream");
  }
  IPL_ASSERT(tx_bytes.size() <= tx_bytes_max);
  SubmitAnswer a = submit_one_tx(node, limiter, tx_bytes);
  if (a.code == "ok" || a.code == "tx.committed") {
    IPL_ASSERT(a.tx_id.has_value());
    HttpResponse r;
    r.status = a.code == "ok" ? 202 : 200;
    nlohmann::json j = {{"tx_id", to_hex(*a.tx_id)}, {"status", a.code == "ok" ? "pending" : "committed"}};
    r.body = j.dump();
    return r;
  }
  return error_response(a.code, a.message);
}

}  // namespace

Route tx_submit_route(NodeFacade& node, RateLimiter& limiter, size_t tx_bytes_max) {
  IPL_ASSERT(tx_bytes_max > 0);
  IPL_ASSERT(tx_bytes_max <= limits::tx_bytes_max);
  Route r;
  r.method = "POST";
  r.path_pattern = "/v1/transactions";
  r.auth = RouteAuth::kTxSignature;
  r.is_read_only = false;
  r.handler = [&node, &limiter, tx_bytes_max](const HttpRequest& req) {
    return submit(node, limiter, tx_bytes_max, req);
  };
  return r;
}

}  // namespace ipl::api
