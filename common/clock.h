// Time and randomness behind interfaces (STYLE.md; LevelDB's Env and
// TigerBeetle's time.zig are the models). Production code takes a Clock&
// or Rng&; tests and the simulator pass deterministic doubles.
#pragma once

#include <cstdint>

namespace ipl {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock milliseconds since the Unix epoch (block timestamps).
  virtual uint64_t now_ms() const = 0;
  // Monotonic nanoseconds (timers, latencies); unrelated to wall time.
  virtual uint64_t monotonic_ns() const = 0;
};

class SystemClock final : public Clock {
 public:
  uint64_t now_ms() const override;
  uint64_t monotonic_ns() const override;
};

// A clock that moves only when told to. Not thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(uint64_t start_ms = 0) : ms_(start_ms) {}
  uint64_t now_ms() const override { return ms_; }
  uint64_t monotonic_ns() const override { return ms_ * 1'000'000; }
  void advance_ms(uint64_t d) { ms_ += d; }
  void set_ms(uint64_t ms) { ms_ = ms; }

 private:
  uint64_t ms_;
};

class Rng {
 public:
  virtual ~Rng() = default;
  virtual uint64_t next_u64() = 0;
  // Uniform in [0, bound); bound > 0. Rejection sampling, no modulo bias.
  uint64_t uniform(uint64_t bound);
};

// xoshiro256** seeded through SplitMix64: fast, reproducible across
// platforms; for simulation and tests, never for keys.
class SeededRng final : public Rng {
 public:
  explicit SeededRng(uint64_t seed);
  uint64_t next_u64() override;

 private:
  uint64_t s_[4];
};

}  // namespace ipl
