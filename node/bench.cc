// node/bench.h: the pieces of `ipledger bench`.
#include "node/bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "common/assert.h"
#include "common/encoding.h"
#include "common/limits.h"
#include "contracts/records.h"

namespace ipl::bench {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr std::string_view kTxType = "attest.bank_totals";
// Pause between two attempts of a transaction the node pushed back.
constexpr auto kRetryPause = std::chrono::milliseconds(10);
// The u32 length before each transaction of a batch request.
constexpr size_t kFrameLengthBytes = 4;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Counts `key` in `m`, folding new keys beyond codes_max into "other" so
// an answer stream of ever-new strings cannot grow the map.
void count_code(std::map<std::string, uint64_t>& m, const std::string& key, uint64_t n = 1) {
  if (m.size() >= codes_max && !m.contains(key)) {
    m["other"] += n;
    return;
  }
  m[key] += n;
}

struct IdHash {
  size_t operator()(const Hash32& h) const noexcept {
    size_t v = 0;
    std::memcpy(&v, h.data(), sizeof(v));  // a SHA-256 output: any 8 bytes are uniform
    return v;
  }
};

// Answers that say "not now" rather than "never": retried until retry_ms.
bool is_retryable(std::string_view code) {
  return code == "rate.limited" || code == "mempool.full" || code == "mempool.sender_full" ||
         code == "tx.nonce_too_far" || code == "node.unavailable" || code == "request.timeout" || code == "transport";
}

}  // namespace

Result<SenderScan> find_senders(const genesis::Genesis& g, const std::string& dir, const std::string& prefix) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> names;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::io_error("cannot read key directory " + dir + ": " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return Status::io_error("cannot read key directory " + dir + ": " + ec.message());
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !ends_with(name, ".key")) continue;
    if (names.size() == senders_max) {
      return Status::limit(dir + " holds more than " + std::to_string(senders_max) + " " + prefix + "*.key files");
    }
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::map<PublicKey, const genesis::GenesisMember*> owner;
  for (const genesis::GenesisMember& m : g.members) {
    for (const PublicKey& k : m.api_keys) owner.emplace(k, &m);
  }
  SenderScan scan;
  scan.files_seen = names.size();
  for (const std::string& name : names) {
    auto kp = load_secret_key(dir + "/" + name);
    if (!kp.is_ok()) {
      scan.skipped.push_back(name + ": " + kp.status().message());
      continue;
    }
    auto o = owner.find(kp->public_key);
    if (o == owner.end()) {
      scan.skipped.push_back(name + ": not an API key of any genesis member");
      continue;
    }
    const genesis::GenesisMember& m = *o->second;
    if (m.role != contracts::Role::kBank) {
      scan.skipped.push_back(name + ": member " + std::to_string(m.id) + " is " +
                             std::string(contracts::role_name(m.role)) + ", not BANK");
      continue;
    }
    if (m.branch_code.empty()) {
      scan.skipped.push_back(name + ": BANK member " + std::to_string(m.id) + " has no branch code");
      continue;
    }
    scan.senders.push_back(Sender{*kp, m.id, name});
  }
  IPL_ASSERT(scan.senders.size() + scan.skipped.size() == scan.files_seen);
  IPL_ASSERT(scan.senders.size() <= senders_max);
  return scan;
}

Bytes bank_totals_payload(uint32_t yyyymm, int64_t loans_fen, int64_t npl_fen) {
  IPL_ASSERT(npl_fen >= 0);
  IPL_ASSERT(npl_fen <= loans_fen);
  return Encoder().u32(yyyymm).i64(loans_fen).i64(npl_fen).take();
}

