// Small decoding helpers shared by the record and payload codecs of the
// contract modules (records.cc, ip_records.cc, loan_records.cc, pledge.cc,
// loan.cc): bounded enums, civil dates, fixed-width hex of ids.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/chain.h"
#include "common/encoding.h"
#include "common/status.h"

namespace ipl::contracts {

// A u8 enum value in [lo, hi].
template <typename E>
Status get_enum(Decoder& d, E& out, uint8_t lo, uint8_t hi) {
  uint8_t v = 0;
  IPL_RETURN_IF_ERROR(d.u8(v));
  if (v < lo || v > hi) return Status::invalid("enum value out of range");
  out = static_cast<E>(v);
  return Status::ok();
}

// A u32 civil date (YYYYMMDD); 0 means "none".
inline Status get_udate(Decoder& d, uint32_t& v) {
  IPL_RETURN_IF_ERROR(d.u32(v));
  if (v != 0 && !CivilDate{v}.is_valid()) return Status::invalid("bad date");
  return Status::ok();
}

// A u32 civil date that must be present.
inline Status get_required_date(Decoder& d, uint32_t& v) {
  IPL_RETURN_IF_ERROR(d.u32(v));
  if (!CivilDate{v}.is_valid()) return Status::invalid("bad date");
  return Status::ok();
}

// 16 lower-case hex digits, big-endian: ids in keys sort numerically.
inline std::string hex16(uint64_t v) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out(16, '0');
  for (size_t i = 0; i < 16; ++i) out[15 - i] = kHex[(v >> (4 * i)) & 0xf];
  return out;
}

}  // namespace ipl::contracts
