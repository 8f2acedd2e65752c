// Canonical encoding: the one byte format that is hashed and signed.
// Grammar (docs/protocol.md "Canonical encoding"):
//   u8      = 1 byte
//   u16/u32/u64 = fixed width, big-endian
//   i64     = u64 of the two's-complement value
//   bool    = u8 0x00 | 0x01 (anything else is rejected)
//   bytes   = u32 length ‖ length bytes
//   string  = bytes holding UTF-8 (not validated here)
//   hash    = 32 raw bytes (no length)
//   opt<T>  = u8 0x00 | u8 0x01 ‖ T
//   list<T> = u32 count ‖ T*
// Every value has exactly one encoding, so re-encoding cannot change a hash.
// The decoder is strict: it rejects truncated input, oversize lengths
// (checked against the bytes remaining before any allocation), bad bools,
// and trailing bytes (finish()).
// Thread-safety: none; one encoder/decoder per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/limits.h"
#include "common/status.h"

namespace ipl {

class Encoder {
 public:
  Encoder() = default;
  explicit Encoder(size_t reserve) { out_.reserve(reserve); }

  Encoder& u8(uint8_t v);
  Encoder& u16(uint16_t v);
  Encoder& u32(uint32_t v);
  Encoder& u64(uint64_t v);
  Encoder& i64(int64_t v) { return u64(static_cast<uint64_t>(v)); }
  Encoder& boolean(bool v) { return u8(v ? 1 : 0); }
  // Requires v.size() <= limits::field_bytes_max.
  Encoder& bytes(ByteView v);
  Encoder& str(std::string_view v) { return bytes(as_view(v)); }
  Encoder& hash(const Hash32& h) { return raw(h); }
  // Appends raw bytes with no length (for fixed-size fields only).
  Encoder& raw(ByteView v);
  Encoder& count(size_t n);  // list<T> prefix

  const Bytes& out() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

class Decoder {
 public:
  explicit Decoder(ByteView in) : in_(in) {}

  [[nodiscard]] Status u8(uint8_t& v);
  [[nodiscard]] Status u16(uint16_t& v);
  [[nodiscard]] Status u32(uint32_t& v);
  [[nodiscard]] Status u64(uint64_t& v);
  [[nodiscard]] Status i64(int64_t& v);
  [[nodiscard]] Status boolean(bool& v);
  // `max` bounds the accepted length in addition to the bytes remaining.
  [[nodiscard]] Status bytes(Bytes& v, size_t max = limits::field_bytes_max);
  [[nodiscard]] Status str(std::string& v, size_t max = limits::field_bytes_max);
  [[nodiscard]] Status hash(Hash32& h);
  [[nodiscard]] Status raw(uint8_t* dst, size_t n);
  // A list prefix; rejects counts above `max` or above what the remaining
  // bytes could hold at `min_item_bytes` each.
  [[nodiscard]] Status count(size_t& n, size_t max, size_t min_item_bytes = 1);
  // Ok only when every byte was consumed.
  [[nodiscard]] Status finish() const;

  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }

 private:
  [[nodiscard]] Status need(size_t n) const;
  ByteView in_;
  size_t pos_ = 0;
};

}  // namespace ipl
