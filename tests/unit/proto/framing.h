// Hand-built protobuf framing for codec tests (tests/unit/proto and
// tests/unit/net/wire_test.cc): encodings written byte by byte, so the
// tests pin field numbers and wire types independently of libprotobuf.
#pragma once

#include <cstdint>

#include "common/bytes.h"

namespace ipl::test_framing {

inline Bytes varint(uint64_t v) {
  Bytes out;
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
  return out;
}

// A length-delimited field (wire type 2).
inline Bytes field(uint32_t number, ByteView value) {
  Bytes out = varint(uint64_t{number} << 3 | 2);
  const Bytes len = varint(value.size());
  out.insert(out.end(), len.begin(), len.end());
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

// A varint field (wire type 0).
inline Bytes varint_field(uint32_t number, uint64_t value) {
  Bytes out = varint(uint64_t{number} << 3);
  const Bytes v = varint(value);
  out.insert(out.end(), v.begin(), v.end());
  return out;
}

}  // namespace ipl::test_framing
