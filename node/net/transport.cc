// The Asio side of the P2P transport: one io_context on one thread, one
// Connection object per TCP connection, a Transport::Impl owning the peer
// table. spec: docs/protocol.md section 14; docs/adr/0007-p2p-transport.md.
//
// Threads: every member of Impl and Connection is touched only on the I/O
// thread, except `mu_`-guarded outboxes_ and stats_ (send() and friends run
// on callers' threads), and the atomic `is_stopping_`.
// Invariants:
//   N1 at most one active (established, registered) connection per peer key;
//   N2 a frame length is judged before any buffer grows for it;
//   N3 a peer's send queue never exceeds its message and byte bounds;
//   N4 after stop() began, no callback runs.
#include "node/net/transport.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "common/assert.h"
#include "node/net/handshake.h"

namespace ipl::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Message = std::shared_ptr<const Bytes>;

namespace {

// The read buffer a connection keeps between frames; it grows to one frame
// when a larger (already length-checked) frame arrives and shrinks back.
constexpr size_t kReadBufferBytes = 256u << 10;

uint64_t steady_now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

std::string short_key(const PublicKey& key) { return key.hex().substr(0, 12); }

std::string endpoint_text(const tcp::socket& socket) {
  ErrorCode ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

// How a connection ended; decides logging and backoff.
enum class Outcome {
  kClean,      // closed by either side, replaced, or stopping: no penalty
  kFailure,    // could not connect or finish a handshake: dial backoff
  kViolation,  // the peer sent bytes the protocol forbids: backoff and ban
};

struct Outbox {
  std::deque<Message> queue;
  size_t bytes = 0;
  bool is_configured = false;
  bool is_flush_posted = false;
  uint64_t dropped = 0;
  uint64_t sent = 0;
  uint64_t bytes_sent = 0;
};

// Backoff bookkeeping per peer key (I/O thread).
struct PeerState {
  uint32_t failures = 0;         // consecutive dial/handshake failures
  uint32_t strikes = 0;          // protocol violations since the last clean session
  uint64_t banned_until_ms = 0;  // handshakes from this key refused before
};

struct PeerSlot {
  PeerAddress address;
  std::unique_ptr<asio::steady_timer> timer;
  bool is_scheduled = false;
  bool is_dialing = false;
};

}  // namespace

class Connection;

class Transport::Impl {
 public:
  Impl(TransportConfig config, TransportCallbacks callbacks, MembershipFn is_member)
      : config_(std::move(config)),
        callbacks_(std::move(callbacks)),
        is_member_(std::move(is_member)),
        work_(asio::make_work_guard(io_)),
        acceptor_(io_),
        log_(spdlog::default_logger()) {}

  Status open();
  void run();
  void stop();

  Status send(const PublicKey& peer, Message message);
  Status broadcast(Message message);
  std::vector<PeerInfo> peers() const;
  TransportStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }
  void refresh_membership();

  // --- Called by Connection (I/O thread) ---
  // Policy checks after a valid hello: membership and bans.
  Status admit(const Connection& conn, const PublicKey& peer);
  void on_established(const std::shared_ptr<Connection>& conn);
  void on_closed(const std::shared_ptr<Connection>& conn, const std::string& reason, Outcome outcome);
  void deliver(const PublicKey& peer, Bytes message);
  // Moves up to one write batch of queued messages for `peer` into `batch`.
  void take_batch(const PublicKey& peer, std::vector<Message>& batch);
  void count_sent(const PublicKey& peer, uint64_t messages, uint64_t bytes);

  bool is_stopping() const { return is_stopping_.load(); }
  const TransportConfig& config() const { return config_; }
  const std::shared_ptr<spdlog::logger>& log() const { return log_; }
  asio::io_context& io() { return io_; }
  uint16_t port() const { return port_; }

 private:
  void accept_next();
  void schedule_dial(size_t slot, uint64_t delay_ms);
  void dial(size_t slot);
  void flush(const PublicKey& peer);
  uint64_t backoff_ms(uint32_t failures) const;
  uint64_t dial_delay_ms(const PublicKey& peer);
  std::vector<PeerInfo> peers_locked_io() const;
  void bump(uint64_t TransportStats::*field) {
    std::lock_guard<std::mutex> lock(mu_);
    ++(stats_.*field);
  }

  TransportConfig config_;
  TransportCallbacks callbacks_;
  MembershipFn is_member_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  std::unique_ptr<asio::steady_timer> accept_retry_;
  std::shared_ptr<spdlog::logger> log_;
  std::thread thread_;
  std::atomic<bool> is_stopping_{false};
  uint16_t port_ = 0;

