// Byte containers and views shared by every module.
// Bytes owns; ByteView borrows (never outlives its owner). Hash32 is a
// SHA-256 digest or any other fixed 32-byte value.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ipl {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using Hash32 = std::array<uint8_t, 32>;

inline ByteView as_view(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view as_chars(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
inline Bytes to_bytes(ByteView v) { return Bytes(v.begin(), v.end()); }
inline Bytes to_bytes(std::string_view s) { return to_bytes(as_view(s)); }

// Lower-case hex.
std::string to_hex(ByteView bytes);
// Accepts upper or lower case; rejects odd length and non-hex characters.
Result<Bytes> from_hex(std::string_view hex);
// Exactly 64 hex characters.
Result<Hash32> hash_from_hex(std::string_view hex);

bool equal_bytes(ByteView a, ByteView b);

}  // namespace ipl
