// `ipledger tx sign|submit|get`: a client's three steps (DESIGN.md "Data
// flow of one record", step 1) from the command line.
//   tx sign --keys DIR --genesis G [--nonce N] [--valid-until H] [--with-id] JSON|-
//     prints the canonical signed transaction (body ‖ signature) as hex.
//     JSON is one line of the format `ipledger exec` reads
//     (node/tx_json.h); "-" reads such lines from stdin, one transaction
//     per line out, in order. A sender's first line without "nonce" gets
//     --nonce (default 1, a fresh key's first); its later lines continue
//     from the last nonce signed for it. Defaults: chain id from the
//     genesis, value date today in Asia/Shanghai.
//   tx submit --url URL HEX|-
//     POST /v1/transactions with the raw bytes; prints "STATUS BODY" per
//     transaction ("-" reads one hex per line; with "ID HEX" lines the
//     last word is the transaction).
//   tx get --url URL ID
//     GET /v1/transactions/ID; prints the answer's body.
// Exit codes: 0 the node accepted (2xx), 1 it answered with an error,
// 2 bad usage, unreadable input or no answer.
// HTTP goes through api::HttpClient (cpp-httplib stays in api/).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/http_client.h"
#include "common/assert.h"
#include "common/limits.h"
#include "contracts/module.h"
#include "genesis/genesis.h"
#include "common/file.h"
#include "node/cli.h"
#include "node/tx_json.h"

namespace ipl::cli {

namespace {

using nlohmann::json;

int fail(const char* cmd, const std::string& msg) {
  std::fprintf(stderr, "ipledger tx %s: %s\n", cmd, msg.c_str());
  return 2;
}

bool is_skipped(const std::string& line) {
  const size_t i = line.find_first_not_of(" \t\r");
  return i == std::string::npos || line[i] == '#';
}

Result<std::string> slurp(const std::string& path) { return read_file(path, 16u << 20); }

// Today's date in Asia/Shanghai, the date a client would give its record.
CivilDate today(const std::string& chain_id) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  return contracts::BlockContext{chain_id, 0, ms}.civil_date();
}

// One keep-alive client per command (TCP_NODELAY on: api/http_client.h).
Result<std::unique_ptr<api::HttpClient>> make_client(const std::string& url) {
  IPL_ASSIGN_OR_RETURN(api::HttpEndpoint e, api::parse_http_url(url));
  return std::make_unique<api::HttpClient>(std::move(e));
}

std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Posts one transaction (hex); prints "STATUS BODY". Returns the exit code.
int submit_one(api::HttpClient& client, const std::string& hex) {
  auto bytes = from_hex(hex);
  if (!bytes.is_ok()) return fail("submit", "not hex: " + bytes.status().message());
  if (bytes->size() > limits::tx_bytes_max) return fail("submit", "larger than tx_bytes_max");
  auto res = client.post("/v1/transactions", as_chars(*bytes), "application/octet-stream");
  if (!res.is_ok()) return fail("submit", "no answer from " + client.endpoint().url() + ": " + res.status().message());
  std::printf("%d %s\n", res->status, one_line(res->body).c_str());
  return res->status / 100 == 2 ? 0 : 1;
}

}  // namespace

int tx_sign(const TxSignOptions& opts) {
  auto text = slurp(opts.genesis);
  if (!text.is_ok()) return fail("sign", text.status().to_string());
  auto g = genesis::load(*text, contracts::Registry::with_test_module());
  if (!g.is_ok()) return fail("sign", opts.genesis + ": " + g.status().message());
  const TxDefaults defaults{g->chain_id, opts.valid_until_height, today(g->chain_id)};
  KeyDir keys(opts.keys);
  std::map<PublicKey, uint64_t> next;  // per sender, after the last line signed
  auto next_nonce = [&](const PublicKey& sender) -> Result<uint64_t> {
    auto it = next.find(sender);
    return it == next.end() ? opts.nonce : it->second;
  };
  auto sign_line = [&](const std::string& line, const std::string& where) -> int {
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail("sign", where + "not JSON");
    auto tx = transaction_from_json(j, keys, defaults, next_nonce);
    if (!tx.is_ok()) return fail("sign", where + tx.status().message());
    if (auto body = TxBody::decode(tx->body); body.is_ok()) {
      IPL_ASSERT(body->nonce < UINT64_MAX);
      next[body->sender_key] = body->nonce + 1;
    }
    const std::string hex = to_hex(tx->encode());
    if (opts.with_id) {
      std::printf("%s %s\n", to_hex(tx->id()).c_str(), hex.c_str());
    } else {
      std::printf("%s\n", hex.c_str());
    }
    return 0;
  };
  if (opts.json != "-") return sign_line(opts.json, "");
  std::string line;
  size_t n = 0;
  while (std::getline(std::cin, line)) {
    ++n;
    if (is_skipped(line)) continue;
    if (int rc = sign_line(line, "line " + std::to_string(n) + ": "); rc != 0) return rc;
  }
  return std::fflush(stdout) == 0 ? 0 : fail("sign", "cannot write the output");
}

int tx_submit(const std::string& url, const std::string& hex) {
  auto client = make_client(url);
  if (!client.is_ok()) return fail("submit", client.status().message());
  if (hex != "-") return submit_one(**client, hex);
  int rc = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (is_skipped(line)) continue;
    std::istringstream words(line);
    std::string word, last;
    while (words >> word) last = word;
    const int r = submit_one(**client, last);
    if (r == 2) return r;  // no answer: stop rather than fail every line
    rc = std::max(rc, r);
  }
  return rc;
}

int tx_get(const std::string& url, const std::string& id) {
  if (!hash_from_hex(id).is_ok()) return fail("get", "a transaction id is 64 hex characters");
  auto client = make_client(url);
  if (!client.is_ok()) return fail("get", client.status().message());
  auto res = (*client)->get("/v1/transactions/" + id);
  if (!res.is_ok()) return fail("get", "no answer from " + url + ": " + res.status().message());
  std::printf("%s\n", one_line(res->body).c_str());
  return res->status / 100 == 2 ? 0 : 1;
}

}  // namespace ipl::cli