std::vector<Transaction> presign(std::span<const Sender> senders, size_t n, const PresignPlan& plan, size_t threads) {
  IPL_ASSERT(!senders.empty());
  IPL_ASSERT(n <= txs_max);
  IPL_ASSERT(plan.value_date.is_valid());
  threads = std::clamp<size_t>(threads, 1, 64);
  std::vector<Transaction> out(n);
  const uint32_t month = plan.value_date.yyyymmdd / 100;
  auto sign_range = [&](size_t from, size_t to) {
    TxBody b;
    b.chain_id = plan.chain_id;
    b.valid_until_height = plan.valid_until_height;
    b.type = std::string(kTxType);
    b.value_date = plan.value_date;
    for (size_t k = from; k < to; ++k) {
      const Sender& s = senders[sender_of(k, senders.size())];
      b.sender_key = s.key.public_key;
      b.nonce = nonce_of(k, senders.size(), plan.first_nonce);
      // Distinct totals per transaction; npl <= loans always.
      const auto v = static_cast<int64_t>(k);
      b.payload = bank_totals_payload(month, 100'000'000 + v, v % 1'000);
      out[k] = Transaction::sign(b, s.key.secret_key);
    }
  };
  std::vector<std::thread> pool;
  const size_t per = (n + threads - 1) / threads;
  for (size_t t = 0; t < threads && t * per < n; ++t) {
    pool.emplace_back(sign_range, t * per, std::min(n, (t + 1) * per));
  }
  for (std::thread& th : pool) th.join();
  IPL_ASSERT(out.size() == n);
  return out;
}

std::optional<uint64_t> next_nonce_after(size_t n, size_t senders, uint64_t first_nonce) {
  IPL_ASSERT(senders >= 1);
  IPL_ASSERT(first_nonce >= 1);
  if (n % senders != 0) return std::nullopt;
  return first_nonce + n / senders;
}

VerifyRate measure_verify_rate(std::span<const Transaction> txs, size_t count) {
  IPL_ASSERT(!txs.empty());
  IPL_ASSERT(count >= 1);
  const size_t sample = std::min(txs.size(), count);
  std::vector<PublicKey> keys(sample);
  for (size_t i = 0; i < sample; ++i) keys[i] = TxBody::decode(txs[i].body).value().sender_key;
  const auto start = Clock::now();
  size_t good = 0;
  for (size_t i = 0; i < count; ++i) {
    const size_t j = i % sample;
    good += verify(SigContext::kTx, keys[j], txs[j].body, txs[j].signature) ? 1 : 0;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  IPL_ASSERT(good == count);  // our own signatures
  VerifyRate r;
  r.checks = count;
  r.seconds = seconds;
  r.per_second = seconds > 0 ? static_cast<double>(count) / seconds : 0;
  return r;
}

double percentile(std::vector<double> values, double p) {
  IPL_ASSERT(p > 0 && p <= 100);
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  // Rank ceil(p/100 × n), 1-based; the epsilon keeps exact products exact.
  auto rank = static_cast<size_t>(std::ceil(p * n / 100.0 - 1e-9));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

double bound_ratio(double tx_per_s, size_t cores, double verify_rate, size_t nodes) {
  IPL_ASSERT(tx_per_s >= 0);
  if (cores == 0 || nodes == 0 || verify_rate <= 0) return 0;
  const double bound = static_cast<double>(cores) * verify_rate / static_cast<double>(nodes);
  return tx_per_s / bound;
}

namespace {

// One request's worth of transactions for one node: by_node[node][offset,
// offset + count), all of one node so that a sender always talks to one.
struct WorkItem {
  uint32_t node = 0;
  uint32_t offset = 0;
  uint32_t count = 0;
  uint32_t last_k = 0;  // the largest transaction index in it (paced runs wait for its due time)
};

// The answer to one transaction of one attempt: "ok" (accepted: 202, or
// 200 already committed) or a code ("transport" when no reply came).
struct Answer {
  std::string code;
  std::string message;
};

void put_u32be(std::string& out, uint32_t v) {
  const char b[kFrameLengthBytes] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, kFrameLengthBytes);
}

// The error code of a non-success reply: its JSON {code, message}, or
// http.<status> with the start of the body.
Answer error_answer(const api::HttpReply& r) {
  const json j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("code") && j["code"].is_string()) {
    return Answer{j["code"].get<std::string>(), j.value("message", "")};
  }
  return Answer{"http." + std::to_string(r.status), r.body.substr(0, 200)};
}

// Posts transactions `ks` (indexes into `bodies`) in one request: the
// single route for one transaction when !is_batch, else the batch route.
// Fills one answer per transaction, in order. Returns an error text when
// the reply cannot be matched to the transactions (then the run aborts).
std::string post_request(api::HttpClient& client, bool is_batch, std::span<const uint32_t> ks,
                         const std::vector<std::string>& bodies, std::string& request, std::vector<Answer>& answers) {
  IPL_ASSERT(!ks.empty());
  IPL_ASSERT(is_batch || ks.size() == 1);
  answers.assign(ks.size(), Answer{});
  if (is_batch) {
    // routes.h tx_batch_route: (u32 big-endian length ‖ transaction bytes)+
    request.clear();
    for (uint32_t k : ks) {
      put_u32be(request, static_cast<uint32_t>(bodies[k].size()));
      request += bodies[k];
    }
  }
  auto r = is_batch ? client.post("/v1/transactions/batch", request, "application/octet-stream")
                    : client.post("/v1/transactions", bodies[ks[0]], "application/octet-stream");
  if (!r.is_ok()) {
    for (Answer& a : answers) a = Answer{"transport", r.status().message()};
    return "";
  }
  if (!is_batch) {
    answers[0] = r->status == 202 || r->status == 200 ? Answer{"ok", ""} : error_answer(*r);
    return "";
  }
  if (r->status != 200) {  // the request as a whole was refused: every transaction gets its code
    const Answer a = error_answer(*r);
    for (Answer& x : answers) x = a;
    return "";
  }
  const json j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("results") || !j["results"].is_array() || j["results"].size() != ks.size()) {
    return "POST /v1/transactions/batch of " + std::to_string(ks.size()) +
           " transactions: not one result each: " + r->body.substr(0, 200);
  }
  for (size_t i = 0; i < ks.size(); ++i) {
    const json& x = j["results"][i];
    if (!x.is_object() || !x.contains("code") || !x["code"].is_string()) {
      return "POST /v1/transactions/batch: result " + std::to_string(i) + " has no code: " + x.dump().substr(0, 200);
    }
    std::string code = x["code"].get<std::string>();
    if (code == "tx.committed") code = "ok";  // idempotent success, as the single route's 200
    answers[i] = Answer{std::move(code), x.value("message", "")};
  }
  return "";
}

}  // namespace

