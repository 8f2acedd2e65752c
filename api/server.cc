// cpp-httplib adapter: maps Routes onto httplib, applies the server-wide
// rules (server.h) and converts every library error or exception into the
// JSON error shape. httplib is used only in this file.
#include "api/server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

#include "common/assert.h"

namespace ipl::api {

namespace {

std::string media_type(const std::string& header) {
  std::string t = header.substr(0, header.find(';'));
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c) != 0; }), t.end());
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t;
}

void write(const HttpResponse& from, httplib::Response& to) {
  to.status = from.status;
  to.set_content(from.body, from.content_type.c_str());
}

HttpRequest to_request(const httplib::Request& req) {
  HttpRequest r;
  r.method = req.method;
  r.path = req.path;
  for (size_t i = 1; i < req.matches.size(); ++i) r.path_params.push_back(req.matches[i].str());
  r.content_type = media_type(req.get_header_value("Content-Type"));
  return r;
}

enum class BodyRead : uint8_t { kOk, kTooLarge, kFailed };

// Reads the request body into `body` under `bound` bytes (server.h "Body
// bounds"). A body above the bound is consumed and dropped, never stored,
// up to `drain_max` bytes (httplib's own payload bound, the largest route
// bound), so the keep-alive connection stays in step; httplib itself
// drains and refuses a declared length above drain_max before calling the
// receiver at all. Only a body without a declared length (chunked) can run
// past drain_max: the read stops there. kFailed: the body could not be read
// (timeout, closed, bad chunk); httplib has set res.status.
BodyRead read_body(const httplib::Request& req, const httplib::ContentReader& reader, size_t bound,
                   size_t drain_max, std::string& body) {
  IPL_ASSERT(bound > 0);
  IPL_ASSERT(bound <= drain_max);
  IPL_ASSERT(body.empty());
  const bool has_length = req.has_header("Content-Length");
  const auto declared = has_length ? req.get_header_value<uint64_t>("Content-Length") : uint64_t{0};
  bool is_too_large = has_length && declared > bound;
  if (has_length && !is_too_large) body.reserve(static_cast<size_t>(declared));
  size_t dropped = 0;
  auto drop = [&](size_t n) {
    dropped += std::min(n, drain_max + 1);
    return dropped <= drain_max;  // false stops reading: the connection is then given up
  };
  auto receive = [&](const char* data, size_t n) {
    if (is_too_large) return drop(n);
    if (n > bound - body.size()) {  // no declared length: the bound is crossed now
      is_too_large = true;
      std::string().swap(body);     // free what was kept
      return drop(n);
    }
    body.append(data, n);
    return true;
  };
  // A multipart body must go through httplib's multipart reader (the plain
  // one would call a null multipart callback). No route takes one: its
  // parts are dropped, and the route refuses the empty body by its type.
  const bool is_read =
      req.is_multipart_form_data()
          ? reader([](const httplib::MultipartFormData&) { return true; },
                   [&](const char*, size_t n) { return drop(n); })
          : reader(receive);
  IPL_ASSERT(body.size() <= bound);
  if (is_too_large) return BodyRead::kTooLarge;
  return is_read ? BodyRead::kOk : BodyRead::kFailed;
}

}  // namespace

struct ApiServer::Impl {
  ServerOptions options;
  httplib::Server server;
  std::vector<Route> routes;
  std::thread thread;
  int port = 0;
  bool is_started = false;
};

ApiServer::ApiServer(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  IPL_ASSERT(options.threads >= 1);
  IPL_ASSERT(options.threads <= limits::http_threads_max);
  IPL_ASSERT(options.body_bytes_max <= limits::http_body_bytes_max);
  impl_->options = options;
}

ApiServer::~ApiServer() { stop(); }

void ApiServer::add_route(Route route) {
  IPL_ASSERT(!impl_->is_started);
  IPL_ASSERT(route.handler != nullptr);
  IPL_ASSERT(route.body_bytes_max <= limits::http_batch_body_bytes_max);
  impl_->routes.push_back(std::move(route));
}

