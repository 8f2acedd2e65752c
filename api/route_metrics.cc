// GET /metrics: Prometheus text exposition format 0.0.4. Every line is a
// "# HELP"/"# TYPE" comment or `name{labels} value`. Names are prefixed
// ipl_; counters end in _total.
#include <cstdio>
#include <string>

#include "api/routes.h"
#include "common/assert.h"

namespace ipl::api {

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help, uint64_t value) {
  out += "# HELP ";
  out += name;
  out += " ";
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " ";
  out += type;
  out += "\n";
  out += name;
  out += " " + std::to_string(value) + "\n";
}

// Label values are stable codes ([a-z._]), so no escaping is needed; assert it.
void check_label(std::string_view v) {
  for (char c : v) IPL_ASSERT((c >= 'a' && c <= 'z') || c == '.' || c == '_');
}

std::string render(const MetricsSnapshot& m) {
  std::string out;
  metric(out, "ipl_height", "gauge", "Highest committed height.", m.height);
  metric(out, "ipl_epoch", "gauge", "Current epoch.", m.epoch);
  metric(out, "ipl_round", "gauge", "Current consensus round.", m.round);
  metric(out, "ipl_view_changes_total", "counter", "Rounds ended by a timeout certificate.", m.view_changes_total);
  metric(out, "ipl_peers", "gauge", "Authenticated P2P peers.", m.peers);
  metric(out, "ipl_mempool_size", "gauge", "Pending transactions in the mempool.", m.mempool_size);
  metric(out, "ipl_mempool_bytes", "gauge", "Bytes of pending transactions.", m.mempool_bytes);
  metric(out, "ipl_signature_verifications_total", "counter", "Transaction signatures verified.", m.verified_total);
  out += "# HELP ipl_verify_rate_per_core Signature checks per second of one busy core.\n";
  out += "# TYPE ipl_verify_rate_per_core gauge\n";
  out += "ipl_verify_rate_per_core " + number(m.verify_rate_per_core) + "\n";
  out += "# HELP ipl_mempool_answers_total Mempool answers by stable code.\n";
  out += "# TYPE ipl_mempool_answers_total counter\n";
  for (const auto& [code, n] : m.mempool_answers_total) {
    check_label(code);
    out += "ipl_mempool_answers_total{code=\"" + code + "\"} " + std::to_string(n) + "\n";
  }
  const HistogramSnapshot& h = m.commit_latency_seconds;
  IPL_ASSERT(h.counts.size() == h.upper_bounds.size());
  out += "# HELP ipl_commit_latency_seconds Submit-to-commit latency of transactions submitted here.\n";
  out += "# TYPE ipl_commit_latency_seconds histogram\n";
  for (size_t i = 0; i < h.upper_bounds.size(); ++i) {
    out += "ipl_commit_latency_seconds_bucket{le=\"" + number(h.upper_bounds[i]) + "\"} " +
           std::to_string(h.counts[i]) + "\n";
  }
  out += "ipl_commit_latency_seconds_bucket{le=\"+Inf\"} " + std::to_string(h.count) + "\n";
  out += "ipl_commit_latency_seconds_sum " + number(h.sum) + "\n";
  out += "ipl_commit_latency_seconds_count " + std::to_string(h.count) + "\n";
  return out;
}

}  // namespace

Route metrics_route(NodeFacade& node) {
  Route r;
  r.method = "GET";
  r.path_pattern = "/metrics";
  r.handler = [&node](const HttpRequest&) {
    HttpResponse resp;
    resp.content_type = "text/plain; version=0.0.4";
    resp.body = render(node.metrics());
    return resp;
  };
  return r;
}

}  // namespace ipl::api