  mutable std::mutex mu_;  // guards outboxes_, stats_
  std::map<PublicKey, Outbox> outboxes_;
  TransportStats stats_;

  // I/O thread only.
  std::map<PublicKey, std::shared_ptr<Connection>> active_;
  std::set<std::shared_ptr<Connection>> pending_;
  size_t pending_inbound_ = 0;
  std::vector<PeerSlot> slots_;
  std::map<PublicKey, size_t> slot_of_;
  std::map<PublicKey, PeerState> peer_state_;
};

// One TCP connection: handshake, then the frame reader and writer.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Transport::Impl& t, tcp::socket socket, Role role, std::optional<PublicKey> expected)
      : t_(t), socket_(std::move(socket)), timer_(t.io()), role_(role), expected_(std::move(expected)) {
    HandshakeParams params;
    params.protocol_version = t_.config().protocol_version;
    params.genesis_hash = t_.config().genesis_hash;
    params.key = &t_.config().key;
    params.expected_key = expected_;
    handshake_ = std::make_unique<Handshake>(role_, std::move(params));
  }

  Role role() const { return role_; }
  bool is_outbound() const { return role_ == Role::kInitiator; }
  // The peer's key once its hello passed, or the dialled key.
  std::optional<PublicKey> known_key() const {
    if (has_peer_key_) return peer_;
    return expected_;
  }
  const PublicKey& peer() const {
    IPL_ASSERT(has_peer_key_);
    return peer_;
  }
  bool has_peer_key() const { return has_peer_key_; }
  bool is_established() const { return is_established_; }
  bool is_active() const { return is_active_; }
  void set_active(bool active) { is_active_ = active; }
  const std::string& address() const { return address_; }
  uint64_t messages_received() const { return messages_received_; }
  uint64_t bytes_received() const { return bytes_received_; }
  uint64_t established_ms() const { return established_ms_; }
  bool is_timed_out() const { return is_timed_out_; }

  void start_outbound(const tcp::resolver::results_type& endpoints, const std::string& address) {
    address_ = address;
    arm_timer();
    auto self = shared_from_this();
    asio::async_connect(socket_, endpoints, [self](const ErrorCode& ec, const tcp::endpoint&) {
      if (self->is_closed_) return;
      if (ec) {
        self->close("connect failed: " + ec.message(), Outcome::kFailure);
        return;
      }
      self->begin_handshake();
    });
  }

  void start_inbound() {
    address_ = endpoint_text(socket_);
    arm_timer();
    begin_handshake();
  }

  // Idempotent. Calls back Impl::on_closed once.
  void close(const std::string& reason, Outcome outcome) {
    if (is_closed_) return;
    is_closed_ = true;
    timer_.cancel();
    ErrorCode ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    t_.on_closed(shared_from_this(), reason, outcome);
  }

  // Starts the frame reader. Requires an established connection.
  void start_reading() {
    IPL_ASSERT(is_established_);
    IPL_ASSERT(opener_.has_value());
    rbuf_.resize(kReadBufferBytes);
    read_more();
  }

  // Writes the next batch of queued messages unless a write is in flight.
  void pump() {
    if (!is_active_ || is_closed_ || is_writing_) return;
    IPL_ASSERT(sealer_.has_value());
    std::vector<Message> batch;
    t_.take_batch(peer_, batch);
    if (batch.empty()) return;
    wbuf_.clear();
    uint64_t plain_bytes = 0;
    for (const Message& m : batch) {
      sealer_->seal(*m, wbuf_);
      plain_bytes += m->size();
    }
    is_writing_ = true;
    auto self = shared_from_this();
    const uint64_t count = batch.size();
    asio::async_write(socket_, asio::buffer(wbuf_), [self, count, plain_bytes](const ErrorCode& ec, size_t) {
      self->is_writing_ = false;
      if (self->is_closed_) return;
      if (ec) {
        self->close("write failed: " + ec.message(), Outcome::kClean);
        return;
      }
      self->t_.count_sent(self->peer_, count, plain_bytes);
      if (self->wbuf_.capacity() > 2 * limits::p2p_write_batch_bytes_max) Bytes().swap(self->wbuf_);
      self->pump();
    });
  }

 private:
  void arm_timer() {
    timer_.expires_after(std::chrono::milliseconds(t_.config().limits.handshake_timeout_ms));
    auto self = shared_from_this();
    timer_.async_wait([self](const ErrorCode& ec) {
      if (ec || self->is_closed_ || self->is_established_) return;
      self->is_timed_out_ = true;
      self->close("handshake timeout", Outcome::kFailure);
    });
  }

  // Step 1: send our hello, then read theirs (each side writes first, so
  // the fixed small messages cannot deadlock).
  void begin_handshake() {
    ErrorCode ec;
    socket_.set_option(tcp::no_delay(true), ec);
    if (address_.empty() || address_ == "?") address_ = endpoint_text(socket_);
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(handshake_->our_hello()), [self](const ErrorCode& wec, size_t) {
      if (self->is_closed_) return;
      if (wec) {
        self->close("handshake write failed: " + wec.message(), Outcome::kFailure);
        return;
      }
      asio::async_read(self->socket_, asio::buffer(self->hello_in_),
                       [self](const ErrorCode& rec, size_t) { self->on_hello(rec); });
    });
  }

  // Step 2: judge the hello; step 3: exchange signatures.
  void on_hello(const ErrorCode& ec) {
    if (is_closed_) return;
    if (ec) {
      close("handshake read failed: " + ec.message(), Outcome::kFailure);
      return;
    }
    Status st = handshake_->on_peer_hello(hello_in_);
    if (!st.is_ok()) {
      close("refused hello: " + st.message(), Outcome::kViolation);
      return;
    }
    peer_ = handshake_->peer_key();
    has_peer_key_ = true;
    st = t_.admit(*this, peer_);
    if (!st.is_ok()) {
      // Policy refusals (non-member, backed off) are not new violations.
      close("refused " + short_key(peer_) + ": " + st.message(), Outcome::kFailure);
      return;
    }
    auth_out_ = handshake_->our_auth();
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(auth_out_), [self](const ErrorCode& wec, size_t) {
      if (self->is_closed_) return;
      if (wec) {
        self->close("handshake write failed: " + wec.message(), Outcome::kFailure);
        return;
      }
      asio::async_read(self->socket_, asio::buffer(self->auth_in_),
                       [self](const ErrorCode& rec, size_t) { self->on_auth(rec); });
    });
  }

  // Step 4: verify and derive keys.
  void on_auth(const ErrorCode& ec) {
    if (is_closed_) return;
    if (ec) {
      close("handshake read failed: " + ec.message(), Outcome::kFailure);
      return;
    }
    auto keys = handshake_->on_peer_auth(auth_in_);
    if (!keys.is_ok()) {
      close("refused " + short_key(peer_) + ": " + keys.status().message(), Outcome::kViolation);
      return;
    }
    sealer_.emplace(keys.value().send);
    opener_.emplace(keys.value().receive);
    handshake_.reset();
    is_established_ = true;
    established_ms_ = steady_now_ms();
    timer_.cancel();
    t_.on_established(shared_from_this());
  }

  void read_more() {
    if (rbuf_.size() - rend_ < 4096 && rbegin_ > 0) compact();
    IPL_ASSERT(rend_ < rbuf_.size());
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_),
                            [self](const ErrorCode& ec, size_t n) { self->on_read(ec, n); });
  }

  void compact() {
    IPL_ASSERT(rbegin_ <= rend_);
    std::memmove(rbuf_.data(), rbuf_.data() + rbegin_, rend_ - rbegin_);
    rend_ -= rbegin_;
    rbegin_ = 0;
  }

  void on_read(const ErrorCode& ec, size_t n) {
    if (is_closed_) return;
    if (ec) {
      close(ec == asio::error::eof ? "closed by peer" : "read failed: " + ec.message(), Outcome::kClean);
      return;
    }
    rend_ += n;
    IPL_ASSERT(rend_ <= rbuf_.size());
    const size_t frame_max = t_.config().limits.frame_bytes_max;
    while (rend_ - rbegin_ >= kFrameHeaderBytes) {
      const ByteView header(rbuf_.data() + rbegin_, kFrameHeaderBytes);
      // N2: judge the length before the buffer grows for it.
      auto len = FrameOpener::check_length(header, frame_max);
      if (!len.is_ok()) {
        close("bad frame: " + len.status().message(), Outcome::kViolation);
        return;
      }
      const size_t need = kFrameHeaderBytes + len.value();
      if (rend_ - rbegin_ < need) {
        if (rbuf_.size() - rbegin_ < need) {
          compact();
          if (rbuf_.size() < need) rbuf_.resize(need);
        }
        break;
      }
      auto message = opener_->open(header, ByteView(rbuf_.data() + rbegin_ + kFrameHeaderBytes, len.value()));
      if (!message.is_ok()) {
        close("bad frame: " + message.status().message(), Outcome::kViolation);
        return;
      }
      rbegin_ += need;
      ++messages_received_;
      bytes_received_ += message.value().size();
      t_.deliver(peer_, std::move(message).value());
      if (is_closed_) return;  // a callback may have closed us
    }
    if (rbegin_ == rend_) {
      rbegin_ = rend_ = 0;
      if (rbuf_.size() > kReadBufferBytes) {
        rbuf_.resize(kReadBufferBytes);
        rbuf_.shrink_to_fit();
      }
    }
    read_more();
  }

  Transport::Impl& t_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  Role role_;
  std::optional<PublicKey> expected_;
  std::string address_;
  std::unique_ptr<Handshake> handshake_;
  std::array<uint8_t, kHelloBytes> hello_in_{};
  std::array<uint8_t, kAuthBytes> auth_in_{};
  Bytes auth_out_;
  PublicKey peer_;
  bool has_peer_key_ = false;
  bool is_established_ = false;
  bool is_active_ = false;
  bool is_closed_ = false;
  bool is_writing_ = false;
  bool is_timed_out_ = false;
  uint64_t established_ms_ = 0;
  std::optional<FrameSealer> sealer_;
  std::optional<FrameOpener> opener_;
  Bytes rbuf_;
  size_t rbegin_ = 0;
  size_t rend_ = 0;
  Bytes wbuf_;
  uint64_t messages_received_ = 0;
  uint64_t bytes_received_ = 0;
};

