// Helpers for the transport tests: a node wrapper that records what it
// receives, a log sink that records lines, a raw socket client and a byte
// proxy that records and can corrupt one direction of a real connection.
// Waits are bounded polls with generous deadlines, never fixed sleeps.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "node/net/transport.h"

namespace ipl::net::testing {

// Polls `pred` every 5 ms until it holds or `seconds` pass.
inline bool wait_until(const std::function<bool()>& pred, double seconds = 30.0) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  bool has_line(const std::vector<std::string>& parts) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const std::string& line : lines_) {
      bool all = true;
      for (const std::string& p : parts) all = all && line.find(p) != std::string::npos;
      if (all) return true;
    }
    return false;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.clear();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (lines_.size() < 100'000) lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// Installed once, before any transport thread exists.
inline CaptureSink& log_capture() {
  static std::shared_ptr<CaptureSink> sink = [] {
    auto s = std::make_shared<CaptureSink>();
    spdlog::default_logger()->sinks().push_back(s);
    return s;
  }();
  return *sink;
}

inline Hash32 test_genesis(uint8_t fill = 0x42) {
  Hash32 h;
  h.fill(fill);
  return h;
}

// The membership set shared by a test's transports.
struct Members {
  std::mutex mu;
  std::set<PublicKey> keys;
  void add(const PublicKey& k) {
    std::lock_guard<std::mutex> lock(mu);
    keys.insert(k);
  }
  MembershipFn fn() {
    return [this](const PublicKey& k) {
      std::lock_guard<std::mutex> lock(mu);
      return keys.count(k) != 0;
    };
  }
};

// A transport plus what it received, per peer, in order.
class TestNode {
 public:
  TestNode(std::string name, KeyPair key) : name_(std::move(name)), key_(std::move(key)) {}

  void start(Members& members, std::vector<PeerAddress> peers, TransportLimits limits = {},
             Hash32 genesis = test_genesis(), uint16_t port = 0) {
    TransportConfig c;
    c.listen_port = port;
    c.genesis_hash = genesis;
    c.key = key_;
    c.peers = std::move(peers);
    c.limits = limits;
    c.log_name = name_;
    TransportCallbacks cb;
    cb.on_message = [this](const PublicKey& peer, Bytes m) {
      std::lock_guard<std::mutex> lock(mu_);
      received_[peer].push_back(std::move(m));
    };
    cb.on_peer_up = [this](const PublicKey& peer) {
      std::lock_guard<std::mutex> lock(mu_);
      up_.insert(peer);
      ++ups_;
    };
    cb.on_peer_down = [this](const PublicKey& peer, const std::string&) {
      std::lock_guard<std::mutex> lock(mu_);
      up_.erase(peer);
      ++downs_;
    };
    auto t = Transport::start(std::move(c), std::move(cb), members.fn());
    ASSERT_TRUE(t.is_ok()) << t.status().to_string();
    transport_ = std::move(t).value();
  }

  void stop() {
    if (transport_) transport_->stop();
    transport_.reset();
  }

  Transport& t() { return *transport_; }
  const PublicKey& key() const { return key_.public_key; }
  PeerAddress address() const { return PeerAddress{"127.0.0.1", transport_->port(), key_.public_key}; }

  bool is_up(const PublicKey& peer) {
    std::lock_guard<std::mutex> lock(mu_);
    return up_.count(peer) != 0;
  }
  size_t up_count() {
    std::lock_guard<std::mutex> lock(mu_);
    return up_.size();
  }
  size_t received_count(const PublicKey& peer) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = received_.find(peer);
    return it == received_.end() ? 0 : it->second.size();
  }
  std::vector<Bytes> received(const PublicKey& peer) {
    std::lock_guard<std::mutex> lock(mu_);
    return received_[peer];
  }
  bool has_received(const PublicKey& peer, const Bytes& m) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Bytes& b : received_[peer]) {
      if (b == m) return true;
    }
    return false;
  }
  uint64_t ups() {
    std::lock_guard<std::mutex> lock(mu_);
    return ups_;
  }

 private:
  std::string name_;
  KeyPair key_;
  std::unique_ptr<Transport> transport_;
  std::mutex mu_;
  std::map<PublicKey, std::vector<Bytes>> received_;
  std::set<PublicKey> up_;
  uint64_t ups_ = 0;
  uint64_t downs_ = 0;
};

inline int connect_loopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool send_all(int fd, const uint8_t* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// A client speaking raw bytes.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : fd_(connect_loopback(port)) {}
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool is_connected() const { return fd_ >= 0; }
  bool send(const Bytes& b) { return send_all(fd_, b.data(), b.size()); }
  // True once the server closed (EOF or reset); reads and discards data.
  bool wait_closed(double seconds = 30.0) {
    return wait_until(
        [&] {
          pollfd p{fd_, POLLIN, 0};
          if (::poll(&p, 1, 0) <= 0) return false;
          uint8_t buf[4096];
          const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
          return n <= 0;
        },
        seconds);
  }

 private:
  int fd_;
};

// Forwards connections from its port to `target_port`. Client-to-server
// bytes of the FIRST connection are recorded and passed through `mutate`
// (chunk, stream offset of the chunk's first byte); later connections pass
// unchanged.
class Proxy {
 public:
  using Mutate = std::function<void(Bytes& chunk, size_t offset)>;

  Proxy(uint16_t target_port, Mutate mutate) : target_port_(target_port), mutate_(std::move(mutate)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~Proxy() {
    stopping_ = true;
    accept_thread_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : pumps_) t.join();
    for (int fd : fds_) ::close(fd);
    ::close(listen_fd_);
  }

  uint16_t port() const { return port_; }
  Bytes recorded() {
    std::lock_guard<std::mutex> lock(mu_);
    return recorded_;
  }

 private:
  void accept_loop() {
    int index = 0;
    while (!stopping_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) continue;
      const int server = connect_loopback(target_port_);
      std::lock_guard<std::mutex> lock(mu_);
      fds_.push_back(client);
      if (server < 0) {
        ::shutdown(client, SHUT_RDWR);
        continue;
      }
      fds_.push_back(server);
      const bool is_first = index++ == 0;
      pumps_.emplace_back([this, client, server, is_first] { pump(client, server, is_first); });
      pumps_.emplace_back([this, client, server] { pump(server, client, false); });
    }
  }

  void pump(int from, int to, bool is_watched) {
    size_t offset = 0;
    uint8_t buf[65536];
    for (;;) {
      const ssize_t n = ::recv(from, buf, sizeof(buf), 0);
      if (n <= 0) break;
      Bytes chunk(buf, buf + n);
      if (is_watched) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          recorded_.insert(recorded_.end(), chunk.begin(), chunk.end());
        }
        if (mutate_) mutate_(chunk, offset);
      }
      offset += chunk.size();
      if (!send_all(to, chunk.data(), chunk.size())) break;
    }
    ::shutdown(from, SHUT_RDWR);
    ::shutdown(to, SHUT_RDWR);
  }

  uint16_t target_port_;
  Mutate mutate_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> pumps_;
  Bytes recorded_;
};

inline Bytes numbered(uint64_t n, size_t size) {
  Bytes b(std::max<size_t>(size, 8), static_cast<uint8_t>(n));
  for (size_t i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(n >> (8 * i));
  return b;
}

inline uint64_t number_of(const Bytes& b) {
  uint64_t n = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) n |= uint64_t{b[i]} << (8 * i);
  return n;
}

}  // namespace ipl::net::testing
