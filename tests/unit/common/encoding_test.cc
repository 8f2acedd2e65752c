// Goal: pin the canonical encoding byte for byte and show the decoder is
// strict. Method: golden bytes for every primitive, round trips, and every
// malformed input class (truncated, oversize, bad bool, trailing bytes).
#include "common/encoding.h"

#include <gtest/gtest.h>

namespace ipl {
namespace {

TEST(Encoding, GoldenBytesForEveryPrimitive) {
  Encoder e;
  e.u8(0x01).u16(0x0203).u32(0x04050607).u64(0x08090a0b0c0d0e0fULL).i64(-2).boolean(true).boolean(false);
  e.str("ab").bytes(Bytes{}).count(3);
  EXPECT_EQ(to_hex(e.out()),
            "01"                  // u8
            "0203"                // u16
            "04050607"            // u32
            "08090a0b0c0d0e0f"    // u64
            "fffffffffffffffe"    // i64 -2
            "01" "00"             // bools
            "000000026162"        // "ab"
            "00000000"            // empty bytes
            "00000003");          // list count
}

TEST(Encoding, RoundTripsEveryPrimitive) {
  Encoder e;
  Hash32 h{};
  h[0] = 7;
  h[31] = 9;
  e.u8(200).u16(65535).u32(1u << 31).u64(~0ULL).i64(-123456789).boolean(true).str("héllo").hash(h);
  Decoder d(e.out());
  uint8_t a;
  uint16_t b;
  uint32_t c;
  uint64_t x;
  int64_t y;
  bool z;
  std::string s;
  Hash32 g;
  ASSERT_TRUE(d.u8(a).is_ok());
  ASSERT_TRUE(d.u16(b).is_ok());
  ASSERT_TRUE(d.u32(c).is_ok());
  ASSERT_TRUE(d.u64(x).is_ok());
  ASSERT_TRUE(d.i64(y).is_ok());
  ASSERT_TRUE(d.boolean(z).is_ok());
  ASSERT_TRUE(d.str(s).is_ok());
  ASSERT_TRUE(d.hash(g).is_ok());
  EXPECT_TRUE(d.finish().is_ok());
  EXPECT_EQ(a, 200);
  EXPECT_EQ(b, 65535);
  EXPECT_EQ(c, 1u << 31);
  EXPECT_EQ(x, ~0ULL);
  EXPECT_EQ(y, -123456789);
  EXPECT_TRUE(z);
  EXPECT_EQ(s, "héllo");
  EXPECT_EQ(g, h);
}

TEST(Encoding, RejectsTruncatedInput) {
  const Bytes in = {0x00, 0x01};
  Decoder d(in);
  uint32_t v;
  EXPECT_FALSE(d.u32(v).is_ok());
}

TEST(Encoding, RejectsLengthBeyondRemainingBytesBeforeAllocating) {
  Encoder e;
  e.u32(0x00ffffff);  // claims 16 MiB, holds nothing
  Decoder d(e.out());
  Bytes b;
  EXPECT_FALSE(d.bytes(b).is_ok());
  EXPECT_TRUE(b.empty());
}

TEST(Encoding, RejectsLengthAboveFieldMaximum) {
  Encoder e;
  e.str("abcdef");
  Decoder d(e.out());
  std::string s;
  EXPECT_EQ(d.str(s, 5).code(), Code::kLimitExceeded);
}

TEST(Encoding, RejectsNonCanonicalBool) {
  const Bytes in = {0x02};
  Decoder d(in);
  bool b;
  EXPECT_FALSE(d.boolean(b).is_ok());
}

TEST(Encoding, RejectsTrailingBytes) {
  const Bytes in = {0x01, 0x02};
  Decoder d(in);
  uint8_t v;
  ASSERT_TRUE(d.u8(v).is_ok());
  EXPECT_FALSE(d.finish().is_ok());
}

TEST(Encoding, RejectsListCountLargerThanInputCouldHold) {
  Encoder e;
  e.u32(1000).u8(0);
  Decoder d(e.out());
  size_t n;
  EXPECT_FALSE(d.count(n, 100000, 4).is_ok());
}

TEST(Hex, RoundTripAndRejects) {
  EXPECT_EQ(to_hex(Bytes{0x00, 0xab, 0xff}), "00abff");
  EXPECT_EQ(*from_hex("00ABff"), (Bytes{0x00, 0xab, 0xff}));
  EXPECT_FALSE(from_hex("abc").is_ok());
  EXPECT_FALSE(from_hex("zz").is_ok());
  EXPECT_FALSE(hash_from_hex("00").is_ok());
}

}  // namespace
}  // namespace ipl
