// `ipledger status --url http://HOST:PORT [--json]`: asks a node's GET
// /v1/status (docs/api/openapi.yaml) and prints height, epoch, round,
// peers (connected/total), leader, last commit age, certified height, mode
// and, when halted, the reason. Exit 0 when the node answered and is not
// halted, 1 when it is halted, 2 when it cannot be reached or its answer is
// not a status. HTTP goes through api::HttpClient (httplib stays in api/).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "api/http_client.h"
#include "common/assert.h"
#include "node/cli.h"

namespace ipl::cli {

namespace {

using nlohmann::json;

int fail(const std::string& msg) {
  std::fprintf(stderr, "ipledger status: %s\n", msg.c_str());
  return 2;
}

std::string str_or(const json& v, const std::string& none) { return v.is_string() ? v.get<std::string>() : none; }

}  // namespace

Result<std::string> status_text(std::string_view body) {
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::invalid("not JSON: " + std::string(body.substr(0, 200)));
  try {
    const uint64_t age_ms = j.at("last_commit_age_ms").get<uint64_t>();
    char age[64];
    std::snprintf(age, sizeof(age), "%.2f s ago", static_cast<double>(age_ms) / 1000.0);
    std::string s;
    s += "chain          " + j.at("chain_id").get<std::string>() + " (genesis " +
         j.at("genesis_hash").get<std::string>() + ")\n";
    s += "mode           " + j.at("mode").get<std::string>() + "\n";
    s += "height         " + std::to_string(j.at("height").get<uint64_t>()) + " executed, " +
         std::to_string(j.at("committed_height").get<uint64_t>()) + " committed, " +
         std::to_string(j.at("certified_height").get<uint64_t>()) + " certified\n";
    s += "epoch          " + std::to_string(j.at("epoch").get<uint64_t>()) + "\n";
    s += "round          " + std::to_string(j.at("round").get<uint64_t>()) + "\n";
    s += "peers          " + std::to_string(j.at("peers_connected").get<uint64_t>()) + "/" +
         std::to_string(j.at("peers_total").get<uint64_t>()) + " connected\n";
    s += "leader         " + str_or(j.at("leader"), "unknown") + "\n";
    s += "last commit    " + std::string(age) + "\n";
    s += "mempool        " + std::to_string(j.at("mempool_size").get<uint64_t>()) + " transactions\n";
    if (j.at("is_halted").get<bool>()) {
      s += "halted         YES: " + j.at("halt_reason").get<std::string>() + "\n";
    } else {
      s += "halted         no\n";
    }
    IPL_ASSERT(!s.empty());
    return s;
  } catch (const json::exception& e) {
    return Status::invalid(std::string("not a /v1/status answer: ") + e.what());
  }
}

int node_status(const std::string& url, bool is_json) {
  auto endpoint = api::parse_http_url(url);
  if (!endpoint.is_ok()) return fail(endpoint.status().message());
  api::HttpClientOptions o;
  o.connect_timeout_ms = 3'000;
  o.timeout_ms = 5'000;
  api::HttpClient client(*endpoint, o);
  auto r = client.get("/v1/status");
  if (!r.is_ok()) return fail("node " + endpoint->url() + " unreachable: " + r.status().message());
  if (r->status != 200) {
    return fail("GET " + endpoint->url() + "/v1/status answered HTTP " + std::to_string(r->status) + ": " + r->body);
  }
  auto text = status_text(r->body);
  if (!text.is_ok()) return fail(endpoint->url() + ": " + text.status().message());
  if (is_json) {
    std::fwrite(r->body.data(), 1, r->body.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    std::fwrite(text->data(), 1, text->size(), stdout);
  }
  const json j = json::parse(r->body, nullptr, false);
  IPL_ASSERT(j.is_object());  // status_text parsed it
  return j.value("is_halted", false) ? 1 : 0;
}

}  // namespace ipl::cli