Result<RunResult> run(const RunOptions& o, std::span<const Transaction> txs) {
  if (o.nodes.empty() || o.nodes.size() > nodes_max) {
    return Status::invalid("1.." + std::to_string(nodes_max) + " nodes");
  }
  if (o.connections == 0 || o.connections > connections_max) {
    return Status::invalid("connections must be 1.." + std::to_string(connections_max));
  }
  if (txs.empty() || txs.size() > txs_max) return Status::invalid("1.." + std::to_string(txs_max) + " transactions");
  if (o.senders == 0) return Status::invalid("at least one sender");
  if (!(o.rate >= 0) || !std::isfinite(o.rate)) return Status::invalid("rate must be >= 0");
  if (o.batch == 0 || o.batch > limits::http_batch_txs_max) {
    return Status::invalid("batch must be 1.." + std::to_string(limits::http_batch_txs_max));
  }
  const size_t n = txs.size();
  const bool is_batch = o.batch > 1;

  // Prepared before the clock starts: request bodies, the id index, and
  // the requests' transactions (WorkItem), ordered by their first
  // transaction so that a batch of 1 sends exactly in transaction order.
  std::vector<std::string> bodies(n);
  std::unordered_map<Hash32, uint32_t, IdHash> index;
  index.reserve(n);
  size_t body_bytes_max = 0;
  for (size_t k = 0; k < n; ++k) {
    const Bytes b = txs[k].encode();
    bodies[k].assign(b.begin(), b.end());
    body_bytes_max = std::max(body_bytes_max, bodies[k].size());
    if (!index.emplace(txs[k].id(), static_cast<uint32_t>(k)).second) {
      return Status::invalid("transaction " + std::to_string(k) + " is a duplicate");
    }
  }
  if (is_batch && o.batch * (kFrameLengthBytes + body_bytes_max) > limits::http_batch_body_bytes_max) {
    return Status::invalid("a batch of " + std::to_string(o.batch) + " transactions of up to " +
                           std::to_string(body_bytes_max) + " bytes exceeds the batch body bound " +
                           std::to_string(limits::http_batch_body_bytes_max));
  }
  std::vector<std::vector<uint32_t>> by_node(o.nodes.size());
  for (size_t k = 0; k < n; ++k) by_node[sender_of(k, o.senders) % o.nodes.size()].push_back(static_cast<uint32_t>(k));
  std::vector<WorkItem> items;
  items.reserve(n / o.batch + o.nodes.size());
  for (size_t node = 0; node < by_node.size(); ++node) {
    const std::vector<uint32_t>& ks = by_node[node];
    for (size_t off = 0; off < ks.size(); off += o.batch) {
      const size_t count = std::min(o.batch, ks.size() - off);
      items.push_back(WorkItem{static_cast<uint32_t>(node), static_cast<uint32_t>(off), static_cast<uint32_t>(count),
                               ks[off + count - 1]});
    }
  }
  std::sort(items.begin(), items.end(), [&by_node](const WorkItem& a, const WorkItem& b) {
    return by_node[a.node][a.offset] < by_node[b.node][b.offset];
  });
  api::HttpClientOptions copts;
  copts.timeout_ms = o.request_timeout_ms;

  RunResult res;
  res.start_height = o.start_height;
  res.end_height = o.start_height;
  res.batch = o.batch;
  std::vector<int64_t> submit_ns(n, -1);  // written by the submitting thread
  std::vector<int64_t> commit_ns(n, -1);  // written by the follower
  std::atomic<size_t> next{0};            // the next WorkItem
  std::atomic<bool> is_aborted{false};
  std::atomic<bool> is_submit_done{false};
  std::atomic<int64_t> submit_done_ns{0};
  std::atomic<uint64_t> submitted{0}, accepted{0}, committed{0}, requests{0};
  std::mutex mu;  // guards res.rejected*, res.retried, res.abort_reason
  const auto t0 = Clock::now();
  auto now_ns = [t0] { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count(); };
  auto abort_run = [&](const std::string& why) {
    std::lock_guard<std::mutex> l(mu);
    if (res.abort_reason.empty()) res.abort_reason = why;
    is_aborted = true;
  };

  auto submitter = [&](int64_t* last_answer_ns) {
    std::vector<std::unique_ptr<api::HttpClient>> clients(o.nodes.size());
    std::map<std::string, uint64_t> retried;
    std::vector<uint32_t> pending, again;
    std::vector<Answer> answers;
    std::string request;
    while (!is_aborted) {
      const size_t i = next.fetch_add(1);
      if (i >= items.size()) break;
      const WorkItem& item = items[i];
      if (o.rate > 0) {
        // Paced: transaction k leaves at t0 + k / rate, a request when its
        // last transaction is due (in slices, so an abort is noticed).
        const auto due = t0 + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(static_cast<double>(item.last_k) / o.rate));
        while (!is_aborted && Clock::now() < due) {
          std::this_thread::sleep_until(std::min(due, Clock::now() + std::chrono::milliseconds(100)));
        }
      }
      const size_t node = item.node;
      if (!clients[node]) clients[node] = std::make_unique<api::HttpClient>(o.nodes[node], copts);
      const std::vector<uint32_t>& ks = by_node[node];
      pending.assign(ks.begin() + item.offset, ks.begin() + item.offset + item.count);
      const int64_t first_ns = now_ns();
      for (uint32_t k : pending) submit_ns[k] = first_ns;
      submitted += pending.size();
      // Retries stay per transaction: a pushed-back one goes again (in a
      // smaller batch) until retry_ms after its first attempt; the others
      // are settled by their own answer.
      const auto deadline = Clock::now() + std::chrono::milliseconds(o.retry_ms);
      while (!pending.empty()) {
        const std::string bad = post_request(*clients[node], is_batch, pending, bodies, request, answers);
        ++requests;
        if (!bad.empty()) {
          abort_run("node " + o.nodes[node].url() + ": " + bad);
          break;
        }
        IPL_ASSERT(answers.size() == pending.size());
        again.clear();
        const bool is_before_deadline = Clock::now() < deadline;
        for (size_t j = 0; j < pending.size(); ++j) {
          const Answer& a = answers[j];
          if (a.code == "ok") {
            ++accepted;
            continue;
          }
          if (is_retryable(a.code) && is_before_deadline && !is_aborted) {
            count_code(retried, a.code);
            again.push_back(pending[j]);
            continue;
          }
          if (a.code == "transport") {
            abort_run("node " + o.nodes[node].url() + " unreachable for " + std::to_string(o.retry_ms) +
                      " ms: " + a.message);
          }
          std::lock_guard<std::mutex> l(mu);
          count_code(res.rejected, a.code);
          if (res.rejected_example.size() < codes_max) res.rejected_example.emplace(a.code, a.message);
        }
        pending.swap(again);
        if (!pending.empty()) std::this_thread::sleep_for(kRetryPause);
      }
      *last_answer_ns = now_ns();
    }
    std::lock_guard<std::mutex> l(mu);
    for (const auto& [code, count] : retried) count_code(res.retried, code, count);
  };

  int64_t last_commit_ns = 0;
  auto follower = [&] {
    api::HttpClient client(o.follow, copts);
    uint64_t h = o.start_height + 1;
    int64_t last_ok_ns = 0;
    const auto idle_ns = static_cast<int64_t>(o.idle_timeout_ms) * 1'000'000;
    while (!is_aborted) {
      const std::string path = "/v1/blocks/" + std::to_string(h);
      auto r = client.get(path);
      const int64_t now = now_ns();
      if (!r.is_ok()) {
        if (now - last_ok_ns > idle_ns) {
          abort_run("follow node " + o.follow.url() + " unreachable: " + r.status().message());
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(o.poll_ms));
        continue;
      }
      last_ok_ns = now;
      if (r->status == 200) {
        const json j = json::parse(r->body, nullptr, false);
        if (!j.is_object() || !j.contains("txs") || !j["txs"].is_array()) {
          abort_run("GET " + o.follow.url() + path + ": not a block: " + r->body.substr(0, 200));
          break;
        }
        bool is_ours_seen = false;
        for (const json& t : j["txs"]) {
          auto id = hash_from_hex(t.value("tx_id", ""));
          if (!id.is_ok()) continue;
          auto it = index.find(*id);
          if (it == index.end()) continue;  // not ours
          const uint32_t k = it->second;
          is_ours_seen = true;
          if (commit_ns[k] >= 0) {
            ++res.duplicates;
            continue;
          }
          commit_ns[k] = now;
          ++committed;
          if (t.value("success", false)) {
            ++res.succeeded;
          } else {
            count_code(res.failed, t.value("reason", "?"));
          }
        }
        if (is_ours_seen) last_commit_ns = now;
        res.end_height = h;
        ++h;
        continue;
      }
      if (r->status == 404) {
        if (is_submit_done) {
          if (committed >= accepted) break;
          if (now - std::max(last_commit_ns, submit_done_ns.load()) > idle_ns) {
            res.is_idle_timeout = true;
            break;
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(o.poll_ms));
        continue;
      }
      abort_run("GET " + o.follow.url() + path + ": HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 200));
      break;
    }
  };

  std::thread follow_thread(follower);
  std::vector<int64_t> last_answer(o.connections, 0);
  std::vector<std::thread> submit_threads;
  for (size_t i = 0; i < o.connections; ++i) submit_threads.emplace_back(submitter, &last_answer[i]);
  for (std::thread& t : submit_threads) t.join();
  submit_done_ns = now_ns();
  is_submit_done = true;
  follow_thread.join();

  res.submitted = submitted;
  res.accepted = accepted;
  res.requests = requests;
  res.committed = committed;
  IPL_ASSERT(res.succeeded <= res.committed);
  IPL_ASSERT(res.submitted <= n);
  res.submit_seconds = static_cast<double>(*std::max_element(last_answer.begin(), last_answer.end())) / 1e9;
  res.window_seconds = static_cast<double>(last_commit_ns) / 1e9;
  res.committed_per_s = res.window_seconds > 0 ? static_cast<double>(res.committed) / res.window_seconds : 0;
  std::vector<double> latencies;
  latencies.reserve(res.committed);
  for (size_t k = 0; k < n; ++k) {
    if (submit_ns[k] < 0 || commit_ns[k] < 0) continue;
    latencies.push_back(static_cast<double>(std::max<int64_t>(0, commit_ns[k] - submit_ns[k])) / 1e9);
  }
  res.latency_p50_s = percentile(latencies, 50);
  res.latency_p99_s = percentile(latencies, 99);
  res.latency_max_s = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
  return res;
}

bool Report::is_all_succeeded() const {
  return run.abort_reason.empty() && run.submitted == txs && run.accepted == txs && run.committed == txs &&
         run.succeeded == txs && run.duplicates == 0 && run.rejected.empty() && run.failed.empty();
}

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

std::string code_list(const std::map<std::string, uint64_t>& m) {
  std::string s;
  for (const auto& [code, count] : m) s += (s.empty() ? "" : ", ") + code + " x" + std::to_string(count);
  return s;
}

}  // namespace

