#include "api/histogram.h"

#include <algorithm>

#include "common/assert.h"

namespace ipl::api {

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  IPL_ASSERT(!bounds_.empty());
  IPL_ASSERT(std::is_sorted(bounds_.begin(), bounds_.end()));
  per_bucket_.assign(bounds_.size() + 1, 0);
}

std::vector<double> Histogram::latency_bounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30};
}

void Histogram::observe(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin());
  IPL_ASSERT(i < per_bucket_.size());
  ++per_bucket_[i];
  sum_ += seconds;
}

HistogramSnapshot Histogram::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  HistogramSnapshot s;
  s.upper_bounds = bounds_;
  uint64_t running = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    running += per_bucket_[i];
    s.counts.push_back(running);
  }
  s.count = running + per_bucket_.back();
  s.sum = sum_;
  IPL_ASSERT(s.counts.size() == s.upper_bounds.size());
  return s;
}

}  // namespace ipl::api
