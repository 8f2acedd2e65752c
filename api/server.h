// The HTTP server: cpp-httplib behind a pimpl (httplib.h stays in
// server.cc). Applies the DESIGN.md API rules common to all routes:
// TCP_NODELAY on (a keep-alive request otherwise waits ~40 ms for a delayed
// ACK: docs/benchmarks-api.md), a request body bound per route checked
// before the body is read, read/write timeouts, a bounded worker pool, and
// JSON {code, message} for every error, including httplib's own 404/413.
//
// Body bounds: a route's bound is Route::body_bytes_max, or
// ServerOptions::body_bytes_max when the route sets none. A body whose
// Content-Length exceeds it is answered 413 request.too_large without being
// stored or handled: its bytes are consumed and dropped (as httplib does
// for its own bound, which is the largest route bound) so the keep-alive
// connection stays in step. A body without a Content-Length (chunked) is
// stored only up to the bound, then dropped the same way; past the largest
// route bound the read stops. The handler never sees an oversized body.
// Thread-safety: add_route() before start(); start() and stop() from one
// thread; handlers run on the worker threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "api/http.h"
#include "common/limits.h"
#include "common/status.h"

namespace ipl::api {

struct ServerOptions {
  // Body bound of every route without its own Route::body_bytes_max.
  size_t body_bytes_max = limits::http_body_bytes_max;
  uint64_t request_timeout_ms = limits::http_request_timeout_ms;
  uint64_t keep_alive_timeout_ms = limits::http_keep_alive_timeout_ms;
  size_t threads = 8;
  bool is_tcp_nodelay = true;  // only benchmarks turn it off
};

class ApiServer {
 public:
  explicit ApiServer(ServerOptions options);
  ~ApiServer();  // stops
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Requires route.body_bytes_max <= limits::http_batch_body_bytes_max.
  void add_route(Route route);
  // Binds host:port (0 = any free port) and serves on a background thread.
  Status start(const std::string& host, uint16_t port);
  uint16_t port() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ipl::api