std::string report_text(const Report& r) {
  const RunResult& x = r.run;
  const std::optional<uint64_t> next = next_nonce_after(r.txs, std::max<size_t>(1, r.senders), r.first_nonce);
  const std::string next_run = next ? "a next run on this chain: --first-nonce " + std::to_string(*next)
                                    : "--txs is not a multiple of the senders: the next run needs a fresh chain";
  std::string s;
  s += "nodes          " + std::to_string(r.urls.size()) + " submit URL(s), following " + r.follow_url +
       "; N = " + std::to_string(r.nodes) + " for the ratio\n";
  s += "senders        " + std::to_string(r.senders) + " BANK keys (of " + std::to_string(r.key_files) + " key files)" +
       (r.senders < 1000 ? "; issue 5 asks for at least 1,000" : "") + "\n";
  s += "transactions   " + std::to_string(r.txs) + " attest.bank_totals pre-signed in " +
       fmt("%.2f", r.presign_seconds) + " s; nonces from " + std::to_string(r.first_nonce) + " (" + next_run + ")\n";
  s += "load           " +
       (r.rate_target > 0 ? fmt("%.0f", r.rate_target) + " tx/s target" : std::string("as fast as possible")) + ", " +
       std::to_string(r.connections) + " connections per node, " +
       (x.batch > 1 ? "batches of up to " + std::to_string(x.batch) + " transactions (POST /v1/transactions/batch)"
                    : std::string("one transaction per request (POST /v1/transactions)")) +
       "\n";
  s += "verify rate    " + fmt("%.0f", r.verify.per_second) + " Ed25519 checks/s on one core (" +
       std::to_string(r.verify.checks) + " checks in " + fmt("%.2f", r.verify.seconds) + " s)\n";
  s += "submitted      " + std::to_string(x.submitted) + ", accepted " + std::to_string(x.accepted) + " in " +
       fmt("%.2f", x.submit_seconds) + " s, " + std::to_string(x.requests) + " HTTP requests\n";
  if (!x.rejected.empty()) {
    s += "rejected       " + code_list(x.rejected) + "\n";
    for (const auto& [code, msg] : x.rejected_example) s += "  " + code + ": " + msg + "\n";
    if (x.rejected.contains("tx.nonce_too_low")) {
      s += "  (tx.nonce_too_low: these senders already used these nonces: use a fresh chain or --first-nonce)\n";
    }
  }
  if (!x.retried.empty()) s += "retried        " + code_list(x.retried) + " (backpressure, resubmitted)\n";
  const std::string blocks = x.end_height > x.start_height
                                 ? "blocks " + std::to_string(x.start_height + 1) + ".." + std::to_string(x.end_height)
                                 : "no block after height " + std::to_string(x.start_height);
  s += "committed      " + std::to_string(x.committed) + " (" + blocks + " read)" +
       (x.duplicates ? ", DUPLICATES " + std::to_string(x.duplicates) : "") + "\n";
  if (x.committed == x.succeeded && x.failed.empty()) {
    s += "receipts       all " + std::to_string(x.succeeded) + " committed transactions succeeded\n";
  } else {
    s += "receipts       NOT all succeeded: " + std::to_string(x.committed - x.succeeded) + " of " +
         std::to_string(x.committed) + " failed: " + code_list(x.failed) + "\n";
  }
  if (x.is_idle_timeout) {
    s += "waited         " + std::to_string(x.accepted > x.committed ? x.accepted - x.committed : 0) +
         " accepted transactions never committed (stopped waiting)\n";
  }
  s += "throughput     " + fmt("%.0f", x.committed_per_s) + " committed tx/s over " + fmt("%.2f", x.window_seconds) +
       " s (first submission to last commit)\n";
  s += "latency        submit to commit p50 " + fmt("%.3f", x.latency_p50_s) + " s, p99 " +
       fmt("%.3f", x.latency_p99_s) + " s, max " + fmt("%.3f", x.latency_max_s) + " s\n";
  s += "ratio          " + fmt("%.3f", r.ratio) + " = " + fmt("%.0f", x.committed_per_s) + " / (" +
       std::to_string(r.cores) + " cores x " + fmt("%.0f", r.verify.per_second) + " / " + std::to_string(r.nodes) +
       " nodes)\n";
  if (!x.abort_reason.empty()) s += "ABORTED        " + x.abort_reason + "\n";
  s += std::string("result         ") + (r.is_all_succeeded() ? "ALL SUCCEEDED" : "NOT ALL SUCCEEDED") + "\n";
  return s;
}

