// A small blocking HTTP/1.1 client for the command-line tools (`ipledger
// status`, `ipledger bench`) and tests: one keep-alive connection with
// TCP_NODELAY (api/server.h explains why), connect and request timeouts,
// and every transport failure as a Status (no exceptions). httplib stays in
// http_client.cc (STYLE.md "Dependency direction").
// Thread-safety: one HttpClient per thread; an instance is not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/limits.h"
#include "common/status.h"

namespace ipl::api {

struct HttpEndpoint {
  std::string host;
  uint16_t port = 0;
  std::string url() const { return "http://" + host + ":" + std::to_string(port); }
};

// "http://HOST:PORT" with an optional trailing "/"; HOST a name, an IPv4
// address or a bracketed IPv6 address. Anything else (https, a path, a
// missing or out-of-range port) is an invalid-argument error.
Result<HttpEndpoint> parse_http_url(std::string_view url);

struct HttpClientOptions {
  uint64_t connect_timeout_ms = 2'000;
  uint64_t timeout_ms = limits::http_request_timeout_ms;  // read and write
};

struct HttpReply {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(HttpEndpoint endpoint, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Any HTTP status is a reply; not-ok (kUnavailable) only when no reply
  // came: refused, unreachable, timed out, connection closed.
  Result<HttpReply> get(const std::string& path);
  Result<HttpReply> post(const std::string& path, std::string_view body, const std::string& content_type);
  const HttpEndpoint& endpoint() const { return endpoint_; }

 private:
  struct Impl;
  HttpEndpoint endpoint_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ipl::api