// --- Impl -------------------------------------------------------------------

Status Transport::Impl::open() {
  ErrorCode ec;
  const auto address = asio::ip::make_address(config_.listen_host, ec);
  if (ec) return Status::invalid("listen_host is not an IP address: " + config_.listen_host);
  const tcp::endpoint endpoint(address, config_.listen_port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::io_error("cannot listen on " + config_.listen_host + ":" + std::to_string(config_.listen_port) +
                            ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return Status::io_error("cannot read the bound port: " + ec.message());
  IPL_ASSERT(port_ != 0);
  accept_retry_ = std::make_unique<asio::steady_timer>(io_);
  for (const PeerAddress& p : config_.peers) {
    PeerSlot slot;
    slot.address = p;
    slot.timer = std::make_unique<asio::steady_timer>(io_);
    slot_of_[p.key] = slots_.size();
    slots_.push_back(std::move(slot));
    std::lock_guard<std::mutex> lock(mu_);
    outboxes_[p.key].is_configured = true;
  }
  return Status::ok();
}

void Transport::Impl::run() {
  asio::post(io_, [this] {
    accept_next();
    // The lower key dials at once; the higher waits (dial_delay_ms) so that
    // crossing dials, and the duplicate they make, are rare.
    for (size_t i = 0; i < slots_.size(); ++i) {
      const PublicKey& peer = slots_[i].address.key;
      schedule_dial(i, config_.key.public_key < peer ? 0 : config_.limits.dial_defer_ms);
    }
  });
  thread_ = std::thread([this] {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        // A callback threw: log and keep serving the other peers.
        log_->error("[{}] exception on the I/O thread: {}", config_.log_name, e.what());
      } catch (...) {
        log_->error("[{}] unknown exception on the I/O thread", config_.log_name);
      }
    }
  });
}

