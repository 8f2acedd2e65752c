#include "api/http.h"

#include <nlohmann/json.hpp>

#include <map>

namespace ipl::api {

int http_status_for(std::string_view code) {
  // Stable codes and their statuses: docs/api/openapi.yaml "ErrorCode".
  static const std::map<std::string_view, int> kStatus = {
      {"tx.malformed", 400},           {"request.malformed", 400},  {"tx.bad_id", 400},
      {"tx.bad_signature", 401},       {"tx.nonce_too_low", 409},   {"tx.nonce_too_far", 409},
      {"tx.nonce_taken", 409},         {"tx.too_large", 413},       {"request.too_large", 413},
      {"request.unsupported_media_type", 415},                      {"tx.wrong_chain", 422},
      {"tx.expired", 422},             {"rate.limited", 429},       {"mempool.sender_full", 429},
      {"mempool.full", 503},           {"node.unavailable", 503},   {"tx.not_found", 404},
      {"route.not_found", 404},        {"route.method_not_allowed", 405},
      {"request.timeout", 408},        {"internal", 500},
      {"block.not_found", 404},        {"block.bad_height", 400},
      // POST /v1/transactions/batch framing (nothing submitted).
      {"batch.empty", 400},            {"batch.too_many", 400},     {"batch.truncated", 400},
      {"batch.trailing_bytes", 400},   {"batch.tx_too_large", 400},
  };
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 400 : it->second;
}

std::string_view code_for_status(int status) {
  switch (status) {
    case 404: return "route.not_found";
    case 405: return "route.method_not_allowed";
    case 408: return "request.timeout";
    case 413: return "request.too_large";
    case 415: return "request.unsupported_media_type";
    case 429: return "rate.limited";
    case 503: return "node.unavailable";
    default: return status >= 500 ? "internal" : "request.malformed";
  }
}

HttpResponse error_response(std::string_view code, std::string_view message) {
  HttpResponse r;
  r.status = http_status_for(code);
  nlohmann::json j = {{"code", code}, {"message", message}};
  // Messages may quote untrusted bytes: replace invalid UTF-8, never throw.
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace ipl::api
