// Library-neutral HTTP types for route handlers (httplib stays in
// server.cc): a request, a response, a route (path + verb + handler +
// auth + read-only, STYLE.md "api/"), the JSON error shape and the mapping
// from stable error codes to HTTP statuses (docs/api/openapi.yaml).
// Thread-safety: values; handlers run concurrently on HTTP worker threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ipl::api {

struct HttpRequest {
  std::string method;
  std::string path;
  std::vector<std::string> path_params;  // regex captures of the route
  std::string content_type;              // media type, parameters dropped, lower case
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

enum class RouteAuth : uint8_t {
  kNone,         // public (health, metrics)
  kTxSignature,  // authenticated by the submitted transaction's own signature
};

struct Route {
  std::string method;        // "GET", "POST"
  std::string path_pattern;  // ECMAScript regex over the path; captures -> path_params
  RouteAuth auth = RouteAuth::kNone;
  bool is_read_only = true;
  // Request body bound of this route, checked against Content-Length
  // before the body is read (api/server.h). 0: the server's
  // ServerOptions::body_bytes_max. At most limits::http_batch_body_bytes_max.
  size_t body_bytes_max = 0;
  std::function<HttpResponse(const HttpRequest&)> handler;
};

// The HTTP status of a stable error code (400 when unknown).
int http_status_for(std::string_view code);
// {"code": code, "message": message} with http_status_for(code).
HttpResponse error_response(std::string_view code, std::string_view message);
// The stable code used for a bare HTTP status (404 route, 413 body, ...).
std::string_view code_for_status(int status);

}  // namespace ipl::api
