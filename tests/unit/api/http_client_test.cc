// Goal: the CLI's HTTP client parses only http://HOST:PORT, reports a node
// that does not answer as kUnavailable (never throws), and passes any HTTP
// status through. Method: parse tables; a real ApiServer on port 0; a port
// that was just freed for the unreachable case.
#include <gtest/gtest.h>

#include "api/http_client.h"
#include "api/server.h"

namespace ipl::api {
namespace {

TEST(HttpUrl, ParsesHostAndPort) {
  auto a = parse_http_url("http://127.0.0.1:8080");
  ASSERT_TRUE(a.is_ok()) << a.status().to_string();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->url(), "http://127.0.0.1:8080");
  auto b = parse_http_url("http://node-1.example:1/");
  ASSERT_TRUE(b.is_ok());
  EXPECT_EQ(b->host, "node-1.example");
  EXPECT_EQ(b->port, 1);
  auto c = parse_http_url("http://[::1]:65535");
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 65535);
}

TEST(HttpUrl, RefusesEverythingElse) {
  for (const char* bad : {"", "127.0.0.1:80", "https://h:443", "http://h", "http://h:", "http://:80", "http://h:0",
                          "http://h:65536", "http://h:80/v1", "http://h:8x", "http://::1:80", "http://[]:80",
                          "http://h:-1", "ftp://h:21"}) {
    auto r = parse_http_url(bad);
    EXPECT_FALSE(r.is_ok()) << bad;
    if (!r.is_ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
    }
  }
}

TEST(HttpClient, PassesStatusesThroughAndReportsUnreachable) {
  ApiServer server(ServerOptions{});
  Route teapot;
  teapot.method = "GET";
  teapot.path_pattern = "/t";
  teapot.handler = [](const HttpRequest&) { return error_response("tx.not_found", "none"); };
  server.add_route(teapot);
  ASSERT_TRUE(server.start("127.0.0.1", 0).is_ok());
  const uint16_t port = server.port();
  HttpClient client(HttpEndpoint{"127.0.0.1", port});
  auto r = client.get("/t");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("tx.not_found"), std::string::npos);
  auto p = client.post("/t", "{}", "application/json");  // no POST route: httplib's 404
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->status, 404);
  server.stop();

  HttpClientOptions o;
  o.connect_timeout_ms = 500;
  HttpClient gone(HttpEndpoint{"127.0.0.1", port}, o);
  auto g = gone.get("/t");
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().code(), Code::kUnavailable);
  EXPECT_NE(g.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << g.status().message();
}

}  // namespace
}  // namespace ipl::api