void Transport::Impl::stop() {
  if (is_stopping_.exchange(true)) {
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
    return;
  }
  IPL_ASSERT(thread_.get_id() != std::this_thread::get_id());
  asio::post(io_, [this] {
    ErrorCode ec;
    acceptor_.close(ec);
    if (accept_retry_) accept_retry_->cancel();
    for (PeerSlot& s : slots_) s.timer->cancel();
    auto active = std::move(active_);
    auto pending = std::move(pending_);
    active_.clear();
    pending_.clear();
    for (auto& [key, conn] : active) conn->close("transport stopping", Outcome::kClean);
    for (const auto& conn : pending) conn->close("transport stopping", Outcome::kClean);
  });
  work_.reset();
  if (thread_.joinable()) thread_.join();
  log_->info("[{}] stopped", config_.log_name);
}

void Transport::Impl::accept_next() {
  acceptor_.async_accept([this](const ErrorCode& ec, tcp::socket socket) {
    if (is_stopping_) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      // Out of descriptors and the like: retry shortly rather than spin.
      log_->warn("[{}] accept failed: {}", config_.log_name, ec.message());
      accept_retry_->expires_after(std::chrono::milliseconds(100));
      accept_retry_->async_wait([this](const ErrorCode& tec) {
        if (!tec && !is_stopping_) accept_next();
      });
      return;
    }
    if (pending_inbound_ >= config_.limits.handshakes_pending_max) {
      log_->warn("[{}] refused inbound {}: {} handshakes pending", config_.log_name, endpoint_text(socket),
                 pending_inbound_);
      bump(&TransportStats::inbound_rejected_full);
      ErrorCode cec;
      socket.close(cec);
    } else {
      auto conn = std::make_shared<Connection>(*this, std::move(socket), Role::kResponder, std::nullopt);
      pending_.insert(conn);
      ++pending_inbound_;
      conn->start_inbound();
    }
    accept_next();
  });
}

