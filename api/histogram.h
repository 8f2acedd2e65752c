// A fixed-bucket latency histogram for Prometheus exposition (commit
// latency and the like). Observing is O(buckets) under a mutex.
// Thread-safety: observe() and snapshot() may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

namespace ipl::api {

struct HistogramSnapshot {
  std::vector<double> upper_bounds;  // seconds, ascending; +Inf implied
  std::vector<uint64_t> counts;      // cumulative per bound (Prometheus "le")
  uint64_t count = 0;                // observations (the +Inf bucket)
  double sum = 0;                    // seconds
};

class Histogram {
 public:
  // Requires ascending, non-empty bounds.
  explicit Histogram(std::vector<double> upper_bounds);
  // Default buckets for submit-to-commit latency: 5 ms .. 30 s.
  static std::vector<double> latency_bounds();
  void observe(double seconds);
  HistogramSnapshot snapshot() const;

 private:
  mutable std::mutex mu_;
  std::vector<double> bounds_;
  std::vector<uint64_t> per_bucket_;  // not cumulative; size bounds_ + 1
  double sum_ = 0;
};

}  // namespace ipl::api
