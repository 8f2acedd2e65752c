// httplib adapter of http_client.h: converts httplib's error enum and any
// exception into a Status. httplib is used only here and in server.cc.
#include "api/http_client.h"

#include <httplib.h>

#include <charconv>

#include "common/assert.h"

namespace ipl::api {

Result<HttpEndpoint> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  const std::string quoted = "'" + std::string(url.substr(0, 200)) + "'";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::invalid("URL " + quoted + " must start with http:// (https is not supported)");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return Status::invalid("URL " + quoted + " must not have a path");
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::invalid("URL " + quoted + " must be http://HOST:PORT");
  }
  std::string_view host = rest.substr(0, colon);
  const std::string_view port_text = rest.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return Status::invalid("URL " + quoted + ": bad IPv6 address");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Status::invalid("URL " + quoted + ": an IPv6 address goes in brackets");
  }
  uint32_t port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return Status::invalid("URL " + quoted + ": port must be 1..65535");
  }
  HttpEndpoint e{std::string(host), static_cast<uint16_t>(port)};
  IPL_ASSERT(!e.host.empty());
  IPL_ASSERT(e.port != 0);
  return e;
}

struct HttpClient::Impl {
  explicit Impl(const HttpEndpoint& e) : client(e.host, e.port) {}
  httplib::Client client;
};

HttpClient::HttpClient(HttpEndpoint endpoint, HttpClientOptions options)
    : endpoint_(std::move(endpoint)), impl_(std::make_unique<Impl>(endpoint_)) {
  IPL_ASSERT(options.connect_timeout_ms > 0);
  IPL_ASSERT(options.timeout_ms > 0);
  const auto sec = [](uint64_t ms) { return static_cast<time_t>(ms / 1000); };
  const auto usec = [](uint64_t ms) { return static_cast<time_t>((ms % 1000) * 1000); };
  httplib::Client& c = impl_->client;
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
  c.set_connection_timeout(sec(options.connect_timeout_ms), usec(options.connect_timeout_ms));
  c.set_read_timeout(sec(options.timeout_ms), usec(options.timeout_ms));
  c.set_write_timeout(sec(options.timeout_ms), usec(options.timeout_ms));
}

HttpClient::~HttpClient() = default;

namespace {

Result<HttpReply> reply_of(httplib::Result r, const std::string& what) {
  if (!r) return Status::unavailable(what + ": no answer (" + httplib::to_string(r.error()) + ")");
  HttpReply out;
  out.status = r->status;
  out.body = std::move(r->body);
  return out;
}

}  // namespace

Result<HttpReply> HttpClient::get(const std::string& path) {
  IPL_ASSERT(!path.empty() && path.front() == '/');
  const std::string what = "GET " + endpoint_.url() + path;
  try {
    return reply_of(impl_->client.Get(path.c_str()), what);
  } catch (const std::exception& e) {
    return Status::unavailable(what + ": " + e.what());
  }
}

Result<HttpReply> HttpClient::post(const std::string& path, std::string_view body, const std::string& content_type) {
  IPL_ASSERT(!path.empty() && path.front() == '/');
  const std::string what = "POST " + endpoint_.url() + path;
  try {
    return reply_of(impl_->client.Post(path.c_str(), body.data(), body.size(), content_type.c_str()), what);
  } catch (const std::exception& e) {
    return Status::unavailable(what + ": " + e.what());
  }
}

}  // namespace ipl::api