uint64_t Transport::Impl::backoff_ms(uint32_t failures) const {
  const auto& l = config_.limits;
  if (failures == 0) return l.reconnect_backoff_base_ms;
  const uint32_t shift = std::min<uint32_t>(failures, 20);
  return std::min<uint64_t>(l.reconnect_backoff_base_ms << shift, l.reconnect_backoff_max_ms);
}

uint64_t Transport::Impl::dial_delay_ms(const PublicKey& peer) {
  const PeerState& ps = peer_state_[peer];
  uint64_t delay = backoff_ms(ps.failures);
  const uint64_t now = steady_now_ms();
  if (ps.banned_until_ms > now) delay = std::max(delay, ps.banned_until_ms - now);
  // Jitter of up to a quarter spreads out peers that failed together.
  delay += randombytes_uniform(static_cast<uint32_t>(std::min<uint64_t>(delay / 4, 1'000'000)) + 1);
  if (peer < config_.key.public_key) delay += config_.limits.dial_defer_ms;
  IPL_ASSERT(delay > 0);
  return delay;
}

void Transport::Impl::schedule_dial(size_t index, uint64_t delay_ms) {
  IPL_ASSERT(index < slots_.size());
  PeerSlot& slot = slots_[index];
  if (is_stopping_ || slot.is_scheduled || slot.is_dialing) return;
  slot.is_scheduled = true;
  slot.timer->expires_after(std::chrono::milliseconds(delay_ms));
  slot.timer->async_wait([this, index](const ErrorCode& ec) {
    slots_[index].is_scheduled = false;
    if (ec || is_stopping_) return;
    dial(index);
  });
}

void Transport::Impl::dial(size_t index) {
  PeerSlot& slot = slots_[index];
  IPL_ASSERT(!slot.is_dialing);
  const PublicKey key = slot.address.key;
  if (active_.count(key) != 0) return;  // redialled when that connection drops
  const PeerState& ps = peer_state_[key];
  const uint64_t now = steady_now_ms();
  if (ps.banned_until_ms > now) {
    schedule_dial(index, ps.banned_until_ms - now);
    return;
  }
  slot.is_dialing = true;
  auto resolver = std::make_shared<tcp::resolver>(io_);
  const std::string address = slot.address.host + ":" + std::to_string(slot.address.port);
  resolver->async_resolve(
      slot.address.host, std::to_string(slot.address.port),
      [this, index, key, address, resolver](const ErrorCode& ec, const tcp::resolver::results_type& results) {
        if (is_stopping_) return;
        if (ec) {
          slots_[index].is_dialing = false;
          ++peer_state_[key].failures;
          log_->warn("[{}] cannot resolve {}: {}", config_.log_name, address, ec.message());
          schedule_dial(index, dial_delay_ms(key));
          return;
        }
        auto conn = std::make_shared<Connection>(*this, tcp::socket(io_), Role::kInitiator, key);
        pending_.insert(conn);
        conn->start_outbound(results, address);
      });
}

Status Transport::Impl::admit(const Connection& conn, const PublicKey& peer) {
  if (!is_member_(peer)) return Status::permission("not a current member");
  const PeerState& ps = peer_state_[peer];
  const uint64_t now = steady_now_ms();
  if (!conn.is_outbound() && ps.banned_until_ms > now) {
    return Status::unavailable("backed off for another " + std::to_string(ps.banned_until_ms - now) + " ms");
  }
  return Status::ok();
}