Status ApiServer::start(const std::string& host, uint16_t port) {
  IPL_ASSERT(!impl_->is_started);
  httplib::Server& s = impl_->server;
  const ServerOptions& o = impl_->options;
  const size_t threads = o.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_tcp_nodelay(o.is_tcp_nodelay);
  // httplib's own bound, checked against Content-Length before the body is
  // read (drained, 413): the largest route bound. Each POST route then
  // applies its own, smaller or equal, bound in read_body().
  size_t payload_max = o.body_bytes_max;
  for (const Route& route : impl_->routes) payload_max = std::max(payload_max, route.body_bytes_max);
  IPL_ASSERT(payload_max <= limits::http_batch_body_bytes_max);
  s.set_payload_max_length(payload_max);
  const auto sec = [](uint64_t ms) { return static_cast<time_t>(ms / 1000); };
  const auto usec = [](uint64_t ms) { return static_cast<time_t>((ms % 1000) * 1000); };
  s.set_read_timeout(sec(o.request_timeout_ms), usec(o.request_timeout_ms));
  s.set_write_timeout(sec(o.request_timeout_ms), usec(o.request_timeout_ms));
  s.set_keep_alive_timeout(std::max<time_t>(1, sec(o.keep_alive_timeout_ms)));
  s.set_keep_alive_max_count(1'000'000);

  for (const Route& route : impl_->routes) {
    if (route.method == "GET") {
      s.Get(route.path_pattern, [&route](const httplib::Request& req, httplib::Response& res) {
        write(route.handler(to_request(req)), res);
      });
    } else if (route.method == "POST") {
      // With a content reader httplib calls us before reading the body, so
      // the route's own bound applies before anything is stored.
      const size_t bound = route.body_bytes_max != 0 ? route.body_bytes_max : o.body_bytes_max;
      s.Post(route.path_pattern, [&route, bound, payload_max](const httplib::Request& req, httplib::Response& res,
                                                              const httplib::ContentReader& reader) {
        HttpRequest r = to_request(req);
        switch (read_body(req, reader, bound, payload_max, r.body)) {
          case BodyRead::kOk:
            write(route.handler(r), res);
            return;
          case BodyRead::kTooLarge:
            write(error_response("request.too_large",
                                 "request body exceeds this route's " + std::to_string(bound) + " bytes"),
                  res);
            return;
          case BodyRead::kFailed: {
            const int status = res.status >= 400 ? res.status : 400;
            write(error_response(code_for_status(status), "request body not read: HTTP " + std::to_string(status)),
                  res);
            res.status = status;
            return;
          }
        }
      });
    } else {
      IPL_ASSERT(false && "unsupported route method");
    }
  }
  // Library-made errors (no route, body too large, bad request line) get
  // the JSON shape too; our own error bodies are left alone.
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const int status = res.status;  // keep httplib's status (e.g. 413, 404)
    write(error_response(code_for_status(status), "HTTP " + std::to_string(status)), res);
    res.status = status;
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"code":"internal","message":"internal error"})", "application/json");
  });

  if (port == 0) {
    impl_->port = s.bind_to_any_port(host);
    if (impl_->port <= 0) return Status::io_error("cannot bind " + host + ":0");
  } else {
    if (!s.bind_to_port(host, port)) return Status::io_error("cannot bind " + host + ":" + std::to_string(port));
    impl_->port = port;
  }
  impl_->is_started = true;
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // listen_after_bind sets is_running before accepting; bounded wait.
  for (int i = 0; i < 5'000 && !s.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!s.is_running()) return Status::io_error("HTTP server did not start");
  return Status::ok();
}

uint16_t ApiServer::port() const {
  IPL_ASSERT(impl_->is_started);
  return static_cast<uint16_t>(impl_->port);
}

void ApiServer::stop() {
  if (!impl_->is_started) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->is_started = false;
}

}  // namespace ipl::api
