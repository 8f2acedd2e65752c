#include "api/rate_limiter.h"

#include <algorithm>

#include "common/assert.h"

namespace ipl::api {

RateLimiter::RateLimiter(double rate_per_s, double burst, size_t keys_max, const Clock& clock)
    : rate_per_s_(rate_per_s), burst_(burst), keys_max_(keys_max), clock_(clock) {
  IPL_ASSERT(rate_per_s_ > 0);
  IPL_ASSERT(burst_ >= 1);
  IPL_ASSERT(keys_max_ >= 1);
}

RateLimiter::Bucket& RateLimiter::refill_locked(const std::string& key, uint64_t now) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= keys_max_) make_room_locked(now);
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed_s = now > b.updated_ns ? static_cast<double>(now - b.updated_ns) / 1e9 : 0.0;
  b.tokens = std::min(burst_, b.tokens + elapsed_s * rate_per_s_);
  b.updated_ns = std::max(b.updated_ns, now);
  IPL_ASSERT(buckets_.size() <= keys_max_);
  IPL_ASSERT(b.tokens <= burst_);
  return b;
}

bool RateLimiter::allow(const std::string& key) {
  const uint64_t now = clock_.monotonic_ns();
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = refill_locked(key, now);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

bool RateLimiter::has_token(const std::string& key) {
  const uint64_t now = clock_.monotonic_ns();
  std::lock_guard<std::mutex> lock(mu_);
  return refill_locked(key, now).tokens >= 1.0;
}

void RateLimiter::charge(const std::string& key) {
  const uint64_t now = clock_.monotonic_ns();
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = refill_locked(key, now);
  b.tokens = std::max(0.0, b.tokens - 1.0);
}

void RateLimiter::make_room_locked(uint64_t now_ns) {
  // Forget refilled buckets (indistinguishable from new ones).
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed_s = static_cast<double>(now_ns - std::min(now_ns, it->second.updated_ns)) / 1e9;
    if (it->second.tokens + elapsed_s * rate_per_s_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  if (buckets_.size() < keys_max_) return;
  // Still full: forget the least recently touched one.
  auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](const auto& a, const auto& b) {
    return a.second.updated_ns < b.second.updated_ns;
  });
  buckets_.erase(oldest);
  IPL_ASSERT(buckets_.size() < keys_max_);
}

size_t RateLimiter::keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

}  // namespace ipl::api