void Transport::Impl::on_established(const std::shared_ptr<Connection>& conn) {
  IPL_ASSERT(conn->is_established());
  IPL_ASSERT(!conn->is_active());
  const size_t erased = pending_.erase(conn);
  IPL_ASSERT(erased == 1);
  if (!conn->is_outbound()) --pending_inbound_;
  const PublicKey& peer = conn->peer();
  bump(&TransportStats::handshakes_ok);
  auto slot_it = slot_of_.find(peer);
  if (conn->is_outbound() && slot_it != slot_of_.end()) slots_[slot_it->second].is_dialing = false;
  peer_state_[peer].failures = 0;

  bool is_replacement = false;
  auto it = active_.find(peer);
  if (it != active_.end()) {
    // Duplicate: keep the connection initiated by the lower key; if both
    // were initiated by the same side, the newer one (the older is stale).
    const auto initiator_of = [&](const Connection& c) {
      return c.is_outbound() ? config_.key.public_key : peer;
    };
    const PublicKey lower = std::min(config_.key.public_key, peer);
    const bool new_preferred = initiator_of(*conn) == lower;
    const bool old_preferred = initiator_of(*it->second) == lower;
    bump(&TransportStats::duplicates_closed);
    if (old_preferred && !new_preferred) {
      log_->info("[{}] duplicate connection with {} closed (keeping the one initiated by the lower key)",
                 config_.log_name, short_key(peer));
      conn->close("duplicate connection", Outcome::kClean);
      return;
    }
    // Register the new connection first so closing the old one neither
    // reports the peer down nor schedules a redial.
    std::shared_ptr<Connection> old = it->second;
    old->set_active(false);
    it->second = conn;
    conn->set_active(true);
    log_->info("[{}] connection with {} replaced by a {} one", config_.log_name, short_key(peer),
               conn->is_outbound() ? "outbound" : "inbound");
    old->close("replaced by a newer connection", Outcome::kClean);
    is_replacement = true;
  } else if (active_.size() >= config_.limits.peers_max) {
    bump(&TransportStats::inbound_rejected_full);
    conn->close("too many peers", Outcome::kClean);
    return;
  }
  active_[peer] = conn;
  conn->set_active(true);
  {
    std::lock_guard<std::mutex> lock(mu_);
    outboxes_[peer];  // create if missing
  }
  log_->info("[{}] connected {} {} ({})", config_.log_name, conn->is_outbound() ? "to" : "from", short_key(peer),
             conn->address());
  if (!is_replacement && callbacks_.on_peer_up) callbacks_.on_peer_up(peer);
  if (conn->is_active()) {
    conn->start_reading();
    conn->pump();
  }
}

void Transport::Impl::on_closed(const std::shared_ptr<Connection>& conn, const std::string& reason,
                                Outcome outcome) {
  if (is_stopping_) return;  // N4
  if (pending_.erase(conn) == 1 && !conn->is_outbound()) --pending_inbound_;
  const std::optional<PublicKey> key = conn->known_key();
  const std::string who = key ? short_key(*key) : std::string("unauthenticated");
  if (conn->is_outbound() && key) {
    auto s = slot_of_.find(*key);
    if (s != slot_of_.end() && !conn->is_established()) slots_[s->second].is_dialing = false;
  }
  if (key) {
    PeerState& ps = peer_state_[*key];
    if (outcome == Outcome::kViolation) {
      ++ps.strikes;
      ++ps.failures;
      ps.banned_until_ms = steady_now_ms() + backoff_ms(ps.strikes);
    } else if (outcome == Outcome::kFailure && conn->is_outbound()) {
      ++ps.failures;
    } else if (outcome == Outcome::kClean && conn->is_active()) {
      ps.strikes = 0;
    }
  }
  if (outcome == Outcome::kViolation) {
    bump(&TransportStats::protocol_violations);
    if (!conn->is_established()) bump(&TransportStats::handshakes_refused);
    log_->warn("[{}] disconnected {} ({}): {}{}", config_.log_name, who, conn->address(), reason,
               key ? "; backing off" : "");
  } else if (outcome == Outcome::kFailure) {
    if (conn->is_timed_out()) {
      bump(&TransportStats::handshake_timeouts);
    } else if (conn->has_peer_key()) {
      bump(&TransportStats::handshakes_refused);
    }
    log_->warn("[{}] handshake with {} ({}) failed: {}", config_.log_name, who, conn->address(), reason);
  } else if (conn->is_active() || conn->is_established()) {
    log_->info("[{}] disconnected {} ({}): {}", config_.log_name, who, conn->address(), reason);
  }

  if (conn->is_active()) {
    conn->set_active(false);
    active_.erase(conn->peer());
    if (slot_of_.count(conn->peer()) == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      outboxes_.erase(conn->peer());
    }
    if (callbacks_.on_peer_down) callbacks_.on_peer_down(conn->peer(), reason);
  }
  if (key && active_.count(*key) == 0) {
    auto s = slot_of_.find(*key);
    if (s != slot_of_.end()) schedule_dial(s->second, dial_delay_ms(*key));
  }
}

