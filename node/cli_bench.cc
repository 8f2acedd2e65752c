// `ipledger bench` (issue 5 item 9; node/bench.h holds the parts): checks
// every node answers /v1/status for the genesis' chain, finds the BANK
// sender keys, pre-signs every transaction, measures the single-core
// Ed25519 verify rate, then runs the timed phase and prints the report
// (text, or one JSON object with --json). Progress goes to stderr.
// Exit 0 when every transaction was accepted and committed once with a
// success receipt; 1 when the run finished but something did not
// (rejections, failed receipts, uncommitted transactions); 2 on bad usage,
// unreadable input or an unreachable node.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/assert.h"
#include "common/limits.h"
#include "contracts/module.h"
#include "node/bench.h"
#include "node/cli.h"

namespace ipl::cli {

namespace {

using nlohmann::json;

int fail(const std::string& msg) {
  std::fprintf(stderr, "ipledger bench: %s\n", msg.c_str());
  return 2;
}

void progress(const std::string& msg) { std::fprintf(stderr, "bench: %s\n", msg.c_str()); }

Result<std::vector<api::HttpEndpoint>> parse_urls(const std::string& list) {
  std::vector<api::HttpEndpoint> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string one = list.substr(start, comma - start);
    if (!one.empty()) {
      IPL_ASSIGN_OR_RETURN(api::HttpEndpoint e, api::parse_http_url(one));
      out.push_back(std::move(e));
      if (out.size() > bench::nodes_max) {
        return Status::limit("more than " + std::to_string(bench::nodes_max) + " URLs");
      }
    }
    start = comma + 1;
  }
  if (out.empty()) return Status::invalid("--urls names no node");
  return out;
}

// GET /v1/status of one node: reachable, same chain and genesis, not halted.
// Returns its executed height.
Result<uint64_t> check_node(const api::HttpEndpoint& e, const genesis::Genesis& g) {
  api::HttpClientOptions o;
  o.connect_timeout_ms = 3'000;
  o.timeout_ms = 5'000;
  api::HttpClient client(e, o);
  auto r = client.get("/v1/status");
  if (!r.is_ok()) return Status::unavailable("node " + e.url() + " unreachable: " + r.status().message());
  if (r->status != 200) {
    return Status::unavailable("node " + e.url() + " /v1/status: HTTP " + std::to_string(r->status) + " " +
                               r->body.substr(0, 200));
  }
  const json j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("height") || !j["height"].is_number_unsigned()) {
    return Status::invalid("node " + e.url() + " /v1/status is not a status: " + r->body.substr(0, 200));
  }
  if (j.value("chain_id", "") != g.chain_id || j.value("genesis_hash", "") != to_hex(g.hash())) {
    return Status::invalid("node " + e.url() + " runs chain " + j.value("chain_id", "?") + " genesis " +
                           j.value("genesis_hash", "?") + ", not the --genesis file's " + g.chain_id + " " +
                           to_hex(g.hash()));
  }
  if (j.value("is_halted", false)) {
    return Status::unavailable("node " + e.url() + " is halted: " + j.value("halt_reason", ""));
  }
  return j["height"].get<uint64_t>();
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int run_bench(const BenchOptions& opts) {
  if (opts.txs == 0 || opts.txs > bench::txs_max) return fail("--txs must be 1.." + std::to_string(bench::txs_max));
  if (opts.connections == 0 || opts.connections > bench::connections_max) {
    return fail("--connections must be 1.." + std::to_string(bench::connections_max));
  }
  if (!(opts.rate >= 0)) return fail("--rate must be >= 0");
  if (opts.batch == 0 || opts.batch > limits::http_batch_txs_max) {
    return fail("--batch must be 1.." + std::to_string(limits::http_batch_txs_max));
  }
  if (opts.first_nonce == 0) return fail("--first-nonce must be >= 1");
  auto urls = parse_urls(opts.urls);
  if (!urls.is_ok()) return fail(urls.status().message());
  api::HttpEndpoint follow = urls->front();
  if (!opts.follow_url.empty()) {
    auto f = api::parse_http_url(opts.follow_url);
    if (!f.is_ok()) return fail(f.status().message());
    follow = *f;
  }

  std::ifstream gf(opts.genesis);
  if (!gf) return fail("cannot open " + opts.genesis);
  std::ostringstream gs;
  gs << gf.rdbuf();
  auto g = genesis::load(gs.str(), contracts::Registry::with_test_module());
  if (!g.is_ok()) return fail(opts.genesis + ": " + g.status().message());

  auto scan = bench::find_senders(*g, opts.keys, opts.key_prefix);
  if (!scan.is_ok()) return fail(scan.status().message());
  for (size_t i = 0; i < scan->skipped.size() && i < 5; ++i) progress("skipped " + scan->skipped[i]);
  if (scan->skipped.size() > 5) progress("skipped " + std::to_string(scan->skipped.size() - 5) + " more key files");
  if (scan->senders.empty()) {
    return fail("no usable sender: " + opts.keys + "/" + opts.key_prefix + "*.key holds " +
                std::to_string(scan->files_seen) + " key files, none the API key of a BANK member with a branch code");
  }
  progress(std::to_string(scan->senders.size()) + " sender keys (BANK members) of " + std::to_string(scan->files_seen) +
           " " + opts.key_prefix + "*.key files" +
           (scan->senders.size() < 1000 ? " (issue 5 asks for at least 1,000)" : ""));

  // Every node must answer for this chain before anything is signed.
  std::vector<api::HttpEndpoint> all = *urls;
  all.push_back(follow);
  uint64_t height = 0;
  for (const api::HttpEndpoint& e : all) {
    auto h = check_node(e, *g);
    if (!h.is_ok()) return fail(h.status().message());
    if (e.url() == follow.url()) height = *h;
  }

  bench::PresignPlan plan;
  plan.chain_id = g->chain_id;
  plan.first_nonce = opts.first_nonce;
  plan.valid_until_height = height + opts.valid_for;
  // The genesis day: never after a block's day, and the same for every
  // run, so a record's value_date never goes backwards.
  plan.value_date = contracts::BlockContext{g->chain_id, 1, g->genesis_time_ms}.civil_date();
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const auto t_sign = std::chrono::steady_clock::now();
  const std::vector<Transaction> txs = bench::presign(scan->senders, opts.txs, plan, cores);
  const double presign_seconds = seconds_since(t_sign);
  progress("pre-signed " + std::to_string(txs.size()) + " attest.bank_totals in " + std::to_string(presign_seconds) +
           " s");
  const bench::VerifyRate verify = bench::measure_verify_rate(txs, std::max<size_t>(1, opts.verify_count));
  progress("verify rate " + std::to_string(static_cast<uint64_t>(verify.per_second)) + " checks/s on one core");

  // The follow node's height now: blocks above it are read for commits.
  auto start = check_node(follow, *g);
  if (!start.is_ok()) return fail(start.status().message());
  bench::RunOptions ro;
  ro.nodes = *urls;
  ro.follow = follow;
  ro.senders = scan->senders.size();
  ro.rate = opts.rate;
  ro.connections = opts.connections;
  ro.batch = opts.batch;
  ro.start_height = *start;
  ro.poll_ms = opts.poll_ms;
  ro.idle_timeout_ms = opts.idle_timeout_s * 1000;
  ro.retry_ms = opts.retry_s * 1000;
  progress("timed phase: " + std::to_string(txs.size()) + " transactions to " + std::to_string(urls->size()) +
           " node(s)" + (opts.batch > 1 ? " in batches of " + std::to_string(opts.batch) : std::string()) +
           ", following " + follow.url() + " from height " + std::to_string(*start + 1));
  auto res = bench::run(ro, txs);
  if (!res.is_ok()) return fail(res.status().message());

  bench::Report rep;
  for (const api::HttpEndpoint& e : *urls) rep.urls.push_back(e.url());
  rep.follow_url = follow.url();
  rep.nodes = opts.nodes == 0 ? urls->size() : opts.nodes;
  if (opts.nodes == 0 && rep.nodes != g->validators.size()) {
    progress("the ratio uses N = " + std::to_string(rep.nodes) + " (the --urls count) but the genesis has " +
             std::to_string(g->validators.size()) + " validators: pass --nodes for the number of nodes on these cores");
  }
  rep.key_files = scan->files_seen;
  rep.senders = scan->senders.size();
  rep.txs = txs.size();
  rep.first_nonce = opts.first_nonce;
  rep.rate_target = opts.rate;
  rep.connections = opts.connections;
  rep.presign_seconds = presign_seconds;
  rep.verify = verify;
  rep.cores = cores;
  rep.run = *res;
  rep.ratio = bench::bound_ratio(res->committed_per_s, cores, verify.per_second, rep.nodes);
  const std::string out = opts.json ? bench::report_json(rep) : bench::report_text(rep);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!res->abort_reason.empty()) {
    std::fprintf(stderr, "ipledger bench: aborted: %s\n", res->abort_reason.c_str());
    return 2;
  }
  return rep.is_all_succeeded() ? 0 : 1;
}

}  // namespace ipl::cli
