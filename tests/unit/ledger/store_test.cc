// Goal: both Store implementations behave alike: atomic batches, deletes,
// ordered half-open scans, durability across reopen (LevelDB).
#include "ledger/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

namespace ipl::ledger {
namespace {

void exercise(Store& s) {
  WriteBatch b;
  b.put(to_bytes("a1"), to_bytes("x"));
  b.put(to_bytes("a2"), to_bytes("y"));
  b.put(to_bytes("b1"), to_bytes("z"));
  ASSERT_TRUE(s.write(b, true).is_ok());
  EXPECT_EQ(**s.get(as_view("a2")), to_bytes("y"));
  EXPECT_FALSE(s.get(as_view("zz"))->has_value());
  std::vector<std::string> seen;
  ASSERT_TRUE(s.scan(as_view("a"), as_view("b"), [&](ByteView k, ByteView) {
                 seen.emplace_back(as_chars(k));
                 return true;
               }).is_ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a1", "a2"}));
  WriteBatch d;
  d.del(to_bytes("a1"));
  ASSERT_TRUE(s.write(d, false).is_ok());
  EXPECT_FALSE(s.get(as_view("a1"))->has_value());
}

TEST(MemStore, BasicOperations) {
  MemStore s;
  exercise(s);
  EXPECT_EQ(s.key_count(), 2u);
}

TEST(LevelDbStore, BasicOperationsAndReopen) {
  char tmpl[] = "/tmp/ipl-store-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    auto s = open_leveldb(dir + "/db");
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    exercise(**s);
  }
  {
    auto s = open_leveldb(dir + "/db");
    ASSERT_TRUE(s.is_ok());
    EXPECT_EQ(**(*s)->get(as_view("b1")), to_bytes("z"));
  }
  LevelDbOptions no_create;
  no_create.create_if_missing = false;
  EXPECT_FALSE(open_leveldb(dir + "/missing", no_create).is_ok());
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace ipl::ledger
