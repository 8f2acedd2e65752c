// A misbehaving P2P peer for the e2e "Bad peers" test (issue 5, "Must
// show"; tests/e2e/test_bad_peers.py). It connects to a running
// `ipledger node`, does one kind of harm, watches what the node does and
// says so: whether the node closed the connection, after how many bytes
// of its own, what those bytes were (its hello, its handshake signature,
// frames), and how long it took.
//
//   p2p_probe MODE --connect HOST:PORT --genesis-hash HEX
//             [--key TRANSPORT_KEY_FILE] [--peer-key HEX]
//             [--protocol-version N] [--deadline-s S]
//
// Modes (docs/protocol.md section 14; the refusal each must meet):
//   random       4 KiB of random bytes right after connect (the first byte
//                is 0x00, so they never start with the magic): the node
//                sends its hello and closes, unauthenticated.
//   unknown-key  a complete, valid handshake (right genesis and version,
//                our signature sent) with a freshly generated transport
//                key: the node sends its hello and closes without its
//                signature (not a member).
//   replay       (--key: a member's transport key) a genuine handshake as
//                that member on connection A, whose initiator bytes
//                (hello ‖ signature) are recorded; while A lives, the same
//                bytes on a new connection B: the node sends a fresh hello
//                and its signature, then closes (our replayed signature
//                covers A's transcript, not B's: P1).
//   flip-bit     (--key) a genuine session as the member, one valid empty
//                frame (the control: it authenticates, the node drops it
//                as an undecodable message), then a frame with one bit of
//                its ciphertext flipped: the node closes (P3).
//   huge-length  (--key) a genuine session, the control frame, then a
//                frame header announcing 0xFFFFFFFF bytes (4 GiB - 1) and
//                nothing more: the node closes at once rather than wait
//                for, or allocate, 4 GiB (N2).
// The member key must be one the node lists as a peer and that no running
// node uses (the testnet's spare), so the probe is not a second copy of a
// live peer. A member key the node has backed off after an earlier
// violation is refused before the signature exchange; the member modes
// then retry (every 250 ms, until the deadline) so that the refusal they
// judge is the one they provoked.
//
// Exit: 0 the node refused as expected; 1 it did not (accepted the
// peer, kept the connection open past the deadline, or refused at the
// wrong step); 2 usage or setup error (no connection, bad key file, the
// node's hello names another genesis).
//
// The crypto is node/net/handshake.h's, so the probe speaks exactly the
// node's protocol apart from the one fault it injects.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include "common/assert.h"
#include "common/bytes.h"
#include "common/crypto.h"
#include "common/limits.h"
#include "common/status.h"
#include "node/net/handshake.h"

using namespace ipl;
using namespace ipl::net;

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kRandomBytes = 4096;
constexpr auto kRetryPause = std::chrono::milliseconds(250);

enum Exit : int { kRefused = 0, kNotRefused = 1, kSetupError = 2 };

struct Options {
  std::string mode;
  std::string host;
  std::string port;
  Hash32 genesis_hash{};
  std::string key_file;
  std::optional<PublicKey> peer_key;
  uint32_t protocol_version = 1;
  double deadline_s = 20.0;
};

std::string g_mode = "?";

void say(const std::string& line) {
  std::printf("p2p_probe %s: %s\n", g_mode.c_str(), line.c_str());
  std::fflush(stdout);
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string fmt_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  return buf;
}

// A blocking TCP client socket whose reads wait at most until a deadline.
class Socket {
 public:
  Socket() = default;
  ~Socket() { close(); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  Status connect(const std::string& host, const std::string& port) {
    IPL_ASSERT(fd_ < 0);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) return Status::io_error("cannot resolve " + host + ":" + port + ": " + gai_strerror(rc));
    std::string error = "no address";
    for (addrinfo* ai = res; ai != nullptr && fd_ < 0; ai = ai->ai_next) {
      const int fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        // Each write goes out at once (as the node's own sockets do), so
        // the times reported are the node's, not Nagle's.
        const int one = 1;
        (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fd_ = fd;
      } else {
        error = std::strerror(errno);
        ::close(fd);
      }
    }
    ::freeaddrinfo(res);
    if (fd_ < 0) return Status::io_error("cannot connect to " + host + ":" + port + ": " + error);
    return Status::ok();
  }

