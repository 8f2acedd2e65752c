#include "common/encoding.h"

#include <cstring>

namespace ipl {

Encoder& Encoder::u8(uint8_t v) {
  out_.push_back(v);
  return *this;
}
Encoder& Encoder::u16(uint16_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
  return *this;
}
Encoder& Encoder::u32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  return *this;
}
Encoder& Encoder::u64(uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  return *this;
}
Encoder& Encoder::bytes(ByteView v) {
  IPL_ASSERT(v.size() <= limits::field_bytes_max);
  u32(static_cast<uint32_t>(v.size()));
  return raw(v);
}
Encoder& Encoder::raw(ByteView v) {
  out_.insert(out_.end(), v.begin(), v.end());
  return *this;
}
Encoder& Encoder::count(size_t n) {
  IPL_ASSERT(n <= limits::list_items_max);
  return u32(static_cast<uint32_t>(n));
}

Status Decoder::need(size_t n) const {
  if (remaining() < n) return Status::invalid("truncated input");
  return Status::ok();
}
Status Decoder::u8(uint8_t& v) {
  IPL_RETURN_IF_ERROR(need(1));
  v = in_[pos_++];
  return Status::ok();
}
Status Decoder::u16(uint16_t& v) {
  IPL_RETURN_IF_ERROR(need(2));
  v = static_cast<uint16_t>(in_[pos_] << 8 | in_[pos_ + 1]);
  pos_ += 2;
  return Status::ok();
}
Status Decoder::u32(uint32_t& v) {
  IPL_RETURN_IF_ERROR(need(4));
  v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | in_[pos_ + i];
  pos_ += 4;
  return Status::ok();
}
Status Decoder::u64(uint64_t& v) {
  IPL_RETURN_IF_ERROR(need(8));
  v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | in_[pos_ + i];
  pos_ += 8;
  return Status::ok();
}
Status Decoder::i64(int64_t& v) {
  uint64_t u = 0;
  IPL_RETURN_IF_ERROR(u64(u));
  v = static_cast<int64_t>(u);
  return Status::ok();
}
Status Decoder::boolean(bool& v) {
  uint8_t b = 0;
  IPL_RETURN_IF_ERROR(u8(b));
  if (b > 1) return Status::invalid("bool byte is neither 0 nor 1");
  v = b == 1;
  return Status::ok();
}
Status Decoder::bytes(Bytes& v, size_t max) {
  uint32_t len = 0;
  IPL_RETURN_IF_ERROR(u32(len));
  if (len > max || len > limits::field_bytes_max) return Status::limit("byte field longer than allowed");
  IPL_RETURN_IF_ERROR(need(len));
  v.assign(in_.begin() + static_cast<ptrdiff_t>(pos_), in_.begin() + static_cast<ptrdiff_t>(pos_ + len));
  pos_ += len;
  return Status::ok();
}
Status Decoder::str(std::string& v, size_t max) {
  uint32_t len = 0;
  IPL_RETURN_IF_ERROR(u32(len));
  if (len > max || len > limits::field_bytes_max) return Status::limit("string field longer than allowed");
  IPL_RETURN_IF_ERROR(need(len));
  v.assign(reinterpret_cast<const char*>(in_.data() + pos_), len);
  pos_ += len;
  return Status::ok();
}
Status Decoder::hash(Hash32& h) { return raw(h.data(), h.size()); }
Status Decoder::raw(uint8_t* dst, size_t n) {
  IPL_RETURN_IF_ERROR(need(n));
  if (n > 0) std::memcpy(dst, in_.data() + pos_, n);
  pos_ += n;
  return Status::ok();
}
Status Decoder::count(size_t& n, size_t max, size_t min_item_bytes) {
  uint32_t c = 0;
  IPL_RETURN_IF_ERROR(u32(c));
  if (c > max || c > limits::list_items_max) return Status::limit("list longer than allowed");
  if (min_item_bytes > 0 && c > remaining() / min_item_bytes) return Status::invalid("list count exceeds input");
  n = c;
  return Status::ok();
}
Status Decoder::finish() const {
  if (remaining() != 0) return Status::invalid("trailing bytes after value");
  return Status::ok();
}

}  // namespace ipl
