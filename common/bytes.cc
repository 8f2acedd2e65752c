#include "common/bytes.h"

#include <algorithm>
#include <cstring>

namespace ipl {

std::string to_hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Status::invalid("hex string has odd length");
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::invalid("non-hex character in hex string");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

Result<Hash32> hash_from_hex(std::string_view hex) {
  if (hex.size() != 64) return Status::invalid("expected 64 hex characters");
  IPL_ASSIGN_OR_RETURN(Bytes raw, from_hex(hex));
  Hash32 h;
  std::copy(raw.begin(), raw.end(), h.begin());
  return h;
}

bool equal_bytes(ByteView a, ByteView b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace ipl