std::string report_json(const Report& r) {
  const RunResult& x = r.run;
  const std::optional<uint64_t> next = next_nonce_after(r.txs, std::max<size_t>(1, r.senders), r.first_nonce);
  json j = {
      {"urls", r.urls},
      {"follow_url", r.follow_url},
      {"nodes", r.nodes},
      {"key_files", r.key_files},
      {"senders", r.senders},
      {"txs", r.txs},
      {"tx_type", kTxType},
      {"first_nonce", r.first_nonce},
      {"next_nonce", next ? json(*next) : json(nullptr)},
      {"rate_target", r.rate_target},
      {"connections", r.connections},
      {"batch", x.batch},
      {"requests", x.requests},
      {"presign_seconds", r.presign_seconds},
      {"verify_rate_per_core", r.verify.per_second},
      {"verify_checks", r.verify.checks},
      {"cores", r.cores},
      {"submitted", x.submitted},
      {"accepted", x.accepted},
      {"rejected", x.rejected},
      {"rejected_example", x.rejected_example},
      {"retried", x.retried},
      {"committed", x.committed},
      {"succeeded", x.succeeded},
      {"failed", x.failed},
      {"duplicates", x.duplicates},
      {"all_succeeded", r.is_all_succeeded()},
      {"start_height", x.start_height},
      {"end_height", x.end_height},
      {"submit_seconds", x.submit_seconds},
      {"window_seconds", x.window_seconds},
      {"committed_tx_per_s", x.committed_per_s},
      {"latency_p50_s", x.latency_p50_s},
      {"latency_p99_s", x.latency_p99_s},
      {"latency_max_s", x.latency_max_s},
      {"ratio", r.ratio},
      {"idle_timeout", x.is_idle_timeout},
      {"aborted", x.abort_reason.empty() ? json(nullptr) : json(x.abort_reason)},
  };
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace ipl::bench
