// Token bucket per key (POST /v1/transactions is limited per sender key;
// DESIGN.md "Limits": request rate per key). A key starts with `burst`
// tokens, regains `rate_per_s` per second up to `burst`; a request takes
// one. At most keys_max buckets are tracked: when full, buckets already
// refilled are forgotten (they carry no state), else the oldest-touched.
// Thread-safety: allow() may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "common/clock.h"

namespace ipl::api {

class RateLimiter {
 public:
  // Requires rate_per_s > 0, burst >= 1, keys_max >= 1; clock outlives this.
  RateLimiter(double rate_per_s, double burst, size_t keys_max, const Clock& clock);
  // True (and a token taken) when `key` may make one more request now.
  bool allow(const std::string& key);
  // True when `key` has a token now; takes none. With charge(), lets a
  // caller take the token only once the request proved it came from the
  // key's holder (a forged signature must not drain the victim's quota).
  bool has_token(const std::string& key);
  // Takes one token (never below zero).
  void charge(const std::string& key);
  size_t keys() const;

 private:
  struct Bucket {
    double tokens = 0;
    uint64_t updated_ns = 0;
  };
  void make_room_locked(uint64_t now_ns);
  // The refilled bucket of `key`, created full when absent.
  Bucket& refill_locked(const std::string& key, uint64_t now_ns);

  const double rate_per_s_;
  const double burst_;
  const size_t keys_max_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace ipl::api
