// The authenticated, encrypted P2P transport (docs/protocol.md section 14,
// docs/adr/0007-p2p-transport.md). TCP; a signed handshake over a transcript
// of fresh ephemeral keys and nonces; then AEAD frames with per-direction
// counters. Asio stays inside transport.cc (pimpl), so this header is cheap.
//
// Delivery: messages to one peer arrive in the order sent while one
// connection lasts; across a reconnect, frames in flight may be lost (the
// consensus layer retransmits). A per-peer send queue holds messages not
// yet encrypted; when full the OLDEST is dropped and counted (PeerInfo).
// Queues of configured peers survive their disconnection, so a returning
// peer receives the newest messages first queued.
//
// Misbehaviour (garbage, oversize length, bad signature, failed frame
// authentication, handshake timeout) closes the connection, logs a warning
// with the reason, counts it in TransportStats, and backs the peer off:
// redials of that address and handshakes from that key wait base x
// 2^failures ms, capped (limits::p2p_reconnect_backoff_*).
//
// Duplicates: when two connections with one peer are authenticated, both
// sides keep the one initiated by the lower static key (or, when both were
// initiated by the same side, the newer one). The lower key dials at once;
// the higher key waits limits.dial_defer_ms first, so crossing dials are
// rare.
//
// Thread-safety: start() runs one I/O thread. send(), broadcast(), peers(),
// stats() and refresh_membership() may be called from any thread. All
// callbacks and the membership function run on the I/O thread; they must
// not block and must not call stop(). No callback runs after stop() returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/crypto.h"
#include "common/limits.h"
#include "common/status.h"

namespace ipl::net {

struct PeerAddress {
  std::string host;  // IP literal or resolvable name
  uint16_t port = 0;
  PublicKey key;     // the transport key the peer must present
};

// Runtime bounds; each may only be lowered below its limits.h maximum.
struct TransportLimits {
  size_t frame_bytes_max = limits::p2p_frame_bytes_max;
  size_t send_queue_bytes_max = limits::p2p_send_queue_bytes_max;
  size_t send_queue_messages_max = limits::p2p_send_queue_messages_max;
  uint64_t handshake_timeout_ms = limits::p2p_handshake_timeout_ms;
  uint64_t reconnect_backoff_base_ms = limits::p2p_reconnect_backoff_base_ms;
  uint64_t reconnect_backoff_max_ms = limits::p2p_reconnect_backoff_max_ms;
  uint64_t dial_defer_ms = limits::p2p_dial_defer_ms;
  size_t handshakes_pending_max = limits::p2p_handshakes_pending_max;
  size_t peers_max = limits::p2p_peers_max;
};

struct TransportConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0: the OS picks; see Transport::port()
  Hash32 genesis_hash{};
  uint32_t protocol_version = 1;
  KeyPair key;                     // our static transport key
  std::vector<PeerAddress> peers;  // dialled and redialled; others may dial us
  TransportLimits limits;
  std::string log_name = "p2p";    // prefix of every log line
};

struct TransportCallbacks {
  // One decrypted message; `message` is owned by the callee.
  std::function<void(const PublicKey& peer, Bytes message)> on_message;
  std::function<void(const PublicKey& peer)> on_peer_up;
  std::function<void(const PublicKey& peer, const std::string& reason)> on_peer_down;
};

// Whether a static transport key belongs to a current member. Called on the
// I/O thread during each handshake and by refresh_membership().
using MembershipFn = std::function<bool(const PublicKey& key)>;

struct PeerInfo {
  PublicKey key;
  std::string address;        // "host:port" of the live connection, or the configured one
  bool is_connected = false;
  bool is_outbound = false;   // the live connection was dialled by us
  bool is_configured = false;
  uint64_t messages_sent = 0;      // frames written to the socket
  uint64_t messages_received = 0;
  uint64_t bytes_sent = 0;         // plaintext bytes
  uint64_t bytes_received = 0;
  uint64_t messages_dropped = 0;   // drop-oldest evictions from the send queue
  size_t queued_messages = 0;
  size_t queued_bytes = 0;
  uint32_t failures = 0;           // consecutive failures feeding the backoff
};

struct TransportStats {
  uint64_t handshakes_ok = 0;
  uint64_t handshakes_refused = 0;     // bad hello, mismatch, non-member, bad signature, backed off
  uint64_t handshake_timeouts = 0;
  uint64_t protocol_violations = 0;    // oversize/short length, failed frame authentication
  uint64_t duplicates_closed = 0;
  uint64_t inbound_rejected_full = 0;  // too many pending handshakes or peers
  uint64_t messages_dropped = 0;       // all peers, including unknown destinations
};

class Transport {
 public:
  // Binds, listens, starts the I/O thread and dials the configured peers.
  // Returns kInvalidArgument for a bad config, kIoError when binding fails.
  static Result<std::unique_ptr<Transport>> start(TransportConfig config, TransportCallbacks callbacks,
                                                  MembershipFn is_member);
  ~Transport();  // stops if still running
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // The bound listening port.
  uint16_t port() const;
  const PublicKey& key() const;

  // Queues `message` for `peer`. kLimitExceeded when the message is larger
  // than limits::wire_message_bytes_max (nothing is queued); kNotFound when
  // the peer is neither configured nor connected (dropped, counted).
  Status send(const PublicKey& peer, Bytes message);
  // Queues `message` for every configured or connected peer (shared, not copied).
  Status broadcast(Bytes message);

  std::vector<PeerInfo> peers() const;
  TransportStats stats() const;
  // Re-asks is_member for every connected peer and closes those no longer
  // members (after an epoch change).
  void refresh_membership();
  // Closes every connection and joins the I/O thread. Idempotent. Must not
  // be called from a callback.
  void stop();

  class Impl;

 private:
  explicit Transport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ipl::net
