// Goal: the hash and signature primitives are the standard ones and the
// domain-separation contexts really separate. Method: FIPS 180 SHA-256
// vectors, RFC 8032 Ed25519 vectors, cross-context verification of every
// pair, key files with their permission rule.
#include "common/crypto.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/hash.h"

namespace ipl {
namespace {

std::string hex_sha(std::string_view s) { return to_hex(sha256(as_view(s))); }

TEST(Sha256, StandardVectors) {
  EXPECT_EQ(hex_sha(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_sha("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1'000'000, 'a');
  EXPECT_EQ(hex_sha(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, StreamingEqualsOneShot) {
  const std::string s = "The quick brown fox jumps over the lazy dog";
  Sha256 h;
  for (char c : s) h.update(static_cast<uint8_t>(c));
  EXPECT_EQ(h.finish(), sha256(as_view(s)));
  EXPECT_EQ(sha256({as_view("The quick "), as_view("brown fox jumps over the lazy dog")}), sha256(as_view(s)));
}

struct Rfc8032Vector {
  const char* seed;
  const char* pk;
  const char* msg;
  const char* sig;
};

// RFC 8032 section 7.1, TEST 1-3.
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST(Ed25519, Rfc8032Vectors) {
  for (const Rfc8032Vector& v : kVectors) {
    const KeyPair kp = KeyPair::from_seed(*hash_from_hex(v.seed));
    EXPECT_EQ(kp.public_key.hex(), v.pk);
    const Bytes msg = *from_hex(v.msg);
    const Signature sig = sign_raw(kp.secret_key, msg);
    EXPECT_EQ(to_hex(sig.bytes), v.sig);
    EXPECT_TRUE(verify_raw(kp.public_key, msg, sig));
    Signature bad = sig;
    bad.bytes[0] ^= 1;
    EXPECT_FALSE(verify_raw(kp.public_key, msg, bad));
  }
}

TEST(Ed25519, SignedMessageFramingIsLengthContextBytes) {
  const Bytes m = signing_message(SigContext::kVote, as_view("xy"));
  EXPECT_EQ(to_hex(m), "0b" + to_hex(as_view("IPL/vote/v1")) + to_hex(as_view("xy")));
}

TEST(Ed25519, SignatureUnderOneContextFailsUnderEveryOther) {
  const KeyPair kp = KeyPair::for_test("ctx");
  const Bytes msg = to_bytes("same bytes");
  for (SigContext a : kAllSigContexts) {
    const Signature sig = sign(a, kp.secret_key, msg);
    for (SigContext b : kAllSigContexts) {
      EXPECT_EQ(verify(b, kp.public_key, msg, sig), a == b) << context_tag(a) << " vs " << context_tag(b);
    }
  }
}

TEST(Ed25519, WrongKeyOrMessageFails) {
  const KeyPair a = KeyPair::for_test("a"), b = KeyPair::for_test("b");
  const Signature sig = sign(SigContext::kTx, a.secret_key, as_view("m"));
  EXPECT_TRUE(verify(SigContext::kTx, a.public_key, as_view("m"), sig));
  EXPECT_FALSE(verify(SigContext::kTx, b.public_key, as_view("m"), sig));
  EXPECT_FALSE(verify(SigContext::kTx, a.public_key, as_view("n"), sig));
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ipl-keyfile-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string dir_;
};

TEST_F(KeyFileTest, SaveLoadRoundTripWithMode0600) {
  const KeyPair kp = KeyPair::generate();
  const std::string path = dir_ + "/node.key";
  ASSERT_TRUE(save_secret_key(path, kp).is_ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = load_secret_key(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->public_key, kp.public_key);
  ASSERT_TRUE(save_public_key(path + ".pub", kp.public_key).is_ok());
  EXPECT_EQ(*load_public_key(path + ".pub"), kp.public_key);
}

TEST_F(KeyFileTest, RefusesWorldOrGroupReadableSecretKey) {
  const std::string path = dir_ + "/node.key";
  ASSERT_TRUE(save_secret_key(path, KeyPair::generate()).is_ok());
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  auto loaded = load_secret_key(path);
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_EQ(loaded.status().code(), Code::kPermissionDenied);
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  EXPECT_EQ(load_secret_key(path).status().code(), Code::kPermissionDenied);
}

TEST_F(KeyFileTest, RejectsMalformedAndMissingFiles) {
  const std::string path = dir_ + "/bad.key";
  {
    std::ofstream f(path);
    f << "ipledger-ed25519-secret-v1\nnothex\n";
  }
  chmod(path.c_str(), 0600);
  EXPECT_EQ(load_secret_key(path).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(load_secret_key(dir_ + "/missing.key").status().code(), Code::kIoError);
  EXPECT_FALSE(public_key_from_hex("12").is_ok());
}

}  // namespace
}  // namespace ipl