  // Writes all of `data`; a failure means the node closed or reset.
  Status send_all(ByteView data) {
    IPL_ASSERT(fd_ >= 0);
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::io_error(std::string("send: ") + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    IPL_ASSERT(done == data.size());
    return Status::ok();
  }

  // What one read ended with.
  enum class ReadEnd { kData, kEof, kReset, kTimeout };

  // Reads what is available (up to `max`), waiting until `deadline`.
  ReadEnd read_some(Bytes& out, size_t max, Clock::time_point deadline, std::string* error) {
    IPL_ASSERT(fd_ >= 0);
    IPL_ASSERT(max > 0);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return ReadEnd::kTimeout;
      pollfd p{fd_, POLLIN, 0};
      const int pr = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
      if (pr < 0 && errno != EINTR) {
        *error = std::string("poll: ") + std::strerror(errno);
        return ReadEnd::kReset;
      }
      if (pr <= 0) continue;
      const size_t at = out.size();
      out.resize(at + max);
      const ssize_t n = ::recv(fd_, out.data() + at, max, 0);
      if (n > 0) {
        out.resize(at + static_cast<size_t>(n));
        return ReadEnd::kData;
      }
      out.resize(at);
      if (n == 0) return ReadEnd::kEof;
      if (errno == EINTR || errno == EAGAIN) continue;
      *error = std::strerror(errno);
      return ReadEnd::kReset;
    }
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// How the node ended (or did not end) a connection.
struct Observation {
  bool is_closed = false;
  std::string how = "still open at the deadline";
  size_t bytes = 0;           // bytes the node sent while we watched
  uint64_t frames_ok = 0;     // frames that opened under the session key
  uint64_t frames_bad = 0;    // frames that did not (must stay 0)
  double ms = 0;              // from the start of watching to the close
};

std::string describe(const Observation& o) {
  std::string s = o.is_closed ? "the node closed the connection (" + o.how + ") after " + fmt_ms(o.ms)
                              : "the node left the connection open: " + o.how + " (" + fmt_ms(o.ms) + ")";
  s += "; it sent " + std::to_string(o.bytes) + " byte(s) on it";
  if (o.frames_ok + o.frames_bad > 0) {
    s += ", " + std::to_string(o.frames_ok) + " frame(s) that decrypted";
    if (o.frames_bad > 0) s += " and " + std::to_string(o.frames_bad) + " that did not";
  }
  return s;
}

// Reads until the node closes the connection or the deadline passes.
// With an opener (an established session), complete frames are
// decrypted and counted; otherwise bytes are only counted. Stops
// decrypting at the first frame that fails.
Observation watch_until_closed(Socket& s, Clock::time_point deadline, FrameOpener* opener) {
  Observation o;
  const auto t0 = Clock::now();
  Bytes buf;
  size_t begin = 0;
  bool is_decrypting = opener != nullptr;
  for (;;) {
    std::string error;
    const size_t before = buf.size();
    const Socket::ReadEnd end = s.read_some(buf, 64 << 10, deadline, &error);
    o.bytes += buf.size() - before;
    if (end == Socket::ReadEnd::kEof || end == Socket::ReadEnd::kReset) {
      o.is_closed = true;
      o.how = end == Socket::ReadEnd::kEof ? "EOF" : "reset: " + error;
      break;
    }
    if (end == Socket::ReadEnd::kTimeout) break;
    while (is_decrypting && buf.size() - begin >= kFrameHeaderBytes) {
      const ByteView header(buf.data() + begin, kFrameHeaderBytes);
      auto len = FrameOpener::check_length(header, limits::p2p_frame_bytes_max);
      if (!len.is_ok()) {
        ++o.frames_bad;
        is_decrypting = false;
        break;
      }
      if (buf.size() - begin < kFrameHeaderBytes + len.value()) break;
      auto plain = opener->open(header, ByteView(buf.data() + begin + kFrameHeaderBytes, len.value()));
      if (plain.is_ok()) {
        ++o.frames_ok;
      } else {
        ++o.frames_bad;
        is_decrypting = false;
      }
      begin += kFrameHeaderBytes + len.value();
    }
    if (!is_decrypting || begin == buf.size()) {
      buf.clear();
      begin = 0;
    } else if (begin > (1u << 20)) {
      buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(begin));
      begin = 0;
    }
  }
  o.ms = ms_since(t0);
  return o;
}

// Reads exactly `n` bytes into `out` (appending); false when the node
// closed first or the deadline passed (`o` says which and what came).
bool read_exact(Socket& s, size_t n, Clock::time_point deadline, Bytes& out, Observation& o) {
  const auto t0 = Clock::now();
  const size_t target = out.size() + n;
  while (out.size() < target) {
    std::string error;
    const size_t before = out.size();
    const Socket::ReadEnd end = s.read_some(out, target - out.size(), deadline, &error);
    o.bytes += out.size() - before;
    if (end == Socket::ReadEnd::kData) continue;
    o.ms = ms_since(t0);
    if (end == Socket::ReadEnd::kTimeout) return false;
    o.is_closed = true;
    o.how = end == Socket::ReadEnd::kEof ? "EOF" : "reset: " + error;
    return false;
  }
  IPL_ASSERT(out.size() == target);
  return true;
}

std::string hello_summary(ByteView bytes) {
  auto h = decode_hello(bytes);
  if (!h.is_ok()) return "not a hello (" + h.status().message() + ")";
  return "hello of key " + h.value().static_key.hex().substr(0, 12) + ", ephemeral " +
         to_hex(h.value().ephemeral_key).substr(0, 12) + ", nonce " + to_hex(h.value().nonce).substr(0, 12);
}

// One initiator handshake attempt on a connected socket.
struct HandshakeAttempt {
  enum class End {
    kEstablished,        // both signatures verified; keys derived
    kClosedBeforeHello,  // the node closed before its whole hello
    kRefusedAfterHello,  // the node sent its hello, then closed without its signature
    kNodeHelloRejected,  // the node's hello does not fit our genesis/version/peer key (setup error)
    kNodeAuthRejected,   // the node's signature does not verify (a node bug)
    kTimeout,
  };
  End end = End::kTimeout;
  Observation seen;             // how the node ended it, when it did
  Bytes node_hello;
  std::string detail;
  Bytes initiator_bytes;        // our hello ‖ our signature, as sent
  std::optional<SessionKeys> keys;
};

HandshakeAttempt run_handshake(Socket& s, const Options& opt, const KeyPair& key, Clock::time_point deadline) {
  HandshakeAttempt a;
  HandshakeParams params;
  params.protocol_version = opt.protocol_version;
  params.genesis_hash = opt.genesis_hash;
  params.key = &key;
  params.expected_key = opt.peer_key;
  Handshake hs(Role::kInitiator, std::move(params));
  a.initiator_bytes = hs.our_hello();
  // Both sides write their hello first; a refusal shows up on the read.
  (void)s.send_all(hs.our_hello());
  if (!read_exact(s, kHelloBytes, deadline, a.node_hello, a.seen)) {
    a.end = a.seen.is_closed ? HandshakeAttempt::End::kClosedBeforeHello : HandshakeAttempt::End::kTimeout;
    return a;
  }
  Status st = hs.on_peer_hello(a.node_hello);
  if (!st.is_ok()) {
    a.end = HandshakeAttempt::End::kNodeHelloRejected;
    a.detail = st.to_string();
    return a;
  }
  const Bytes auth = hs.our_auth();
  a.initiator_bytes.insert(a.initiator_bytes.end(), auth.begin(), auth.end());
  (void)s.send_all(auth);  // the node may have closed already: judged by the read
  Bytes node_auth;
  Observation after_hello;
  if (!read_exact(s, kAuthBytes, deadline, node_auth, after_hello)) {
    a.seen = after_hello;
    a.end = !after_hello.is_closed            ? HandshakeAttempt::End::kTimeout
            : after_hello.bytes == 0          ? HandshakeAttempt::End::kRefusedAfterHello
                                              : HandshakeAttempt::End::kClosedBeforeHello;
    a.detail = std::to_string(after_hello.bytes) + " byte(s) of its signature";
    return a;
  }
  auto keys = hs.on_peer_auth(node_auth);
  if (!keys.is_ok()) {
    a.end = HandshakeAttempt::End::kNodeAuthRejected;
    a.detail = keys.status().to_string();
    return a;
  }
  a.keys = keys.value();
  a.end = HandshakeAttempt::End::kEstablished;
  return a;
}

// A session as a member: retries while the node refuses us after its
// hello (our key backed off after an earlier violation), until the deadline.
struct Session {
  Socket socket;
  HandshakeAttempt attempt;
};

// Returns nullopt once established, else how the probe must exit.
std::optional<Exit> open_member_session(const Options& opt, const KeyPair& key, Clock::time_point deadline,
                                        Session& out) {
  for (int n = 1;; ++n) {
    out.socket.close();
    Status st = out.socket.connect(opt.host, opt.port);
    if (!st.is_ok()) {
      say("setup: " + st.message());
      return kSetupError;
    }
    out.attempt = run_handshake(out.socket, opt, key, deadline);
    using End = HandshakeAttempt::End;
    switch (out.attempt.end) {
      case End::kEstablished:
        say("session " + std::to_string(n) + ": handshake as member " + key.public_key.hex().substr(0, 12) +
            " completed; node " + hello_summary(out.attempt.node_hello));
        return std::nullopt;
      case End::kRefusedAfterHello:
        say("attempt " + std::to_string(n) + ": the node sent its hello, then closed without its signature "
            "(our key is backed off from an earlier violation, or not a member); retrying");
        break;
      case End::kNodeHelloRejected:
        say("setup: the node's hello does not fit our parameters: " + out.attempt.detail);
        return kSetupError;
      case End::kNodeAuthRejected:
        say("the node's handshake signature does not verify: " + out.attempt.detail);
        return kNotRefused;
      case End::kClosedBeforeHello:
        say("attempt " + std::to_string(n) + ": " + describe(out.attempt.seen) + "; retrying");
        break;
      case End::kTimeout:
        say("setup: no handshake with the node before the deadline");
        return kSetupError;
    }
    if (Clock::now() + kRetryPause >= deadline) {
      say("setup: the node kept refusing the member key until the deadline");
      return kSetupError;
    }
    std::this_thread::sleep_for(kRetryPause);
  }
}

Result<KeyPair> member_key(const Options& opt) {
  if (opt.key_file.empty()) return Status::invalid("mode " + opt.mode + " needs --key (a member's transport key file)");
  return load_secret_key(opt.key_file);
}

// --- the modes ---------------------------------------------------------------

Exit probe_random(const Options& opt, Clock::time_point deadline) {
  Socket s;
  Status st = s.connect(opt.host, opt.port);
  if (!st.is_ok()) {
    say("setup: " + st.message());
    return kSetupError;
  }
  Bytes garbage(kRandomBytes);
  std::random_device rd;
  std::mt19937_64 rng((uint64_t{rd()} << 32) ^ rd());
  for (uint8_t& b : garbage) b = static_cast<uint8_t>(rng());
  garbage[0] = 0x00;  // never the magic's first byte 'I'
  const Status sent = s.send_all(garbage);
  say(sent.is_ok() ? "sent " + std::to_string(garbage.size()) + " random bytes"
                   : "sending the random bytes stopped: " + sent.message());
  Bytes first;
  Observation o;
  const bool has_hello = read_exact(s, kHelloBytes, deadline, first, o);
  if (has_hello) {
    say("the node sent " + hello_summary(first));
    o = watch_until_closed(s, deadline, nullptr);
    o.bytes += kHelloBytes;
  }
  say(describe(o));
  if (!o.is_closed) {
    say("NOT REFUSED: the node kept a connection that sent garbage");
    return kNotRefused;
  }
  if (o.bytes > kHelloBytes) {
    say("NOT REFUSED as expected: the node sent more than its hello to an unauthenticated peer");
    return kNotRefused;
  }
  say("REFUSED as expected");
  return kRefused;
}

Exit probe_unknown_key(const Options& opt, Clock::time_point deadline) {
  const KeyPair stranger = KeyPair::generate();
  say("fresh transport key " + stranger.public_key.hex().substr(0, 12) + " (no node lists it)");
  Socket s;
  Status st = s.connect(opt.host, opt.port);
  if (!st.is_ok()) {
    say("setup: " + st.message());
    return kSetupError;
  }
  HandshakeAttempt a = run_handshake(s, opt, stranger, deadline);
  using End = HandshakeAttempt::End;
  switch (a.end) {
    case End::kRefusedAfterHello:
      say("we sent our hello and signature; the node sent " + hello_summary(a.node_hello) +
          ", then no signature: " + describe(a.seen));
      say("REFUSED as expected");
      return kRefused;
    case End::kEstablished: {
      const Observation o = watch_until_closed(s, std::min(deadline, Clock::now() + std::chrono::seconds(3)),
                                               nullptr);
      say("NOT REFUSED: the node completed the handshake with an unknown key (its signature verified); " +
          describe(o));
      return kNotRefused;
    }
    case End::kNodeHelloRejected:
      say("setup: the node's hello does not fit our parameters: " + a.detail);
      return kSetupError;
    case End::kTimeout:
      say("NOT REFUSED: " + describe(a.seen) + " (handshake neither finished nor refused)");
      return kNotRefused;
    case End::kClosedBeforeHello:
    case End::kNodeAuthRejected:
      break;
  }
  say("NOT REFUSED as expected: the node ended the handshake at another step: " + describe(a.seen) + " " +
      a.detail);
  return kNotRefused;
}

Exit probe_replay(const Options& opt, Clock::time_point deadline) {
  auto key = member_key(opt);
  if (!key.is_ok()) {
    say("setup: " + key.status().to_string());
    return kSetupError;
  }
  Session genuine;
  if (auto failed = open_member_session(opt, key.value(), deadline, genuine)) return *failed;
  const Bytes recorded = genuine.attempt.initiator_bytes;
  IPL_ASSERT(recorded.size() == kHelloBytes + kAuthBytes);
  say("recorded the genuine initiator bytes (" + std::to_string(recorded.size()) +
      " = hello + signature); connection A stays open");
  for (int n = 1;; ++n) {
    Socket replay;
    Status st = replay.connect(opt.host, opt.port);
    if (!st.is_ok()) {
      say("setup: " + st.message());
      return kSetupError;
    }
    (void)replay.send_all(recorded);
    Bytes node_bytes;
    Observation o;
    if (read_exact(replay, kHelloBytes, deadline, node_bytes, o)) {
      const ByteView fresh(node_bytes.data(), kHelloBytes);
      const bool is_fresh = !equal_bytes(fresh, genuine.attempt.node_hello);
      say("replay " + std::to_string(n) + ": the node sent " + hello_summary(fresh) +
          (is_fresh ? " (fresh: not connection A's)" : " (THE SAME as on connection A)"));
      o = watch_until_closed(replay, deadline, nullptr);
      o.bytes += kHelloBytes;
    }
    const size_t total = o.bytes;
    say("replay " + std::to_string(n) + ": " + describe(o));
    if (!o.is_closed) {
      say("NOT REFUSED: the node kept the replayed connection open");
      return kNotRefused;
    }
    if (total == kHelloBytes + kAuthBytes) {
      say("the node sent its hello and signature, judged ours and closed: REFUSED as expected "
          "(at the signature check)");
      return kRefused;
    }
    if (total > kHelloBytes + kAuthBytes) {
      say("NOT REFUSED: the node sent frames after a replayed handshake");
      return kNotRefused;
    }
    if (total != kHelloBytes) {
      say("NOT REFUSED as expected: the node closed mid-handshake, not at the signature check");
      return kNotRefused;
    }
    // Refused after the hello: the key is backed off; the refusal we want
    // is the signature check, so try again.
    say("replay " + std::to_string(n) + ": refused before the signature check (key backed off?); retrying");
    if (Clock::now() + kRetryPause >= deadline) {
      say("setup: the node kept refusing the member key before the signature check until the deadline");
      return kSetupError;
    }
    std::this_thread::sleep_for(kRetryPause);
  }
}

// flip-bit and huge-length: a genuine session, a valid empty control
// frame, then `tail` (the fault).
Exit probe_in_session(const Options& opt, Clock::time_point deadline, bool is_flip) {
  auto key = member_key(opt);
  if (!key.is_ok()) {
    say("setup: " + key.status().to_string());
    return kSetupError;
  }
  Session session;
  if (auto failed = open_member_session(opt, key.value(), deadline, session)) return *failed;
  IPL_ASSERT(session.attempt.keys.has_value());
  FrameSealer sealer(session.attempt.keys->send);
  FrameOpener opener(session.attempt.keys->receive);
  Bytes out;
  sealer.seal(ByteView(), out);  // frame 0: valid, empty (the node drops it as undecodable)
  const size_t control_bytes = out.size();
  if (is_flip) {
    Bytes payload(64, 0x5A);
    sealer.seal(payload, out);  // frame 1
    const size_t ct = control_bytes + kFrameHeaderBytes;
    const size_t at = ct + 7;   // a byte inside the ciphertext, past the length prefix
    IPL_ASSERT(at < out.size());
    out[at] ^= 0x10;
    say("sending frame 0 (valid, empty) and frame 1 (" + std::to_string(out.size() - control_bytes) +
        " bytes) with bit 4 of ciphertext byte 7 flipped");
  } else {
    for (int i = 0; i < 4; ++i) out.push_back(0xFF);
    say("sending frame 0 (valid, empty) and a frame header announcing 4294967295 bytes, then nothing");
  }
  const Status sent = session.socket.send_all(out);
  if (!sent.is_ok()) say("sending stopped: " + sent.message());
  const Observation o = watch_until_closed(session.socket, deadline, &opener);
  say(describe(o));
  if (o.frames_bad > 0) {
    say("NOT REFUSED as expected: a frame from the node failed to decrypt under the session key");
    return kNotRefused;
  }
  if (!o.is_closed) {
    say(is_flip ? "NOT REFUSED: the node kept the session after a tampered frame"
                : "NOT REFUSED: the node kept the session after a 4 GiB length prefix (waiting for the bytes?)");
    return kNotRefused;
  }
  say("REFUSED as expected");
  return kRefused;
}

void usage() {
  std::fprintf(stderr,
               "usage: p2p_probe random|unknown-key|replay|flip-bit|huge-length --connect HOST:PORT "
               "--genesis-hash HEX [--key TRANSPORT_KEY_FILE] [--peer-key HEX] [--protocol-version N] "
               "[--deadline-s S]\n");
}

std::optional<Options> parse(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  Options o;
  o.mode = argv[1];
  std::string connect;
  bool has_genesis = false;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "p2p_probe: %s needs a value\n", arg.c_str());
      return std::nullopt;
    }
    const std::string value = argv[++i];
    if (arg == "--connect") {
      connect = value;
    } else if (arg == "--genesis-hash") {
      auto h = hash_from_hex(value);
      if (!h.is_ok()) {
        std::fprintf(stderr, "p2p_probe: --genesis-hash: %s\n", h.status().to_string().c_str());
        return std::nullopt;
      }
      o.genesis_hash = h.value();
      has_genesis = true;
    } else if (arg == "--key") {
      o.key_file = value;
    } else if (arg == "--peer-key") {
      auto k = public_key_from_hex(value);
      if (!k.is_ok()) {
        std::fprintf(stderr, "p2p_probe: --peer-key: %s\n", k.status().to_string().c_str());
        return std::nullopt;
      }
      o.peer_key = k.value();
    } else if (arg == "--protocol-version") {
      o.protocol_version = static_cast<uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
    } else if (arg == "--deadline-s") {
      o.deadline_s = std::strtod(value.c_str(), nullptr);
      if (!(o.deadline_s > 0 && o.deadline_s <= 3600)) {
        std::fprintf(stderr, "p2p_probe: --deadline-s must be in (0, 3600]\n");
        return std::nullopt;
      }
    } else {
      std::fprintf(stderr, "p2p_probe: unknown option %s\n", arg.c_str());
      return std::nullopt;
    }
  }
  const size_t colon = connect.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == connect.size()) {
    std::fprintf(stderr, "p2p_probe: --connect HOST:PORT is required\n");
    return std::nullopt;
  }
  o.host = connect.substr(0, colon);
  o.port = connect.substr(colon + 1);
  if (!has_genesis) {
    std::fprintf(stderr, "p2p_probe: --genesis-hash is required\n");
    return std::nullopt;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Options> opt = parse(argc, argv);
  if (!opt) {
    usage();
    return kSetupError;
  }
  g_mode = opt->mode;
  const auto t0 = Clock::now();
  const auto deadline =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt->deadline_s));
  say("probing " + opt->host + ":" + opt->port);
  Exit result = kSetupError;
  if (opt->mode == "random") {
    result = probe_random(*opt, deadline);
  } else if (opt->mode == "unknown-key") {
    result = probe_unknown_key(*opt, deadline);
  } else if (opt->mode == "replay") {
    result = probe_replay(*opt, deadline);
  } else if (opt->mode == "flip-bit") {
    result = probe_in_session(*opt, deadline, true);
  } else if (opt->mode == "huge-length") {
    result = probe_in_session(*opt, deadline, false);
  } else {
    usage();
    return kSetupError;
  }
  say("exit " + std::to_string(result) + " after " + fmt_ms(ms_since(t0)));
  return result;
}