void Transport::Impl::deliver(const PublicKey& peer, Bytes message) {
  if (is_stopping_) return;
  if (callbacks_.on_message) callbacks_.on_message(peer, std::move(message));
}

Status Transport::Impl::send(const PublicKey& peer, Message message) {
  if (message->size() > limits::wire_message_bytes_max) {
    return Status::limit("message of " + std::to_string(message->size()) + " bytes exceeds " +
                         std::to_string(limits::wire_message_bytes_max));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = outboxes_.find(peer);
  if (it == outboxes_.end()) {
    ++stats_.messages_dropped;
    return Status::not_found("peer " + short_key(peer) + " is neither configured nor connected");
  }
  Outbox& box = it->second;
  box.bytes += message->size();
  box.queue.push_back(std::move(message));
  // N3: drop the oldest until both bounds hold.
  while (box.queue.size() > config_.limits.send_queue_messages_max ||
         box.bytes > config_.limits.send_queue_bytes_max) {
    IPL_ASSERT(box.queue.size() > 1);
    box.bytes -= box.queue.front()->size();
    box.queue.pop_front();
    ++box.dropped;
    ++stats_.messages_dropped;
  }
  if (!box.is_flush_posted && !is_stopping_) {
    box.is_flush_posted = true;
    asio::post(io_, [this, peer] { flush(peer); });
  }
  return Status::ok();
}

Status Transport::Impl::broadcast(Message message) {
  if (message->size() > limits::wire_message_bytes_max) {
    return Status::limit("message of " + std::to_string(message->size()) + " bytes exceeds " +
                         std::to_string(limits::wire_message_bytes_max));
  }
  std::vector<PublicKey> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, box] : outboxes_) keys.push_back(key);
  }
  for (const PublicKey& key : keys) {
    // A peer removed between the two locks is skipped (not found).
    (void)send(key, message);
  }
  return Status::ok();
}

void Transport::Impl::flush(const PublicKey& peer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = outboxes_.find(peer);
    if (it != outboxes_.end()) it->second.is_flush_posted = false;
  }
  auto it = active_.find(peer);
  if (it != active_.end()) it->second->pump();
}

void Transport::Impl::take_batch(const PublicKey& peer, std::vector<Message>& batch) {
  IPL_ASSERT(batch.empty());
  std::lock_guard<std::mutex> lock(mu_);
  auto it = outboxes_.find(peer);
  if (it == outboxes_.end()) return;
  Outbox& box = it->second;
  size_t bytes = 0;
  while (!box.queue.empty() &&
         (batch.empty() || bytes + box.queue.front()->size() <= limits::p2p_write_batch_bytes_max)) {
    bytes += box.queue.front()->size();
    box.bytes -= box.queue.front()->size();
    batch.push_back(std::move(box.queue.front()));
    box.queue.pop_front();
  }
  IPL_ASSERT(box.queue.empty() || !batch.empty());
}

void Transport::Impl::count_sent(const PublicKey& peer, uint64_t messages, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = outboxes_.find(peer);
  if (it == outboxes_.end()) return;
  it->second.sent += messages;
  it->second.bytes_sent += bytes;
}

std::vector<PeerInfo> Transport::Impl::peers_locked_io() const {
  std::map<PublicKey, PeerInfo> out;
  for (const PeerSlot& s : slots_) {
    PeerInfo& info = out[s.address.key];
    info.key = s.address.key;
    info.address = s.address.host + ":" + std::to_string(s.address.port);
    info.is_configured = true;
  }
  for (const auto& [key, conn] : active_) {
    PeerInfo& info = out[key];
    info.key = key;
    info.address = conn->address();
    info.is_connected = true;
    info.is_outbound = conn->is_outbound();
    info.messages_received = conn->messages_received();
    info.bytes_received = conn->bytes_received();
  }
  for (auto& [key, info] : out) {
    auto ps = peer_state_.find(key);
    if (ps != peer_state_.end()) info.failures = ps->second.failures;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, info] : out) {
    auto it = outboxes_.find(key);
    if (it == outboxes_.end()) continue;
    info.messages_sent = it->second.sent;
    info.bytes_sent = it->second.bytes_sent;
    info.messages_dropped = it->second.dropped;
    info.queued_messages = it->second.queue.size();
    info.queued_bytes = it->second.bytes;
  }
  std::vector<PeerInfo> result;
  result.reserve(out.size());
  for (auto& [key, info] : out) result.push_back(std::move(info));
  return result;
}

