#include "common/crypto.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/hash.h"
#include "common/limits.h"

namespace ipl {

namespace {

void ensure_sodium() {
  static const int rc = sodium_init();
  IPL_ASSERT(rc >= 0);
}

constexpr std::string_view kSecretHeader = "ipledger-ed25519-secret-v1\n";

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

Result<std::string> read_small_file(const std::string& path, struct stat* st_out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::io_error(errno_text("cannot open", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::io_error(errno_text("cannot stat", path));
  }
  if (st.st_size < 0 || static_cast<size_t>(st.st_size) > limits::key_file_bytes_max) {
    ::close(fd);
    return Status::limit("key file too large: " + path);
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::io_error(errno_text("cannot read", path));
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (st_out != nullptr) *st_out = st;
  return out;
}

Status write_new_file(const std::string& path, std::string_view content, mode_t mode) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::io_error(errno_text("cannot create", tmp));
  // The umask may have cleared bits; set the exact mode.
  if (::fchmod(fd, mode) != 0) {
    ::close(fd);
    return Status::io_error(errno_text("cannot chmod", tmp));
  }
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::io_error(errno_text("cannot write", tmp));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Status::io_error(errno_text("cannot sync", tmp));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::io_error(errno_text("cannot rename to", path));
  return Status::ok();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

}  // namespace

std::string_view context_tag(SigContext ctx) {
  switch (ctx) {
    case SigContext::kTx: return "IPL/tx/v1";
    case SigContext::kVote: return "IPL/vote/v1";
    case SigContext::kTimeout: return "IPL/timeout/v1";
    case SigContext::kLedgerInfo: return "IPL/ledgerinfo/v1";
    case SigContext::kApi: return "IPL/api/v1";
    case SigContext::kP2p: return "IPL/p2p/v1";
  }
  IPL_ASSERT(false);
  return "";
}

SecretKey::~SecretKey() { sodium_memzero(sk_.data(), sk_.size()); }

KeyPair KeyPair::generate() {
  ensure_sodium();
  std::array<uint8_t, 32> seed;
  randombytes_buf(seed.data(), seed.size());
  KeyPair kp = from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return kp;
}

KeyPair KeyPair::from_seed(const std::array<uint8_t, 32>& seed) {
  ensure_sodium();
  KeyPair kp;
  const int rc = crypto_sign_seed_keypair(kp.public_key.bytes.data(), kp.secret_key.sk_.data(), seed.data());
  IPL_ASSERT(rc == 0);
  return kp;
}

KeyPair KeyPair::for_test(std::string_view label) {
  return from_seed(sha256({as_view("IPL/testkey/v1"), as_view(label)}));
}

Bytes signing_message(SigContext ctx, ByteView msg) {
  const std::string_view tag = context_tag(ctx);
  static_assert(limits::sig_context_bytes_max < 256);
  IPL_ASSERT(tag.size() <= limits::sig_context_bytes_max);
  Bytes out;
  out.reserve(1 + tag.size() + msg.size());
  out.push_back(static_cast<uint8_t>(tag.size()));
  out.insert(out.end(), tag.begin(), tag.end());
  out.insert(out.end(), msg.begin(), msg.end());
  return out;
}

Signature sign_raw(const SecretKey& sk, ByteView msg) {
  ensure_sodium();
  Signature sig;
  const int rc = crypto_sign_detached(sig.bytes.data(), nullptr, msg.data(), msg.size(), sk.raw().data());
  IPL_ASSERT(rc == 0);
  return sig;
}

bool verify_raw(const PublicKey& pk, ByteView msg, const Signature& sig) {
  ensure_sodium();
  return crypto_sign_verify_detached(sig.bytes.data(), msg.data(), msg.size(), pk.bytes.data()) == 0;
}

Signature sign(SigContext ctx, const SecretKey& sk, ByteView msg) {
  return sign_raw(sk, signing_message(ctx, msg));
}

bool verify(SigContext ctx, const PublicKey& pk, ByteView msg, const Signature& sig) {
  return verify_raw(pk, signing_message(ctx, msg), sig);
}

Status save_secret_key(const std::string& path, const KeyPair& kp) {
  std::string content(kSecretHeader);
  content += to_hex(kp.secret_key.seed());
  content += '\n';
  Status st = write_new_file(path, content, 0600);
  sodium_memzero(content.data(), content.size());
  return st;
}

Result<KeyPair> load_secret_key(const std::string& path) {
  struct stat st {};
  IPL_ASSIGN_OR_RETURN(std::string content, read_small_file(path, &st));
  if ((st.st_mode & 077) != 0) {
    sodium_memzero(content.data(), content.size());
    return Status::permission("secret key file " + path +
                              " is readable by group or others; run: chmod 600 " + path);
  }
  std::string_view view(content);
  if (!view.starts_with(kSecretHeader)) return Status::invalid("not an ipledger secret key file: " + path);
  view.remove_prefix(kSecretHeader.size());
  auto seed_bytes = hash_from_hex(trim(view));
  sodium_memzero(content.data(), content.size());
  if (!seed_bytes.is_ok()) return Status::invalid("malformed secret key in " + path);
  KeyPair kp = KeyPair::from_seed(*seed_bytes);
  sodium_memzero(seed_bytes->data(), seed_bytes->size());
  return kp;
}

Status save_public_key(const std::string& path, const PublicKey& pk) {
  return write_new_file(path, pk.hex() + "\n", 0644);
}

Result<PublicKey> public_key_from_hex(std::string_view hex) {
  auto raw = hash_from_hex(trim(hex));
  if (!raw.is_ok()) return Status::invalid("public key must be 64 hex characters");
  PublicKey pk;
  std::copy(raw->begin(), raw->end(), pk.bytes.begin());
  return pk;
}

Result<PublicKey> load_public_key(const std::string& path) {
  IPL_ASSIGN_OR_RETURN(std::string content, read_small_file(path, nullptr));
  return public_key_from_hex(content);
}

}  // namespace ipl
