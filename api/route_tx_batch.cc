// POST /v1/transactions/batch (routes.h): many signed transactions in one
// request, for gateways that submit in bulk. One HTTP request costs
// cpp-httplib about 170 µs of CPU, a large share of a node's budget at
// thousands of transactions per second; a batch pays it once.
//
// Each transaction is handled exactly as POST /v1/transactions handles its
// one (submit_one_tx, route_tx_submit.cc): the same decode, the same
// per-sender token bucket charged after the mempool's verdict, the same
// NodeFacade::submit_tx. Only the framing and the answer differ.
//
// Body grammar (application/octet-stream; the route's own body bound,
// limits::http_batch_body_bytes_max by default, is enforced by the server
// before the body is read):
//   batch = frame *frame              ; 1 .. limits::http_batch_txs_max frames
//   frame = length:u32be tx           ; length <= tx_bytes_max
//   tx    = length OCTET              ; canonical Transaction bytes
// The whole framing is checked before any transaction is submitted: a
// malformed batch is 400 with a batch.* code and changes nothing.
//
// Answer: 200 {"accepted": n, "rejected": m, "results": [{"tx_id": hex or
// null (bytes that are not a Transaction), "code": "ok" | "tx.committed" |
// a stable error code, "message": text}]}, results in input order;
// accepted counts "ok" and "tx.committed".
// Thread-safety: handlers run concurrently; the facade and the limiter are
// thread-safe.
#include <nlohmann/json.hpp>

#include <optional>

#include "api/routes.h"
#include "common/assert.h"
#include "common/chain.h"

namespace ipl::api {

namespace {

constexpr size_t kLengthBytes = 4;  // u32 big-endian length of a frame

uint32_t read_u32be(ByteView b) {
  IPL_ASSERT(b.size() >= kLengthBytes);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// Splits `body` into its transactions (views into `body`); an error answer
// when the framing is bad. Stops at the first problem, so the work is
// bounded by http_batch_txs_max frames whatever the body holds.
std::optional<HttpResponse> split_frames(ByteView body, size_t tx_bytes_max, std::vector<ByteView>& txs) {
  IPL_ASSERT(txs.empty());
  IPL_ASSERT(tx_bytes_max <= limits::tx_bytes_max);
  if (body.empty()) return error_response("batch.empty", "the batch holds no transaction");
  size_t at = 0;
  while (at < body.size()) {
    const size_t left = body.size() - at;
    auto which = [&txs] { return "transaction " + std::to_string(txs.size()) + " (from 0)"; };
    if (left < kLengthBytes) {
      return error_response("batch.trailing_bytes",
                            std::to_string(left) + " byte(s) where " + which() + " should start: too few for a length");
    }
    if (txs.size() == limits::http_batch_txs_max) {
      return error_response("batch.too_many",
                            "more than " + std::to_string(limits::http_batch_txs_max) + " transactions in one batch");
    }
    const uint32_t length = read_u32be(body.subspan(at, kLengthBytes));
    at += kLengthBytes;
    if (length > tx_bytes_max) {
      return error_response("batch.tx_too_large", which() + " declares " + std::to_string(length) +
                                                      " bytes, above tx_bytes_max " + std::to_string(tx_bytes_max));
    }
    if (length > body.size() - at) {
      return error_response("batch.truncated", which() + " declares " + std::to_string(length) + " bytes but " +
                                                   std::to_string(body.size() - at) + " remain");
    }
    txs.push_back(body.subspan(at, length));
    at += length;
  }
  IPL_ASSERT(at == body.size());
  IPL_ASSERT(!txs.empty() && txs.size() <= limits::http_batch_txs_max);
  return std::nullopt;
}

HttpResponse submit_batch(NodeFacade& node, RateLimiter& limiter, size_t tx_bytes_max, const HttpRequest& req) {
  if (req.content_type != "application/octet-stream") {
    return error_response("request.unsupported_media_type",
                          "a batch is application/octet-stream: (u32 big-endian length ‖ transaction bytes)+");
  }
  std::vector<ByteView> txs;
  if (auto bad = split_frames(as_view(req.body), tx_bytes_max, txs)) return *bad;

  nlohmann::json results = nlohmann::json::array();
  size_t accepted = 0;
  for (ByteView tx : txs) {
    SubmitAnswer a = submit_one_tx(node, limiter, tx);
    const bool is_accepted = a.code == "ok" || a.code == "tx.committed";
    if (is_accepted) ++accepted;
    if (a.message.empty()) a.message = a.code == "ok" ? "pending" : a.code == "tx.committed" ? "committed" : a.code;
    results.push_back({{"tx_id", a.tx_id ? nlohmann::json(to_hex(*a.tx_id)) : nlohmann::json(nullptr)},
                       {"code", std::move(a.code)},
                       {"message", std::move(a.message)}});
  }
  IPL_ASSERT(results.size() == txs.size());
  IPL_ASSERT(accepted <= txs.size());
  const nlohmann::json j = {
      {"accepted", accepted}, {"rejected", txs.size() - accepted}, {"results", std::move(results)}};
  HttpResponse r;
  r.status = 200;
  // Messages may quote untrusted bytes: replace invalid UTF-8, never throw.
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace

Route tx_batch_route(NodeFacade& node, RateLimiter& limiter, size_t tx_bytes_max, size_t body_bytes_max) {
  IPL_ASSERT(tx_bytes_max > 0);
  IPL_ASSERT(tx_bytes_max <= limits::tx_bytes_max);
  IPL_ASSERT(body_bytes_max >= kLengthBytes + tx_bytes_max);  // one largest transaction fits
  IPL_ASSERT(body_bytes_max <= limits::http_batch_body_bytes_max);
  Route r;
  r.method = "POST";
  r.path_pattern = "/v1/transactions/batch";
  r.auth = RouteAuth::kTxSignature;
  r.is_read_only = false;
  r.body_bytes_max = body_bytes_max;
  r.handler = [&node, &limiter, tx_bytes_max](const HttpRequest& req) {
    return submit_batch(node, limiter, tx_bytes_max, req);
  };
  return r;
}

}  // namespace ipl::api