std::vector<PeerInfo> Transport::Impl::peers() const {
  if (thread_.get_id() == std::this_thread::get_id()) return peers_locked_io();
  if (is_stopping_) return {};
  std::promise<std::vector<PeerInfo>> promise;
  auto future = promise.get_future();
  asio::post(const_cast<asio::io_context&>(io_), [this, &promise] { promise.set_value(peers_locked_io()); });
  return future.get();
}

void Transport::Impl::refresh_membership() {
  asio::post(io_, [this] {
    std::vector<std::shared_ptr<Connection>> gone;
    for (const auto& [key, conn] : active_) {
      if (!is_member_(key)) gone.push_back(conn);
    }
    for (const auto& conn : gone) conn->close("no longer a member", Outcome::kClean);
  });
}

// --- Transport --------------------------------------------------------------

namespace {

Status validate(const TransportConfig& c) {
  const TransportLimits& l = c.limits;
  if (l.frame_bytes_max < limits::p2p_aead_bytes || l.frame_bytes_max > limits::p2p_frame_bytes_max) {
    return Status::invalid("limits.frame_bytes_max must be in [16, " +
                           std::to_string(limits::p2p_frame_bytes_max) + "]");
  }
  if (l.send_queue_bytes_max == 0 || l.send_queue_bytes_max > limits::p2p_send_queue_bytes_max) {
    return Status::invalid("limits.send_queue_bytes_max out of range");
  }
  if (l.send_queue_messages_max == 0 || l.send_queue_messages_max > limits::p2p_send_queue_messages_max) {
    return Status::invalid("limits.send_queue_messages_max out of range");
  }
  if (l.handshake_timeout_ms == 0 || l.handshake_timeout_ms > limits::p2p_handshake_timeout_ms) {
    return Status::invalid("limits.handshake_timeout_ms out of range");
  }
  if (l.reconnect_backoff_base_ms == 0 || l.reconnect_backoff_base_ms > l.reconnect_backoff_max_ms ||
      l.reconnect_backoff_max_ms > limits::p2p_reconnect_backoff_max_ms) {
    return Status::invalid("limits.reconnect_backoff_* out of range");
  }
  if (l.handshakes_pending_max == 0 || l.handshakes_pending_max > limits::p2p_handshakes_pending_max) {
    return Status::invalid("limits.handshakes_pending_max out of range");
  }
  if (l.dial_defer_ms > limits::p2p_dial_defer_ms) return Status::invalid("limits.dial_defer_ms out of range");
  if (l.peers_max == 0 || l.peers_max > limits::p2p_peers_max) return Status::invalid("limits.peers_max out of range");
  if (c.peers.size() > l.peers_max) return Status::invalid("more configured peers than limits.peers_max");
  std::set<PublicKey> seen;
  for (const PeerAddress& p : c.peers) {
    if (p.host.empty() || p.port == 0) return Status::invalid("peer " + p.key.hex() + " has no host or port");
    if (p.key == c.key.public_key) return Status::invalid("our own key is listed as a peer");
    if (!seen.insert(p.key).second) return Status::invalid("peer " + p.key.hex() + " is listed twice");
  }
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Transport>> Transport::start(TransportConfig config, TransportCallbacks callbacks,
                                                    MembershipFn is_member) {
  IPL_ASSERT(is_member != nullptr);
  IPL_RETURN_IF_ERROR(validate(config));
  if (sodium_init() < 0) return Status::io_error("libsodium failed to initialise");
  auto impl = std::make_unique<Impl>(std::move(config), std::move(callbacks), std::move(is_member));
  try {
    IPL_RETURN_IF_ERROR(impl->open());
    impl->run();
  } catch (const std::exception& e) {
    return Status::io_error(std::string("transport failed to start: ") + e.what());
  }
  impl->log()->info("[{}] listening on {}:{} as {}", impl->config().log_name, impl->config().listen_host,
                    impl->port(), short_key(impl->config().key.public_key));
  return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { IPL_ASSERT(impl_ != nullptr); }

Transport::~Transport() { stop(); }

uint16_t Transport::port() const { return impl_->port(); }
const PublicKey& Transport::key() const { return impl_->config().key.public_key; }

Status Transport::send(const PublicKey& peer, Bytes message) {
  return impl_->send(peer, std::make_shared<const Bytes>(std::move(message)));
}

Status Transport::broadcast(Bytes message) {
  return impl_->broadcast(std::make_shared<const Bytes>(std::move(message)));
}

std::vector<PeerInfo> Transport::peers() const { return impl_->peers(); }
TransportStats Transport::stats() const { return impl_->stats(); }
void Transport::refresh_membership() { impl_->refresh_membership(); }
void Transport::stop() { impl_->stop(); }

}  // namespace ipl::net
